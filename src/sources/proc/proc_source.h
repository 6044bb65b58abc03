// ProcSource: samples the target's process tree from procfs on a fixed cadence.
#pragma once

#include "sources/source.h"

namespace ktel {

class ProcSource : public Source {
 public:
  ProcSource();
  ~ProcSource() override;
  std::string_view name() const override { return "proc"; }
  std::string_view row_source() const override { return "host_proc"; }
  Status start(const SourceContext& ctx) override;
  Status stop() override;
  SourceReport report() const override;
};

}  // namespace ktel
