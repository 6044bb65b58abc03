#include "analysis/export/episode_summary.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include "analysis/export/episode_list.h"
#include "analysis/export/text_escape.h"
#include "base/strings.h"
#include "model/episode_layout.h"
#include "sinks/sqlite/episode_db.h"

namespace ktel {

namespace {

using text::terminal_safe;

std::string meta_block(const EpisodeMeta& m, bool complete) {
  std::string s;
  s += fmt::format("episode   {}\n", terminal_safe(m.id));
  s += fmt::format("status    {}{}\n", terminal_safe(m.status),
                   complete ? "" : "  INCOMPLETE (no done.marker: still recording or crashed)");
  if (!m.error.empty()) s += fmt::format("error     {}\n", terminal_safe(m.error));
  s += fmt::format("target    {}: {}\n", terminal_safe(m.target.kind), describe_target(m.target));
  s += fmt::format("host      {}  kernel {} ({})  {} cpus\n", terminal_safe(m.host.hostname),
                   terminal_safe(m.host.kernel_release), terminal_safe(m.host.machine),
                   m.host.cpus);
  s += fmt::format("start     {}\n", format_local_time(m.start_wall_ns));
  if (m.end_wall_ns) s += fmt::format("end       {}\n", format_local_time(*m.end_wall_ns));
  if (m.duration_ns) s += fmt::format("duration  {}\n", format_duration_ns(*m.duration_ns));
  std::string exit;
  if (m.exit.code) exit += fmt::format("code {}", *m.exit.code);
  if (m.exit.signal) exit += fmt::format("{}signal {}", exit.empty() ? "" : ", ", *m.exit.signal);
  if (exit.empty()) exit = "-";
  s += fmt::format("exit      {}  (ktel exit code {})\n", exit, m.exit.ktel_exit_code);
  std::string labels;
  for (const auto& [k, v] : m.labels) {
    labels += (labels.empty() ? "" : ", ") + terminal_safe(k) + "=" + terminal_safe(v);
  }
  s += fmt::format("labels    {}\n", labels.empty() ? "-" : labels);
  return s;
}

std::string sources_block(const EpisodeMeta& m) {
  std::string s = "\nsources\n";
  s += fmt::format("  {:<10}  {:<13}  {:>10}  {:>8}  {}\n", "NAME", "STATUS", "ROWS", "LOST",
                   "REASON");
  for (const auto& [name, src] : m.sources) {
    s += fmt::format("  {:<10}  {:<13}  {:>10}  {:>8}  {}\n", terminal_safe(name),
                     terminal_safe(src.status), src.rows, src.lost, terminal_safe(src.reason));
  }
  s += fmt::format("\nlosses    {} total: ", total_losses(m));
  for (const auto& [name, src] : m.sources) {
    if (src.lost > 0) s += fmt::format("{} lost {}, ", terminal_safe(name), src.lost);
  }
  s += fmt::format("sink dropped {}\n", m.sink_dropped_rows);
  return s;
}

Status events_block(const EpisodeDb& db, const SummaryOptions& options, std::string& s) {
  s += "\nevents\n";
  auto cols = db.columns("events");
  if (!cols.is_ok()) {
    s += "  (no events table)\n";
    return Status::ok();
  }
  size_t count = 0;
  KTEL_TRY(db.query("SELECT t_mono_ns, source, kind, fields FROM events ORDER BY t_mono_ns, rowid",
                    nullptr, [&](const RowView& r) {
                      if (++count > options.max_events) return Status::ok();
                      s += fmt::format("  {:>10.3f}s  {:<8}  {:<24}  {}\n",
                                       static_cast<double>(r[0].i) / 1e9,
                                       terminal_safe(r[1].bytes), terminal_safe(r[2].bytes),
                                       terminal_safe(r[3].bytes));
                      return Status::ok();
                    }));
  if (count > options.max_events) {
    s += fmt::format("  ... {} more: ktel query EP \"SELECT * FROM events\"\n",
                     count - options.max_events);
  }
  if (count == 0) s += "  (none)\n";
  return Status::ok();
}

Status tables_block(const EpisodeDb& db, std::string& s) {
  s += "\ntables\n";
  KTEL_ASSIGN_OR_RETURN(auto tables, db.tables());
  for (const auto& t : tables) {
    KTEL_ASSIGN_OR_RETURN(int64_t n, db.row_count(t));
    s += fmt::format("  {:<20}  {:>10}\n", terminal_safe(t), n);
  }
  if (tables.empty()) s += "  (none)\n";
  return Status::ok();
}

}  // namespace

Status write_episode_summary(const std::string& episode_dir, Output& out,
                             const SummaryOptions& options) {
  KTEL_ASSIGN_OR_RETURN(EpisodeMeta meta, read_meta(episode_dir));
  struct stat st{};
  bool complete = ::stat(layout::done_marker(episode_dir).c_str(), &st) == 0;
  std::string s = meta_block(meta, complete) + sources_block(meta);
  auto db = EpisodeDb::open(episode_dir);
  if (!db.is_ok()) {
    s += "\nepisode.db: " + terminal_safe(db.status().to_string()) + "\n";
    return out.write(s);
  }
  Status ev = events_block(*db, options, s);
  if (ev.is_ok()) ev = tables_block(*db, s);
  if (!ev.is_ok()) s += "\nepisode.db: " + terminal_safe(ev.to_string()) + "\n";
  return out.write(s);
}

}  // namespace ktel
