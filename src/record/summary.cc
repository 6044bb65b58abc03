#include "record/summary.h"

#include <fmt/format.h>

#include "base/strings.h"

namespace ktel {

std::string format_record_summary(const EpisodeMeta& meta, const std::string& dir) {
  std::string out;
  std::string how;
  if (meta.exit.code) how = fmt::format("exit {}", *meta.exit.code);
  else if (meta.exit.signal) how = fmt::format("killed by signal {}", *meta.exit.signal);
  else how = meta.target.kind == "pid" ? "attached" : "no exit status";
  out += fmt::format("ktel: episode {} {} in {} ({})\n", meta.id, meta.status,
                     format_duration_ns(meta.duration_ns.value_or(0)), how);
  out += fmt::format("  {:<8} {:<14} {:>10} {:>8}  {}\n", "source", "status", "rows", "lost", "note");
  for (const auto& [name, s] : meta.sources) {
    if (s.status == "not_requested") continue;
    std::string note = s.reason;
    // A backend fallback (proc: --proc-backend auto without BPF) is ok but
    // must not pass unnoticed.
    auto fallback = s.details.find("backend_fallback_reason");
    if (note.empty() && fallback != s.details.end() && fallback->is_string()) {
      note = fmt::format("{} backend (fallback: {})", s.details.value("backend", std::string()),
                         fallback->get<std::string>());
    }
    out += fmt::format("  {:<8} {:<14} {:>10} {:>8}  {}\n", name, s.status, s.rows, s.lost, note);
  }
  if (meta.sink_dropped_rows > 0) {
    out += fmt::format("  rows dropped by the store: {}\n", meta.sink_dropped_rows);
  }
  if (!meta.error.empty()) out += fmt::format("  error: {}\n", meta.error);
  out += fmt::format("  episode: {}\n", dir);
  return out;
}

}  // namespace ktel
