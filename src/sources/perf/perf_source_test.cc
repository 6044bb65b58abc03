// PerfSource against the real kernel: a forked child, held before its work
// like the recorder holds a workload, burns CPU and touches fresh pages while
// counted. Needs root (or perf_event_paranoid <= 1); skips with the fix
// otherwise, and fails instead when KTEL_REQUIRE_KERNEL=1.
#include "sources/perf/perf_source.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <set>

#include "base/testing/kernel_required.h"
#include "sources/perf/test_sink.h"

namespace ktel {
namespace {

using perf::testing::CollectingSink;
using perf::testing::is_null;

// Child: waits for the go byte, then ~300 ms of CPU and 2000 page faults
// (with a short child of its own to exercise inherit), then exits.
[[noreturn]] void child_main(int go_fd) {
  char c;
  if (::read(go_fd, &c, 1) != 1) ::_exit(2);
  pid_t grandchild = ::fork();
  size_t len = 2000 * 4096;
  auto* p = static_cast<char*>(
      ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (p == MAP_FAILED) ::_exit(3);
  for (size_t i = 0; i < len; i += 4096) p[i] = 1;
  volatile uint64_t x = 0;
  for (uint64_t i = 0; i < 150'000'000; ++i) x = x + i;
  if (grandchild == 0) ::_exit(0);
  int st = 0;
  ::waitpid(grandchild, &st, 0);
  ::_exit(0);
}

struct Held {
  pid_t pid = -1;
  int go_fd = -1;
};

Held fork_held_child() {
  int fds[2];
  if (::pipe(fds) != 0) return {};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[1]);
    child_main(fds[0]);
  }
  ::close(fds[0]);
  return {pid, fds[1]};
}

// Waits (bounded) until `pid` sleeps, i.e. has reached its blocking read:
// a child still returning from fork() would accrue task-clock.
bool wait_until_sleeping(pid_t pid) {
  for (int i = 0; i < 500; ++i) {
    std::string stat;
    if (FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r")) {
      char buf[512];
      size_t n = std::fread(buf, 1, sizeof buf, f);
      std::fclose(f);
      stat.assign(buf, n);
    }
    size_t paren = stat.rfind(')');
    if (paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'S') return true;
    ::usleep(10'000);
  }
  return false;
}

class PerfSourceKernelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) {
      KTEL_SKIP_OR_FAIL(
          "needs root for perf_event_open of a child with kernel counting: run as root");
    }
  }
  EpisodeClock clock_ = EpisodeClock::start_now();
  EventLog events_{clock_};
  CollectingSink sink_;
};

std::vector<Event> events_of(const EventLog& log, const std::string& kind) {
  std::vector<Event> out;
  for (auto& e : log.snapshot()) {
    if (e.kind == kind) out.push_back(e);
  }
  return out;
}

TEST_F(PerfSourceKernelTest, CountsHeldWorkloadAndReportsCounterStatuses) {
  Held child = fork_held_child();
  ASSERT_GT(child.pid, 0);
  PerfSource source;
  SourceContext ctx{&clock_, &events_, &sink_, child.pid, {50'000'000, false}};
  Status st = source.start(ctx);
  if (!st.is_ok()) {
    ::kill(child.pid, SIGKILL);
    ::waitpid(child.pid, nullptr, 0);
    KTEL_SKIP_OR_FAIL("perf source could not start: " + st.to_string());
  }
  ASSERT_EQ(::write(child.go_fd, "g", 1), 1);
  int wst = 0;
  ASSERT_EQ(::waitpid(child.pid, &wst, 0), child.pid);
  ASSERT_TRUE(WIFEXITED(wst) && WEXITSTATUS(wst) == 0);
  ::close(child.go_fd);
  ASSERT_TRUE(source.stop().is_ok());

  auto rows = sink_.rows("perf_samples");
  ASSERT_GE(rows.size(), 2u);
  double task_clock = 0, faults = 0;
  for (const auto& r : rows) {
    EXPECT_EQ(std::get<int64_t>(r.at("pid")), child.pid);
    EXPECT_EQ(std::get<std::string>(r.at("source")), "host_perf");
    if (!is_null(r.at("task_clock"))) task_clock += std::get<double>(r.at("task_clock"));
    if (!is_null(r.at("page_faults"))) faults += std::get<double>(r.at("page_faults"));
  }
  // ~300 ms burnt by two processes; at least the mmap'd pages fault.
  EXPECT_GT(task_clock, 100e6);
  EXPECT_GE(faults, 2000);

  auto counters = sink_.rows("perf_counters");
  ASSERT_EQ(counters.size(), 10u);
  SourceReport rep = source.report();
  EXPECT_EQ(rep.status, "ok");
  EXPECT_EQ(rep.rows, rows.size());
  for (const auto& c : counters) {
    std::string name = std::get<std::string>(c.at("name"));
    std::string status = std::get<std::string>(c.at("status"));
    bool any_value = false;
    for (const auto& r : rows) any_value |= !is_null(r.at(name));
    if (status == "ok") {
      // Real PMU (or a software counter): it must have counted something.
      EXPECT_TRUE(any_value) << name;
      EXPECT_TRUE(is_null(c.at("reason"))) << name;
    } else {
      // This VM: no hardware PMU, ENOENT → not_supported, NULL in every row.
      EXPECT_EQ(status, "not_supported") << name;
      EXPECT_FALSE(any_value) << name;
      EXPECT_NE(std::get<std::string>(c.at("reason")).find(name), std::string::npos);
    }
    EXPECT_EQ(rep.details["counters"][name], status) << name;
  }

  auto started = events_of(events_, "perf_started");
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started[0].source, "perf");
  EXPECT_EQ(started[0].fields.at("pid"), child.pid);
  EXPECT_EQ(started[0].fields.at("interval_ms"), 50);
  std::set<std::string> names;
  for (const auto& n : started[0].fields.at("events")) names.insert(n.get<std::string>());
  EXPECT_TRUE(names.count("task_clock") && names.count("page_faults"));
  EXPECT_EQ(started[0].fields.size(), 3u);

  auto first = events_of(events_, "perf_first_row");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].fields.at("counters_populated"), first[0].fields.at("counters").size());
  EXPECT_EQ(first[0].fields.size(), 2u);

  auto finished = events_of(events_, "perf_finished");
  ASSERT_EQ(finished.size(), 1u);
  EXPECT_EQ(finished[0].fields.at("rows"), rows.size());
  EXPECT_EQ(finished[0].fields.at("intervals_seen"), rows.size());
  EXPECT_GE(finished[0].fields.at("intervals_with_values").get<uint64_t>(), 1u);
  EXPECT_EQ(finished[0].fields.size(), 3u);
  EXPECT_TRUE(events_of(events_, "perf_no_counters").empty());
}

TEST_F(PerfSourceKernelTest, TargetThatNeverRunsGivesNullRowsAndNoCounters) {
  // Held on its pipe the whole time: counters open, but a sleeping task
  // accrues no enabled/running time, so every interval is not_counted.
  Held child = fork_held_child();
  ASSERT_GT(child.pid, 0);
  ASSERT_TRUE(wait_until_sleeping(child.pid));
  PerfSource source;
  SourceContext ctx{&clock_, &events_, &sink_, child.pid, {20'000'000, false}};
  Status st = source.start(ctx);
  if (!st.is_ok()) {
    ::kill(child.pid, SIGKILL);
    ::waitpid(child.pid, nullptr, 0);
    KTEL_SKIP_OR_FAIL("perf source could not start: " + st.to_string());
  }
  ::usleep(120'000);
  Status stopped = source.stop();
  ::kill(child.pid, SIGKILL);
  ::waitpid(child.pid, nullptr, 0);
  ::close(child.go_fd);
  ASSERT_TRUE(stopped.is_ok());

  auto rows = sink_.rows("perf_samples");
  ASSERT_GE(rows.size(), 3u);  // a row for every interval, even all-NULL ones
  for (const auto& r : rows) EXPECT_TRUE(is_null(r.at("task_clock")));
  auto none = events_of(events_, "perf_no_counters");
  ASSERT_EQ(none.size(), 1u);
  EXPECT_EQ(none[0].fields.at("intervals_seen"), rows.size());
  EXPECT_FALSE(none[0].fields.at("likely_cause").get<std::string>().empty());
  EXPECT_EQ(source.report().status, "no_data");
  EXPECT_EQ(source.report().details["counters"]["task_clock"], "not_counted");
  auto finished = events_of(events_, "perf_finished");
  ASSERT_EQ(finished.size(), 1u);
  EXPECT_EQ(finished[0].fields.at("intervals_with_values"), 0);
}

TEST(PerfSourceTest, MissingTargetIsAnErrorNamingThePid) {
  EpisodeClock clock = EpisodeClock::start_now();
  EventLog events{clock};
  CollectingSink sink;
  PerfSource source;
  // pid_max is at most 2^22; this pid cannot exist.
  SourceContext ctx{&clock, &events, &sink, 99'999'999, {}};
  Status st = source.start(ctx);
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("99999999"), std::string::npos) << st.to_string();
}

}  // namespace
}  // namespace ktel
