// `ktel record`: one episode of a command, a running pid or a built-in workload.
#include <unistd.h>

#include <fmt/format.h>

#include "base/strings.h"
#include "cli/commands.h"
#include "ktel/record_options.h"
#include "record/recorder.h"
#include "record/summary.h"
#include "sources/registry.h"
#include "sys/spawn.h"
#include "cli/workload_selection.h"
#include "workloads/builtin.h"

namespace ktel::cli {

namespace {

struct RecordFlags {
  std::vector<std::string> command;
  int attach_pid = 0;
  std::string workload;
  std::string workload_seconds;
  std::string workloads_file;
  std::string duration;
  std::string interval = "100ms";
  std::string output;
  std::vector<std::string> sources;
  std::vector<std::string> required;
  std::vector<std::string> labels;
  std::string proc_backend = "auto";
  std::string buffer_size;
  std::vector<std::string> sched_events;
  std::string sched_scope = "all";
  std::string sched_drain_period;
  std::string exec_scope = "tree";
  std::vector<std::string> exec_exclude;
  std::string exec_ring_size;
  std::string exec_poll_period;
  std::string exec_backend = "auto";
  std::string exec_argv_max;
  bool exec_rss = false;
  bool threads = false;
  bool as_root = false;
  bool quiet = false;
};

// --exec-argv-max BYTES[,ARGS]: what the tracer copies of each argv.
Status parse_argv_max(std::string_view text, RecordOptions& o) {
  size_t comma = text.find(',');
  std::optional<uint64_t> bytes = parse_uint64(text.substr(0, comma));
  std::optional<uint64_t> args =
      comma == std::string_view::npos ? std::optional<uint64_t>(o.exec_argv_args)
                                      : parse_uint64(text.substr(comma + 1));
  if (!bytes || *bytes < 1 || *bytes > 16383 || !args || *args < 1 || *args > 4096) {
    return invalid_argument(fmt::format(
        "--exec-argv-max '{}' is not BYTES[,ARGS] with 1-16383 bytes and 1-4096 arguments", text));
  }
  o.exec_argv_bytes = static_cast<uint32_t>(*bytes);
  o.exec_argv_args = static_cast<uint32_t>(*args);
  return Status::ok();
}

Status exec_options(const RecordFlags& f, RecordOptions& o) {
  if (f.exec_scope != "tree" && f.exec_scope != "cgroup" && f.exec_scope != "all") {
    return invalid_argument(
        fmt::format("--exec-scope '{}' is not tree, cgroup or all", f.exec_scope));
  }
  o.exec_scope = f.exec_scope;
  for (const auto& comm : f.exec_exclude) {
    if (comm.empty() || comm.size() > 15) {
      return invalid_argument(fmt::format(
          "--exec-exclude '{}' is not a process name of 1 to 15 bytes (the kernel's comm)", comm));
    }
  }
  if (f.exec_exclude.size() > 64) return invalid_argument("--exec-exclude takes at most 64 names");
  o.exec_exclude = f.exec_exclude;
  if (!f.exec_ring_size.empty()) {
    std::optional<uint64_t> kb = parse_uint64(f.exec_ring_size);
    if (!kb || *kb < 4 || *kb > (1u << 20)) {
      return invalid_argument(fmt::format(
          "--exec-ring-size '{}' is not a size in KB between 4 and 1048576", f.exec_ring_size));
    }
    o.exec_ring_kb = *kb;
  }
  if (f.exec_backend != "auto" && f.exec_backend != "bpf" && f.exec_backend != "ftrace") {
    return invalid_argument(
        fmt::format("--exec-backend '{}' is not auto, bpf or ftrace", f.exec_backend));
  }
  o.exec_backend = f.exec_backend;
  o.exec_rss = f.exec_rss;
  if (!f.exec_argv_max.empty()) KTEL_TRY(parse_argv_max(f.exec_argv_max, o));
  if (!f.exec_poll_period.empty()) {
    KTEL_ASSIGN_OR_RETURN(o.exec_poll_period_ns, parse_duration_ns(f.exec_poll_period));
    if (o.exec_poll_period_ns <= 0) return invalid_argument("--exec-poll-period must be positive");
  }
  return Status::ok();
}

Result<RecordOptions> to_options(const RecordFlags& f) {
  RecordOptions o;
  int targets = (f.command.empty() ? 0 : 1) + (f.attach_pid > 0 ? 1 : 0) + (f.workload.empty() ? 0 : 1);
  if (targets != 1) {
    return invalid_argument("give exactly one target: -- CMD ARGS..., --pid PID or --workload NAME");
  }
  if (!f.workload.empty()) {
    KTEL_ASSIGN_OR_RETURN(WorkloadCatalog catalog, load_catalog(f.workloads_file));
    KTEL_ASSIGN_OR_RETURN(const WorkloadSpec* spec, find_workload(catalog, f.workload));
    WorkloadAvailability a = availability(*spec);
    if (a.kind == WorkloadAvailability::Kind::kMissing) {
      return invalid_argument(fmt::format("workload {} cannot run here: {}", spec->name, a.detail));
    }
    KTEL_ASSIGN_OR_RETURN(std::optional<double> seconds, parse_workload_seconds(f.workload_seconds));
    KTEL_ASSIGN_OR_RETURN(std::string exe, self_executable());
    KTEL_ASSIGN_OR_RETURN(o.command, resolve_argv(*spec, seconds, exe));
    o.workload_name = spec->name;
    o.labels["workload"] = spec->name;
    o.labels["category"] = spec->category;
  } else {
    if (!f.workload_seconds.empty() || !f.workloads_file.empty()) {
      return invalid_argument("--workload-seconds and --workloads-file go with --workload NAME");
    }
    o.command = f.command;
  }
  if (f.attach_pid > 0) o.attach_pid = f.attach_pid;
  if (!f.duration.empty()) {
    KTEL_ASSIGN_OR_RETURN(int64_t d, parse_duration_ns(f.duration));
    if (d <= 0) return invalid_argument("--duration must be positive");
    o.duration_ns = d;
  }
  KTEL_ASSIGN_OR_RETURN(o.interval_ns, parse_duration_ns(f.interval));
  if (o.interval_ns < 1'000'000) return invalid_argument("--interval must be at least 1ms");
  o.output_dir = f.output;
  o.sources = f.sources;
  o.required = f.required;
  for (const auto& l : f.labels) {
    size_t eq = l.find('=');
    if (eq == std::string::npos || eq == 0) {
      return invalid_argument(fmt::format("--label '{}' is not KEY=VALUE", l));
    }
    o.labels[l.substr(0, eq)] = l.substr(eq + 1);
  }
  o.threads = f.threads;
  if (f.proc_backend != "auto" && f.proc_backend != "bpf" && f.proc_backend != "procfs") {
    return invalid_argument(
        fmt::format("--proc-backend '{}' is not auto, bpf or procfs", f.proc_backend));
  }
  o.proc_backend = f.proc_backend;
  if (!f.buffer_size.empty()) {
    std::optional<uint64_t> kb = parse_uint64(f.buffer_size);
    if (!kb || *kb < 4 || *kb > (64u << 20)) {
      return invalid_argument(fmt::format(
          "--buffer-size '{}' is not a size in KB per CPU between 4 and 67108864", f.buffer_size));
    }
    o.sched_buffer_kb = *kb;
  }
  o.sched_events = f.sched_events;
  if (f.sched_scope != "all" && f.sched_scope != "tree") {
    return invalid_argument(fmt::format("--sched-scope '{}' is not all or tree", f.sched_scope));
  }
  o.sched_scope = f.sched_scope;
  if (!f.sched_drain_period.empty()) {
    KTEL_ASSIGN_OR_RETURN(o.sched_drain_period_ns, parse_duration_ns(f.sched_drain_period));
    if (o.sched_drain_period_ns <= 0) return invalid_argument("--sched-drain-period must be positive");
  }
  KTEL_TRY(exec_options(f, o));
  o.as_root = f.as_root;
  o.quiet = f.quiet;
  return o;
}

}  // namespace

void add_record_command(CLI::App& app, CliState& state) {
  auto flags = std::make_shared<RecordFlags>();
  auto* cmd = app.add_subcommand("record", "Record an episode of a command, a running process or a built-in workload");
  cmd->add_option("command", flags->command, "Command and arguments, after --; run directly, never through a shell");
  cmd->add_option("--pid", flags->attach_pid, "Attach to a running process and its descendants");
  cmd->add_option("--workload", flags->workload,
                  "Run a workload of the catalog (ktel workloads): demo, pipeline, "
                  "hackbench_pipe_small, sysbench_cpu_4t, cpu_bound_4p, ...; labels workload= "
                  "and category= are added");
  cmd->add_option("--workload-seconds", flags->workload_seconds,
                  "Length of a timed workload (sysbench, cpu_bound, io_mixed, ...; default 10s)");
  cmd->add_option("--workloads-file", flags->workloads_file,
                  "Custom workloads (TOML, docs/formats/workloads-toml.md) for --workload");
  cmd->add_option("--duration", flags->duration, "Stop after this long (30s, 2m); a command still running gets SIGTERM, exit 124");
  cmd->add_option("-o,--output", flags->output, "Episode directory (default ./episodes/<id>); must be new or empty");
  cmd->add_option("--sources", flags->sources, "Sources to run (default: every one that can run)")->delimiter(',')->allow_extra_args(false);
  cmd->add_option("--require", flags->required, "Fail before the workload starts if any of these cannot run")->delimiter(',')->allow_extra_args(false);
  cmd->add_option("--interval", flags->interval, "Sampling interval of proc and perf (default 100ms)");
  cmd->add_option("--label", flags->labels, "Label the episode: KEY=VALUE (repeatable)")->allow_extra_args(false);
  cmd->add_flag("--threads", flags->threads, "Also sample every thread (proc)");
  cmd->add_option("--proc-backend", flags->proc_backend,
                  "How proc reads the tree: auto (BPF task iterator if it loads, else procfs with "
                  "a proc_backend_fallback event), bpf (fail if it cannot load), procfs");
  cmd->add_option("--buffer-size", flags->buffer_size,
                  "sched: ftrace buffer per CPU in KB (default: sized for ~500k events/s, at least 8192)");
  cmd->add_option("--sched-events", flags->sched_events,
                  "sched: more tracepoints to capture, SYSTEM/EVENT or a sched event name "
                  "(sched_stat_runtime); stored in sched_other")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_option("--sched-scope", flags->sched_scope,
                  "sched: all (every CPU's scheduler, default) or tree (events of the target's "
                  "process tree only, via set_event_pid + event-fork)");
  // Hidden: stalls the sched readers so tests can provoke and check losses.
  cmd->add_option("--sched-drain-period", flags->sched_drain_period, "")->group("");
  cmd->add_option("--exec-scope", flags->exec_scope,
                  "exec: tree (the target and its descendants, default), cgroup (every process "
                  "in the target's cgroup v2) or all (the whole machine)");
  cmd->add_option("--exec-exclude", flags->exec_exclude,
                  "exec: process names (after exec) whose exec rows are left out, e.g. "
                  "sh,bash,dash; their children are still traced")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_option("--exec-ring-size", flags->exec_ring_size,
                  "exec: BPF ring buffer in KB, rounded up to a power of two (default 1024: ~5,000 "
                  "new processes/s polled every 25 ms, with room for 8 polls; a larger ring costs "
                  "more per record)");
  cmd->add_option("--exec-argv-max", flags->exec_argv_max,
                  "exec: BYTES[,ARGS] of each command line kept (default 4096,64); the full "
                  "length and argument count are always recorded, and cut ones flagged");
  cmd->add_flag("--exec-rss", flags->exec_rss,
                 "exec: each process's resident set from kmem/rss_stat, aggregated in the kernel "
                 "(peak in processes.rss_peak_bytes, a series of at most 64 samples in "
                 "process_rss); off by default: it costs on fault-heavy work");
  cmd->add_option("--exec-backend", flags->exec_backend,
                  "exec: auto (eBPF, else ftrace + /proc, saying so), bpf (fail without eBPF) "
                  "or ftrace (force the fallback)");
  // Hidden: slows the exec ring's reader so tests can provoke and check losses.
  cmd->add_option("--exec-poll-period", flags->exec_poll_period, "")->group("");
  cmd->add_flag("--as-root", flags->as_root, "Under sudo, run the command as root instead of the invoking user");
  cmd->add_flag("-q,--quiet", flags->quiet, "No summary or warnings on the terminal");
  cmd->footer(
      "Examples:\n"
      "  ktel record -- make -j2 test\n"
      "  ktel record --duration 30s --pid 1234\n"
      "  ktel record --workload demo --label run=1 -o /tmp/ep1\n"
      "  ktel record --sources proc --interval 50ms --threads -- ./server --port 8080\n"
      "  sudo ktel record --sources sched,proc --buffer-size 16384 -- hackbench -p -g 4\n"
      "  sudo ktel record --sources exec --exec-exclude sh,bash -- make -j2\n\n"
      "Exit status: the command's own exit code, 128+N if signal N killed it, 124 when\n"
      "--duration stopped it, 125 when ktel itself failed, 126/127 when the command\n"
      "is not executable / not found.");
  cmd->callback([flags, &state] {
    auto options = to_options(*flags);
    if (!options.is_ok()) {
      fmt::print(stderr, "ktel record: {}\n", options.status().to_string());
      state.exit_code = kRecordExitKtelFailed;
      return;
    }
    SourceRegistry registry;
    register_builtin_sources(registry);
    Recorder recorder(registry, *options);
    RecordOutcome out = recorder.run();
    if (!out.error.empty()) fmt::print(stderr, "ktel record: {}\n", out.error);
    if (!out.episode_dir.empty() && !options->quiet && !out.meta.id.empty()) {
      fmt::print(stderr, "{}", format_record_summary(out.meta, out.episode_dir));
    }
    state.exit_code = out.exit_code;
  });
}

void add_workload_runner_command(CLI::App& app, CliState& state) {
  auto args = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand("__workload", "Run a built-in workload in this process (internal)");
  cmd->group("");  // hidden from --help
  cmd->add_option("args", *args)->required();
  cmd->callback([args, &state] {
    const BuiltinWorkload* w = find_builtin_workload((*args)[0]);
    if (w == nullptr) {
      fmt::print(stderr, "ktel: unknown built-in workload '{}'\n", (*args)[0]);
      state.exit_code = kExitUsage;
      return;
    }
    state.exit_code = w->run(std::vector<std::string>(args->begin() + 1, args->end()));
  });
}

}  // namespace ktel::cli
