// SQL behind the sched report section. SQLite sums and sorts; percentiles are
// taken here by nearest rank (percentile.h) from latencies SQLite returns
// sorted, so they are exact.
#include "analysis/report/sched_section.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <utility>

#include "analysis/report/percentile.h"
#include "analysis/report/report_values.h"
#include "base/strings.h"

namespace ktel::report {

namespace {

constexpr const char* kSchedTables[] = {"sched_slice", "thread_summary", "wakeup_latency"};

struct Span {
  int64_t start = 0;
  int64_t end = 0;
  int64_t slices = 0;
  int64_t ns() const { return end - start; }
};

Result<Span> trace_span(const EpisodeDb& db) {
  Span s;
  KTEL_TRY(db.query("SELECT MIN(ts_ns), MAX(ts_ns + dur_ns), COUNT(*) FROM sched_slice", nullptr,
                    [&](const RowView& r) {
                      s.start = int_or(r[0], 0);
                      s.end = int_or(r[1], 0);
                      s.slices = int_or(r[2], 0);
                      return Status::ok();
                    }));
  return s;
}

struct LatencyStats {
  uint64_t count = 0;
  std::optional<int64_t> p50, p90, p99, max;
};

LatencyStats latency_stats(const std::vector<int64_t>& sorted) {
  LatencyStats s;
  s.count = sorted.size();
  s.p50 = percentile_sorted(sorted, 50);
  s.p90 = percentile_sorted(sorted, 90);
  s.p99 = percentile_sorted(sorted, 99);
  s.max = percentile_sorted(sorted, 100);
  return s;
}

void add_latency_cells(std::vector<Value>& row, const LatencyStats& s) {
  row.push_back(opt_value(s.p50));
  row.push_back(opt_value(s.p90));
  row.push_back(opt_value(s.p99));
  row.push_back(opt_value(s.max));
}

std::vector<ReportColumn> latency_columns() {
  return {{"latency_p50_ns", "ns", "lat_p50"},
          {"latency_p90_ns", "ns", "lat_p90"},
          {"latency_p99_ns", "ns", "lat_p99"},
          {"latency_max_ns", "ns", "lat_max"}};
}

Result<ReportTable> overview_table(const EpisodeDb& db, const Span& span) {
  ReportTable t{.name = "overview", .title = "Overview", .columns = {}, .rows = {}, .note = ""};
  t.columns = {{"span_ns", "ns", "trace span"},
               {"cpus", "count", "CPUs"},
               {"threads", "count", "threads"},
               {"cpu_time_ns", "ns", "CPU time"},
               {"voluntary_switches", "count", "voluntary switches"},
               {"involuntary_switches", "count", "involuntary switches"},
               {"migrations", "count", "migrations"},
               {"runqueue_wait_ns", "ns", "runqueue wait"},
               {"wakeups", "count", "wakeups"},
               {"wakeup_latencies", "count", "wakeup latencies"},
               {"latency_p50_ns", "ns", "wakeup latency p50"},
               {"latency_p90_ns", "ns", "wakeup latency p90"},
               {"latency_p99_ns", "ns", "wakeup latency p99"},
               {"latency_max_ns", "ns", "wakeup latency max"}};
  std::vector<Value> row = {int_value(span.ns())};
  KTEL_TRY(db.query("SELECT COUNT(DISTINCT cpu) FROM sched_slice", nullptr, [&](const RowView& r) {
    row.push_back(to_value(r[0]));
    return Status::ok();
  }));
  KTEL_TRY(db.query(
      "SELECT COUNT(*), COALESCE(SUM(runtime_ns), 0), COALESCE(SUM(voluntary_switches), 0), "
      "COALESCE(SUM(involuntary_switches), 0), COALESCE(SUM(migrations), 0), "
      "COALESCE(SUM(runqueue_wait_ns), 0), COALESCE(SUM(wakeups), 0) "
      "FROM thread_summary WHERE tid != 0",
      nullptr, [&](const RowView& r) {
        for (int c = 0; c < r.size(); ++c) row.push_back(to_value(r[c]));
        return Status::ok();
      }));
  std::vector<int64_t> latencies;
  KTEL_TRY(db.query("SELECT latency_ns FROM wakeup_latency ORDER BY latency_ns", nullptr,
                    [&](const RowView& r) {
                      latencies.push_back(int_or(r[0], 0));
                      return Status::ok();
                    }));
  LatencyStats all = latency_stats(latencies);
  row.push_back(int_value(static_cast<int64_t>(all.count)));
  add_latency_cells(row, all);
  t.rows.push_back(std::move(row));
  return t;
}

using TaskKey = std::pair<int64_t, int64_t>;  // (tid, generation)

// Latency stats of `keys`, one pass over their wakeup_latency rows in order.
Result<std::map<TaskKey, LatencyStats>> task_latencies(const EpisodeDb& db,
                                                       const std::vector<TaskKey>& keys) {
  std::map<TaskKey, LatencyStats> out;
  if (keys.empty()) return out;
  std::string in;  // integers only: nothing from the episode is pasted into SQL
  for (const auto& [tid, gen] : keys) in += fmt::format("{}({},{})", in.empty() ? "" : ",", tid, gen);
  std::string sql = fmt::format(
      "SELECT tid, generation, latency_ns FROM wakeup_latency WHERE (tid, generation) IN "
      "(VALUES {}) ORDER BY tid, generation, latency_ns",
      in);
  TaskKey current{0, -1};
  std::vector<int64_t> group;
  KTEL_TRY(db.query(sql, nullptr, [&](const RowView& r) {
    TaskKey key{int_or(r[0], 0), int_or(r[1], 0)};
    if (key != current) {
      if (!group.empty()) out[current] = latency_stats(group);
      group.clear();
      current = key;
    }
    group.push_back(int_or(r[2], 0));
    return Status::ok();
  }));
  if (!group.empty()) out[current] = latency_stats(group);
  return out;
}

Result<ReportTable> tasks_table(const EpisodeDb& db, const Span& span, size_t top) {
  ReportTable t{.name = "tasks", .title = "Tasks by CPU time", .columns = {}, .rows = {}, .note = ""};
  t.columns = {{"tid", "id", ""},
               {"generation", "count", "gen"},
               {"pid", "id", ""},
               {"comm", "text", ""},
               {"cpu_time_ns", "ns", "cpu_time"},
               {"cpu_pct", "pct", "cpu%"},
               {"slices", "count", ""},
               {"voluntary_switches", "count", "vol"},
               {"involuntary_switches", "count", "invol"},
               {"wakeups", "count", ""}};
  for (auto& c : latency_columns()) t.columns.push_back(std::move(c));
  t.columns.push_back({"migrations", "count", "migr"});
  t.columns.push_back({"runqueue_wait_ns", "ns", "rq_wait"});

  int64_t total = 0;
  KTEL_TRY(db.query("SELECT COUNT(*) FROM thread_summary WHERE tid != 0", nullptr,
                    [&](const RowView& r) {
                      total = int_or(r[0], 0);
                      return Status::ok();
                    }));
  std::string sql =
      "SELECT tid, generation, pid, comm, runtime_ns, slices, voluntary_switches, "
      "involuntary_switches, wakeups, migrations, runqueue_wait_ns FROM thread_summary "
      "WHERE tid != 0 ORDER BY runtime_ns DESC, tid, generation";
  if (top > 0) sql += fmt::format(" LIMIT {}", top);
  std::vector<std::vector<Value>> fetched;
  std::vector<TaskKey> keys;
  KTEL_TRY(db.query(sql, nullptr, [&](const RowView& r) {
    std::vector<Value> v;
    for (int c = 0; c < r.size(); ++c) v.push_back(to_value(r[c]));
    keys.emplace_back(int_or(r[0], 0), int_or(r[1], 0));
    fetched.push_back(std::move(v));
    return Status::ok();
  }));
  KTEL_ASSIGN_OR_RETURN(auto latencies, task_latencies(db, keys));
  for (size_t i = 0; i < fetched.size(); ++i) {
    auto& f = fetched[i];
    const int64_t runtime = std::holds_alternative<int64_t>(f[4]) ? std::get<int64_t>(f[4]) : 0;
    std::vector<Value> row = {f[0], f[1], f[2], f[3], f[4], pct_value(runtime, span.ns()),
                              f[5], f[6], f[7], f[8]};
    auto it = latencies.find(keys[i]);
    add_latency_cells(row, it == latencies.end() ? LatencyStats{} : it->second);
    row.push_back(f[9]);
    row.push_back(f[10]);
    t.rows.push_back(std::move(row));
  }
  t.note = fmt::format("{} of {} threads, by CPU time; the idle tasks (tid 0) are not tasks",
                       t.rows.size(), total);
  return t;
}

Result<ReportTable> cpus_table(const EpisodeDb& db, const Span& span) {
  ReportTable t{.name = "cpus", .title = "CPUs", .columns = {}, .rows = {}, .note = ""};
  t.columns = {{"cpu", "cpu", ""},
               {"busy_ns", "ns", "busy"},
               {"idle_ns", "ns", "idle"},
               {"unknown_ns", "ns", "unknown"},
               {"busy_pct", "pct", "busy%"},
               {"task_slices", "count", "task slices"}};
  KTEL_TRY(db.query(
      "SELECT cpu, COALESCE(SUM(CASE WHEN tid != 0 THEN dur_ns END), 0), "
      "COALESCE(SUM(CASE WHEN tid = 0 THEN dur_ns END), 0), SUM(tid != 0) "
      "FROM sched_slice GROUP BY cpu ORDER BY cpu",
      nullptr, [&](const RowView& r) {
        const int64_t busy = int_or(r[1], 0);
        const int64_t idle = int_or(r[2], 0);
        t.rows.push_back({to_value(r[0]), int_value(busy), int_value(idle),
                          int_value(span.ns() - busy - idle), pct_value(busy, span.ns()),
                          to_value(r[3])});
        return Status::ok();
      }));
  t.note = fmt::format("busy = running a task other than the idle task, over the trace span of "
                       "{}; unknown = covered by no slice (lost events, or before the CPU's first "
                       "known task); CPUs without a context switch are not listed",
                       format_duration_ns(span.ns()));
  return t;
}

// Switches no event recorded, inferred from the events' current task
// (episode.md, "Unrecorded switches").
Result<std::string> inferred_note(const EpisodeDb& db) {
  int64_t inferred = 0;
  KTEL_TRY(db.query("SELECT COUNT(*) FROM sched_slice WHERE start_kind = 'inferred'", nullptr,
                    [&](const RowView& r) {
                      inferred = int_or(r[0], 0);
                      return Status::ok();
                    }));
  if (inferred == 0) return std::string();
  return fmt::format("{} switches were not recorded (the kernel omits some; lost events hide "
                     "others) and were inferred from the events' current task: the wakeup "
                     "latencies they end are unknown and not in the percentiles",
                     inferred);
}

// What meta.json says about the source, when it is not a plain success.
std::string meta_note(const EpisodeMeta& meta) {
  auto it = meta.sources.find("sched");
  if (it == meta.sources.end()) return "";
  const SourceMeta& src = it->second;
  std::string note;
  if (src.status != "ok") {
    note = fmt::format("meta.json says the sched source is '{}'{}", src.status,
                       src.reason.empty() ? "" : ": " + src.reason);
  }
  if (src.lost > 0) {
    note += fmt::format("{}the sched source lost {} events (meta.json): slices and waits next "
                        "to the gaps are inferred or missing",
                        note.empty() ? "" : "; ", src.lost);
  }
  return note;
}

}  // namespace

Result<ReportSection> build_sched_section(const SectionContext& ctx) {
  ReportSection s{.name = "sched", .title = "Scheduling", .available = false, .note = "", .tables = {}};
  if (ctx.db == nullptr) {
    s.note = missing_source_note(ctx.meta, "sched") + "; episode.db: " + ctx.db_error.to_string();
    return s;
  }
  KTEL_ASSIGN_OR_RETURN(std::vector<std::string> tables, ctx.db->tables());
  for (const char* needed : kSchedTables) {
    if (std::find(tables.begin(), tables.end(), needed) == tables.end()) {
      s.note = missing_source_note(ctx.meta, "sched");
      return s;
    }
  }
  s.available = true;
  KTEL_ASSIGN_OR_RETURN(Span span, trace_span(*ctx.db));
  KTEL_ASSIGN_OR_RETURN(ReportTable overview, overview_table(*ctx.db, span));
  KTEL_ASSIGN_OR_RETURN(ReportTable tasks, tasks_table(*ctx.db, span, ctx.options.top));
  KTEL_ASSIGN_OR_RETURN(ReportTable cpus, cpus_table(*ctx.db, span));
  s.tables = {std::move(overview), std::move(tasks), std::move(cpus)};
  std::vector<std::string> notes;
  if (span.slices == 0) notes.push_back("the sched tables are empty: no context switch was recorded");
  KTEL_ASSIGN_OR_RETURN(std::string inferred, inferred_note(*ctx.db));
  notes.push_back(std::move(inferred));
  notes.push_back(meta_note(ctx.meta));
  for (const auto& n : notes) {
    if (!n.empty()) s.note += (s.note.empty() ? "" : "; ") + n;
  }
  return s;
}

}  // namespace ktel::report
