#include "sources/exec/exec_ftrace_capture.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "base/file_util.h"
#include "sources/sched/raw_trace_reader.h"

namespace ktel::exec {

namespace {

constexpr std::string_view kNotesFile = "proc_argv.jsonl";
constexpr std::string_view kTraceDir = "ftrace";

}  // namespace

std::vector<std::string> exec_ftrace_events(const std::string& tracefs_root) {
  std::vector<std::string> events = {"sched/sched_process_fork", "sched/sched_process_exec",
                                     "sched/sched_process_exit"};
  if (::access((tracefs_root + "/events/task/task_newtask").c_str(), F_OK) == 0) {
    events.emplace_back("task/task_newtask");
  }
  return events;
}

Result<std::unique_ptr<ExecFtraceCapture>> ExecFtraceCapture::start(const ExecFtraceConfig& config) {
  std::unique_ptr<ExecFtraceCapture> c(new ExecFtraceCapture(config));
  const std::string trace_dir = fmt::format("{}/{}", config.raw_dir, kTraceDir);
  KTEL_TRY(make_dirs(trace_dir));
  // Scanner first: its first pass seeds what already runs before any exec
  // the trace will show.
  KTEL_ASSIGN_OR_RETURN(ProcArgvScanner scanner, ProcArgvScanner::open(config.scope, config.limits));
  KTEL_ASSIGN_OR_RETURN(ProcArgvWriter notes,
                        ProcArgvWriter::create(fmt::format("{}/{}", config.raw_dir, kNotesFile)));
  c->notes_.emplace(std::move(notes));
  c->events_ = exec_ftrace_events(config.tracefs_root);
  sched::SchedCaptureConfig sc;
  sc.tracefs_root = config.tracefs_root;
  sc.instance_name = config.instance_name;
  sc.raw_dir = trace_dir;
  sc.buffer_kb = config.buffer_kb;
  sc.events = c->events_;
  if (!config.scope.all) sc.scope_pids = {config.scope.root};
  KTEL_ASSIGN_OR_RETURN(c->capture_,
                        sched::SchedCapture::start(sc, [](const sched::CpuStatsReading&) {}));
  ExecFtraceCapture* self = c.get();
  self->thread_ = std::thread([self, s = std::move(scanner)]() mutable { self->run(std::move(s)); });
  return c;
}

ExecFtraceCapture::~ExecFtraceCapture() {
  stop_and_join(stop_, thread_);
}

void ExecFtraceCapture::run(ProcArgvScanner scanner) {
  auto on_note = [this](const ProcArgvNote& note) {
    if (scan_status_.is_ok()) scan_status_ = notes_->append(note);
  };
  for (;;) {  // a last scan after the stop request
    Status s = scanner.scan(on_note);
    if (!s.is_ok() && scan_status_.is_ok()) scan_status_ = s;
    scans_ = scanner.scans();  // read after the join
    if (stop_.requested()) return;
    stop_.wait_for(std::chrono::nanoseconds(config_.scan_period_ns));
  }
}

Status ExecFtraceCapture::stop() {
  stop_and_join(stop_, thread_);
  Status captured = capture_->stop();
  per_cpu_ = capture_->stats_delta_per_cpu();
  lost_ = 0;
  for (const auto& s : per_cpu_) lost_ += s.lost();
  Status written = notes_->finish();
  if (!captured.is_ok()) return captured;
  if (!scan_status_.is_ok()) return scan_status_.with_context("scanning /proc for arguments");
  KTEL_TRY(capture_->reader_status());
  return written;
}

nlohmann::json ExecFtraceCapture::describe() const {
  return {{"instance", capture_->instance_path()},
          {"events", events_},
          {"buffer_kb_granted", capture_->granted_buffer_kb()},
          {"proc_scan_ms", static_cast<double>(config_.scan_period_ns) / 1e6}};
}

nlohmann::json ExecFtraceCapture::details() const {
  nlohmann::json cpus = nlohmann::json::array();
  for (const auto& s : per_cpu_) {
    cpus.push_back({{"overrun", s.overrun},
                    {"commit_overrun", s.commit_overrun},
                    {"dropped_events", s.dropped_events}});
  }
  return {{"proc_scans", scans_},
          {"proc_notes", notes_ ? notes_->notes() : 0},
          {"kernel_lost", lost_},
          {"kernel_lost_per_cpu", std::move(cpus)}};
}

Result<ExecFtraceBuildResult> build_exec_tables_from_ftrace(
    const std::string& raw_exec_dir, const std::vector<std::string>& exclude_comms, Sink& sink,
    const EpisodeClock& clock) {
  const std::string trace_dir = fmt::format("{}/{}", raw_exec_dir, kTraceDir);
  const std::string notes_path = fmt::format("{}/{}", raw_exec_dir, kNotesFile);
  ExecFtraceBuildResult out;
  ArgvIndex index;
  KTEL_TRY(read_proc_argv_file(
      notes_path,
      [&](ProcArgvNote&& note) {
        ++out.notes;
        index.add_note(std::move(note));
        return Status::ok();
      },
      out.notes_cut_tail));
  KTEL_TRY(sched::read_raw_trace(trace_dir, [&](const sched::SchedEvent& e) {
             add_boundaries(e, index);
             return Status::ok();
           }).status());
  index.freeze();
  KTEL_ASSIGN_OR_RETURN(std::unique_ptr<ExecTableWriter> tables, ExecTableWriter::open(sink, clock));
  FtraceLifecycle lifecycle(index);
  KTEL_ASSIGN_OR_RETURN(
      sched::RawTraceStats stats,
      sched::read_raw_trace(trace_dir, [&](const sched::SchedEvent& e) -> Status {
        std::optional<ExecLifecycleEvent> event = lifecycle.convert(e);
        if (!event) return Status::ok();
        if (const auto* x = std::get_if<ExecLifecycleExec>(&*event);
            x != nullptr && std::find(exclude_comms.begin(), exclude_comms.end(), x->comm) !=
                                exclude_comms.end()) {
          ++out.excluded_execs;
          return Status::ok();
        }
        if (!out.first_row_ts_ns && (std::holds_alternative<ExecLifecycleExec>(*event) ||
                                     std::holds_alternative<ExecLifecycleFork>(*event))) {
          out.first_row_ts_ns = e.ts_ns;
        }
        return tables->add(*event);
      }));
  KTEL_TRY(tables->finish());
  sched::CpuParseStats total = stats.total();
  out.events = total.events;
  out.malformed = total.malformed();
  out.missed_events = total.missed_events;
  out.counts = tables->counts();
  out.lifecycle = lifecycle.counts();
  return out;
}

}  // namespace ktel::exec
