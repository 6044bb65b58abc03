// ProcSource end to end against the real kernel with an in-memory sink, plus
// fake readers for the paths a root test cannot provoke (io denied, overruns).
#include "sources/proc/proc_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <time.h>

#include <set>

#include "sources/proc/proc_test_support.h"

namespace ktel {
namespace {

using proc::testing::as_int;
using proc::testing::FakeSink;
using proc::testing::is_null;
using proc::testing::SpawnedTree;
using std::chrono::seconds;

struct Harness {
  EpisodeClock clock = EpisodeClock::start_now();
  EventLog events{clock};
  FakeSink sink;
  // The procfs path unless a test picks another (auto would load BPF as root).
  std::string backend = "procfs";
  SourceContext ctx(pid_t pid, int64_t interval_ns, bool threads = false) {
    SourceContext c;
    c.options.proc_backend = backend;
    c.clock = &clock;
    c.events = &events;
    c.sink = &sink;
    c.target_pid = pid;
    c.options.interval_ns = interval_ns;
    c.options.threads = threads;
    return c;
  }
  std::vector<Event> of_kind(const std::string& kind) const { return events.of_kind(kind); }
};

// Returns the same canned tasks every tick, optionally taking `delay_ns` of
// CPU-independent time (a blocked read) to force overruns.
class FakeReader : public proc::TaskReader {
 public:
  FakeReader(std::vector<TaskStats> tasks, int64_t delay_ns)
      : tasks_(std::move(tasks)), delay_ns_(delay_ns) {}
  std::string_view backend() const override { return "fake"; }
  Status read_tree(pid_t, bool, std::vector<TaskStats>& out) override {
    if (delay_ns_ > 0) {
      timespec ts{0, static_cast<long>(delay_ns_)};
      while (::nanosleep(&ts, &ts) != 0) {
      }
    }
    out = tasks_;
    return Status::ok();
  }
  proc::TaskReaderCounters counters() const override { return {}; }

 private:
  std::vector<TaskStats> tasks_;
  int64_t delay_ns_;
};

ProcSourceOptions with_fake(std::vector<TaskStats> tasks, int64_t delay_ns = 0) {
  ProcSourceOptions o;
  o.make_reader = [tasks, delay_ns]() -> Result<std::unique_ptr<proc::TaskReader>> {
    return std::unique_ptr<proc::TaskReader>(new FakeReader(tasks, delay_ns));
  };
  return o;
}

TEST(ProcSource, SamplesWholeTreeWithEventsAndCpuRows) {
  KTEL_REQUIRE_PROCFS();
  SpawnedTree tree(3, 2);
  Harness h;
  ProcSource src;
  ASSERT_TRUE(src.start(h.ctx(tree.root(), 10'000'000)).is_ok());
  ASSERT_TRUE(h.events.wait_for("proc_first_row", 10'000'000'000));
  ASSERT_TRUE(src.stop().is_ok());

  auto rows = h.sink.rows("proc_samples");
  std::set<int64_t> tick0;
  for (const auto& r : rows) {
    EXPECT_EQ(std::get<std::string>(r.at("source")), "host_proc");
    EXPECT_EQ(as_int(r.at("available_in_deployment")), 1);
    if (as_int(r.at("tick")) == 0) tick0.insert(as_int(r.at("pid")));
  }
  EXPECT_EQ(tick0, std::set<int64_t>(tree.pids().begin(), tree.pids().end()));
  EXPECT_EQ(h.of_kind("process_appeared").size(), 10u);
  ASSERT_EQ(h.of_kind("proc_started").size(), 1u);
  EXPECT_EQ(h.of_kind("proc_started")[0].fields["backend"], "procfs");
  EXPECT_EQ(h.of_kind("proc_started")[0].fields["interval_ms"], 10);
  ASSERT_EQ(h.of_kind("proc_first_row").size(), 1u);
  EXPECT_EQ(h.of_kind("proc_first_row")[0].fields["processes"], 10);
  auto finished = h.of_kind("proc_finished");
  ASSERT_EQ(finished.size(), 1u);
  EXPECT_EQ(finished[0].fields["rows"], rows.size());
  EXPECT_EQ(finished[0].fields["processes_seen"], 10);
  SourceReport rep = src.report();
  EXPECT_EQ(rep.status, "ok");
  EXPECT_EQ(rep.rows, rows.size());
  EXPECT_EQ(rep.lost, 0u);

  // One total line (cpu -1) and one row per CPU each tick.
  auto cpus = h.sink.rows("cpu_samples");
  int64_t ncpu = ::sysconf(_SC_NPROCESSORS_CONF);
  int64_t ticks = finished[0].fields["ticks"];
  EXPECT_EQ(static_cast<int64_t>(cpus.size()), ticks * (ncpu + 1));
  EXPECT_EQ(as_int(cpus[0].at("cpu")), -1);
  EXPECT_GT(as_int(cpus[0].at("user_ns")) + as_int(cpus[0].at("system_ns")), 0);
}

TEST(ProcSource, ExitedChildIsGoneOnce) {
  KTEL_REQUIRE_PROCFS();
  SpawnedTree tree(2, 0);
  pid_t victim = tree.pids()[0] == tree.root() ? tree.pids()[1] : tree.pids()[0];
  Harness h;
  ProcSource src;
  ASSERT_TRUE(src.start(h.ctx(tree.root(), 10'000'000)).is_ok());
  ASSERT_TRUE(h.events.wait_for("proc_first_row", 10'000'000'000));
  ASSERT_EQ(::kill(victim, SIGKILL), 0);  // the root reaps it
  ASSERT_TRUE(h.events.wait_for("process_gone", 10'000'000'000));
  ASSERT_TRUE(src.stop().is_ok());
  auto gone = h.of_kind("process_gone");
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].fields["pid"], victim);
  EXPECT_GT(gone[0].fields["lifetime_ns"].get<int64_t>(), 0);
  EXPECT_EQ(src.report().details["processes_seen"], 3);
}

TEST(ProcSource, TicksKeepTheirCadence) {
  KTEL_REQUIRE_PROCFS();
  SpawnedTree tree(1, 0);
  Harness h;
  ProcSource src;
  const int64_t interval = 15'000'000;
  ASSERT_TRUE(src.start(h.ctx(tree.root(), interval)).is_ok());
  ASSERT_TRUE(h.sink.wait_rows("proc_ticks", 6, seconds(20)));
  ASSERT_TRUE(src.stop().is_ok());
  auto ticks = h.sink.rows("proc_ticks");
  ASSERT_GE(ticks.size(), 7u);
  // The last row is stop()'s final sample, scheduled at the stop request.
  for (size_t i = 1; i + 1 < ticks.size(); ++i) {
    EXPECT_EQ(as_int(ticks[i].at("tick")), static_cast<int64_t>(i));
    int64_t gap = as_int(ticks[i].at("scheduled_mono_ns")) -
                  as_int(ticks[i - 1].at("scheduled_mono_ns"));
    EXPECT_EQ(gap, (1 + as_int(ticks[i].at("skipped_ticks"))) * interval) << "tick " << i;
    EXPECT_EQ(as_int(ticks[i].at("lateness_ns")),
              as_int(ticks[i].at("t_mono_ns")) - as_int(ticks[i].at("scheduled_mono_ns")));
    EXPECT_GE(as_int(ticks[i].at("lateness_ns")), 0);
    EXPECT_EQ(as_int(ticks[i].at("processes")), 2);
  }
}

TEST(ProcSource, OverrunningTicksAreSkippedAndCounted) {
  KTEL_REQUIRE_PROCFS();
  TaskStats t;
  t.pid = t.tid = ::getpid();
  Harness h;
  const int64_t interval = 10'000'000;
  ProcSource src(with_fake({t}, 35'000'000));  // each read outlasts 3 intervals
  ASSERT_TRUE(src.start(h.ctx(::getpid(), interval)).is_ok());
  ASSERT_TRUE(h.sink.wait_rows("proc_ticks", 4, seconds(20)));
  ASSERT_TRUE(src.stop().is_ok());
  auto ticks = h.sink.rows("proc_ticks");
  int64_t skipped = 0;
  for (size_t i = 1; i + 1 < ticks.size(); ++i) {
    EXPECT_GE(as_int(ticks[i].at("skipped_ticks")), 2) << "tick " << i;
    EXPECT_EQ(as_int(ticks[i].at("scheduled_mono_ns")) -
                  as_int(ticks[i - 1].at("scheduled_mono_ns")),
              (1 + as_int(ticks[i].at("skipped_ticks"))) * interval);
    EXPECT_GE(as_int(ticks[i].at("lateness_ns")), 0);
  }
  for (const auto& r : ticks) skipped += as_int(r.at("skipped_ticks"));
  EXPECT_EQ(h.of_kind("proc_finished")[0].fields["skipped_ticks"], skipped);
  EXPECT_EQ(src.report().details["skipped_ticks"], skipped);
}

TEST(ProcSource, ThreadRowsWithThreadsOption) {
  KTEL_REQUIRE_PROCFS();
  SpawnedTree tree(1, 0);
  Harness h;
  ProcSource src;
  ASSERT_TRUE(src.start(h.ctx(tree.root(), 10'000'000, true)).is_ok());
  ASSERT_TRUE(h.events.wait_for("proc_first_row", 10'000'000'000));
  ASSERT_TRUE(src.stop().is_ok());
  int thread_rows = 0;
  for (const auto& r : h.sink.rows("proc_samples")) {
    if (as_int(r.at("is_thread")) == 1) {
      ++thread_rows;
      EXPECT_EQ(as_int(r.at("tid")), as_int(r.at("pid")));  // single-threaded processes
    }
  }
  auto ticks = h.sink.rows("proc_ticks");
  EXPECT_EQ(thread_rows, 2 * static_cast<int>(ticks.size()));
  EXPECT_EQ(as_int(ticks[0].at("threads")), 2);
}

TEST(ProcSource, UnreadableIoIsNullWithOneEvent) {
  KTEL_REQUIRE_PROCFS();
  TaskStats t;
  t.pid = t.tid = ::getpid();
  t.start_time_ns = 42;
  t.io_errno = EACCES;
  Harness h;
  ProcSource src(with_fake({t}));
  ASSERT_TRUE(src.start(h.ctx(::getpid(), 5'000'000)).is_ok());
  ASSERT_TRUE(h.sink.wait_rows("proc_samples", 3, seconds(20)));
  ASSERT_TRUE(src.stop().is_ok());
  auto ev = h.of_kind("proc_io_unreadable");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].fields["pid"], ::getpid());
  EXPECT_THAT(ev[0].fields["reason"].get<std::string>(), ::testing::HasSubstr("permission denied"));
  for (const auto& r : h.sink.rows("proc_samples")) {
    EXPECT_TRUE(is_null(r.at("read_bytes")));
    EXPECT_TRUE(is_null(r.at("wchar")));
  }
  EXPECT_EQ(h.of_kind("proc_finished")[0].fields["io_unreadable"], 1);
  EXPECT_EQ(src.report().status, "ok");
}

TEST(ProcSource, FinalSampleCapturesTheUnreapedWorkload) {
  KTEL_REQUIRE_PROCFS();
  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  pid_t child = ::fork();
  if (child == 0) {
    char c;
    ::close(go[1]);
    if (::read(go[0], &c, 1) != 1) ::_exit(2);
    // Burn 300 ms of CPU (CPU time, not wall time), then exit.
    timespec ts{};
    do {
      ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    } while (ts.tv_sec * 1'000'000'000LL + ts.tv_nsec < 300'000'000LL);
    ::_exit(0);
  }
  ::close(go[0]);
  Harness h;
  ProcSource src;
  ASSERT_TRUE(src.start(h.ctx(child, 60'000'000'000LL)).is_ok());  // one tick only
  ASSERT_TRUE(h.events.wait_for("proc_first_row", 10'000'000'000));
  ASSERT_EQ(::write(go[1], "x", 1), 1);
  siginfo_t info{};
  // Wait for the exit without reaping: the recorder's stop() sees a zombie.
  ASSERT_EQ(::waitid(P_PID, child, &info, WEXITED | WNOWAIT), 0);
  ASSERT_TRUE(src.stop().is_ok());
  ::waitpid(child, nullptr, 0);
  ::close(go[1]);
  auto rows = h.sink.rows("proc_samples");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(std::get<std::string>(rows[1].at("state")), "Z");
  EXPECT_GE(as_int(rows[1].at("utime_ns")) + as_int(rows[1].at("stime_ns")), 200'000'000);
  EXPECT_TRUE(h.of_kind("process_gone").empty());
}

TEST(ProcSource, StartErrors) {
  KTEL_REQUIRE_PROCFS();
  pid_t gone = ::fork();
  if (gone == 0) ::_exit(0);
  ::waitpid(gone, nullptr, 0);
  Harness h;
  ProcSource src;
  Status st = src.start(h.ctx(gone, 10'000'000));
  EXPECT_EQ(st.code(), Code::kNotFound);
  EXPECT_THAT(st.message(), ::testing::HasSubstr(std::to_string(gone)));

  ProcSourceOptions o;
  o.reader.proc_root = "/tmp";
  ProcSource not_proc(o);
  st = not_proc.start(h.ctx(::getpid(), 10'000'000));
  EXPECT_EQ(st.code(), Code::kUnavailable);
  EXPECT_TRUE(h.of_kind("proc_started").empty());
}

TEST(ProcSource, NoDataAndSinkErrorsAreReported) {
  KTEL_REQUIRE_PROCFS();
  {
    Harness h;
    ProcSource src(with_fake({}));
    ASSERT_TRUE(src.start(h.ctx(::getpid(), 5'000'000)).is_ok());
    ASSERT_TRUE(h.sink.wait_rows("proc_ticks", 2, seconds(20)));
    ASSERT_TRUE(src.stop().is_ok());
    EXPECT_EQ(src.report().status, "no_data");
    EXPECT_EQ(h.of_kind("proc_no_data").size(), 1u);
  }
  {
    TaskStats t;
    t.pid = t.tid = ::getpid();
    Harness h;
    h.sink.set_fail_appends(true);
    ProcSource src(with_fake({t}));
    ASSERT_TRUE(src.start(h.ctx(::getpid(), 5'000'000)).is_ok());
    Status st = src.stop();
    EXPECT_EQ(st.code(), Code::kResourceExhausted);
    EXPECT_EQ(src.report().status, "failed");
    EXPECT_GE(src.report().lost, 1u);
  }
}

// --proc-backend: auto falls back to procfs loudly, bpf refuses to start,
// procfs never tries BPF. The BPF opener is injected, so no root is needed.
struct BpfOpener {
  int calls = 0;
  Status failure = Status(Code::kUnavailable, "no BTF here (fake)");
  ProcSourceOptions options() {
    ProcSourceOptions o;
    o.open_bpf = fn();
    return o;
  }
  std::function<Result<std::unique_ptr<proc::TaskReader>>()> fn() {
    return [this]() -> Result<std::unique_ptr<proc::TaskReader>> {
      ++calls;
      return failure;
    };
  }
};

TEST(ProcSourceBackend, AutoFallsBackToProcfsWithAnEventAndReportReason) {
  KTEL_REQUIRE_PROCFS();
  BpfOpener opener;
  ProcSourceOptions o;
  o.open_bpf = opener.fn();
  ProcSource src(o);
  Harness h;
  h.backend = "auto";
  ASSERT_TRUE(src.start(h.ctx(::getpid(), 10'000'000)).is_ok());
  ASSERT_TRUE(src.stop().is_ok());
  EXPECT_EQ(opener.calls, 1);
  auto fallback = h.of_kind("proc_backend_fallback");
  ASSERT_EQ(fallback.size(), 1u);
  EXPECT_EQ(fallback[0].fields["wanted"], "bpf");
  EXPECT_EQ(fallback[0].fields["got"], "procfs");
  EXPECT_THAT(fallback[0].fields["reason"].get<std::string>(), ::testing::HasSubstr("no BTF here"));
  ASSERT_EQ(h.of_kind("proc_started").size(), 1u);
  EXPECT_EQ(h.of_kind("proc_started")[0].fields["backend"], "procfs");
  SourceReport rep = src.report();
  EXPECT_EQ(rep.details["backend"], "procfs");
  EXPECT_THAT(rep.details["backend_fallback_reason"].get<std::string>(),
              ::testing::HasSubstr("no BTF here"));
}

TEST(ProcSourceBackend, BpfFailsStartWithTheReason) {
  KTEL_REQUIRE_PROCFS();
  BpfOpener opener;
  ProcSourceOptions o;
  o.open_bpf = opener.fn();
  ProcSource src(o);
  Harness h;
  h.backend = "bpf";
  Status st = src.start(h.ctx(::getpid(), 10'000'000));
  EXPECT_EQ(st.code(), Code::kUnavailable);
  EXPECT_THAT(st.to_string(), ::testing::HasSubstr("no BTF here"));
  EXPECT_TRUE(h.of_kind("proc_started").empty());
  EXPECT_TRUE(h.of_kind("proc_backend_fallback").empty());

  // Errors that do not mean "cannot run here" are still reported as such.
  opener.failure = Status(Code::kDataLoss, "records of another version (fake)");
  ProcSource again(opener.options());
  st = again.start(h.ctx(::getpid(), 10'000'000));
  EXPECT_EQ(st.code(), Code::kUnavailable);
  EXPECT_THAT(st.to_string(), ::testing::HasSubstr("another version"));
}

TEST(ProcSourceBackend, ProcfsNeverTriesBpfAndAutoUsesBpfWhenItOpens) {
  KTEL_REQUIRE_PROCFS();
  BpfOpener opener;
  ProcSource procfs(opener.options());
  Harness h;
  ASSERT_TRUE(procfs.start(h.ctx(::getpid(), 10'000'000)).is_ok());
  ASSERT_TRUE(procfs.stop().is_ok());
  EXPECT_EQ(opener.calls, 0);
  EXPECT_TRUE(h.of_kind("proc_backend_fallback").empty());

  ProcSourceOptions o;
  o.open_bpf = []() -> Result<std::unique_ptr<proc::TaskReader>> {
    return std::unique_ptr<proc::TaskReader>(new FakeReader({}, 0));
  };
  ProcSource automatic(o);
  Harness h2;
  h2.backend = "auto";
  ASSERT_TRUE(automatic.start(h2.ctx(::getpid(), 10'000'000)).is_ok());
  ASSERT_TRUE(automatic.stop().is_ok());
  EXPECT_EQ(h2.of_kind("proc_started")[0].fields["backend"], "fake");
  EXPECT_TRUE(h2.of_kind("proc_backend_fallback").empty());
  EXPECT_FALSE(automatic.report().details.contains("backend_fallback_reason"));

  Harness h3;
  h3.backend = "ebpf";
  ProcSource bad;
  EXPECT_EQ(bad.start(h3.ctx(::getpid(), 10'000'000)).code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace ktel
