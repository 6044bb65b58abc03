// Real-kernel tests of BpfTaskIter: process-tree membership, growing counters,
// and field-by-field agreement with an independent procfs read of stopped
// processes. Needs root and BPF iterators; skips otherwise, fails instead when
// KTEL_REQUIRE_KERNEL=1.
#include "base/testing/kernel_required.h"
#include "sys/bpf/task_iter.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "base/file_util.h"
#include "sys/bpf/test_process_tree.h"

namespace ktel {
namespace {

using testing::ProcessTree;

// What procfs shows for one process (dir = /proc/<pid>) or thread
// (dir = /proc/<pid>/task/<tid>), read with no ktel code involved.
struct ProcView {
  pid_t ppid = 0;
  std::string comm;
  char state = '?';
  uint64_t minflt = 0, majflt = 0, utime_ticks = 0, stime_ticks = 0;
  uint64_t num_threads = 0, start_ticks = 0, vsize = 0, rss_pages = 0;
  uint64_t vol = 0, invol = 0;
  uint64_t rchar = 0, wchar = 0, read_bytes = 0, write_bytes = 0;
  uint64_t run_ns = 0, wait_ns = 0, slices = 0;
  bool operator==(const ProcView&) const = default;
};

uint64_t field_after(const std::string& text, const std::string& key) {
  const size_t at = text.find(key);
  if (at == std::string::npos) return UINT64_MAX;
  return std::strtoull(text.c_str() + at + key.size(), nullptr, 10);
}

Result<ProcView> read_proc_view(const std::string& dir) {
  KTEL_ASSIGN_OR_RETURN(std::string stat, read_file(dir + "/stat"));
  KTEL_ASSIGN_OR_RETURN(std::string status, read_file(dir + "/status"));
  KTEL_ASSIGN_OR_RETURN(std::string io, read_file(dir + "/io"));
  KTEL_ASSIGN_OR_RETURN(std::string schedstat, read_file(dir + "/schedstat"));
  ProcView v;
  const size_t open = stat.find('(');
  const size_t close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos) return data_loss(dir + "/stat");
  v.comm = stat.substr(open + 1, close - open - 1);
  std::istringstream rest(stat.substr(close + 2));
  std::vector<std::string> f;  // f[0] is stat field 3
  for (std::string tok; rest >> tok;) f.push_back(tok);
  if (f.size() < 22) return data_loss(dir + "/stat has too few fields");
  auto num = [&](int field) { return std::strtoull(f[field - 3].c_str(), nullptr, 10); };
  v.state = f[0][0];
  v.ppid = static_cast<pid_t>(num(4));
  v.minflt = num(10);
  v.majflt = num(12);
  v.utime_ticks = num(14);
  v.stime_ticks = num(15);
  v.num_threads = num(20);
  v.start_ticks = num(22);
  v.vsize = num(23);
  v.rss_pages = num(24);
  v.vol = field_after(status, "\nvoluntary_ctxt_switches:");
  v.invol = field_after(status, "\nnonvoluntary_ctxt_switches:");
  v.rchar = field_after(io, "rchar:");
  v.wchar = field_after(io, "wchar:");
  v.read_bytes = field_after(io, "\nread_bytes:");
  v.write_bytes = field_after(io, "\nwrite_bytes:");
  std::istringstream ss(schedstat);
  ss >> v.run_ns >> v.wait_ns >> v.slices;
  return v;
}

const uint64_t kTickNs = 1'000'000'000ULL / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
const uint64_t kPageSize = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));

// Every TaskStats field against procfs; times differ only by procfs's division
// into clock ticks (nsec_to_clock_t truncates).
void expect_matches(const TaskStats& s, const ProcView& v, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(s.ppid, v.ppid);
  EXPECT_EQ(s.comm, v.comm);
  EXPECT_EQ(s.state, v.state);
  EXPECT_EQ(s.utime_ns / kTickNs, v.utime_ticks);
  EXPECT_EQ(s.stime_ns / kTickNs, v.stime_ticks);
  EXPECT_EQ(s.start_time_ns / kTickNs, v.start_ticks);
  EXPECT_EQ(s.minflt, v.minflt);
  EXPECT_EQ(s.majflt, v.majflt);
  EXPECT_EQ(s.num_threads, v.num_threads);
  EXPECT_EQ(s.vsize_bytes, v.vsize);
  EXPECT_EQ(s.rss_bytes, v.rss_pages * kPageSize);
  EXPECT_EQ(s.vol_ctxsw, v.vol);
  EXPECT_EQ(s.invol_ctxsw, v.invol);
  EXPECT_EQ(s.rchar, v.rchar);
  EXPECT_EQ(s.wchar, v.wchar);
  EXPECT_EQ(s.read_bytes, v.read_bytes);
  EXPECT_EQ(s.write_bytes, v.write_bytes);
  EXPECT_EQ(s.sched_run_ns, v.run_ns);
  EXPECT_EQ(s.sched_wait_ns, v.wait_ns);
  EXPECT_EQ(s.sched_timeslices, v.slices);
}

std::string view_dir(const TaskStats& s) {
  return s.is_thread ? fmt::format("/proc/{}/task/{}", s.pid, s.tid)
                     : fmt::format("/proc/{}", s.pid);
}

// Work that moves every counter the comparison looks at: page faults, RSS,
// rchar/wchar, CPU time in user and kernel mode.
void touch_counters() {
  const size_t len = 4 << 20;
  void* mem = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem != MAP_FAILED) std::memset(mem, 1, len);
  const int fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  char buf[4096] = {};
  for (int i = 0; i < 64; ++i) (void)!::write(fd, buf, sizeof(buf));
  ::close(fd);
  volatile uint64_t spin = 0;
  for (int i = 0; i < 20'000'000; ++i) spin = spin + 1;
}

// A process with two threads that stay, after one CPU-burning thread exited:
// its time only survives in signal_struct, which procfs adds for the process.
void threaded_setup() {
  std::thread([] {
    volatile uint64_t spin = 0;
    for (int i = 0; i < 200'000'000; ++i) spin = spin + 1;
  }).join();
  for (int i = 0; i < 2; ++i) {
    std::thread([] {
      touch_counters();
      ::pause();
    }).detach();
  }
  touch_counters();
  while (true) {  // wait until both threads finished their work and sleep
    auto st = read_file("/proc/self/status");
    if (st && field_after(*st, "\nThreads:") == 3) {
      DIR* d = ::opendir("/proc/self/task");
      int sleeping = 0;
      while (dirent* e = d ? ::readdir(d) : nullptr) {
        // "." would read /proc/self/stat, whose cputime_adjust refreshes
        // signal->prev_cputime and hides a missing dead-thread sum.
        if (e->d_name[0] == '.') continue;
        auto s = read_file(fmt::format("/proc/self/task/{}/stat", e->d_name));
        if (s && s->find(") S ") != std::string::npos) ++sleeping;
      }
      if (d) ::closedir(d);
      if (sleeping >= 2) return;
    }
    ::usleep(1000);
  }
}

class BpfTaskIterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) {
      skip_or_fail("needs root to load BPF programs (run the test as root)");
      return;
    }
    auto iter = BpfTaskIter::open();
    if (!iter.is_ok()) {
      skip_or_fail(iter.status().to_string());
      return;
    }
    iter_ = std::move(iter).value();
    ASSERT_TRUE(tree_.status().is_ok()) << tree_.status().to_string();
  }

  void skip_or_fail(const std::string& why) {
    KTEL_SKIP_OR_FAIL("the BPF task iterator is unusable: " + why);
  }

  std::vector<TaskStats> read(pid_t root, bool with_threads) {
    std::vector<TaskStats> out;
    const Status s = iter_->read_tree(root, with_threads, out);
    EXPECT_TRUE(s.is_ok()) << s.to_string();
    return out;
  }

  // Reads procfs, BPF, procfs until both procfs reads agree, so the BPF read
  // saw the same values (a just-stopped task may still switch out once).
  void compare_stable(pid_t root, bool with_threads) {
    for (int attempt = 0; attempt < 50; ++attempt) {
      const auto rows = read(root, with_threads);
      std::vector<ProcView> before, after;
      for (const auto& r : rows) before.push_back(read_proc_view(view_dir(r)).value());
      const auto again = read(root, with_threads);
      for (const auto& r : rows) after.push_back(read_proc_view(view_dir(r)).value());
      if (before != after || again.size() != rows.size()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      ASSERT_FALSE(again.empty());
      for (size_t i = 0; i < again.size(); ++i) {
        expect_matches(again[i], after[i], view_dir(again[i]));
      }
      return;
    }
    FAIL() << "procfs values of stopped processes kept changing";
  }

  std::unique_ptr<BpfTaskIter> iter_;
  ProcessTree tree_;
};

TEST_F(BpfTaskIterTest, TreeHasExactlyTheSpawnedProcessesWithTheirParents) {
  ProcessTree& tree = tree_;
  const pid_t parent = tree.fork_child([&tree] {
    tree.fork_child([&tree] {
      tree.fork_child();
      tree.fork_child();
    });
    tree.fork_child();
    tree.fork_child();
  });
  ASSERT_GT(parent, 0);
  auto ready = tree.wait_ready(6);
  ASSERT_TRUE(ready.is_ok()) << ready.status().to_string();

  const auto rows = read(parent, false);
  std::set<pid_t> got;
  std::map<pid_t, int> children_of;
  for (const auto& r : rows) {
    got.insert(r.pid);
    EXPECT_FALSE(r.is_thread);
    EXPECT_EQ(r.tid, r.pid);
    EXPECT_EQ(r.ppid, read_proc_view(fmt::format("/proc/{}", r.pid)).value().ppid) << r.pid;
    children_of[r.ppid]++;
  }
  EXPECT_EQ(got, std::set<pid_t>(ready->begin(), ready->end()));
  EXPECT_EQ(children_of[::getpid()], 1);
  EXPECT_EQ(children_of[parent], 3);
  // Exactly one child has the two grandchildren, and is itself in the tree.
  int grand_parents = 0;
  for (const auto& [ppid, n] : children_of) {
    if (ppid != ::getpid() && ppid != parent) {
      ++grand_parents;
      EXPECT_EQ(n, 2);
      EXPECT_TRUE(got.count(ppid));
      EXPECT_EQ(read(ppid, false).size(), 3u) << "subtree of " << ppid;
    }
  }
  EXPECT_EQ(grand_parents, 1);
}

TEST_F(BpfTaskIterTest, BusyChildUtimeGrows) {
  const pid_t busy = tree_.fork_busy_child();
  ASSERT_TRUE(tree_.wait_ready(1).is_ok());
  const auto first = read(busy, false);
  ASSERT_EQ(first.size(), 1u);
  TaskStats later;
  for (int i = 0; i < 1000; ++i) {  // bounded wait: at most ~10 s
    const auto rows = read(busy, false);
    ASSERT_EQ(rows.size(), 1u);
    later = rows[0];
    if (later.utime_ns > first[0].utime_ns) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GT(later.utime_ns, first[0].utime_ns);
  EXPECT_GT(*later.sched_run_ns, *first[0].sched_run_ns);
  EXPECT_EQ(later.start_time_ns, first[0].start_time_ns);
}

TEST_F(BpfTaskIterTest, StoppedProcessesMatchProcfsFieldByField) {
  const pid_t plain = tree_.fork_child(touch_counters);
  const pid_t threaded = tree_.fork_child(threaded_setup);
  ASSERT_TRUE(tree_.wait_ready(2).is_ok());
  for (pid_t pid : {plain, threaded}) ASSERT_TRUE(testing::stop_process(pid).is_ok()) << pid;
  for (pid_t pid : {plain, threaded}) {
    SCOPED_TRACE(fmt::format("pid {}", pid));
    compare_stable(pid, false);
    compare_stable(pid, true);
  }
}

TEST_F(BpfTaskIterTest, WithThreadsListsEveryThreadAndProcessSumsIncludeExitedOnes) {
  const pid_t pid = tree_.fork_child(threaded_setup);
  ASSERT_TRUE(tree_.wait_ready(1).is_ok());
  ASSERT_TRUE(testing::stop_process(pid).is_ok());

  EXPECT_EQ(read(pid, false).size(), 1u);
  const auto rows = read(pid, true);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_FALSE(rows[0].is_thread);
  EXPECT_EQ(rows[0].num_threads, 3u);
  std::set<pid_t> tids;
  uint64_t live_utime = 0;
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_TRUE(rows[i].is_thread);
    EXPECT_EQ(rows[i].pid, pid);
    tids.insert(rows[i].tid);
    live_utime += rows[i].utime_ns + rows[i].stime_ns;
  }
  std::set<pid_t> proc_tids;
  DIR* dir = ::opendir(fmt::format("/proc/{}/task", pid).c_str());
  ASSERT_NE(dir, nullptr);
  while (dirent* e = ::readdir(dir)) {
    if (e->d_name[0] != '.') proc_tids.insert(std::atoi(e->d_name));
  }
  ::closedir(dir);
  EXPECT_EQ(tids, proc_tids);
  // The exited thread burned far more than a tick; only signal totals keep it.
  EXPECT_GT(rows[0].utime_ns + rows[0].stime_ns, live_utime + 2 * kTickNs);
}

// A child that forks a grandchild and exits on request, leaving the grandchild
// re-parented away from the tree (to init or a subreaper).
struct Orphaner {
  pid_t parent = -1;
  pid_t orphan = -1;
  int go[2] = {-1, -1}, hold[2] = {-1, -1}, ready[2] = {-1, -1};

  bool start() {
    if (::pipe2(go, O_CLOEXEC) != 0 || ::pipe2(hold, O_CLOEXEC) != 0 ||
        ::pipe2(ready, O_CLOEXEC) != 0) {
      return false;
    }
    parent = ::fork();
    if (parent == 0) {
      for (int fd : {go[1], hold[1], ready[0]}) ::close(fd);  // or no EOF reaches us
      if (::fork() == 0) {
        const pid_t self = ::getpid();
        (void)!::write(ready[1], &self, sizeof(self));
        char c;
        while (::read(hold[0], &c, 1) < 0 && errno == EINTR) {
        }
        ::_exit(0);
      }
      char c;
      while (::read(go[0], &c, 1) < 0 && errno == EINTR) {
      }
      ::_exit(0);
    }
    ::close(go[0]);
    ::close(hold[0]);
    ::close(ready[1]);
    return parent > 0 && ::read(ready[0], &orphan, sizeof(orphan)) == sizeof(orphan);
  }
  // Lets the parent exit and reaps it: the grandchild is re-parented.
  void orphan_now() {
    ::close(go[1]);
    go[1] = -1;
    ::waitpid(parent, nullptr, 0);
    parent = -1;
  }
  ~Orphaner() {
    for (int fd : {go[1], hold[1], ready[0]}) {
      if (fd >= 0) ::close(fd);
    }
    if (parent > 0) ::waitpid(parent, nullptr, 0);
  }
};

TEST_F(BpfTaskIterTest, ExtraRootsKeepReparentedOrphansAndRejectReusedPids) {
  Orphaner o;
  ASSERT_TRUE(o.start());
  const pid_t parent = o.parent;
  const auto before = read(parent, false);
  ASSERT_EQ(before.size(), 2u);
  std::vector<ProcessKey> keys;
  for (const auto& r : before) keys.push_back({r.pid, r.start_time_ns});
  ASSERT_TRUE(iter_->set_extra_roots(keys).is_ok());
  // The same set again (what a running source does each tick) keeps it.
  ASSERT_TRUE(iter_->set_extra_roots(keys).is_ok());
  const ProcessKey root{parent, before[0].pid == parent ? before[0].start_time_ns
                                                         : before[1].start_time_ns};
  o.orphan_now();

  std::vector<TaskStats> rows;
  ASSERT_TRUE(iter_->read_tree(root, false, rows).is_ok());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].pid, o.orphan);
  EXPECT_NE(rows[0].ppid, parent);

  // Without the extra roots the orphan has left the tree.
  ASSERT_TRUE(iter_->set_extra_roots({}).is_ok());
  rows.clear();
  ASSERT_TRUE(iter_->read_tree(root, false, rows).is_ok());
  EXPECT_TRUE(rows.empty());
  // ... and setting them again after that change brings it back.
  ASSERT_TRUE(iter_->set_extra_roots(keys).is_ok());
  ASSERT_TRUE(iter_->read_tree(root, false, rows).is_ok());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].pid, o.orphan);
  ASSERT_TRUE(iter_->set_extra_roots({}).is_ok());
  rows.clear();

  // A pid whose start time differs (a reused pid) does not match.
  const uint64_t orphan_start =
      before[0].pid == o.orphan ? before[0].start_time_ns : before[1].start_time_ns;
  const ProcessKey wrong{o.orphan, orphan_start + 1};
  ASSERT_TRUE(iter_->set_extra_roots(std::span(&wrong, 1)).is_ok());
  ASSERT_TRUE(iter_->read_tree(root, false, rows).is_ok());
  EXPECT_TRUE(rows.empty());
  // The root's start time is checked too.
  ASSERT_TRUE(iter_->set_extra_roots({}).is_ok());
  EXPECT_TRUE(iter_->read_tree({o.orphan, 1}, false, rows).is_ok());
  EXPECT_TRUE(rows.empty());
  EXPECT_EQ(read(o.orphan, false).size(), 1u);
}

// The recorder opens the iterator after forking the workload: the self check
// must not mistake the caller's children for a foreign pid namespace.
TEST_F(BpfTaskIterTest, OpensWhileTheCallerHasChildren) {
  ASSERT_GT(tree_.fork_child(), 0);
  ASSERT_TRUE(tree_.wait_ready(1).is_ok());
  auto second = BpfTaskIter::open();
  EXPECT_TRUE(second.is_ok()) << second.status().to_string();
}

TEST_F(BpfTaskIterTest, RejectsBadRootAndReturnsNothingForAnUnknownOne) {
  std::vector<TaskStats> out;
  EXPECT_EQ(iter_->read_tree(0, false, out).code(), Code::kInvalidArgument);
  const auto pid_max = read_file("/proc/sys/kernel/pid_max");
  ASSERT_TRUE(pid_max.is_ok());
  const pid_t unused = static_cast<pid_t>(std::atoi(pid_max->c_str()) + 1);
  EXPECT_TRUE(read(unused, true).empty());
  EXPECT_EQ(iter_->depth_limit_hits(), 0u);
}

}  // namespace
}  // namespace ktel
