#include "collect/collector.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/file_util.h"
#include "base/scoped_fd.h"
#include "collect/live_stats.h"
#include "collect/run_metadata.h"
#include "ktel/build_info.h"
#include "model/episode_layout.h"
#include "sys/signal_watch.h"
#include "sys/spawn.h"

namespace ktel::collect {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

constexpr int kRecordExitTimedOut = 124;
constexpr int kRecordExitFailed = 125;

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::vector<std::string> record_argv(const CollectOptions& o, const CollectWorkload& w, int run,
                                     const std::string& episode) {
  std::vector<std::string> argv = {o.ktel_exe, "record", "--sources", o.sources, "--require",
                                   "sched", "-o", episode, "-q", "--duration",
                                   fmt::format("{}ms", o.timeout_ns / 1'000'000),
                                   "--label", "workload=" + w.name, "--label",
                                   "category=" + w.category, "--label",
                                   fmt::format("run={}", run)};
  if (o.buffer_kb > 0) {
    argv.push_back("--buffer-size");
    argv.push_back(std::to_string(o.buffer_kb));
  }
  argv.push_back("--");
  argv.insert(argv.end(), w.argv.begin(), w.argv.end());
  return argv;
}

// The last lines of a run's log, for the error message of a failed run.
std::string log_tail(const std::string& path, int lines = 8) {
  auto text = read_file(path);
  if (!text.is_ok()) return "";
  const std::string& t = *text;
  size_t pos = t.size();
  if (pos > 0 && t[pos - 1] == '\n') --pos;
  while (pos > 0 && lines > 0) {
    size_t nl = t.rfind('\n', pos - 1);
    pos = nl == std::string::npos ? 0 : nl;
    --lines;
  }
  return t.substr(pos == 0 ? 0 : pos + 1);
}

std::string status_for_exit(int code) {
  if (code == 0) return "ok";
  if (code == kRecordExitTimedOut) return "timed_out";
  return "workload_failed";
}

}  // namespace

class CollectRun {
 public:
  CollectRun(const CollectOptions& o, const Collector::ProgressFn& progress, SignalWatch& signals)
      : o_(o), progress_(progress), signals_(signals) {}

  // Records one run; sets `stop` when the user interrupted it.
  Result<RunOutcome> record(RunProgress& p, bool& stop);

 private:
  Result<ExitInfo> wait_child(HeldChild& child, RunProgress& p, const std::string& episode,
                              bool& stop);
  const CollectOptions& o_;
  const Collector::ProgressFn& progress_;
  SignalWatch& signals_;
};

Result<ExitInfo> CollectRun::wait_child(HeldChild& child, RunProgress& p,
                                        const std::string& episode, bool& stop) {
  int64_t start = monotonic_now_ns();
  while (true) {
    pollfd fds[2] = {{signals_.fd(), POLLIN, 0}, {child.pidfd(), POLLIN, 0}};
    int n = ::poll(fds, 2, 1000);
    if (n < 0 && errno != EINTR) return last_errno_status("poll");
    if (fds[0].revents & POLLIN) {
      KTEL_ASSIGN_OR_RETURN(std::optional<ReceivedSignal> sig, signals_.read());
      if (sig) {
        // The recorder is in its own process group: every signal reaches it
        // through here, once. A second one makes it kill the workload at once.
        stop = true;
        (void)child.send_signal(sig->signo == SIGHUP ? SIGTERM : sig->signo);
      }
    }
    if (fds[1].revents & POLLIN) return child.reap();
    p.elapsed_s = static_cast<double>(monotonic_now_ns() - start) / 1e9;
    LiveStats live = read_live_stats(episode);
    p.events = live.events;
    p.lost = live.lost;
    if (progress_) progress_(RunState::kRunning, p, nullptr);
  }
}

Result<RunOutcome> CollectRun::record(RunProgress& p, bool& stop) {
  const CollectWorkload& w = *p.workload;
  RunOutcome out;
  out.run = fmt::format("{}_run{}", w.name, p.run);
  std::string raw = o_.out_dir + "/raw";
  std::string episode = raw + "/" + out.run;
  std::string json_path = episode + ".json";
  std::string log_path = o_.out_dir + "/logs/" + out.run + ".log";
  if (exists(json_path)) {
    out.status = "already_collected";
    return out;
  }
  if (exists(episode)) {
    std::error_code ec;
    fs::remove_all(episode, ec);  // a partial run of an earlier, interrupted collect
    if (ec) return errno_status(ec.value(), fmt::format("cannot remove the partial run {}", episode));
  }
  ScopedFd log(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!log.valid()) return last_errno_status(fmt::format("cannot create {}", log_path));
  if (progress_) progress_(RunState::kStarting, p, nullptr);
  KTEL_ASSIGN_OR_RETURN(HeldChild child,
                        HeldChild::spawn({.path = o_.ktel_exe,
                                          .argv = record_argv(o_, w, p.run, episode),
                                          .run_as = std::nullopt,
                                          .output_fd = log.get(),
                                          .new_process_group = true}));
  KTEL_TRY(child.release());
  KTEL_ASSIGN_OR_RETURN(ExitInfo exit, wait_child(child, p, episode, stop));
  int code = exit.shell_code();
  if (stop) {
    std::error_code ec;
    fs::remove_all(episode, ec);
    out.status = "interrupted";
    out.detail = ec ? fmt::format("could not remove the partial episode {}: {}", episode, ec.message())
                    : "partial episode removed";
    return out;
  }
  if (code == kRecordExitFailed || !exists(layout::done_marker(episode))) {
    return internal_error(fmt::format("recording {} failed (ktel record exit {}); see {}:\n{}",
                                      out.run, code, log_path, log_tail(log_path)));
  }
  RunFacts facts{.workload = &w, .run = p.run, .run_name = out.run, .episode_dir = episode,
                 .status = status_for_exit(code), .ktel_exit_code = code,
                 .buffer_kb_requested = o_.buffer_kb};
  KTEL_ASSIGN_OR_RETURN(RunSummary summary, run_metadata(facts));
  KTEL_TRY(write_file_atomic(json_path, summary.json));
  out.status = facts.status;
  out.sched_switch = summary.sched_switch;
  out.lost_events = summary.lost_events;
  if (facts.status == "workload_failed") {
    out.detail = fmt::format("the workload exited {} (kept; see {})", code, log_path);
  }
  return out;
}

}  // namespace ktel::collect

namespace ktel::collect {

namespace {

Json host_json() {
  Json j;
  struct utsname u {};
  if (::uname(&u) == 0) {
    j["host"] = u.nodename;
    j["kernel"] = u.release;
    j["machine"] = u.machine;
  }
  j["cpus"] = ::sysconf(_SC_NPROCESSORS_ONLN);
  return j;
}

class CollectionLog {
 public:
  CollectionLog(const CollectOptions& o) : path_(o.out_dir + "/collect.json") {
    j_["format"] = "ktel-collect";
    j_["format_version"] = 1;
    j_["status"] = "running";
    j_["started"] = iso_utc(realtime_now_ns());
    j_["ended"] = nullptr;
    j_["ktel_version"] = KTEL_VERSION;
    j_["host"] = host_json();
    j_["runs_per_workload"] = o.runs;
    j_["buffer_size_kb"] = o.buffer_kb;
    j_["timeout_s"] = static_cast<double>(o.timeout_ns) / 1e9;
    j_["workloads"] = Json::array();
    for (const auto& w : o.workloads) {
      Json e;
      e["name"] = w.name;
      e["category"] = w.category;
      e["description"] = w.description;
      e["argv"] = w.argv;
      e["status"] = w.unavailable.empty() ? "runnable" : "skipped";
      e["reason"] = w.unavailable;
      j_["workloads"].push_back(e);
    }
    j_["runs"] = previous_runs();
  }
  Status add(const std::string& workload, const RunOutcome& r) {
    if (r.status == "already_collected") return Status::ok();  // its entry is kept from before
    Json& runs = j_["runs"];
    for (auto it = runs.begin(); it != runs.end(); ++it) {
      if ((*it)["run"] == r.run) {
        runs.erase(it);
        break;
      }
    }
    Json e;
    e["run"] = r.run;
    e["workload"] = workload;
    e["status"] = r.status;
    e["detail"] = r.detail;
    e["sched_switch"] = r.sched_switch;
    e["lost_events"] = r.lost_events;
    j_["runs"].push_back(e);
    return save();
  }
  Status finish(std::string_view status) {
    j_["status"] = status;
    j_["ended"] = iso_utc(realtime_now_ns());
    return save();
  }
  const std::string& path() const { return path_; }

 private:
  // The runs an earlier, interrupted or partial collect into the same
  // directory recorded: a resumed collection lists them all.
  Json previous_runs() const {
    auto text = read_file(path_);
    if (!text.is_ok()) return Json::array();
    Json old = Json::parse(*text, nullptr, false);
    if (old.is_discarded() || !old.contains("runs") || !old["runs"].is_array()) {
      return Json::array();
    }
    return old["runs"];
  }
  Status save() { return write_file_atomic(path_, j_.dump(2) + "\n"); }
  std::string path_;
  Json j_;
};

}  // namespace

Result<CollectResult> Collector::run() {
  if (options_.runs < 1) return invalid_argument("--runs must be at least 1");
  for (const char* sub : {"", "/raw", "/logs"}) KTEL_TRY(make_dirs(options_.out_dir + sub));
  KTEL_ASSIGN_OR_RETURN(SignalWatch signals, SignalWatch::open());
  CollectionLog log(options_);
  KTEL_TRY(log.finish("running"));
  CollectResult result;
  result.summary_path = log.path();
  CollectRun runner(options_, progress_, signals);
  bool stop = false;
  Status failure;
  for (size_t wi = 0; wi < options_.workloads.size() && !stop && failure.is_ok(); ++wi) {
    const CollectWorkload& w = options_.workloads[wi];
    for (int run = 1; run <= options_.runs && !stop; ++run) {
      RunProgress p{.workload_index = wi + 1, .workload_count = options_.workloads.size(),
                    .run = run, .runs = options_.runs, .workload = &w};
      RunOutcome outcome;
      if (!w.unavailable.empty()) {
        outcome = {.run = fmt::format("{}_run{}", w.name, run), .status = "skipped",
                   .detail = w.unavailable};
      } else {
        auto recorded = runner.record(p, stop);
        if (!recorded.is_ok()) {
          failure = recorded.status();
          break;
        }
        outcome = std::move(*recorded);
      }
      KTEL_TRY(log.add(w.name, outcome));
      if (progress_) {
        progress_(outcome.status == "skipped" ? RunState::kSkipped : RunState::kFinished, p,
                  &outcome);
      }
      result.runs.push_back(std::move(outcome));
      if (!w.unavailable.empty()) break;  // one skipped line per workload is enough
    }
  }
  result.interrupted = stop;
  KTEL_TRY(log.finish(!failure.is_ok() ? "failed" : stop ? "interrupted" : "complete"));
  if (auto invoker = sudo_invoker()) {
    KTEL_TRY(chown_tree(options_.out_dir, invoker->uid, invoker->gid));
  }
  if (!failure.is_ok()) return failure;
  return result;
}

}  // namespace ktel::collect
