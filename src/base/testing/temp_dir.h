// TempDir: a fresh directory under /tmp for a test, removed recursively when
// the object dies. Test-only.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace ktel::testing {

class TempDir {
 public:
  TempDir() {
    std::string templ = "/tmp/ktel-test-XXXXXX";
    char* p = ::mkdtemp(templ.data());
    path_ = p != nullptr ? p : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace ktel::testing
