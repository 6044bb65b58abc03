// ThreadTracker on hand-built traces: the numbers a user reads off the derived
// sched tables (slices, latencies, switch kinds, waits, generations, names).
#include "sources/sched/thread_tracker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "sources/sched/testing/sched_event_builders.h"

namespace ktel::sched {
namespace {

using namespace ktel::sched::testing;  // NOLINT(google-build-using-namespace)

struct Recorded : DerivedOutput {
  std::vector<SliceRecord> slices;
  std::vector<WakeupLatencyRecord> latencies;
  std::vector<ThreadRecord> threads;
  std::vector<CommRecord> comms;
  Status slice(const SliceRecord& r) override {
    slices.push_back(r);
    return Status::ok();
  }
  Status wakeup_latency(const WakeupLatencyRecord& r) override {
    latencies.push_back(r);
    return Status::ok();
  }
  Status thread(const ThreadRecord& r) override {
    threads.push_back(r);
    return Status::ok();
  }
  Status comm(const CommRecord& r) override {
    comms.push_back(r);
    return Status::ok();
  }
  const ThreadRecord* find(int32_t tid, uint32_t generation = 0) const {
    for (const auto& t : threads) {
      if (t.tid == tid && t.generation == generation) return &t;
    }
    return nullptr;
  }
  std::vector<SliceRecord> slices_of(int32_t tid) const {
    std::vector<SliceRecord> out;
    for (const auto& s : slices) {
      if (s.tid == tid) out.push_back(s);
    }
    return out;
  }
};

Recorded run(const std::vector<SchedEvent>& events, TrackerStats* stats = nullptr) {
  Recorded rec;
  ThreadTracker tracker(rec);
  for (const auto& e : events) EXPECT_TRUE(tracker.add(e).is_ok());
  EXPECT_TRUE(tracker.finish().is_ok());
  EXPECT_EQ(tracker.live_threads(), 0u);
  if (stats != nullptr) *stats = tracker.stats();
  return rec;
}

std::string end_state(const SliceRecord& s) { return s.end_state ? s.end_state->str() : "NULL"; }

// Two tasks handing one CPU back and forth, each sleeping until woken.
TEST(ThreadTrackerTest, PingPongGivesSlicesLatenciesAndVoluntarySwitches) {
  Recorded r = run({
      wakeup_event(900, 0, "ping", 100, 0, false, /*by=*/0),
      switch_event(1000, 0, "swapper/0", 0, "R", "ping", 100),
      wakeup_event(1500, 0, "pong", 200, 0, false, /*by=*/100),
      switch_event(1600, 0, "ping", 100, "S", "pong", 200),
      wakeup_event(2000, 0, "ping", 100, 0, false, /*by=*/200),
      switch_event(2300, 0, "pong", 200, "S", "ping", 100),
      wakeup_event(2500, 0, "pong", 200, 0, false, /*by=*/100),
      switch_event(2600, 0, "ping", 100, "S", "pong", 200),
      switch_event(3000, 0, "pong", 200, "S", "swapper/0", 0),
      migrate_event(3400, 1, "ping", 100, 0, 1),
  });
  ASSERT_EQ(r.slices.size(), 6u);
  auto ping = r.slices_of(100);
  ASSERT_EQ(ping.size(), 2u);
  EXPECT_EQ(ping[0].ts_ns, 1000);
  EXPECT_EQ(ping[0].dur_ns, 600);
  EXPECT_EQ(end_state(ping[0]), "S");
  EXPECT_EQ(ping[0].start, SliceBound::kSwitch);
  EXPECT_EQ(ping[0].end, SliceBound::kSwitch);
  EXPECT_EQ(ping[1].ts_ns, 2300);
  EXPECT_EQ(ping[1].dur_ns, 300);

  ASSERT_EQ(r.latencies.size(), 4u);
  std::vector<std::pair<int32_t, int64_t>> lat;
  for (const auto& l : r.latencies) lat.emplace_back(l.tid, l.latency_ns());
  EXPECT_THAT(lat, ::testing::ElementsAre(std::pair{100, 100}, std::pair{200, 100},
                                          std::pair{100, 300}, std::pair{200, 100}));
  EXPECT_EQ(r.latencies[2].wakeup_ts_ns, 2000);
  EXPECT_EQ(r.latencies[2].switch_in_ts_ns, 2300);
  EXPECT_FALSE(r.latencies[0].wakeup_new);

  const ThreadRecord* a = r.find(100);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->runtime_ns, 900);
  EXPECT_EQ(a->slices, 2u);
  EXPECT_EQ(a->voluntary_switches, 2u);
  EXPECT_EQ(a->involuntary_switches, 0u);
  EXPECT_EQ(a->wakeups, 2u);
  EXPECT_EQ(a->runqueue_wait_ns, 400);
  EXPECT_EQ(a->max_wakeup_latency_ns, 300);
  EXPECT_EQ(a->migrations, 1u);
  EXPECT_EQ(a->first_ts_ns, 900);
  EXPECT_EQ(a->last_ts_ns, 3400);
  const ThreadRecord* b = r.find(200);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->runtime_ns, 1100);
  EXPECT_EQ(b->voluntary_switches, 2u);
  EXPECT_EQ(b->runqueue_wait_ns, 200);
  EXPECT_EQ(b->max_wakeup_latency_ns, 100);
  EXPECT_EQ(r.threads.size(), 2u);  // no idle thread
}

TEST(ThreadTrackerTest, PreemptionIsInvoluntaryAndItsWaitIsRunqueueWait) {
  Recorded r = run({
      switch_event(1000, 0, "swapper/0", 0, "R", "hog", 100),
      wakeup_event(1500, 0, "urgent", 200, 0, false, /*by=*/100),
      switch_event(1600, 0, "hog", 100, "R+", "urgent", 200),
      switch_event(2000, 0, "urgent", 200, "S", "hog", 100),
      switch_event(2100, 0, "hog", 100, "R", "swapper/0", 0),  // yield: runnable too
      switch_event(2400, 0, "swapper/0", 0, "R", "hog", 100),
      switch_event(2500, 0, "hog", 100, "D", "swapper/0", 0),
  });
  const ThreadRecord* hog = r.find(100);
  ASSERT_NE(hog, nullptr);
  EXPECT_EQ(hog->involuntary_switches, 2u);
  EXPECT_EQ(hog->voluntary_switches, 1u);
  EXPECT_EQ(hog->runqueue_wait_ns, 400 + 300);  // 1600->2000 and 2100->2400
  EXPECT_FALSE(hog->max_wakeup_latency_ns.has_value());  // never woken
  EXPECT_EQ(hog->runtime_ns, 600 + 100 + 100);
  ASSERT_EQ(r.latencies.size(), 1u);  // only urgent's wakeup
  EXPECT_EQ(r.latencies[0].tid, 200);
  EXPECT_EQ(r.latencies[0].latency_ns(), 100);
  auto hs = r.slices_of(100);
  ASSERT_EQ(hs.size(), 3u);
  EXPECT_EQ(end_state(hs[0]), "R+");
  EXPECT_EQ(end_state(hs[2]), "D");
}

TEST(ThreadTrackerTest, WakeupOfARunningOrPreemptedTaskStartsNoLatency) {
  Recorded r = run({
      switch_event(1000, 0, "swapper/0", 0, "R", "a", 100),
      wakeup_event(1100, 1, "a", 100, 0),  // still running: it had not slept yet
      switch_event(1200, 0, "a", 100, "R+", "b", 200),
      wakeup_event(1300, 1, "a", 100, 0),  // preempted while going to sleep
      switch_event(1700, 0, "b", 200, "S", "a", 100),
  });
  EXPECT_TRUE(r.latencies.empty());
  const ThreadRecord* a = r.find(100);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->wakeups, 2u);
  EXPECT_EQ(a->runqueue_wait_ns, 500);  // from the preemption at 1200
}

TEST(ThreadTrackerTest, TidReusedAfterExitIsGenerationOne) {
  Recorded r = run({
      switch_event(1000, 0, "swapper/0", 0, "R", "sh", 300),
      fork_event(1100, 0, "sh", 300, 301),
      wakeup_event(1110, 0, "sh", 301, 1, /*is_new=*/true),
      switch_event(1150, 1, "swapper/1", 0, "R", "sh", 301),
      exit_event(2000, 1, "sh", 301),
      switch_event(2100, 1, "sh", 301, "X", "swapper/1", 0),
      fork_event(3000, 0, "sh", 300, 301),
      wakeup_event(3010, 0, "sh", 301, 1, true),
      switch_event(3050, 1, "swapper/1", 0, "R", "sh", 301),
      switch_event(3200, 1, "sh", 301, "S", "swapper/1", 0),
  });
  const ThreadRecord* first = r.find(301, 0);
  const ThreadRecord* second = r.find(301, 1);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_TRUE(first->exited);
  EXPECT_FALSE(second->exited);
  EXPECT_EQ(first->runtime_ns, 950);
  EXPECT_EQ(second->runtime_ns, 150);
  EXPECT_EQ(first->parent_tid, 300);
  EXPECT_EQ(second->parent_tid, 300);
  EXPECT_EQ(first->voluntary_switches, 0u);  // the final switch is neither kind
  ASSERT_EQ(r.latencies.size(), 2u);
  EXPECT_EQ(r.latencies[1].generation, 1u);
  EXPECT_TRUE(r.latencies[1].wakeup_new);
  EXPECT_EQ(r.latencies[1].latency_ns(), 40);
  for (const auto& s : r.slices_of(301)) EXPECT_EQ(s.generation, s.ts_ns < 3000 ? 0u : 1u);
}

TEST(ThreadTrackerTest, TidSeenAfterItsDeathOrForkedWhileKnownStartsANewGeneration) {
  Recorded r = run({
      switch_event(1000, 0, "swapper/0", 0, "R", "old", 42),
      switch_event(1100, 0, "old", 42, "Z", "swapper/0", 0),
      wakeup_event(2000, 1, "new", 42, 0),  // its fork was not traced
      fork_event(3000, 1, "p", 7, 42),      // the exit of generation 1 was not traced
  });
  EXPECT_NE(r.find(42, 0), nullptr);
  EXPECT_NE(r.find(42, 1), nullptr);
  ASSERT_NE(r.find(42, 2), nullptr);
  EXPECT_EQ(r.find(42, 1)->comm.view(), "new");
  EXPECT_EQ(r.find(42, 2)->parent_tid, 7);
}

TEST(ThreadTrackerTest, ExecChangesTheNameInTheCommTimeline) {
  Recorded r = run({
      switch_event(1000, 0, "swapper/0", 0, "R", "bash", 400),
      exec_event(1200, 0, "/usr/bin/ls", 400, 400),
      switch_event(1500, 0, "ls", 400, "S", "bash", 401),
      switch_event(1600, 0, "worker", 401, "S", "swapper/0", 0),  // prctl(PR_SET_NAME)
      switch_event(1650, 0, "swapper/0", 0, "R", "worker", 401),
      exec_event(1700, 0, "/opt/tools/a-very-long-program-name", 401, 401),
  });
  std::vector<std::tuple<int32_t, int64_t, std::string, std::string>> got;
  for (const auto& c : r.comms) {
    got.emplace_back(c.tid, c.ts_ns, c.comm.str(), std::string(comm_reason_name(c.why)));
  }
  using T = std::tuple<int32_t, int64_t, std::string, std::string>;
  EXPECT_THAT(got, ::testing::UnorderedElementsAre(
                       T{400, 1000, "bash", "first_seen"}, T{400, 1200, "ls", "exec"},
                       T{401, 1500, "bash", "first_seen"}, T{401, 1600, "worker", "rename"},
                       // no event showed the name after this exec: inferred from the path
                       T{401, 1700, "a-very-long-pro", "exec"}));
  ASSERT_NE(r.find(400), nullptr);
  EXPECT_EQ(r.find(400)->comm.view(), "ls");
  EXPECT_EQ(r.find(400)->pid, 400);  // exec makes it its group's leader
  EXPECT_EQ(r.find(400, 1), nullptr);  // exec keeps the thread
  EXPECT_EQ(r.find(401)->comm.view(), "a-very-long-pro");
  EXPECT_EQ(r.slices_of(401).back().comm.view(), "a-very-long-pro");  // running at the end
}

// As Linux 6.18 traced it (testdata/ftrace_text/sched_local.txt, lines 20-38):
// the name changes inside execve, before its tracepoint, while the task sleeps
// reading the binary. That change is the exec's, not a rename.
TEST(ThreadTrackerTest, NameSeenBeforeTheExecEventIsTheExecsName) {
  Recorded r = run({
      switch_event(1000, 1, "swapper/1", 0, "R", "capture.sh", 29677),
      switch_event(2000, 1, "python3", 29677, "D", "swapper/1", 0),
      wakeup_event(3000, 1, "python3", 29677, 1),
      switch_event(3100, 1, "swapper/1", 0, "R", "python3", 29677),
      exec_event(3200, 1, "/usr/bin/python3", 29677, 29677),
      switch_event(4000, 1, "python3", 29677, "D", "swapper/1", 0),
  });
  std::vector<std::tuple<int64_t, std::string, std::string>> got;
  for (const auto& c : r.comms) {
    got.emplace_back(c.ts_ns, c.comm.str(), std::string(comm_reason_name(c.why)));
  }
  using T = std::tuple<int64_t, std::string, std::string>;
  EXPECT_THAT(got, ::testing::ElementsAre(T{1000, "capture.sh", "first_seen"},
                                          T{2000, "python3", "exec"}));
}

TEST(ThreadTrackerTest, RenameBeforeAnExecOfAnotherNameStaysARename) {
  Recorded r = run({
      switch_event(1000, 0, "swapper/0", 0, "R", "sh", 7),
      switch_event(1100, 0, "worker", 7, "S", "swapper/0", 0),
      exec_event(1200, 0, "/bin/ls", 7, 7),
  });
  ASSERT_EQ(r.comms.size(), 3u);
  EXPECT_EQ(r.comms[1].why, CommReason::kRename);
  EXPECT_EQ(r.comms[1].comm.view(), "worker");
  EXPECT_EQ(r.comms[2].why, CommReason::kExec);
  EXPECT_EQ(r.comms[2].comm.view(), "ls");
  EXPECT_EQ(r.comms[2].ts_ns, 1200);
}

TEST(ThreadTrackerTest, IdleIsPerCpuSlicesAndNoTask) {
  Recorded r = run({
      switch_event(1000, 0, "swapper/0", 0, "R", "a", 100),
      switch_event(1100, 1, "swapper/1", 0, "R", "b", 200),
      switch_event(1500, 0, "a", 100, "S", "swapper/0", 0),
      switch_event(1600, 1, "b", 200, "S", "swapper/1", 0),
      wakeup_event(2000, 0, "a", 100, 0),
  });
  auto idle = r.slices_of(0);
  ASSERT_EQ(idle.size(), 4u);
  int64_t idle_cpu0 = 0, idle_cpu1 = 0;
  for (const auto& s : idle) (s.cpu == 0 ? idle_cpu0 : idle_cpu1) += s.dur_ns;
  EXPECT_EQ(idle_cpu0, 0 + 500);    // [1000,1000) from the trace start, then [1500,2000)
  EXPECT_EQ(idle_cpu1, 100 + 400);  // [1000,1100) from the trace start, then [1600,2000)
  EXPECT_EQ(r.find(0), nullptr);
  for (const auto& c : r.comms) EXPECT_NE(c.tid, 0);
  EXPECT_EQ(r.threads.size(), 2u);
}

TEST(ThreadTrackerTest, TraceEndingWithTasksRunningClipsTheirSlices) {
  Recorded r = run({
      wakeup_event(500, 1, "spin", 100, 0),
      switch_event(1000, 0, "swapper/0", 0, "R", "spin", 100),
      switch_event(1200, 1, "worker", 300, "R+", "other", 301),
      wakeup_event(4000, 1, "late", 200, 1),
  });
  auto spin = r.slices_of(100);
  ASSERT_EQ(spin.size(), 1u);
  EXPECT_EQ(spin[0].dur_ns, 3000);
  EXPECT_FALSE(spin[0].end_state.has_value());
  EXPECT_EQ(spin[0].end, SliceBound::kTrace);
  // worker was running when the trace began: its slice starts at the first event.
  auto worker = r.slices_of(300);
  ASSERT_EQ(worker.size(), 1u);
  EXPECT_EQ(worker[0].ts_ns, 500);
  EXPECT_EQ(worker[0].start, SliceBound::kTrace);
  EXPECT_EQ(end_state(worker[0]), "R+");
  EXPECT_EQ(r.find(100)->runtime_ns, 3000);
  // Still waiting at the end: worker since its preemption, late since its wakeup.
  EXPECT_EQ(r.find(300)->runqueue_wait_ns, 2800);
  EXPECT_EQ(r.find(200)->runqueue_wait_ns, 0);
  EXPECT_FALSE(r.find(200)->max_wakeup_latency_ns.has_value());
}

// Linux 6.18 records no sched_switch for about half the switches away from
// idle (testdata/ftrace_text/sched_local.txt lines 20-22, no loss reported):
// the task's own events show it ran.
TEST(ThreadTrackerTest, UnrecordedSwitchFromIdleIsInferred) {
  TrackerStats stats;
  Recorded r = run(
      {
          switch_event(164042, 1, "python3", 29677, "D", "swapper/1", 0),
          wakeup_event(164095, 1, "python3", 29677, 1, false, /*by=*/0),  // in idle's context
          switch_event(164886, 1, "python3", 29677, "D", "swapper/1", 0),
          wakeup_event(165000, 1, "kworker", 44, 1, false, 0),
          wakeup_event(165100, 0, "python3", 29677, 1, false, 0),  // from another CPU, later
          switch_event(165347, 1, "kworker", 44, "I", "swapper/1", 0),
          switch_event(165900, 1, "python3", 29677, "S", "swapper/1", 0),
      },
      &stats);
  EXPECT_EQ(stats.unmatched_switches, 0u);
  EXPECT_EQ(stats.inferred_switches, 3u);
  auto p = r.slices_of(29677);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[1].ts_ns, 164095);  // idle's last event before it ran
  EXPECT_EQ(p[1].dur_ns, 164886 - 164095);
  EXPECT_EQ(p[1].start, SliceBound::kInferred);
  EXPECT_EQ(end_state(p[1]), "D");
  EXPECT_EQ(p[2].ts_ns, 165347);  // after kworker's switch to idle, later than its wakeup
  auto k = r.slices_of(44);
  ASSERT_EQ(k.size(), 1u);
  EXPECT_EQ(k[0].ts_ns, 165000);
  auto idle = r.slices_of(0);
  ASSERT_GE(idle.size(), 2u);
  EXPECT_EQ(idle[0].ts_ns, 164042);
  EXPECT_EQ(idle[0].dur_ns, 164095 - 164042);
  EXPECT_EQ(idle[0].end, SliceBound::kInferred);
  EXPECT_TRUE(r.latencies.empty());  // unknown: the switch-in time is a bound
  EXPECT_EQ(r.find(29677)->runqueue_wait_ns, 165347 - 165100);
  EXPECT_EQ(r.find(29677)->voluntary_switches, 3u);
  // The CPU's time is covered exactly once.
  int64_t covered = 0;
  for (const auto& s : r.slices) {
    if (s.cpu == 1) covered += s.dur_ns;
  }
  EXPECT_EQ(covered, 165900 - 164042);
}

TEST(ThreadTrackerTest, OutOfOrderEventsNeverMakeNegativeDurations) {
  Recorded r = run({
      switch_event(1000, 0, "swapper/0", 0, "R", "a", 100),
      switch_event(2000, 0, "a", 100, "S", "b", 200),
      switch_event(1500, 0, "b", 200, "S", "a", 100),  // older than the one before
      switch_event(2500, 0, "a", 100, "S", "swapper/0", 0),
  });
  for (const auto& s : r.slices) EXPECT_GE(s.dur_ns, 0) << s.tid << " at " << s.ts_ns;
  EXPECT_EQ(r.slices_of(200).at(0).dur_ns, 0);  // taken as happening at 2000
  EXPECT_EQ(r.find(100)->runtime_ns, 1000 + 500);
}

TEST(ThreadTrackerTest, LostSwitchIsInferredFromTheTaskEventsNameAndNeverGuessedBlind) {
  TrackerStats stats;
  SchedEvent unknown_context = switch_event(3000, 0, "e", 500, "S", "swapper/0", 0);
  unknown_context.common_pid = -1;  // the producer could not say who ran
  Recorded r = run(
      {
          switch_event(1000, 0, "swapper/0", 0, "R", "a", 100),
          wakeup_event(1500, 0, "x", 900, 0, false, /*by=*/100),  // a still runs
          // a's switch-out and b's switch-in were lost
          switch_event(2000, 0, "b", 200, "S", "swapper/0", 0),
          switch_event(2500, 0, "swapper/0", 0, "R", "c", 300),
          switch_event(2600, 1, "swapper/1", 0, "R", "c", 300),  // c's switch-out lost
          unknown_context,
      },
      &stats);
  EXPECT_EQ(stats.inferred_switches, 1u);
  EXPECT_EQ(stats.unmatched_switches, 1u);  // c on two CPUs at once
  auto a = r.slices_of(100);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].dur_ns, 500);  // to a's last event
  EXPECT_EQ(a[0].end, SliceBound::kInferred);
  EXPECT_EQ(r.find(100)->voluntary_switches + r.find(100)->involuntary_switches, 0u);
  auto b = r.slices_of(200);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].ts_ns, 2000);  // b's wakeup was not seen: 1500..2000 is nobody's
  EXPECT_EQ(b[0].start, SliceBound::kInferred);
  EXPECT_EQ(end_state(b[0]), "S");
  auto c = r.slices_of(300);
  ASSERT_EQ(c.size(), 1u);  // its time on cpu0 has no known end: not written
  EXPECT_EQ(c[0].cpu, 1);
  EXPECT_TRUE(r.slices_of(500).empty());  // nor e's, whose start is unknown
}

TEST(ThreadTrackerTest, NonLeaderExecMovesTheThreadToItsLeadersTid) {
  Recorded r = run({
      switch_event(1000, 1, "swapper/1", 0, "R", "app", 501),
      exit_event(1050, 0, "app", 500),  // the old leader, zapped by de_thread
      exec_event(1100, 1, "/bin/true", 500, 501),
      switch_event(1300, 1, "true", 500, "S", "swapper/1", 0),
  });
  const auto s501 = r.slices_of(501);
  ASSERT_EQ(s501.size(), 1u);
  EXPECT_EQ(s501[0].dur_ns, 100);
  EXPECT_FALSE(s501[0].end_state.has_value());
  EXPECT_EQ(s501[0].end, SliceBound::kExec);
  const auto s500 = r.slices_of(500);
  ASSERT_EQ(s500.size(), 1u);
  EXPECT_EQ(s500[0].generation, 1u);
  EXPECT_EQ(s500[0].ts_ns, 1100);
  EXPECT_EQ(s500[0].start, SliceBound::kExec);
  EXPECT_EQ(end_state(s500[0]), "S");
  ASSERT_NE(r.find(500, 1), nullptr);
  EXPECT_EQ(r.find(500, 1)->comm.view(), "true");
  EXPECT_TRUE(r.find(500, 0)->exited);
}

TEST(ThreadTrackerTest, ClassifiesPrevStates) {
  EXPECT_EQ(classify_prev_state("R"), SwitchOutKind::kRunnable);
  EXPECT_EQ(classify_prev_state("R+"), SwitchOutKind::kRunnable);
  EXPECT_EQ(classify_prev_state("S+"), SwitchOutKind::kRunnable);
  for (auto s : {"S", "D", "T", "t", "P", "I", "D|K", "S|W", "S|0x400"}) {
    EXPECT_EQ(classify_prev_state(s), SwitchOutKind::kSleeping) << s;
  }
  for (auto s : {"X", "Z", "x", "Z|X"}) EXPECT_EQ(classify_prev_state(s), SwitchOutKind::kDead) << s;
  EXPECT_EQ(classify_prev_state(""), SwitchOutKind::kUnknown);
  EXPECT_EQ(exec_comm("/usr/bin/python3.11").view(), "python3.11");
  EXPECT_EQ(exec_comm("relative").view(), "relative");
  EXPECT_EQ(exec_comm("/dir/").view(), "");
}

struct FailingOutput : Recorded {
  Status slice(const SliceRecord&) override {
    return Status(Code::kResourceExhausted, "disk full (fake)");
  }
};

TEST(ThreadTrackerTest, OutputErrorsAreReturned) {
  FailingOutput out;
  ThreadTracker tracker(out);
  ASSERT_TRUE(tracker.add(switch_event(1000, 0, "swapper/0", 0, "R", "a", 1)).code() ==
              Code::kResourceExhausted);
}

}  // namespace
}  // namespace ktel::sched
