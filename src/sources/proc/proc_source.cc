// The proc source's policy: cadence, events, rows and loss accounting. Kernel
// reads go through a TaskReader (procfs by default) and sys/procfs.
#include "sources/proc/proc_source.h"

#include <chrono>
#include <cstring>

#include "model/tables.h"
#include "sources/proc/proc_rows.h"
#ifdef KTEL_HAVE_BPF
#include "sources/proc/bpf_task_reader.h"
#endif

namespace ktel {

namespace {

constexpr std::string_view kEventSource = "proc";

std::string io_reason(int err) {
  if (err == ENOENT) return "missing (ENOENT): kernel built without CONFIG_TASK_IO_ACCOUNTING";
  std::string r = err == EACCES || err == EPERM ? "permission denied" : std::strerror(err);
  return r + " (" + std::strerror(err) + "): run ktel as root or as the process owner";
}

Result<std::unique_ptr<proc::TaskReader>> open_default_bpf() {
#ifdef KTEL_HAVE_BPF
  KTEL_ASSIGN_OR_RETURN(std::unique_ptr<proc::BpfTaskReader> r, proc::BpfTaskReader::open());
  return std::unique_ptr<proc::TaskReader>(std::move(r));
#else
  return Status(Code::kUnavailable,
                std::string("this ktel was built without the eBPF backend: ") +
                    KTEL_BPF_OFF_REASON);
#endif
}

nlohmann::json interval_ms(int64_t ns) {
  if (ns % 1'000'000 == 0) return ns / 1'000'000;
  return static_cast<double>(ns) / 1e6;
}

}  // namespace

ProcSource::ProcSource() = default;
ProcSource::ProcSource(ProcSourceOptions options) : options_(std::move(options)) {}

ProcSource::~ProcSource() {
  stop_and_join(stop_, thread_);
}

Status ProcSource::start(const SourceContext& ctx) {
  if (ctx.clock == nullptr || ctx.events == nullptr || ctx.sink == nullptr) {
    return invalid_argument("proc source: context needs a clock, an event log and a sink");
  }
  if (ctx.target_pid <= 0) {
    return invalid_argument("proc source: no target pid (got " + std::to_string(ctx.target_pid) +
                            "); pass --pid or a command");
  }
  if (ctx.options.interval_ns <= 0) {
    return invalid_argument("proc source: --interval must be positive");
  }
  ctx_ = ctx;
  KTEL_ASSIGN_OR_RETURN(procfs::ProcFs fs, procfs::ProcFs::open(options_.reader.proc_root));
  fs_.emplace(std::move(fs));
  procfs::ProcPath target(ctx.target_pid, "stat");
  Result<std::string_view> probe = fs_->read_once(target, stat_buf_);
  if (!probe.is_ok()) {
    if (probe.status().code() == Code::kNotFound) {
      return not_found("target pid " + std::to_string(ctx.target_pid) + " does not exist (no " +
                       fs_->display(target) + "); check the pid or start the workload first");
    }
    return probe.status();
  }
  KTEL_ASSIGN_OR_RETURN(proc_stat_fd_, fs_->open_file(procfs::ProcPath("stat")));
  KTEL_TRY(open_reader());
  KTEL_ASSIGN_OR_RETURN(samples_table_, ctx.sink->open_table(tables::proc_samples()));
  KTEL_ASSIGN_OR_RETURN(ticks_table_, ctx.sink->open_table(tables::proc_ticks()));
  KTEL_ASSIGN_OR_RETURN(cpu_table_, ctx.sink->open_table(tables::cpu_samples()));
  ns_per_tick_ = 1'000'000'000 / procfs::clock_ticks_per_second();

  nlohmann::json fields = {{"pid", ctx.target_pid},
                           {"interval_ms", interval_ms(ctx.options.interval_ns)},
                           {"threads", ctx.options.threads},
                           {"backend", std::string(reader_->backend())}};
  if (reader_->backend() == "procfs") fields["status_every"] = options_.reader.status_every;
  if (!fallback_reason_.empty()) {
    ctx.events->emit(kEventSource, "proc_backend_fallback",
                     {{"wanted", "bpf"}, {"got", "procfs"}, {"reason", fallback_reason_}});
  }
  ctx.events->emit(kEventSource, "proc_started", std::move(fields));
  started_ = true;
  thread_ = std::thread([this] { run(); });
  return Status::ok();
}

Status ProcSource::open_reader() {
  if (options_.make_reader) {
    KTEL_ASSIGN_OR_RETURN(reader_, options_.make_reader());
    return Status::ok();
  }
  const std::string& backend = ctx_.options.proc_backend;
  if (backend != "auto" && backend != "bpf" && backend != "procfs") {
    return invalid_argument("proc source: backend '" + backend + "' is not auto, bpf or procfs");
  }
  if (backend != "procfs") {
    Result<std::unique_ptr<proc::TaskReader>> bpf =
        options_.open_bpf ? options_.open_bpf() : open_default_bpf();
    if (bpf.is_ok()) {
      reader_ = std::move(bpf).value();
      return Status::ok();
    }
    if (backend == "bpf") {
      // kPermissionDenied stays as is; anything else means "cannot run here".
      const Status& st = bpf.status();
      if (st.code() == Code::kPermissionDenied || st.code() == Code::kUnavailable) return st;
      return Status(Code::kUnavailable, "proc source: BPF backend: " + st.to_string(),
                    st.sys_errno());
    }
    fallback_reason_ = bpf.status().to_string();
  }
  KTEL_ASSIGN_OR_RETURN(reader_, proc::ProcfsTaskReader::open(options_.reader));
  return Status::ok();
}

void ProcSource::run() {
  const int64_t interval = ctx_.options.interval_ns;
  int64_t next = monotonic_now_ns();
  uint64_t skipped = 0;
  for (;;) {
    // steady_clock is CLOCK_MONOTONIC, the base of `next`.
    if (stop_.wait_until(std::chrono::steady_clock::time_point(std::chrono::nanoseconds(next)))) {
      return;
    }
    // Woken more than a whole interval late (a preempted thread): those
    // slots are missed too.
    int64_t late = monotonic_now_ns() - next;
    if (late >= interval) {
      next += late / interval * interval;
      skipped += static_cast<uint64_t>(late / interval);
    }
    sample(next, skipped);
    pending_skipped_ = 0;
    // Deadline-based: the next slot is one interval after the previous slot,
    // not after the work; slots already past are skipped whole and counted.
    next += interval;
    int64_t now = monotonic_now_ns();
    skipped = now > next ? static_cast<uint64_t>((now - next) / interval) : 0;
    next += static_cast<int64_t>(skipped) * interval;
    pending_skipped_ = skipped;
  }
}

void ProcSource::sample(int64_t scheduled_abs, uint64_t skipped) {
  const int64_t t0 = monotonic_now_ns();
  const Stamp t = ctx_.clock->from_mono_abs(t0);
  const int64_t tick = tick_++;
  skipped_total_ += skipped;
  static const size_t kSamplesWidth = tables::proc_samples().columns.size();
  static const size_t kCpuWidth = tables::cpu_samples().columns.size();
  static const size_t kTicksWidth = tables::proc_ticks().columns.size();
  Status st = reader_->read_tree(ctx_.target_pid, ctx_.options.threads, tasks_);
  if (!st.is_ok()) {
    ++read_failures_;
    if (read_error_.is_ok()) {
      read_error_ = st;
      ctx_.events->emit(kEventSource, "proc_read_failed", {{"tick", tick}, {"error", st.to_string()}});
    }
    tasks_.clear();
  }
  emit_task_events(t);

  int64_t processes = 0;
  Batch samples(kSamplesWidth);
  samples.reserve_rows(tasks_.size());
  for (const TaskStats& s : tasks_) {
    proc::append_task_row(samples, t, tick, s);
    if (!s.is_thread) ++processes;
  }
  const int64_t threads = static_cast<int64_t>(tasks_.size()) - processes;
  Batch cpus(kCpuWidth);
  read_cpus(t, tick, cpus);

  if (!samples.empty()) {
    uint64_t n = samples.rows();
    uint64_t lost_before = lost_rows_;
    append(samples_table_, std::move(samples));
    if (lost_rows_ == lost_before) {
      rows_ += n;
      if (!first_row_emitted_) {
        first_row_emitted_ = true;
        ctx_.events->emit(kEventSource, "proc_first_row", {{"processes", processes}});
      }
    }
  }
  if (!cpus.empty()) {
    uint64_t n = cpus.rows();
    uint64_t lost_before = lost_rows_;
    append(cpu_table_, std::move(cpus));
    if (lost_rows_ == lost_before) cpu_rows_ += n;
  }
  Batch ticks(kTicksWidth);
  proc::TickRow row{.tick = tick,
                    .scheduled_mono_ns = ctx_.clock->from_mono_abs(scheduled_abs).mono_ns,
                    .cost_ns = monotonic_now_ns() - t0,
                    .processes = processes,
                    .threads = threads,
                    .skipped_ticks = static_cast<int64_t>(skipped)};
  proc::append_tick_row(ticks, t, row);
  append(ticks_table_, std::move(ticks));
}

void ProcSource::emit_task_events(const Stamp& t) {
  lifecycle_.update(tasks_, appeared_, gone_);
  for (const TaskStats* s : appeared_) {
    ctx_.events->emit_at(t, kEventSource, "process_appeared",
                         {{"pid", s->pid},
                          {"ppid", s->ppid},
                          {"start_time_ns", s->start_time_ns},
                          {"comm", s->comm}});
  }
  if (!gone_.empty()) {
    // Noticed at this tick, so the lifetime is an upper bound, tight to one interval.
    const int64_t boot_now = procfs::boottime_now_ns();
    for (const auto& g : gone_) {
      int64_t lifetime = boot_now - static_cast<int64_t>(g.start_time_ns);
      ctx_.events->emit_at(t, kEventSource, "process_gone",
                           {{"pid", g.pid},
                            {"start_time_ns", g.start_time_ns},
                            {"comm", g.comm},
                            {"lifetime_ns", lifetime}});
    }
  }
  for (const TaskStats& s : tasks_) {
    if (s.is_thread || s.io_errno == 0) continue;
    if (!io_unreadable_.emplace(s.pid, s.start_time_ns).second) continue;
    ctx_.events->emit_at(t, kEventSource, "proc_io_unreadable",
                         {{"pid", s.pid}, {"reason", io_reason(s.io_errno)}});
  }
}

void ProcSource::read_cpus(const Stamp& t, int64_t tick, Batch& batch) {
  procfs::ProcPath path("stat");
  Result<std::string_view> text = fs_->pread_whole(proc_stat_fd_.get(), path, stat_buf_);
  Status st = text.is_ok() ? proc::parse_proc_stat_cpus(*text, cpus_) : text.status();
  if (!st.is_ok()) {
    ++read_failures_;
    if (!cpu_error_reported_) {
      cpu_error_reported_ = true;
      ctx_.events->emit(kEventSource, "proc_cpu_read_failed", {{"error", st.to_string()}});
    }
    return;
  }
  for (const proc::CpuTimes& c : cpus_) proc::append_cpu_row(batch, t, tick, c, ns_per_tick_);
}

void ProcSource::append(TableId table, Batch batch) {
  uint64_t n = batch.rows();
  Status st = ctx_.sink->append(table, std::move(batch));
  if (st.is_ok()) return;
  lost_rows_ += n;
  if (sink_error_.is_ok()) sink_error_ = st;
}

Status ProcSource::stop() {
  if (!started_) {
    return Status(Code::kFailedPrecondition, "proc source: stop() without a successful start()");
  }
  stop_and_join(stop_, thread_);
  // The final sample is off-cadence: its scheduled time is the stop request.
  // It carries the slots skipped after the last regular tick.
  sample(monotonic_now_ns(), pending_skipped_);
  finish_events();
  return sink_error_;
}

void ProcSource::finish_events() {
  proc::TaskReaderCounters c = reader_->counters();
  const uint64_t lost = lost_rows_ + c.parse_errors;
  ctx_.events->emit(kEventSource, "proc_finished",
                    {{"rows", rows_},
                     {"ticks", tick_},
                     {"skipped_ticks", skipped_total_},
                     {"processes_seen", lifecycle_.processes_seen()},
                     {"io_unreadable", io_unreadable_.size()},
                     {"lost", lost}});
  report_ = SourceReport{};
  report_.rows = rows_;
  report_.lost = lost;
  report_.details = {{"ticks", tick_},
                     {"skipped_ticks", skipped_total_},
                     {"processes_seen", lifecycle_.processes_seen()},
                     {"backend", std::string(reader_->backend())},
                     {"cpu_rows", cpu_rows_},
                     {"io_unreadable", io_unreadable_.size()},
                     {"lost_sink_rows", lost_rows_},
                     {"lost_unreadable_tasks", c.parse_errors},
                     {"read_failures", read_failures_},
                     {"transient_reads", c.transient_reads},
                     {"discovery_reads", c.discovery_reads}};
  if (!c.last_error.empty()) report_.details["last_read_error"] = c.last_error;
  if (!fallback_reason_.empty()) report_.details["backend_fallback_reason"] = fallback_reason_;
  if (!sink_error_.is_ok()) {
    report_.status = "failed";
    report_.reason = sink_error_.to_string();
  } else if (rows_ == 0) {
    std::string cause =
        !read_error_.is_ok() ? "reading /proc failed: " + read_error_.to_string()
        : c.parse_errors > 0 ? "the target's files were unreadable: " + c.last_error
                             : "target pid " + std::to_string(ctx_.target_pid) +
                                   " exited (and was reaped) before the first sample";
    report_.status = "no_data";
    report_.reason = cause;
    ctx_.events->emit(kEventSource, "proc_no_data", {{"likely_cause", cause}});
  }
}

SourceReport ProcSource::report() const { return report_; }

}  // namespace ktel
