#include "sources/sched/ftrace_cpu_stats.h"

#include <fmt/format.h>

#include "base/strings.h"

namespace ktel::sched {

FtraceCpuStats stats_delta(const FtraceCpuStats& a, const FtraceCpuStats& b) {
  auto d = [](uint64_t x, uint64_t y) { return y >= x ? y - x : 0; };
  FtraceCpuStats out = b;
  out.overrun = d(a.overrun, b.overrun);
  out.commit_overrun = d(a.commit_overrun, b.commit_overrun);
  out.dropped_events = d(a.dropped_events, b.dropped_events);
  out.read_events = d(a.read_events, b.read_events);
  return out;
}

Result<FtraceCpuStats> parse_ftrace_cpu_stats(std::string_view text, std::string_view path) {
  FtraceCpuStats s;
  int line_no = 0;
  int known = 0;
  for (std::string_view line : split(text, '\n')) {
    ++line_no;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = trim(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));
    uint64_t* field = nullptr;
    if (key == "entries") field = &s.entries;
    else if (key == "overrun") field = &s.overrun;
    else if (key == "commit overrun") field = &s.commit_overrun;
    else if (key == "bytes") field = &s.bytes;
    else if (key == "dropped events") field = &s.dropped_events, s.has_dropped = true;
    else if (key == "read events") field = &s.read_events, s.has_read = true;
    if (field == nullptr) continue;  // timestamps and lines of newer kernels
    std::optional<uint64_t> v = parse_uint64(value);
    if (!v) {
      return Status(Code::kDataLoss, fmt::format("{}:{}: '{}' is not a count", path, line_no, line));
    }
    *field = *v;
    ++known;
  }
  if (known < 3) {
    return Status(Code::kDataLoss,
                  fmt::format("{}: not an ftrace per-CPU stats file (no entries/overrun/bytes)", path));
  }
  return s;
}

}  // namespace ktel::sched
