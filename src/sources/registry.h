// SourceRegistry: the sources this build knows, by name, with explicit
// registration (register_builtin_sources), never static self-registration.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sources/source.h"

namespace ktel {

struct SourceInfo {
  std::string name;         // "proc"
  std::string description;  // one line for --help and doctor
  bool needs_root = false;  // informs the "run as root for" hint
  std::function<std::unique_ptr<Source>()> make;
};

class SourceRegistry {
 public:
  void add(SourceInfo info);
  const SourceInfo* find(std::string_view name) const;
  const std::vector<SourceInfo>& all() const { return infos_; }
  std::vector<std::string> names() const;

 private:
  std::vector<SourceInfo> infos_;
};

void register_builtin_sources(SourceRegistry& registry);

}  // namespace ktel
