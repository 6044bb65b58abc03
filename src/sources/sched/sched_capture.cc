#include "sources/sched/sched_capture.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "base/file_util.h"
#include "base/strings.h"

namespace ktel::sched {

struct SchedCapture::Cpu {
  int index = 0;
  std::string stats_path;
  ScopedFd stats_fd;  // per_cpu/cpu<N>/stats, re-read with pread
  std::unique_ptr<FtracePipeReader> reader;
  FtraceCpuStats start_stats;
  FtraceCpuStats final_stats;
  Status status;  // first error of this CPU's reader thread
  std::thread thread;
};

const std::vector<std::string>& default_sched_events() {
  static const std::vector<std::string> kEvents = {
      "sched/sched_switch",       "sched/sched_wakeup",         "sched/sched_wakeup_new",
      "sched/sched_migrate_task", "sched/sched_process_fork",   "sched/sched_process_exec",
      "sched/sched_process_exit"};
  return kEvents;
}

uint64_t default_buffer_kb(int64_t drain_period_ns) {
  constexpr uint64_t kEventsPerSecond = 500'000;
  constexpr uint64_t kBytesPerEvent = 72;
  constexpr uint64_t kPeriodsOfHeadroom = 20;
  const uint64_t per_period =
      kEventsPerSecond * kBytesPerEvent * static_cast<uint64_t>(drain_period_ns) / 1'000'000'000;
  return std::max<uint64_t>(8192, per_period * kPeriodsOfHeadroom / 1024);
}

namespace {

// "8192\n" or "7 (expanded: 1408)\n": the first number is the size in KB.
std::optional<uint64_t> leading_number(std::string_view text) {
  text = trim(text);
  size_t end = 0;
  while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
  return parse_uint64(text.substr(0, end));
}

std::vector<int> instance_cpus(const std::string& instance_path) {
  std::vector<int> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(instance_path + "/per_cpu", ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind("cpu", 0) != 0) continue;
    if (auto n = parse_int64(std::string_view(name).substr(3)); n && *n >= 0) {
      out.push_back(static_cast<int>(*n));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

SchedCapture::SchedCapture(TracefsInstance instance, SchedCaptureConfig config,
                           StatsCallback on_stats)
    : instance_(std::move(instance)), config_(std::move(config)), on_stats_(std::move(on_stats)) {}

SchedCapture::~SchedCapture() {
  if (!stopped_) (void)stop();
}

Result<std::unique_ptr<SchedCapture>> SchedCapture::start(const SchedCaptureConfig& config,
                                                          StatsCallback on_stats) {
  KTEL_ASSIGN_OR_RETURN(TracefsInstance instance,
                        TracefsInstance::create(config.tracefs_root, config.instance_name));
  // A new instance starts with tracing on; nothing is enabled yet, but keep it
  // off until the readers are in place.
  KTEL_TRY(instance.write("tracing_on", "0"));
  std::unique_ptr<SchedCapture> cap(
      new SchedCapture(std::move(instance), config, std::move(on_stats)));
  Status st = cap->configure();
  if (st.is_ok()) st = cap->save_formats();
  if (st.is_ok()) st = cap->open_readers();
  if (st.is_ok()) st = cap->instance_.write("tracing_on", "1");
  if (!st.is_ok()) {
    cap->stopped_ = true;
    for (auto& c : cap->cpus_) c->reader.reset(), c->stats_fd.reset();
    (void)cap->instance_.remove();
    return st;
  }
  for (auto& c : cap->cpus_) {
    Cpu* cpu = c.get();
    cpu->thread = std::thread([raw = cap.get(), cpu] { raw->run_reader(*cpu); });
  }
  return cap;
}

Status SchedCapture::configure() {
  KTEL_TRY(instance_.write("trace_clock", "mono"));
  KTEL_ASSIGN_OR_RETURN(std::string clock, instance_.read("trace_clock"));
  if (clock.find("[mono]") == std::string::npos) {
    return unavailable(instance_.path() + "/trace_clock did not take 'mono' (it reads: " +
                       std::string(trim(clock)) + ")");
  }
  requested_kb_ = config_.buffer_kb != 0 ? config_.buffer_kb : default_buffer_kb(config_.drain_period_ns);
  KTEL_TRY(instance_.write("buffer_size_kb", std::to_string(requested_kb_)));
  KTEL_ASSIGN_OR_RETURN(std::string granted, instance_.read("buffer_size_kb"));
  granted_kb_ = leading_number(granted).value_or(0);
  if (Result<std::string> sub = instance_.read("buffer_subbuf_size_kb"); sub.is_ok()) {
    if (auto kb = leading_number(*sub); kb && *kb > 0) page_size_ = static_cast<size_t>(*kb) * 1024;
  }
  for (const auto& ev : config_.events) {
    std::string dir = instance_.path() + "/events/" + ev;
    struct stat st {};
    if (ev.find('/') == std::string::npos || ::stat(dir.c_str(), &st) != 0) {
      return invalid_argument(fmt::format(
          "no tracepoint '{}' (looked for {}); list them with `ls {}/events/<system>`", ev, dir,
          config_.tracefs_root));
    }
    KTEL_TRY(instance_.write("events/" + ev + "/enable", "1"));
  }
  if (!config_.scope_pids.empty()) {
    std::string pids;
    for (pid_t p : config_.scope_pids) pids += std::to_string(p) + " ";
    KTEL_TRY(instance_.write("options/event-fork", "1"));
    KTEL_TRY(instance_.write("set_event_pid", pids));
  }
  return Status::ok();
}

Status SchedCapture::save_formats() const {
  const std::string dir = config_.raw_dir + "/formats";
  KTEL_TRY(make_dirs(dir));
  for (const char* header : {"header_page", "header_event"}) {
    KTEL_ASSIGN_OR_RETURN(std::string text,
                          instance_.read(std::string("events/") + header));
    KTEL_TRY(write_file_atomic(dir + "/" + header, text));
  }
  for (const auto& ev : config_.events) {
    KTEL_ASSIGN_OR_RETURN(std::string text, instance_.read("events/" + ev + "/format"));
    KTEL_TRY(make_dirs(dir + "/" + ev));
    KTEL_TRY(write_file_atomic(dir + "/" + ev + "/format", text));
  }
  return Status::ok();
}

Status SchedCapture::open_readers() {
  std::vector<int> cpus = instance_cpus(instance_.path());
  if (cpus.empty()) return unavailable(instance_.path() + "/per_cpu has no cpu directories");
  for (int index : cpus) {
    auto cpu = std::make_unique<Cpu>();
    cpu->index = index;
    cpu->stats_path = fmt::format("{}/per_cpu/cpu{}/stats", instance_.path(), index);
    cpu->stats_fd.reset(::open(cpu->stats_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!cpu->stats_fd.valid()) return last_errno_status("open " + cpu->stats_path);
    KTEL_ASSIGN_OR_RETURN(ScopedFd pipe, instance_.open_cpu_pipe(index));
    KTEL_ASSIGN_OR_RETURN(
        FtracePipeReader reader,
        FtracePipeReader::open(std::move(pipe), fmt::format("{}/cpu{}.pages", config_.raw_dir, index),
                               page_size_));
    cpu->reader = std::make_unique<FtracePipeReader>(std::move(reader));
    KTEL_ASSIGN_OR_RETURN(cpu->start_stats, read_stats(*cpu));
    if (on_stats_) on_stats_({index, "start", cpu->start_stats, 0, 0});
    cpus_.push_back(std::move(cpu));
  }
  return Status::ok();
}

Result<FtraceCpuStats> SchedCapture::read_stats(const Cpu& cpu) const {
  char buf[1024];
  ssize_t n = ::pread(cpu.stats_fd.get(), buf, sizeof buf - 1, 0);
  if (n < 0) return last_errno_status("read " + cpu.stats_path);
  return parse_ftrace_cpu_stats(std::string_view(buf, static_cast<size_t>(n)), cpu.stats_path);
}

// Drains when a page's worth is waiting (so quiet CPUs do not write nearly
// empty pages every period) and at least once a second.
void SchedCapture::run_reader(Cpu& cpu) {
  using Clock = std::chrono::steady_clock;
  const auto period = std::chrono::nanoseconds(config_.drain_period_ns);
  const auto stats_period = std::chrono::nanoseconds(config_.stats_period_ns);
  auto last_drain = Clock::now();
  auto next_stats = Clock::now() + stats_period;
  while (!stop_.wait_for(period)) {
    const auto now = Clock::now();
    Result<FtraceCpuStats> st = read_stats(cpu);
    const bool due = now - last_drain >= std::chrono::seconds(1);
    if (cpu.status.is_ok() && (!st.is_ok() || st->bytes >= page_size_ / 2 || due)) {
      Result<uint64_t> pages = cpu.reader->drain();
      if (!pages.is_ok()) cpu.status = pages.status();
      last_drain = now;
    }
    if (now >= next_stats && st.is_ok() && on_stats_) {
      on_stats_({cpu.index, "periodic", *st, cpu.reader->pages(), cpu.reader->bytes_read()});
      next_stats = now + stats_period;
    }
  }
}

Status SchedCapture::stop() {
  if (stopped_) return Status::ok();
  stopped_ = true;
  Status first = instance_.write("tracing_on", "0");
  stop_.request();
  for (auto& c : cpus_) {
    if (c->thread.joinable()) c->thread.join();
  }
  for (auto& c : cpus_) {
    Status st = c->status;
    if (st.is_ok()) st = c->reader->drain().status();
    Result<FtraceCpuStats> final_stats = read_stats(*c);
    if (final_stats.is_ok()) {
      c->final_stats = *final_stats;
      if (on_stats_) on_stats_({c->index, "final", *final_stats, c->reader->pages(), c->reader->bytes_read()});
    } else if (st.is_ok()) {
      st = final_stats.status();
    }
    Status fin = c->reader->finish();
    if (st.is_ok()) st = fin;
    c->stats_fd.reset();
    if (first.is_ok()) first = st;
  }
  Status removed = instance_.remove();
  return first.is_ok() ? removed : first;
}

std::vector<FtraceCpuStats> SchedCapture::stats_delta_per_cpu() const {
  std::vector<FtraceCpuStats> out;
  for (const auto& c : cpus_) out.push_back(stats_delta(c->start_stats, c->final_stats));
  return out;
}

std::vector<uint64_t> SchedCapture::pages_per_cpu() const {
  std::vector<uint64_t> out;
  for (const auto& c : cpus_) out.push_back(c->reader ? c->reader->pages() : 0);
  return out;
}

Status SchedCapture::reader_status() const {
  for (const auto& c : cpus_) {
    if (!c->status.is_ok()) return c->status;
  }
  return Status::ok();
}

}  // namespace ktel::sched
