#include "sources/proc/proc_source.h"

namespace ktel {
ProcSource::ProcSource() = default;
ProcSource::~ProcSource() = default;
Status ProcSource::start(const SourceContext&) { return unavailable("proc source not built yet"); }
Status ProcSource::stop() { return Status::ok(); }
SourceReport ProcSource::report() const { return {}; }
}  // namespace ktel
