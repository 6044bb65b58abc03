// The exec source's policy: scope from the target, raw capture on a poll
// thread (eBPF) or the ftrace + /proc fallback, tables and loss accounting
// after the run.
#include "sources/exec/exec_source.h"

#include <unistd.h>

#include <chrono>

#include <fmt/format.h>

#include "base/file_util.h"
#include "ktel/build_info.h"
#include "sources/exec/exec_tables.h"
#include "sys/cgroup.h"
#include "sys/tracefs.h"

namespace ktel::exec {

namespace {

constexpr std::string_view kEventSource = "exec";
// The ring is sized for this rate with 8 polls of room; a larger ring costs
// every record more (a 400-byte reservation took ~250 ns in a 256 KiB ring,
// ~300 in 1 MiB, ~720 in 4 MiB on the reference VM: its records land on
// memory that has left the caches).
constexpr double kDefaultProcessesPerSecond = 5'000;
constexpr double kBytesPerProcess = 700;  // exec (~330 + argv) + fork (72) + exit (80) + headers

// What the ftrace fallback cannot tell, for exec_unavailable and meta.json.
nlohmann::json fallback_missing(std::string_view scope, bool rss) {
  nlohmann::json m = {
      "exit_code and signal (ftrace's sched_process_exit has neither): NULL",
      "cpu_ns and maxrss_bytes: NULL",
      "argv of a process that exec'd and ended between two /proc scans: NULL",
      "argv as /proc showed it after the exec (a process may rewrite it), not as passed",
      "uid only from /proc, cgroup_id: NULL",
      "start_ns and duration_ns of a process forked before the recording: NULL"};
  if (scope == "cgroup") m.push_back("cgroup scope: the target's process tree is traced instead");
  if (rss) m.push_back("--exec-rss (in-kernel RSS aggregation needs eBPF): process_rss is empty");
  return m;
}

}  // namespace

size_t default_ring_bytes(double processes_per_second, int64_t poll_period_ns) {
  double want = processes_per_second * kBytesPerProcess * 8 * static_cast<double>(poll_period_ns) / 1e9;
  size_t n = size_t{256} << 10;
  while (static_cast<double>(n) < want && n < (size_t{1} << 30)) n <<= 1;
  return n;
}

ExecSource::~ExecSource() {
#ifdef KTEL_HAVE_BPF
  stop_and_join(stop_, thread_);
#endif
}

Status ExecSource::check_scope() const {
  const std::string& scope = ctx_.options.exec_scope;
  if (scope != "tree" && scope != "cgroup" && scope != "all") {
    return invalid_argument(fmt::format("--exec-scope '{}' is not tree, cgroup or all", scope));
  }
  if (scope != "all" && ctx_.target_pid <= 0) {
    return invalid_argument(fmt::format("--exec-scope {} needs a target process", scope));
  }
  const std::string& backend = ctx_.options.exec_backend;
  if (backend != "auto" && backend != "bpf" && backend != "ftrace") {
    return invalid_argument(
        fmt::format("--exec-backend '{}' is not auto, bpf or ftrace", backend));
  }
  return Status::ok();
}

Status ExecSource::start(const SourceContext& ctx) {
  if (ctx.clock == nullptr || ctx.events == nullptr || ctx.sink == nullptr ||
      ctx.episode_dir.empty()) {
    return invalid_argument("exec source: context needs a clock, an event log, a sink and an "
                            "episode directory");
  }
  ctx_ = ctx;
  KTEL_TRY(check_scope());
  const std::string& backend = ctx_.options.exec_backend;
  if (backend == "ftrace") return start_fallback("--exec-backend ftrace asked for the fallback");
#ifdef KTEL_HAVE_BPF
  Status bpf = start_bpf();
  if (bpf.is_ok() || backend == "bpf" || bpf.code() == Code::kInvalidArgument) return bpf;
  tracer_.reset();  // detaches whatever did attach
  if (writer_) {
    (void)writer_->finish();
    writer_.reset();
    ::unlink(raw_path_.c_str());
  }
  return start_fallback("the eBPF exec tracer did not start: " + bpf.to_string());
#else
  const std::string why = std::string("ktel was built without the eBPF backend: ") +
                          KTEL_BPF_OFF_REASON_TEXT;
  if (backend == "bpf") return Status(Code::kUnavailable, "--exec-backend bpf: " + why);
  return start_fallback(why);
#endif
}

Status ExecSource::stop() {
  if (fallback_) return stop_fallback();
#ifdef KTEL_HAVE_BPF
  if (tracer_) return stop_bpf();
#endif
  return Status::ok();
}

// ---- the ftrace + /proc fallback ----

// The event that says eBPF is not used is emitted once the fallback runs;
// if it cannot run either, the error carries both reasons.
Status ExecSource::start_fallback(const std::string& reason) {
  Status started = start_ftrace();
  if (!started.is_ok()) {
    return Status(started.code(), fmt::format("{}; the ftrace fallback did not start either: {}",
                                              reason, started.message()),
                  started.sys_errno());
  }
  fallback_reason_ = reason;
  ctx_.events->emit(kEventSource, "exec_unavailable",
                    {{"reason", reason},
                     {"fallback", "ftrace"},
                     {"missing", fallback_missing(ctx_.options.exec_scope, ctx_.options.exec_rss)}});
  return Status::ok();
}

Status ExecSource::start_ftrace() {
  if (::geteuid() != 0) {
    return Status(Code::kPermissionDenied,
                  "ftrace instances need root: run `sudo ktel record ...` (the command still runs "
                  "as you)");
  }
  KTEL_ASSIGN_OR_RETURN(TracefsLocation where, find_or_mount_tracefs());
  if (where.mounted_now) ctx_.events->emit(kEventSource, "exec_tracefs_mounted", {{"path", where.path}});
  ExecFtraceConfig c;
  c.tracefs_root = where.path;
  c.instance_name = fmt::format("{}{}-exec", kKtelInstancePrefix, ::getpid());
  c.raw_dir = ctx_.episode_dir + "/raw/exec";
  c.scope = {.all = ctx_.options.exec_scope == "all", .root = ctx_.target_pid};
  c.limits = {.max_bytes = ctx_.options.exec_argv_bytes, .max_args = ctx_.options.exec_argv_args};
  KTEL_TRY(make_dirs(c.raw_dir));
  KTEL_ASSIGN_OR_RETURN(fallback_, ExecFtraceCapture::start(c));
  nlohmann::json fields = fallback_->describe();
  fields["backend"] = "ftrace";
  fields["pid"] = ctx_.target_pid;
  fields["scope"] = c.scope.all ? "all" : "tree";
  fields["argv_max_bytes"] = c.limits.max_bytes;
  fields["argv_max_args"] = c.limits.max_args;
  ctx_.events->emit(kEventSource, "exec_started", std::move(fields));
  return Status::ok();
}

Status ExecSource::stop_fallback() {
  Status captured = fallback_->stop();
  nlohmann::json details = fallback_->details();
  details["backend"] = "ftrace";
  details["backend_fallback_reason"] = fallback_reason_;
  details["missing"] = fallback_missing(ctx_.options.exec_scope, ctx_.options.exec_rss);
  details["scope"] = ctx_.options.exec_scope == "all" ? "all" : "tree";
  details["raw_files"] = {"raw/exec/ftrace/", "raw/exec/proc_argv.jsonl"};
  const uint64_t lost = fallback_->lost();
  if (lost > 0) {
    ctx_.events->emit(kEventSource, "exec_lost", {{"type", "ftrace"}, {"count", lost}});
  }
  Result<ExecFtraceBuildResult> built =
      build_exec_tables_from_ftrace(ctx_.episode_dir + "/raw/exec", ctx_.options.exec_exclude,
                                    *ctx_.sink, *ctx_.clock);
  Status parsed = built.status();
  if (built.is_ok()) {
    const FtraceLifecycleCounts& l = built->lifecycle;
    details["trace_events"] = built->events;
    details["missed_events_in_pages"] = built->missed_events;
    details["notes_cut_tail_bytes"] = built->notes_cut_tail;
    details["argv_from_proc"] = l.argv_from_proc;
    details["argv_missing"] = l.argv_missing;
    details["fork_kind_unknown"] = l.fork_kind_unknown;
    details["group_dead_guessed"] = l.group_dead_guessed;
    details["excluded_execs"] = built->excluded_execs;
    report_tables(built->counts, built->first_row_ts_ns, lost, built->malformed, details);
  }
  report_.lost = lost;
  report_.details = std::move(details);
  Status first = !captured.is_ok() ? captured.with_context("capturing with ftrace") : parsed;
  if (!first.is_ok()) {
    report_.status = "failed";
    report_.reason = first.to_string();
  }
  fallback_.reset();
  return first;
}

// Rows, exec_first_row, exec_finished and exec_no_data: the same for both backends.
void ExecSource::report_tables(const ExecTableCounts& c, std::optional<int64_t> first_row_ts_ns,
                               uint64_t lost, uint64_t malformed, nlohmann::json& details) {
  if (first_row_ts_ns) {
    ctx_.events->emit_at(ctx_.clock->from_mono_abs(*first_row_ts_ns), kEventSource,
                         "exec_first_row", {{"rows", c.rows()}});
  }
  report_.rows = c.rows();
  details["malformed"] = malformed;
  details["tables"] = {{"exec_events", c.execs}, {"forks", c.forks}, {"processes", c.processes}};
  details["thread_forks"] = c.thread_forks;
  details["exits"] = c.exits;
  details["process_exits"] = c.process_exits;
  details["process_exits_cpu_at_exit"] = c.process_exits_cpu_at_exit;
  details["rss_records"] = c.rss_records;
  details["tables"]["process_rss"] = c.rss_samples;
  ctx_.events->emit(kEventSource, "exec_finished",
                    {{"rows", c.rows()}, {"execs", c.execs}, {"forks", c.forks},
                     {"exits", c.exits}, {"processes", c.processes}, {"lost", lost},
                     {"malformed", malformed}});
  if (c.rows() == 0) {
    report_.status = "no_data";
    report_.reason = "the tracer saw no exec, fork or exit in scope";
    ctx_.events->emit(kEventSource, "exec_no_data",
                      {{"likely_cause", ctx_.options.exec_scope == "all"
                                            ? "nothing started or ended while recording"
                                            : "the target started no process and did not exit "
                                              "while recording"}});
  }
}

#ifdef KTEL_HAVE_BPF
// ---- the eBPF tracer ----

Result<ExecTracerOptions> ExecSource::tracer_options() {
  const SourceOptions& so = ctx_.options;
  ExecTracerOptions o;
  o.exclude_comms = so.exec_exclude;
  o.ring_bytes = ring_bytes_;
  o.argv_max_bytes = so.exec_argv_bytes;
  o.argv_max_args = so.exec_argv_args;
  o.rss = so.exec_rss;
  if (so.exec_scope == "all") {
    o.scope = ExecScope::kAll;
    return o;
  }
  if (so.exec_scope == "tree") {
    o.scope = ExecScope::kTree;
    o.root_pid = ctx_.target_pid;
    return o;
  }
  KTEL_ASSIGN_OR_RETURN(CgroupV2 cg, cgroup_v2_of_pid(ctx_.target_pid));
  o.scope = ExecScope::kCgroup;
  o.cgroup_id = cg.id;
  return o;
}

Status ExecSource::start_bpf() {
  if (ctx_.options.exec_poll_period_ns > 0) poll_period_ns_ = ctx_.options.exec_poll_period_ns;
  ring_bytes_ = ctx_.options.exec_ring_kb > 0
                    ? static_cast<size_t>(ctx_.options.exec_ring_kb) << 10
                    : default_ring_bytes(kDefaultProcessesPerSecond, kDefaultPollPeriodNs);
  KTEL_ASSIGN_OR_RETURN(ExecTracerOptions options, tracer_options());
  KTEL_ASSIGN_OR_RETURN(tracer_, ExecTracer::open(options));
  ring_bytes_ = tracer_->ring_bytes();
  nlohmann::json fields = {{"backend", "bpf"},
                           {"pid", ctx_.target_pid},
                           {"scope", ctx_.options.exec_scope},
                           {"exclude", options.exclude_comms},
                           {"ring_bytes", ring_bytes_},
                           {"poll_ms", static_cast<double>(poll_period_ns_) / 1e6},
                           {"argv_max_bytes", options.argv_max_bytes},
                           {"argv_max_args", options.argv_max_args},
                           {"rss", options.rss}};
  if (options.scope == ExecScope::kTree) {
    // After attaching: a process forked meanwhile is in /proc or has a
    // tracked parent, so none is missed.
    KTEL_ASSIGN_OR_RETURN(size_t seeded, tracer_->track_descendants_from_proc(ctx_.target_pid));
    fields["seeded"] = seeded;
  }
  if (options.scope == ExecScope::kCgroup) fields["cgroup_id"] = options.cgroup_id;
  const std::string dir = ctx_.episode_dir + "/raw/exec";
  KTEL_TRY(make_dirs(dir));
  raw_path_ = dir + "/records.bin";
  const ExecDecodeOptions& d = tracer_->decode_options();
  KTEL_ASSIGN_OR_RETURN(
      ExecRawWriter writer,
      ExecRawWriter::create(raw_path_, {.record_version = exec_record_version(),
                                        .page_size = static_cast<uint32_t>(d.page_size),
                                        .argv_max_args = d.max_args,
                                        .argv_max_bytes = options.argv_max_bytes}));
  writer_.emplace(std::move(writer));
  ctx_.events->emit(kEventSource, "exec_started", std::move(fields));
  thread_ = std::thread([this] { run(); });
  return Status::ok();
}

void ExecSource::write_record(std::span<const std::byte> record) {
  if (write_error_.is_ok()) write_error_ = writer_->append(record);
  if (!write_error_.is_ok()) ++unwritten_;
}

void ExecSource::drain() {
  Result<size_t> n =
      tracer_->poll_raw([this](std::span<const std::byte> record) { write_record(record); });
  if (!n.is_ok() && write_error_.is_ok()) write_error_ = n.status();
}

void ExecSource::run() {
  while (!stop_.requested()) {
    stop_.wait_for(std::chrono::nanoseconds(poll_period_ns_));
    drain();
  }
}

Status ExecSource::stop_bpf() {
  stop_and_join(stop_, thread_);
  tracer_->detach();
  drain();  // what the ring still holds; nothing new arrives
  // Last threads whose final switch came after the detach.
  Result<size_t> pending = tracer_->flush_pending_exits(
      [this](std::span<const std::byte> record) { write_record(record); });
  if (!pending.is_ok() && write_error_.is_ok()) write_error_ = pending.status();
  if (ctx_.options.exec_rss) {
    // Processes still running: their RSS as aggregated so far.
    Result<size_t> rss =
        tracer_->flush_rss([this](std::span<const std::byte> record) { write_record(record); });
    if (!rss.is_ok() && write_error_.is_ok()) write_error_ = rss.status();
  }
  nlohmann::json details = {{"backend", "bpf"},
                            {"rss", ctx_.options.exec_rss},
                            {"scope", ctx_.options.exec_scope},
                            {"ring_bytes", ring_bytes_},
                            {"raw_file", "raw/exec/records.bin"}};
  uint64_t lost = account_losses(details);
  tracer_.reset();
  Status finished = writer_->finish();
  Status captured = !write_error_.is_ok() ? write_error_ : finished;
  // After a write error the file holds what got there (maybe a cut last
  // frame, which the parser counts); the tables are still built from it.
  Status parsed = parse_into_tables(details, lost);
  report_.lost = lost + unwritten_;
  report_.details = std::move(details);
  Status first = !captured.is_ok() ? captured.with_context("capturing into " + raw_path_) : parsed;
  if (!first.is_ok()) {
    report_.status = "failed";
    report_.reason = first.to_string();
  }
  return first;
}

// Raw records -> tables. A record that does not decode is counted, not fatal.
Status ExecSource::parse_into_tables(nlohmann::json& details, uint64_t lost) {
  KTEL_ASSIGN_OR_RETURN(ExecBuildResult built, build_exec_tables(raw_path_, *ctx_.sink, *ctx_.clock));
  details["records"] = built.raw.frames;
  details["raw_bytes"] = built.raw.bytes;
  details["truncated_tail_bytes"] = built.raw.truncated_tail_bytes;
  if (built.malformed > 0) details["first_malformed"] = built.first_malformed;
  report_tables(built.counts, built.first_row_ts_ns, lost, built.malformed, details);
  return Status::ok();
}

// Failed ring-buffer reservations per type, from the BPF counters.
uint64_t ExecSource::account_losses(nlohmann::json& details) {
  ExecLost l = tracer_->lost();
  details["lost"] = {{"exec", l.exec},
                     {"fork", l.fork},
                     {"exit", l.exit},
                     {"rss", l.rss},
                     {"tracked_map_full", l.tracked_full},
                     {"rss_map_full", l.rss_map_full},
                     {"unwritten", unwritten_}};
  std::pair<const char*, uint64_t> types[] = {{"exec", l.exec},
                                              {"fork", l.fork},
                                              {"exit", l.exit},
                                              {"rss", l.rss},
                                              {"tracked_map_full", l.tracked_full},
                                              {"rss_map_full", l.rss_map_full}};
  for (auto [type, count] : types) {
    if (count > 0) ctx_.events->emit(kEventSource, "exec_lost", {{"type", type}, {"count", count}});
  }
  if (unwritten_ > 0) {
    ctx_.events->emit(kEventSource, "exec_lost",
                      {{"type", "unwritten"}, {"count", unwritten_},
                       {"reason", write_error_.to_string()}});
  }
  return l.total();
}
#endif  // KTEL_HAVE_BPF

}  // namespace ktel::exec
