#include "sources/perf/perf_source.h"

namespace ktel {
PerfSource::PerfSource() = default;
PerfSource::~PerfSource() = default;
Status PerfSource::start(const SourceContext&) { return unavailable("perf source not built yet"); }
Status PerfSource::stop() { return Status::ok(); }
SourceReport PerfSource::report() const { return {}; }
}  // namespace ktel
