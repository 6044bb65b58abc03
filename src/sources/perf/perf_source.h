// PerfSource: perf_event_open counters of the target tree.
#pragma once

#include "sources/source.h"

namespace ktel {

class PerfSource : public Source {
 public:
  PerfSource();
  ~PerfSource() override;
  std::string_view name() const override { return "perf"; }
  std::string_view row_source() const override { return "host_perf"; }
  Status start(const SourceContext& ctx) override;
  Status stop() override;
  SourceReport report() const override;
};

}  // namespace ktel
