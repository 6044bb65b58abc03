#include "sources/sched/sched_source.h"

#include <unistd.h>

#include <fmt/format.h>

#include <chrono>

#include "base/file_util.h"
#include "model/tables.h"
#include "sources/sched/raw_trace_reader.h"
#include "sources/sched/sched_tables.h"
#include "sys/tracefs.h"
#include "sys/tracefs_instance.h"

namespace ktel::sched {

namespace {

// "sched_stat_runtime" means sched/sched_stat_runtime; "irq/irq_handler_entry"
// is taken as given.
std::string qualified_event(const std::string& e) {
  return e.find('/') == std::string::npos ? "sched/" + e : e;
}

}  // namespace

// Stops here rather than in ~SchedCapture: stopping calls on_stats(), which
// uses members declared after capture_ and so destroyed before it.
SchedSource::~SchedSource() {
  if (capture_) (void)capture_->stop();
}

Result<std::string> SchedSource::locate_tracefs() {
  KTEL_ASSIGN_OR_RETURN(TracefsLocation where, find_or_mount_tracefs());
  if (where.mounted_now) {
    ctx_.events->emit("sched", "sched_tracefs_mounted", {{"path", where.path}});
  }
  return where.path;
}

Result<SchedCaptureConfig> SchedSource::make_config(const std::string& root) {
  SchedCaptureConfig c;
  c.tracefs_root = root;
  c.instance_name = std::string(kKtelInstancePrefix) + std::to_string(::getpid());
  c.raw_dir = raw_dir_;
  c.buffer_kb = ctx_.options.sched_buffer_kb;
  if (ctx_.options.sched_drain_period_ns > 0) c.drain_period_ns = ctx_.options.sched_drain_period_ns;
  c.events = default_sched_events();
  for (const auto& e : ctx_.options.sched_events) {
    std::string q = qualified_event(e);
    if (std::find(c.events.begin(), c.events.end(), q) == c.events.end()) c.events.push_back(q);
  }
  if (ctx_.options.sched_scope == "tree") {
    if (ctx_.target_pid <= 0) return invalid_argument("--sched-scope tree needs a target process");
    c.scope_pids = {ctx_.target_pid};
  } else if (ctx_.options.sched_scope != "all") {
    return invalid_argument(
        fmt::format("--sched-scope '{}' is not all or tree", ctx_.options.sched_scope));
  }
  return c;
}

Status SchedSource::start(const SourceContext& ctx) {
  ctx_ = ctx;
  if (ctx_.episode_dir.empty()) return internal_error("sched source started without an episode dir");
  KTEL_ASSIGN_OR_RETURN(std::string root, locate_tracefs());
  if (::geteuid() != 0) {
    return Status(Code::kPermissionDenied,
                  "ftrace instances need root: run `sudo ktel record ...` (the command still runs "
                  "as you)");
  }
  KTEL_ASSIGN_OR_RETURN(std::vector<std::string> stale, remove_stale_instances(root));
  if (!stale.empty()) {
    ctx_.events->emit("sched", "sched_stale_instances_removed", {{"instances", stale}});
  }
  raw_dir_ = ctx_.episode_dir + "/raw/sched";
  KTEL_TRY(make_dirs(raw_dir_));
  KTEL_ASSIGN_OR_RETURN(SchedCaptureConfig config, make_config(root));
  const Schema stats_schema = tables::capture_stats();
  stats_width_ = stats_schema.columns.size();
  KTEL_ASSIGN_OR_RETURN(stats_table_, ctx_.sink->open_table(stats_schema));
  KTEL_ASSIGN_OR_RETURN(capture_, SchedCapture::start(config, [this](const CpuStatsReading& r) {
                          on_stats(r);
                        }));
  ctx_.events->emit("sched", "sched_started",
                    {{"instance", capture_->instance_path()},
                     {"cpus", capture_->cpus()},
                     {"page_size", capture_->page_size()},
                     {"buffer_kb_requested", capture_->requested_buffer_kb()},
                     {"buffer_kb_granted", capture_->granted_buffer_kb()},
                     {"events", config.events},
                     {"scope", ctx_.options.sched_scope},
                     {"drain_period_ms", config.drain_period_ns / 1'000'000},
                     {"trace_clock", "mono"}});
  return Status::ok();
}

void SchedSource::on_stats(const CpuStatsReading& r) {
  Reading reading{ctx_.clock->now(), r};
  std::lock_guard lock(mu_);
  if (r.phase == "final") {
    final_readings_.push_back(std::move(reading));  // written with the parse results
    return;
  }
  Status st = append_stats_row(reading, nullptr);
  if (!st.is_ok() && stats_status_.is_ok()) stats_status_ = st;
}

// One capture_stats row; `parsed` (final rows only) carries this CPU's parse
// results: events, missed_flagged, pages_missed_unknown, malformed.
Status SchedSource::append_stats_row(const Reading& reading, const nlohmann::json* parsed) {
  const CpuStatsReading& r = reading.r;
  Batch b(stats_width_);
  b.add_common(reading.t.mono_ns, reading.t.wall_ns, row_source(), true);
  b.add_int(r.cpu).add_text(r.phase);
  auto count = [&b](uint64_t v) { b.add_int(static_cast<int64_t>(v)); };
  count(r.stats.entries);
  count(r.stats.overrun);
  count(r.stats.commit_overrun);
  count(r.stats.bytes);
  r.stats.has_dropped ? count(r.stats.dropped_events) : (void)b.add_null();
  r.stats.has_read ? count(r.stats.read_events) : (void)b.add_null();
  count(r.pages_read);
  count(r.bytes_read);
  for (const char* key : {"events", "missed_flagged", "pages_missed_unknown", "malformed"}) {
    if (parsed != nullptr && parsed->contains(key)) {
      b.add_int(parsed->at(key).get<int64_t>());
    } else {
      b.add_null();
    }
  }
  ++stats_rows_;
  return ctx_.sink->append(stats_table_, std::move(b));
}

Status SchedSource::stop() {
  if (!capture_) return Status::ok();
  Status capture_status = capture_->stop();
  nlohmann::json details = {{"instance", capture_->instance_path()},
                            {"cpus", capture_->cpus()},
                            {"page_size", capture_->page_size()},
                            {"buffer_kb_requested", capture_->requested_buffer_kb()},
                            {"buffer_kb_granted", capture_->granted_buffer_kb()},
                            {"raw_dir", "raw/sched"}};
  Status parse_status = parse_into_tables(details);
  Status first = !capture_status.is_ok() ? capture_status : parse_status;
  {
    std::lock_guard lock(mu_);
    if (first.is_ok() && !stats_status_.is_ok()) first = stats_status_;
  }
  report_.details = std::move(details);
  if (!first.is_ok()) {
    report_.status = "failed";
    report_.reason = first.to_string();
  }
  capture_.reset();
  return first;
}

// Raw pages -> sched tables, then the accounting of every CPU: the kernel's
// counters against what the pages held.
Status SchedSource::parse_into_tables(nlohmann::json& details) {
  const auto t0 = std::chrono::steady_clock::now();
  KTEL_ASSIGN_OR_RETURN(std::unique_ptr<SchedTableWriter> writer,
                        SchedTableWriter::open(*ctx_.sink, *ctx_.clock));
  bool first_row = true;
  Result<RawTraceStats> parsed = read_raw_trace(raw_dir_, [&](const SchedEvent& ev) {
    if (first_row) {
      first_row = false;
      ctx_.events->emit_at(ctx_.clock->from_mono_abs(ev.ts_ns), "sched", "sched_first_row",
                           {{"cpu", ev.cpu}});
    }
    return writer->add(ev);
  });
  Status finished = writer->finish();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!parsed.is_ok()) {
    return parsed.status().with_context("parsing " + raw_dir_ +
                                        " (the raw pages are kept; the episode can be re-parsed)");
  }
  KTEL_TRY(finished);
  const SchedTableCounts& counts = writer->counts();
  uint64_t lost = 0;
  KTEL_TRY(account(*parsed, details, lost));
  CpuParseStats total = parsed->total();
  report_.rows = counts.rows();
  report_.lost = lost;
  details["events"] = total.events;
  details["pages"] = total.pages;
  details["bytes"] = total.bytes;
  details["parse_seconds"] = seconds;
  details["out_of_order"] = total.out_of_order + counts.out_of_order;
  details["unknown_event_ids"] = total.unknown_ids;
  details["malformed"] = total.malformed();
  // Records the kernel reserved and then discarded (padding with a length):
  // never events, so neither captured nor lost.
  details["discarded"] = total.discarded;
  details["unmatched_switches"] = counts.unmatched_switches;
  details["tables"] = {{"sched_switch", counts.switches},     {"sched_wakeup", counts.wakeups},
                       {"sched_migrate", counts.migrations},  {"sched_process", counts.process_events},
                       {"sched_other", counts.other},         {"sched_slice", counts.slices},
                       {"wakeup_latency", counts.wakeup_latencies},
                       {"thread_summary", counts.threads},    {"thread_comm", counts.thread_comms}};
  ctx_.events->emit("sched", "sched_finished",
                    {{"rows", counts.rows()}, {"events", total.events}, {"lost", lost},
                     {"pages", total.pages}, {"malformed", total.malformed()},
                     {"parse_seconds", seconds}});
  if (total.events == 0) {
    report_.status = "no_data";
    report_.reason = "no scheduler event in the capture";
    ctx_.events->emit("sched", "sched_no_data",
                      {{"likely_cause", ctx_.options.sched_scope == "tree"
                                            ? "the target never ran on a CPU while traced"
                                            : "tracing produced no pages (is the instance "
                                              "writable and are the events enabled?)"}});
  }
  return Status::ok();
}

// Per CPU: written by the kernel = read_events + overrun + commit_overrun;
// captured = events parsed (must equal read_events); lost = overrun +
// commit_overrun + dropped. Writes the final capture_stats rows.
Status SchedSource::account(const RawTraceStats& parsed, nlohmann::json& details, uint64_t& lost) {
  std::lock_guard lock(mu_);
  nlohmann::json per_cpu = nlohmann::json::array();
  for (const Reading& reading : final_readings_) {
    const CpuStatsReading& r = reading.r;
    CpuParseStats cpu{};
    for (const auto& c : parsed.cpus) {
      if (c.cpu == r.cpu) cpu = c;
    }
    const FtraceCpuStats& k = r.stats;  // cumulative since the instance was made
    const uint64_t cpu_lost = k.lost();
    lost += cpu_lost;
    nlohmann::json row = {{"events", cpu.events},
                          {"missed_flagged", cpu.missed_events},
                          {"pages_missed_unknown", cpu.missed_pages_without_count},
                          {"malformed", cpu.malformed()}};
    KTEL_TRY(append_stats_row(reading, &row));
    row["cpu"] = r.cpu;
    row["read_events"] = k.read_events;
    row["overrun"] = k.overrun;
    row["commit_overrun"] = k.commit_overrun;
    row["dropped_events"] = k.dropped_events;
    row["lost"] = cpu_lost;
    per_cpu.push_back(row);
    if (cpu_lost > 0) {
      ctx_.events->emit("sched", "sched_lost_events",
                        {{"cpu", r.cpu}, {"count", cpu_lost}, {"overrun", k.overrun},
                         {"commit_overrun", k.commit_overrun}, {"dropped", k.dropped_events}});
    }
    if (k.has_read && cpu.events != k.read_events) {
      ctx_.events->emit("sched", "sched_accounting_mismatch",
                        {{"cpu", r.cpu}, {"read_events", k.read_events},
                         {"events_parsed", cpu.events}, {"malformed", cpu.malformed()}});
      details["accounting_mismatch"] = true;
    }
  }
  details["per_cpu"] = std::move(per_cpu);
  return stats_status_;
}

SourceReport SchedSource::report() const { return report_; }

}  // namespace ktel::sched
