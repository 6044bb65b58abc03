// `ktel doctor`: what this machine offers each source, and the fix for what is
// missing. `--fix` mounts tracefs and removes stale ktel-* ftrace instances.
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "base/file_util.h"
#include "base/strings.h"
#include "cli/commands.h"
#include "cli/doctor_checks.h"
#include "ktel/build_info.h"
#include "sys/mountinfo.h"
#include "sys/spawn.h"
#include "sys/tracefs.h"
#include "sys/tracefs_instance.h"
#ifdef KTEL_HAVE_BPF
#include "sys/bpf/exec_tracer.h"
#endif

namespace ktel::cli {

namespace {

std::string read_trimmed(const std::string& path) {
  auto r = read_file(path);
  return r.is_ok() ? std::string(trim(*r)) : std::string();
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

void check_tracefs(bool fix, std::vector<Check>& out) {
  auto where = find_tracefs();
  if (where.is_ok() && where->has_value()) {
    out.push_back({"tracefs", Level::kOk, "mounted at " + **where, ""});
    return;
  }
  if (fix && ::geteuid() == 0) {
    auto mounted = find_or_mount_tracefs();
    if (mounted.is_ok()) {
      out.push_back({"tracefs", Level::kOk, "mounted now at " + mounted->path, ""});
      return;
    }
    out.push_back({"tracefs", Level::kFail, mounted.status().to_string(),
                   "check that the kernel has CONFIG_TRACING"});
    return;
  }
  bool mountable = exists(kTracefsPath);
  out.push_back({"tracefs", Level::kWarn,
                 mountable ? "not mounted (sched source needs it; ktel mounts it when run as root)"
                           : "not mounted and /sys/kernel/tracing is absent",
                 "ktel doctor --fix (as root), or: mount -t tracefs tracefs /sys/kernel/tracing"});
}

// Instances named ktel-<pid> whose recorder is gone (killed with SIGKILL);
// the next sched capture removes them, --fix does it now.
void check_stale_instances(bool fix, std::vector<Check>& out) {
  auto where = find_tracefs();
  if (!where.is_ok() || !where->has_value()) return;
  auto names = list_ktel_instances(**where);
  if (!names.is_ok()) {
    out.push_back({"ftrace instances", Level::kWarn, names.status().to_string(),
                   "run ktel doctor as root"});
    return;
  }
  std::string stale;
  for (const auto& n : *names) {
    if (instance_is_stale(n)) stale += " " + n;
  }
  if (stale.empty()) {
    out.push_back({"ftrace instances", Level::kOk,
                   fmt::format("{} ktel instance(s), none stale", names->size()), ""});
    return;
  }
  if (fix) {
    auto removed = remove_stale_instances(**where);
    if (removed.is_ok()) {
      out.push_back({"ftrace instances", Level::kOk, "removed stale:" + stale, ""});
      return;
    }
    out.push_back({"ftrace instances", Level::kFail, removed.status().to_string(), ""});
    return;
  }
  out.push_back({"ftrace instances", Level::kWarn, "stale, left by a killed ktel:" + stale,
                 "ktel doctor --fix (as root); the next sched capture also removes them"});
}

void check_perf(std::vector<Check>& out) {
  std::string paranoid = read_trimmed("/proc/sys/kernel/perf_event_paranoid");
  if (paranoid.empty()) {
    out.push_back({"perf_event", Level::kFail, "/proc/sys/kernel/perf_event_paranoid is missing",
                   "the kernel lacks CONFIG_PERF_EVENTS"});
    return;
  }
  auto level = parse_int64(paranoid).value_or(4);
  bool root = ::geteuid() == 0;
  std::string detail = fmt::format("perf_event_paranoid={}", level);
  if (!root && level > 2) {
    out.push_back({"perf_event", Level::kWarn, detail + ": unprivileged users cannot count",
                   "run as root, or: sysctl kernel.perf_event_paranoid=2"});
  } else {
    out.push_back({"perf_event", Level::kOk, detail + (root ? " (root)" : " (own processes)"), ""});
  }
  add_perf_counter_checks(out);
}

void check_bpf(std::vector<Check>& out) {
  if (KTEL_BUILD_HAS_BPF) {
    out.push_back({"ebpf backend", Level::kOk, "built in (proc: BPF task iterator; exec source)", ""});
  } else {
    out.push_back({"ebpf backend", Level::kWarn,
                   std::string("not built: ") + KTEL_BPF_OFF_REASON_TEXT,
                   "install clang, bpftool, libbpf-dev (scripts/setup.sh) and rebuild"});
  }
  if (exists("/sys/kernel/btf/vmlinux")) {
    out.push_back({"btf", Level::kOk, "/sys/kernel/btf/vmlinux present", ""});
  } else {
    out.push_back({"btf", Level::kWarn, "no /sys/kernel/btf/vmlinux: CO-RE BPF programs cannot load",
                   "use a kernel built with CONFIG_DEBUG_INFO_BTF=y"});
  }
  std::string unpriv = read_trimmed("/proc/sys/kernel/unprivileged_bpf_disabled");
  bool root = ::geteuid() == 0;
  if (!root && unpriv != "0") {
    out.push_back({"bpf", Level::kWarn, "unprivileged BPF is disabled (" + unpriv + ")", "run ktel as root"});
  } else {
    out.push_back({"bpf", Level::kOk, root ? "root may load BPF programs" : "unprivileged BPF allowed", ""});
  }
}

// Which backend `--sources exec` would use here: load the eBPF tracer (no
// process is traced: whole-machine scope, detached at once) or say why not.
void check_exec(std::vector<Check>& out) {
  const std::string fallback_fix =
      "the exec source falls back to ftrace + /proc (no exit codes, CPU time or peak RSS)";
  if (::geteuid() != 0) {
    out.push_back({"exec source", Level::kWarn, "not checked: loading BPF programs needs root",
                   "run `sudo ktel doctor`"});
    return;
  }
#ifdef KTEL_HAVE_BPF
  ExecTracerOptions o;
  o.scope = ExecScope::kAll;
  o.ring_bytes = size_t{64} << 10;
  auto tracer = ExecTracer::open(o);
  if (tracer.is_ok()) {
    out.push_back({"exec source", Level::kOk,
                   "eBPF exec tracer loads (tp_btf sched_process_exec/fork, sched_process_exit)",
                   ""});
  } else {
    out.push_back({"exec source", Level::kWarn,
                   "eBPF exec tracer does not load: " + tracer.status().to_string(), fallback_fix});
  }
#else
  out.push_back({"exec source", Level::kWarn,
                 std::string("eBPF not built: ") + KTEL_BPF_OFF_REASON_TEXT, fallback_fix});
#endif
}

void check_cgroup(std::vector<Check>& out) {
  auto mounts = read_mount_points_of_type("cgroup2");
  std::string where = mounts.is_ok() && !mounts->empty() ? mounts->back() : "";
  if (where.empty()) {
    out.push_back({"cgroup2", Level::kWarn, "no cgroup v2 mount", "mount -t cgroup2 none /sys/fs/cgroup/unified"});
  } else {
    out.push_back({"cgroup2", Level::kOk, "mounted at " + where, ""});
  }
}

void check_tools(std::vector<Check>& out) {
  struct Tool {
    const char* name;
    const char* package;
  };
  for (Tool t : {Tool{"hackbench", "rt-tests"}, Tool{"sysbench", "sysbench"},
                 Tool{"stress-ng", "stress-ng"}, Tool{"sqlite3", "sqlite3"}}) {
    auto path = resolve_executable(t.name);
    if (path.is_ok()) {
      out.push_back({std::string("tool ") + t.name, Level::kOk, *path, ""});
    } else {
      out.push_back({std::string("tool ") + t.name, Level::kWarn, "not installed",
                     fmt::format("apt-get install {} (or scripts/setup.sh)", t.package)});
    }
  }
}

}  // namespace

std::vector<Check> run_doctor_checks(bool fix) {
  std::vector<Check> out;
  bool root = ::geteuid() == 0;
  out.push_back({"privileges", root ? Level::kOk : Level::kWarn,
                 root ? "root" : "not root: sources that need root (sched, exec) will be unavailable",
                 root ? "" : "sudo ktel ..."});
  out.push_back({"procfs", exists("/proc/self/stat") ? Level::kOk : Level::kFail,
                 exists("/proc/self/stat") ? "/proc mounted" : "/proc is not mounted", "mount -t proc proc /proc"});
  check_tracefs(fix, out);
  check_stale_instances(fix, out);
  check_perf(out);
  check_bpf(out);
  check_exec(out);
  check_cgroup(out);
  check_tools(out);
  return out;
}

void add_doctor_command(CLI::App& app, CliState& state) {
  auto fix = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("doctor", "Check what this machine offers each source, and how to fix what is missing");
  cmd->add_flag("--fix", *fix, "Apply safe fixes (mount tracefs; needs root)");
  cmd->footer("Examples:\n  ktel doctor\n  sudo ktel doctor --fix\n\nExit status: 1 when a check failed outright, else 0.");
  cmd->callback([fix, &state] {
    auto checks = run_doctor_checks(*fix);
    bool failed = false;
    for (const auto& c : checks) {
      const char* tag = c.level == Level::kOk ? "ok" : c.level == Level::kWarn ? "warn" : "FAIL";
      fmt::print("{:<5} {:<24} {}\n", tag, c.name, c.detail);
      if (!c.fix.empty() && c.level != Level::kOk) fmt::print("{:<5} {:<24} fix: {}\n", "", "", c.fix);
      failed = failed || c.level == Level::kFail;
    }
    state.exit_code = failed ? kExitError : kExitOk;
  });
}

}  // namespace ktel::cli
