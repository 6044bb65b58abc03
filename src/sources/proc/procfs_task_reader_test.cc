// ProcfsTaskReader against the real kernel: tree discovery over forked
// processes, exits, threads, the fd budget and status_every.
#include "sources/proc/procfs_task_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/syscall.h>

#include <algorithm>
#include <future>
#include <thread>

#include "sources/proc/proc_test_support.h"

namespace ktel::proc {
namespace {

using testing::SpawnedTree;
using ::testing::UnorderedElementsAreArray;

std::unique_ptr<ProcfsTaskReader> open_reader(ProcfsReaderOptions opts = {}) {
  auto r = ProcfsTaskReader::open(std::move(opts));
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return r.is_ok() ? std::move(r).value() : nullptr;
}

std::vector<pid_t> process_pids(const std::vector<TaskStats>& tasks) {
  std::vector<pid_t> out;
  for (const auto& t : tasks) {
    if (!t.is_thread) out.push_back(t.pid);
  }
  return out;
}

TEST(ProcfsTaskReader, ReadsChildrenAndGrandchildren) {
  KTEL_REQUIRE_PROCFS();
  SpawnedTree tree(3, 2, "a) b (c");
  auto reader = open_reader();
  ASSERT_NE(reader, nullptr);
  std::vector<TaskStats> tasks;
  ASSERT_TRUE(reader->read_tree(tree.root(), false, tasks).is_ok());
  EXPECT_THAT(process_pids(tasks), UnorderedElementsAreArray(tree.pids()));
  ASSERT_EQ(tasks.size(), 10u);
  EXPECT_TRUE(std::is_sorted(tasks.begin(), tasks.end(),
                             [](const auto& a, const auto& b) { return a.pid < b.pid; }));
  for (const TaskStats& t : tasks) {
    EXPECT_EQ(t.tid, t.pid);
    EXPECT_GT(t.start_time_ns, 0u);
    EXPECT_GT(t.rss_bytes, 0u);
    EXPECT_EQ(t.num_threads, 1u);
    EXPECT_TRUE(t.vol_ctxsw.has_value());
    EXPECT_TRUE(t.read_bytes.has_value());
    EXPECT_TRUE(t.sched_run_ns.has_value());
    EXPECT_EQ(t.io_errno, 0);
    if (t.pid == tree.root()) {
      EXPECT_EQ(t.ppid, ::getpid());
      EXPECT_EQ(t.comm, "a) b (c");
    } else {
      EXPECT_NE(std::find(tree.pids().begin(), tree.pids().end(), t.ppid), tree.pids().end());
    }
  }
  TaskReaderCounters c = reader->counters();
  EXPECT_EQ(c.kept_fds, 40u);
  EXPECT_EQ(c.parse_errors, 0u);
  // (Stat read once per pid is checked in process_tree_test: here other
  // processes on the machine appear at any time.)
  ASSERT_TRUE(reader->read_tree(tree.root(), false, tasks).is_ok());
  EXPECT_EQ(tasks.size(), 10u);
  EXPECT_EQ(reader->counters().kept_fds, 40u);
}

TEST(ProcfsTaskReader, ExitedGrandchildDisappearsAndItsFdsAreClosed) {
  KTEL_REQUIRE_PROCFS();
  SpawnedTree tree(1, 1);
  auto reader = open_reader();
  ASSERT_NE(reader, nullptr);
  std::vector<TaskStats> tasks;
  ASSERT_TRUE(reader->read_tree(tree.root(), false, tasks).is_ok());
  ASSERT_EQ(tasks.size(), 3u);
  // The grandchild is the process whose parent is not the root.
  pid_t grandchild = 0;
  for (const auto& t : tasks) {
    if (t.pid != tree.root() && t.ppid != tree.root()) grandchild = t.pid;
  }
  ASSERT_NE(grandchild, 0);
  ASSERT_EQ(::kill(grandchild, SIGKILL), 0);
  // Its parent reaps it; wait (bounded) until /proc no longer lists it.
  for (int i = 0; i < 5000 && ::kill(grandchild, 0) == 0; ++i) ::usleep(1000);
  ASSERT_TRUE(reader->read_tree(tree.root(), false, tasks).is_ok());
  EXPECT_EQ(tasks.size(), 2u);
  EXPECT_EQ(reader->counters().kept_fds, 8u);
  EXPECT_EQ(reader->counters().parse_errors, 0u);
}

TEST(ProcfsTaskReader, ThreadRowsFollowTheirProcess) {
  KTEL_REQUIRE_PROCFS();
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::vector<pid_t> tids(2);
  std::vector<std::thread> threads;
  std::promise<void> ready[2];
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      tids[i] = static_cast<pid_t>(::syscall(SYS_gettid));
      ready[i].set_value();
      released.wait();
    });
  }
  for (auto& r : ready) r.get_future().wait();
  auto reader = open_reader();
  ASSERT_NE(reader, nullptr);
  std::vector<TaskStats> tasks;
  Status st = reader->read_tree(::getpid(), true, tasks);
  release.set_value();
  for (auto& t : threads) t.join();
  ASSERT_TRUE(st.is_ok()) << st.to_string();
  ASSERT_FALSE(tasks.empty());
  EXPECT_EQ(tasks[0].pid, ::getpid());
  EXPECT_FALSE(tasks[0].is_thread);
  std::vector<pid_t> thread_tids;
  for (size_t i = 1; i < tasks.size(); ++i) {
    if (!tasks[i].is_thread) break;
    EXPECT_EQ(tasks[i].pid, ::getpid());
    thread_tids.push_back(tasks[i].tid);
  }
  EXPECT_GE(tasks[0].num_threads, 3u);
  for (pid_t tid : {::getpid(), tids[0], tids[1]}) {
    EXPECT_NE(std::find(thread_tids.begin(), thread_tids.end(), tid), thread_tids.end()) << tid;
  }
}

TEST(ProcfsTaskReader, PastTheFdBudgetFilesAreReadTransiently) {
  KTEL_REQUIRE_PROCFS();
  SpawnedTree tree(4, 0);
  auto reader = open_reader({.max_kept_fds = 6});
  ASSERT_NE(reader, nullptr);
  std::vector<TaskStats> tasks;
  ASSERT_TRUE(reader->read_tree(tree.root(), false, tasks).is_ok());
  ASSERT_TRUE(reader->read_tree(tree.root(), false, tasks).is_ok());
  EXPECT_THAT(process_pids(tasks), UnorderedElementsAreArray(tree.pids()));
  for (const auto& t : tasks) EXPECT_TRUE(t.read_bytes.has_value());
  EXPECT_EQ(reader->counters().kept_fds, 6u);
  EXPECT_GT(reader->counters().transient_reads, 0u);
}

TEST(ProcfsTaskReader, StatusEveryNLeavesCtxswNullNotStale) {
  KTEL_REQUIRE_PROCFS();
  SpawnedTree tree(0, 0);
  auto reader = open_reader({.status_every = 3});
  ASSERT_NE(reader, nullptr);
  std::vector<TaskStats> tasks;
  int with = 0;
  int without = 0;
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(reader->read_tree(tree.root(), false, tasks).is_ok());
    ASSERT_EQ(tasks.size(), 1u);
    if (i == 0) {
      EXPECT_TRUE(tasks[0].vol_ctxsw.has_value()) << "first read always has status";
    }
    tasks[0].vol_ctxsw.has_value() ? ++with : ++without;
    EXPECT_EQ(tasks[0].vol_ctxsw.has_value(), tasks[0].invol_ctxsw.has_value());
  }
  // First read plus every third read of six (staggered by pid).
  EXPECT_GE(with, 2);
  EXPECT_LE(with, 3);
  EXPECT_GE(without, 3);
}

TEST(ProcfsTaskReader, NotProcfsIsUnavailable) {
  auto r = ProcfsTaskReader::open({.proc_root = "/tmp"});
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_NE(r.status().message().find("mount -t proc"), std::string::npos);
}

}  // namespace
}  // namespace ktel::proc
