// BpfTaskReader against ProcfsTaskReader on the same stopped process tree:
// both must return the same tasks, in the same order, with equal fields (up to
// procfs's clock-tick rounding), and keep a re-parented orphan. Needs root and
// BPF iterators; skips with the fix, fails instead when KTEL_REQUIRE_KERNEL=1.
#include "base/testing/kernel_required.h"
#include "sources/proc/bpf_task_reader.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <string>
#include <thread>

#include "sources/proc/procfs_task_reader.h"
#include "sys/bpf/test_process_tree.h"

namespace ktel::proc {
namespace {

const uint64_t kTickNs = 1'000'000'000ULL / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));

// Two extra threads that do a little work and then sleep.
void two_threads() {
  for (int i = 0; i < 2; ++i) {
    std::thread([] {
      volatile uint64_t spin = 0;
      for (int j = 0; j < 5'000'000; ++j) spin = spin + 1;
      ::pause();
    }).detach();
  }
  ::usleep(100'000);
}

std::string where(const TaskStats& s) {
  return s.is_thread ? fmt::format("tid {} of {}", s.tid, s.pid) : fmt::format("pid {}", s.pid);
}

// Every field; procfs keeps times in clock ticks, BPF in ns (the documented
// difference), so times compare at tick resolution.
void expect_same(const TaskStats& p, const TaskStats& b) {
  SCOPED_TRACE(where(p));
  EXPECT_EQ(b.pid, p.pid);
  EXPECT_EQ(b.tid, p.tid);
  EXPECT_EQ(b.is_thread, p.is_thread);
  EXPECT_EQ(b.ppid, p.ppid);
  EXPECT_EQ(b.start_time_ns / kTickNs * kTickNs, p.start_time_ns);
  EXPECT_EQ(b.comm, p.comm);
  EXPECT_EQ(b.state, p.state);
  EXPECT_EQ(b.utime_ns / kTickNs * kTickNs, p.utime_ns);
  EXPECT_EQ(b.stime_ns / kTickNs * kTickNs, p.stime_ns);
  EXPECT_EQ(b.minflt, p.minflt);
  EXPECT_EQ(b.majflt, p.majflt);
  EXPECT_EQ(b.vsize_bytes, p.vsize_bytes);
  EXPECT_EQ(b.rss_bytes, p.rss_bytes);
  EXPECT_EQ(b.num_threads, p.num_threads);
  EXPECT_EQ(b.vol_ctxsw, p.vol_ctxsw);
  EXPECT_EQ(b.invol_ctxsw, p.invol_ctxsw);
  EXPECT_EQ(b.read_bytes, p.read_bytes);
  EXPECT_EQ(b.write_bytes, p.write_bytes);
  EXPECT_EQ(b.rchar, p.rchar);
  EXPECT_EQ(b.wchar, p.wchar);
  EXPECT_EQ(b.io_errno, p.io_errno);
  EXPECT_EQ(b.sched_run_ns, p.sched_run_ns);
  EXPECT_EQ(b.sched_wait_ns, p.sched_wait_ns);
  EXPECT_EQ(b.sched_timeslices, p.sched_timeslices);
}

std::set<pid_t> processes(const std::vector<TaskStats>& rows) {
  std::set<pid_t> out;
  for (const TaskStats& s : rows) {
    if (!s.is_thread) out.insert(s.pid);
  }
  return out;
}

class BpfTaskReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) {
      skip_or_fail("needs root to load BPF programs (run the test as root)");
      return;
    }
    auto bpf = BpfTaskReader::open();
    if (!bpf.is_ok()) {
      skip_or_fail(bpf.status().to_string());
      return;
    }
    bpf_ = std::move(bpf).value();
    auto procfs = ProcfsTaskReader::open();
    ASSERT_TRUE(procfs.is_ok()) << procfs.status().to_string();
    procfs_ = std::move(procfs).value();
    ASSERT_TRUE(tree_.status().is_ok()) << tree_.status().to_string();
  }

  void skip_or_fail(const std::string& why) {
    KTEL_SKIP_OR_FAIL("BPF is unusable: " + why);
  }

  std::vector<TaskStats> read(TaskReader& r, pid_t root, bool threads) {
    std::vector<TaskStats> out(3);  // read_tree must replace, not append
    const Status s = r.read_tree(root, threads, out);
    EXPECT_TRUE(s.is_ok()) << r.backend() << ": " << s.to_string();
    return out;
  }

  // procfs, BPF, procfs until both procfs reads agree (a just-stopped task
  // may still switch out once), then compares row by row.
  void compare_stable(pid_t root, bool threads) {
    for (int attempt = 0; attempt < 50; ++attempt) {
      const auto before = read(*procfs_, root, threads);
      const auto bpf = read(*bpf_, root, threads);
      const auto after = read(*procfs_, root, threads);
      bool same = before.size() == after.size();
      for (size_t i = 0; same && i < before.size(); ++i) {
        same = before[i].utime_ns == after[i].utime_ns && before[i].vol_ctxsw == after[i].vol_ctxsw &&
               before[i].invol_ctxsw == after[i].invol_ctxsw &&
               before[i].sched_run_ns == after[i].sched_run_ns && before[i].state == after[i].state;
      }
      if (!same) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      ASSERT_FALSE(after.empty());
      ASSERT_EQ(bpf.size(), after.size());
      for (size_t i = 0; i < after.size(); ++i) expect_same(after[i], bpf[i]);
      return;
    }
    FAIL() << "procfs values of stopped processes kept changing";
  }

  std::unique_ptr<BpfTaskReader> bpf_;
  std::unique_ptr<ProcfsTaskReader> procfs_;
  testing::ProcessTree tree_;
};

TEST_F(BpfTaskReaderTest, StoppedTreeReadsTheSameThroughBothBackends) {
  testing::ProcessTree& tree = tree_;
  const pid_t root = tree.fork_child([&tree] {
    tree.fork_child(two_threads);
    tree.fork_child([&tree] { tree.fork_child(); });
    tree.fork_child();
  });
  ASSERT_GT(root, 0);
  auto ready = tree.wait_ready(5);
  ASSERT_TRUE(ready.is_ok()) << ready.status().to_string();
  for (pid_t pid : *ready) ASSERT_TRUE(testing::stop_process(pid).is_ok()) << pid;

  const auto rows = read(*bpf_, root, true);
  EXPECT_EQ(processes(rows), std::set<pid_t>(ready->begin(), ready->end()));
  EXPECT_EQ(rows.size(), 5u + 5u + 2u);  // process rows, main threads, two extra threads
  // Ascending pid, each process followed by its threads in tid order.
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_LE(rows[i - 1].pid, rows[i].pid);
    if (rows[i].pid == rows[i - 1].pid) {
      EXPECT_TRUE(rows[i].is_thread);
      if (rows[i - 1].is_thread) {
        EXPECT_LT(rows[i - 1].tid, rows[i].tid);
      }
    }
  }
  compare_stable(root, false);
  compare_stable(root, true);
  EXPECT_EQ(bpf_->counters().parse_errors, 0u);
  EXPECT_EQ(bpf_->counters().discovery_errors, 0u);
}

TEST_F(BpfTaskReaderTest, ReparentedOrphanStaysInTheTreeOfBothBackends) {
  testing::ProcessTree& tree = tree_;
  const pid_t root = tree.fork_child([&tree] {
    tree.fork_child([&tree] { tree.fork_child(); });
  });
  ASSERT_GT(root, 0);
  auto ready = tree.wait_ready(3);
  ASSERT_TRUE(ready.is_ok()) << ready.status().to_string();
  // The ready order is a race (each process reports as soon as its own
  // setup returned), so tell middle and grandchild apart by their parents.
  const std::set<pid_t> all(ready->begin(), ready->end());
  pid_t middle = -1;
  pid_t orphan = -1;
  const auto before = read(*procfs_, root, false);
  for (const TaskStats& s : before) {
    if (s.pid != root && s.ppid == root) middle = s.pid;
  }
  for (const TaskStats& s : before) {
    if (s.pid != root && s.ppid == middle) orphan = s.pid;
  }
  ASSERT_GT(middle, 0);
  ASSERT_GT(orphan, 0);
  EXPECT_EQ(processes(read(*bpf_, root, false)), all);
  EXPECT_EQ(processes(before), all);

  // The middle process dies (a zombie until root reaps it at release): its
  // child is re-parented to init or a subreaper, away from root.
  ASSERT_EQ(::kill(middle, SIGKILL), 0);
  pid_t ppid = middle;
  for (int i = 0; i < 500 && ppid == middle; ++i) {  // bounded: 5 s
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    for (const TaskStats& s : read(*procfs_, root, false)) {
      if (s.pid == orphan) ppid = s.ppid;
    }
  }
  ASSERT_NE(ppid, middle) << "orphan was not re-parented";

  const auto bpf = read(*bpf_, root, false);
  const auto procfs = read(*procfs_, root, false);
  EXPECT_EQ(processes(bpf), all);
  EXPECT_EQ(processes(procfs), all);
  for (const TaskStats& s : bpf) {
    if (s.pid == orphan) {
      EXPECT_EQ(s.ppid, ppid);
    }
    if (s.pid == middle) {
      EXPECT_EQ(s.state, 'Z');
    }
  }
  // A fresh BPF reader never saw the link, like a fresh procfs tracker.
  auto fresh = BpfTaskReader::open();
  ASSERT_TRUE(fresh.is_ok()) << fresh.status().to_string();
  EXPECT_EQ(processes(read(**fresh, root, false)), std::set<pid_t>({root, middle}))
      << "root " << root << ", middle " << middle << ", orphan " << orphan << " now has ppid " << ppid;
}

}  // namespace
}  // namespace ktel::proc
