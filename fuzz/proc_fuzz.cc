// Fuzzes the procfs parsers (sources/proc/proc_parsers.h) with one input as
// each of /proc/<pid>/{stat,status,io,schedstat} and /proc/stat: process names
// inside stat are chosen by whoever runs the process.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "sources/proc/proc_parsers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ktel::proc;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto stat = parse_stat(text); stat.is_ok()) {
    // comm is a view into the input, between " (" and the last ')'.
    KTEL_FUZZ_CHECK(stat->comm.data() >= text.data());
    KTEL_FUZZ_CHECK(stat->comm.data() + stat->comm.size() <= text.data() + text.size());
    KTEL_FUZZ_CHECK(stat->comm.data() + stat->comm.size() < text.data() + text.size() &&
                    stat->comm.data()[stat->comm.size()] == ')');
    KTEL_FUZZ_CHECK(stat->pid >= 0 && stat->ppid >= 0);
  } else {
    KTEL_FUZZ_CHECK(!stat.status().message().empty());
  }
  (void)parse_status_ctxsw(text);
  (void)parse_io(text);
  (void)parse_schedstat(text);

  std::vector<CpuTimes> cpus;
  if (parse_proc_stat_cpus(text, cpus).is_ok()) {
    KTEL_FUZZ_CHECK(!cpus.empty() && cpus.front().cpu == -1);
    for (size_t i = 1; i < cpus.size(); ++i) KTEL_FUZZ_CHECK(cpus[i].cpu >= -1);
  }
  return 0;
}
