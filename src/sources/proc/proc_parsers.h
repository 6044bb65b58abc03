// Pure parsers for the procfs text the proc source reads: /proc/<pid>/{stat,
// status,io,schedstat} and the cpu lines of /proc/stat. Bytes in, struct out;
// bounds-checked, allocation-free on success, and a malformed input gives a
// kDataLoss Status naming the file and field (never a crash: these are fuzzed).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace ktel::proc {

// /proc/<pid>/stat, in the kernel's units (clock ticks, pages).
struct StatFields {
  pid_t pid = 0;
  std::string_view comm;  // view into the parsed text: raw bytes between the parentheses
  char state = '?';
  pid_t ppid = 0;
  uint64_t minflt = 0;
  uint64_t majflt = 0;
  uint64_t utime_ticks = 0;
  uint64_t stime_ticks = 0;
  uint64_t num_threads = 0;
  uint64_t start_time_ticks = 0;  // since boot
  uint64_t vsize_bytes = 0;
  uint64_t rss_pages = 0;
};
// comm may hold spaces and parentheses, so fields are counted after the LAST
// ')'. Fields after rss (25+) are ignored, so newer kernels that append fields
// still parse.
Result<StatFields> parse_stat(std::string_view text);

// voluntary_ctxt_switches / nonvoluntary_ctxt_switches from /proc/<pid>/status.
struct CtxSwitches {
  uint64_t voluntary = 0;
  uint64_t involuntary = 0;
};
Result<CtxSwitches> parse_status_ctxsw(std::string_view text);

// /proc/<pid>/io (CONFIG_TASK_IO_ACCOUNTING).
struct IoFields {
  uint64_t rchar = 0;
  uint64_t wchar = 0;
  uint64_t read_bytes = 0;
  uint64_t write_bytes = 0;
};
Result<IoFields> parse_io(std::string_view text);

// /proc/<pid>/schedstat: "run_ns wait_ns timeslices".
struct SchedStat {
  uint64_t run_ns = 0;
  uint64_t wait_ns = 0;
  uint64_t timeslices = 0;
};
Result<SchedStat> parse_schedstat(std::string_view text);

// One "cpu" / "cpuN" line of /proc/stat, in clock ticks.
struct CpuTimes {
  int cpu = -1;  // -1 for the total "cpu" line
  uint64_t user = 0;
  uint64_t nice = 0;
  uint64_t system = 0;
  uint64_t idle = 0;
  uint64_t iowait = 0;
  uint64_t irq = 0;
  uint64_t softirq = 0;
  uint64_t steal = 0;
};
// Fills `out` (cleared first) with the total line then one entry per CPU line,
// in file order. Needs the eight fields user..steal (Linux >= 2.6.11); guest
// columns are ignored because user/nice already include them.
Status parse_proc_stat_cpus(std::string_view text, std::vector<CpuTimes>& out);

}  // namespace ktel::proc
