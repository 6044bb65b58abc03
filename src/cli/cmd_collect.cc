// `ktel collect -o DIR`: record every selected workload `--runs` times with
// the sched and proc sources, for `ktel dataset build DIR`.
#include <unistd.h>

#include <memory>

#include <fmt/format.h>

#include "base/strings.h"
#include "cli/commands.h"
#include "cli/workload_selection.h"
#include "collect/collector.h"
#include "sys/spawn.h"

namespace ktel::cli {

namespace {

struct CollectArgs {
  std::string out_dir;
  std::vector<std::string> workloads;
  int runs = 3;
  std::string buffer_size;
  std::string duration;
  std::string timeout = "300s";
  std::string workloads_file;
  bool list = false;
};

bool recorded(const std::string& status) {
  return status == "ok" || status == "timed_out" || status == "workload_failed";
}

// One updating line on a terminal; plain lines (start, every 10 s, end) otherwise.
class ProgressPrinter {
 public:
  ProgressPrinter() : tty_(::isatty(STDOUT_FILENO) != 0) {}
  void operator()(collect::RunState state, const collect::RunProgress& p,
                  const collect::RunOutcome* outcome) {
    std::string head = fmt::format("[{}/{}] {} run {}/{}", p.workload_index, p.workload_count,
                                   p.workload->name, p.run, p.runs);
    switch (state) {
      case collect::RunState::kStarting:
        if (!tty_) fmt::print("{}: started\n", head);
        last_plain_ = 0;
        break;
      case collect::RunState::kRunning: {
        std::string line = fmt::format("{}  {:6.1f}s  {} events  {} lost", head, p.elapsed_s,
                                       p.events, p.lost);
        if (tty_) {
          fmt::print("\r\033[K{}", line);
        } else if (p.elapsed_s - last_plain_ >= 10) {
          fmt::print("{}\n", line);
          last_plain_ = p.elapsed_s;
        }
        break;
      }
      case collect::RunState::kFinished:
      case collect::RunState::kSkipped:
      case collect::RunState::kFailed:
        fmt::print("{}{}: {}{}{}\n", tty_ ? "\r\033[K" : "", head, outcome->status,
                   !recorded(outcome->status)
                       ? std::string()
                       : fmt::format(", {} sched_switch, {} lost", outcome->sched_switch,
                                     outcome->lost_events),
                   outcome->detail.empty() ? std::string() : " (" + outcome->detail + ")");
        break;
    }
    std::fflush(stdout);
  }

 private:
  bool tty_;
  double last_plain_ = 0;
};

void print_totals(const collect::CollectResult& r, const std::string& dir) {
  uint64_t switches = 0, lost = 0;
  size_t kept = 0, skipped = 0;
  for (const auto& run : r.runs) {
    switches += run.sched_switch;
    lost += run.lost_events;
    kept += recorded(run.status);
    skipped += run.status == "skipped";
  }
  fmt::print("{}: {} runs recorded ({} sched_switch, {} lost), {} workloads skipped{}\n", dir,
             kept, switches, lost, skipped, r.interrupted ? "; INTERRUPTED" : "");
  if (r.interrupted) {
    fmt::print("run the same command again to finish the collection (finished runs are kept)\n");
  } else {
    fmt::print("next: ktel dataset build {}\n", dir);
  }
}

}  // namespace

void add_collect_command(CLI::App& app, CliState& state) {
  auto args = std::make_shared<CollectArgs>();
  auto* cmd = app.add_subcommand(
      "collect", "Record many runs of many workloads (sched + proc) for ktel dataset build");
  cmd->add_option("-o,--output", args->out_dir, "collection directory (created; resumable)");
  cmd->add_option("-w,--workloads", args->workloads,
                  "workloads to run, comma-separated (default: the twelve standard ones; see "
                  "ktel workloads)")
      ->delimiter(',');
  cmd->add_option("--runs", args->runs, "runs per workload")->capture_default_str();
  cmd->add_option("--buffer-size", args->buffer_size, "sched ftrace buffer per CPU in KB");
  cmd->add_option("--duration", args->duration,
                  "length of each timed workload (sysbench, cpu_bound, io_mixed; default 10s)");
  cmd->add_option("--timeout", args->timeout,
                  "stop a run after this long and mark it timed_out")
      ->capture_default_str();
  cmd->add_option("--workloads-file", args->workloads_file, "custom workloads (TOML)");
  cmd->add_flag("--list-workloads", args->list, "list the workloads and exit");
  cmd->footer(
      "Layout: DIR/raw/<workload>_run<i>/ (episode), DIR/raw/<workload>_run<i>.json (run\n"
      "metadata), DIR/logs/<workload>_run<i>.log (the workload's output), DIR/collect.json.\n"
      "Ctrl-C stops the current run cleanly and removes its partial episode; finished runs\n"
      "are kept, and running the same command again continues where it stopped.\n\n"
      "Examples:\n"
      "  sudo ktel collect -o data --runs 3\n"
      "  sudo ktel collect -o data -w cpu_bound_4p,hackbench_pipe_small,io_mixed --duration 5s");
  cmd->callback([&state, args] {
    WorkloadSelection selection{.names = args->workloads,
                                .duration = args->duration,
                                .workloads_file = args->workloads_file};
    if (args->list) {
      state.exit_code = print_workload_list(selection, "table");
      return;
    }
    if (args->out_dir.empty()) {
      state.exit_code = report_error("collect", invalid_argument("-o DIR is required"));
      return;
    }
    collect::CollectOptions options;
    options.out_dir = args->out_dir;
    options.runs = args->runs;
    auto workloads = select_collect_workloads(selection);
    auto exe = self_executable();
    auto timeout = parse_duration_ns(args->timeout);
    Status bad = !workloads.is_ok() ? workloads.status()
                 : !exe.is_ok()     ? exe.status()
                 : !timeout.is_ok() ? timeout.status()
                                    : Status::ok();
    if (bad.is_ok() && !args->buffer_size.empty()) {
      auto kb = parse_uint64(args->buffer_size);
      if (!kb || *kb < 4) bad = invalid_argument("--buffer-size is not a size in KB (>= 4)");
      else options.buffer_kb = *kb;
    }
    if (!bad.is_ok()) {
      state.exit_code = report_error("collect", bad);
      return;
    }
    options.workloads = std::move(*workloads);
    options.ktel_exe = *exe;
    options.timeout_ns = *timeout;
    ProgressPrinter printer;
    collect::Collector collector(options, std::ref(printer));
    auto result = collector.run();
    if (!result.is_ok()) {
      state.exit_code = report_error("collect", result.status());
      return;
    }
    print_totals(*result, args->out_dir);
    state.exit_code = result->interrupted ? 130 : kExitOk;
  });
}

}  // namespace ktel::cli
