// ProcessLifecycle: appeared/gone keyed by (pid, start time).
#include "sources/proc/process_lifecycle.h"

#include <gtest/gtest.h>

namespace ktel::proc {
namespace {

TaskStats task(pid_t pid, uint64_t start, std::string comm, bool is_thread = false) {
  TaskStats s;
  s.pid = pid;
  s.tid = pid;
  s.start_time_ns = start;
  s.comm = std::move(comm);
  s.is_thread = is_thread;
  return s;
}

TEST(ProcessLifecycle, AppearedOnceGoneOnce) {
  ProcessLifecycle lc;
  std::vector<const TaskStats*> appeared;
  std::vector<ProcessLifecycle::Gone> gone;
  std::vector<TaskStats> tick = {task(10, 100, "a"), task(11, 110, "b"), task(11, 110, "b", true)};
  lc.update(tick, appeared, gone);
  ASSERT_EQ(appeared.size(), 2u);
  EXPECT_EQ(appeared[0]->pid, 10);
  EXPECT_TRUE(gone.empty());
  lc.update(tick, appeared, gone);
  EXPECT_TRUE(appeared.empty());
  tick = {task(10, 100, "a2")};  // exec renamed it; 11 exited
  lc.update(tick, appeared, gone);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].pid, 11);
  EXPECT_EQ(gone[0].comm, "b");
  tick.clear();
  lc.update(tick, appeared, gone);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].comm, "a2");
  EXPECT_EQ(lc.processes_seen(), 2u);
}

TEST(ProcessLifecycle, ReusedPidIsGoneThenAppeared) {
  ProcessLifecycle lc;
  std::vector<const TaskStats*> appeared;
  std::vector<ProcessLifecycle::Gone> gone;
  std::vector<TaskStats> tick = {task(10, 100, "old")};
  lc.update(tick, appeared, gone);
  tick = {task(10, 900, "new")};
  lc.update(tick, appeared, gone);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].start_time_ns, 100u);
  EXPECT_EQ(gone[0].comm, "old");
  ASSERT_EQ(appeared.size(), 1u);
  EXPECT_EQ(appeared[0]->start_time_ns, 900u);
  EXPECT_EQ(lc.processes_seen(), 2u);
}

}  // namespace
}  // namespace ktel::proc
