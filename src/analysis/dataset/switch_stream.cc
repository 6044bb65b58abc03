#include "analysis/dataset/switch_stream.h"

#include <fmt/format.h>

#include "sinks/sqlite/episode_db.h"
#include "sources/sched/text_trace_import.h"

namespace ktel::dataset {

namespace {

Result<TraceReadStats> read_episode(const TraceInput& trace, SwitchRow* row,
                                    const SwitchRowFn* on_row) {
  KTEL_ASSIGN_OR_RETURN(EpisodeDb db, EpisodeDb::open(trace.trace_path));
  TraceReadStats stats;
  if (row == nullptr) {
    KTEL_ASSIGN_OR_RETURN(int64_t n, db.row_count("sched_switch"));
    stats.switches = static_cast<uint64_t>(n);
    return stats;
  }
  int64_t last_ts = INT64_MIN;
  Status st = db.query(
      "SELECT ts_ns, cpu, next_comm, next_pid, prev_state, prev_comm FROM sched_switch "
      "ORDER BY rowid",
      [](const std::vector<ResultColumn>&) { return Status::ok(); },
      [&](const RowView& r) {
        row->ts_ns = r[0].i;
        row->cpu = r[1].i;
        row->task_name.assign(r[2].bytes);
        row->pid = r[3].i;
        row->prev_state.assign(r[4].bytes);
        row->prev_comm.assign(r[5].bytes);
        if (row->ts_ns < last_ts) ++stats.out_of_order;
        last_ts = row->ts_ns;
        ++stats.switches;
        return (*on_row)(*row);
      });
  if (!st.is_ok()) return st.with_context(trace.trace_path);
  return stats;
}

Result<TraceReadStats> read_text(const TraceInput& trace, SwitchRow* row,
                                 const SwitchRowFn* on_row) {
  TraceReadStats stats;
  int64_t last_ts = INT64_MIN;
  sched::TextTraceOptions options;
  auto consume = [&](const sched::SchedEvent& e, uint64_t) -> Status {
    const auto* sw = std::get_if<sched::SwitchEvent>(&e.payload);
    if (sw == nullptr) return Status::ok();
    if (e.ts_ns < last_ts) ++stats.out_of_order;
    last_ts = e.ts_ns;
    ++stats.switches;
    if (row == nullptr) return Status::ok();
    row->ts_ns = e.ts_ns;
    row->cpu = e.cpu;
    row->task_name.assign(sw->next_comm.view());
    row->pid = sw->next_pid;
    row->prev_state.assign(sw->prev_state.view());
    row->prev_comm.assign(sw->prev_comm.view());
    return (*on_row)(*row);
  };
  KTEL_ASSIGN_OR_RETURN(sched::TextTraceStats text,
                        sched::import_text_trace_file(trace.trace_path, options, consume));
  stats.lost_events = text.lost_events() + text.overwritten;
  stats.lost_unknown = text.lost_markers_without_count();
  stats.malformed_lines = text.malformed_count;
  return stats;
}

}  // namespace

Result<TraceReadStats> read_switches(const TraceInput& trace, SwitchRow& row,
                                     const SwitchRowFn& on_row) {
  return trace.kind == TraceKind::kEpisode ? read_episode(trace, &row, &on_row)
                                           : read_text(trace, &row, &on_row);
}

Result<TraceReadStats> count_switches(const TraceInput& trace) {
  return trace.kind == TraceKind::kEpisode ? read_episode(trace, nullptr, nullptr)
                                           : read_text(trace, nullptr, nullptr);
}

}  // namespace ktel::dataset
