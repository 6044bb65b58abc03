// Real-kernel tests of ExecTracer with ground truth from the test itself:
// exit codes and signals, hostile and long argv, a three-level tree, a
// multi-threaded process, 1,000 short processes, CPU time and peak RSS
// against wait4's rusage, scope, comm exclusion, and exact loss counts from
// a one-page ring. Needs root; skips otherwise, fails with KTEL_REQUIRE_KERNEL=1.
#include "sys/bpf/exec_tracer.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <cstring>
#include <filesystem>
#include <map>
#include <thread>

#include "base/testing/kernel_required.h"
#include "base/testing/temp_dir.h"

namespace ktel {
namespace {

struct Seen {
  std::vector<ExecLifecycleExec> execs;
  std::vector<ExecLifecycleFork> forks;
  std::vector<ExecLifecycleExit> exits;
  const ExecLifecycleExit* process_exit(pid_t pid) const {
    for (const auto& e : exits) {
      if (e.pid == pid && e.group_dead) return &e;
    }
    return nullptr;
  }
  const ExecLifecycleExec* exec_of(pid_t pid) const {
    for (const auto& e : execs) {
      if (e.pid == pid) return &e;
    }
    return nullptr;
  }
};

class ExecTracerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) KTEL_SKIP_OR_FAIL("the exec tracer needs root (BPF)");
  }
  std::unique_ptr<ExecTracer> open(ExecTracerOptions o = {}) {
    if (o.root_pid == 0) o.root_pid = ::getpid();
    auto t = ExecTracer::open(o);
    EXPECT_TRUE(t.is_ok()) << t.status().to_string();
    return t.is_ok() ? std::move(*t) : nullptr;
  }
  void drain(ExecTracer& t, Seen& seen) {
    auto n = t.poll([&](ExecLifecycleEvent&& e) {
      if (auto* x = std::get_if<ExecLifecycleExec>(&e)) seen.execs.push_back(std::move(*x));
      if (auto* f = std::get_if<ExecLifecycleFork>(&e)) seen.forks.push_back(std::move(*f));
      if (auto* x = std::get_if<ExecLifecycleExit>(&e)) seen.exits.push_back(std::move(*x));
    });
    ASSERT_TRUE(n.is_ok()) << n.status().to_string();
  }
  // Polls until `pids` all have a process exit record (bounded).
  void drain_until_exited(ExecTracer& t, Seen& seen, const std::vector<pid_t>& pids) {
    for (int i = 0; i < 200; ++i) {
      drain(t, seen);
      bool all = true;
      for (pid_t p : pids) all = all && seen.process_exit(p) != nullptr;
      if (all) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
};

ExecTracerOptions options(ExecScope scope, pid_t root) {
  ExecTracerOptions o;
  o.scope = scope;
  o.root_pid = root;
  return o;
}

pid_t spawn(const std::vector<std::string>& argv) {
  pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    ::execv(a[0], a.data());
    ::_exit(127);
  }
  return pid;
}

int wait_status(pid_t pid, rusage* ru = nullptr) {
  int status = 0;
  rusage local{};
  ::wait4(pid, &status, 0, ru != nullptr ? ru : &local);
  return status;
}

TEST_F(ExecTracerTest, ExitCodesSignalsAndArgvAsTheTestMadeThem) {
  auto t = open();
  ASSERT_TRUE(t);
  pid_t ok = spawn({"/bin/true"});
  pid_t seven = spawn({"/bin/sh", "-c", "exit 7"});
  pid_t killed = spawn({"/bin/sleep", "30"});
  std::vector<std::string> hostile = {"/bin/true", "with space", "quo'te\"s", "ünïcödé", ""};
  pid_t args = spawn(hostile);
  std::vector<std::string> many = {"/bin/true"};
  for (int i = 0; i < 200; ++i) many.push_back("arg" + std::to_string(i));
  pid_t long_argv = spawn(many);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ::kill(killed, SIGKILL);
  for (pid_t p : {ok, seven, killed, args, long_argv}) wait_status(p);
  Seen seen;
  drain_until_exited(*t, seen, {ok, seven, killed, args, long_argv});
  ASSERT_NE(seen.process_exit(ok), nullptr);
  EXPECT_EQ(seen.process_exit(ok)->exit_code, 0);
  ASSERT_NE(seen.process_exit(seven), nullptr);
  EXPECT_EQ(seen.process_exit(seven)->exit_code, 7);
  ASSERT_NE(seen.process_exit(killed), nullptr);
  EXPECT_EQ(seen.process_exit(killed)->signal, SIGKILL);
  EXPECT_FALSE(seen.process_exit(killed)->exit_code);
  const ExecLifecycleExec* a = seen.exec_of(args);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->argv, hostile);
  EXPECT_FALSE(a->argv_truncated);
  EXPECT_EQ(a->filename, "/bin/true");
  EXPECT_EQ(a->comm, "true");
  const ExecLifecycleExec* l = seen.exec_of(long_argv);
  ASSERT_NE(l, nullptr);
  EXPECT_TRUE(l->argv_truncated);
  EXPECT_EQ(l->argv.size(), 64u);
  EXPECT_EQ(l->argc, 201u);
  size_t full = 0;
  for (const auto& s : many) full += s.size() + 1;
  EXPECT_EQ(l->argv_bytes, full);
  EXPECT_EQ(t->lost().total(), 0u);
  EXPECT_EQ(t->malformed(), 0u);
}

TEST_F(ExecTracerTest, RawPollingHandsOverRecordsThatDecodeAndDetachStopsThem) {
  auto t = open();
  ASSERT_TRUE(t);
  pid_t p = spawn({"/bin/true", "raw"});
  wait_status(p);
  std::vector<std::string> raw;
  for (int i = 0; i < 100; ++i) {
    auto n = t->poll_raw([&](std::span<const std::byte> b) {
      raw.emplace_back(reinterpret_cast<const char*>(b.data()), b.size());
    });
    ASSERT_TRUE(n.is_ok());
    bool exited = false;
    for (const auto& r : raw) {
      auto e = decode_exec_record({reinterpret_cast<const std::byte*>(r.data()), r.size()},
                                  t->decode_options());
      ASSERT_TRUE(e.is_ok()) << e.status().to_string();
      auto* x = std::get_if<ExecLifecycleExit>(&*e);
      exited = exited || (x != nullptr && x->pid == p && x->group_dead);
    }
    if (exited) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  size_t execs = 0;
  for (const auto& r : raw) {
    auto e = decode_exec_record({reinterpret_cast<const std::byte*>(r.data()), r.size()},
                                t->decode_options());
    auto* x = std::get_if<ExecLifecycleExec>(&*e);
    if (x != nullptr && x->pid == p) {
      ++execs;
      EXPECT_EQ(x->argv, (std::vector<std::string>{"/bin/true", "raw"}));
    }
  }
  EXPECT_EQ(execs, 1u);
  t->detach();
  wait_status(spawn({"/bin/true", "after-detach"}));
  Seen seen;
  drain(*t, seen);
  EXPECT_TRUE(seen.execs.empty() && seen.forks.empty() && seen.exits.empty());
}

TEST_F(ExecTracerTest, AThreeLevelTreeHasItsParents) {
  auto t = open();
  ASSERT_TRUE(t);
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  pid_t middle = ::fork();
  if (middle == 0) {
    pid_t leaf = spawn({"/bin/true"});
    (void)!::write(pipefd[1], &leaf, sizeof leaf);
    int st = 0;
    ::waitpid(leaf, &st, 0);
    ::_exit(3);
  }
  pid_t leaf = 0;
  ASSERT_EQ(::read(pipefd[0], &leaf, sizeof leaf), static_cast<ssize_t>(sizeof leaf));
  wait_status(middle);
  Seen seen;
  drain_until_exited(*t, seen, {middle, leaf});
  bool middle_forked = false, leaf_forked = false;
  for (const auto& f : seen.forks) {
    middle_forked |= f.parent_pid == ::getpid() && f.child_pid == middle && !f.is_thread;
    leaf_forked |= f.parent_pid == middle && f.child_pid == leaf && !f.is_thread;
  }
  EXPECT_TRUE(middle_forked);
  EXPECT_TRUE(leaf_forked);
  ASSERT_NE(seen.exec_of(leaf), nullptr);
  EXPECT_EQ(seen.exec_of(leaf)->ppid, middle);
  EXPECT_EQ(seen.process_exit(middle)->exit_code, 3);
  EXPECT_EQ(seen.process_exit(leaf)->ppid, middle);
}

TEST_F(ExecTracerTest, ThreadExitsDoNotEndTheProcess) {
  auto t = open();
  ASSERT_TRUE(t);
  pid_t child = ::fork();
  if (child == 0) {
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) threads.emplace_back([] { std::this_thread::sleep_for(std::chrono::milliseconds(20)); });
    for (auto& th : threads) th.join();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ::_exit(0);
  }
  wait_status(child);
  Seen seen;
  drain_until_exited(*t, seen, {child});
  int threads_started = 0, thread_exits = 0, process_exits = 0;
  for (const auto& f : seen.forks) threads_started += f.child_pid == child && f.is_thread;
  for (const auto& e : seen.exits) {
    if (e.pid != child) continue;
    (e.group_dead ? process_exits : thread_exits)++;
  }
  EXPECT_EQ(threads_started, 4);
  EXPECT_EQ(thread_exits, 4);
  EXPECT_EQ(process_exits, 1);
}

TEST_F(ExecTracerTest, AThousandShortProcessesAreAllThere) {
  auto t = open();
  ASSERT_TRUE(t);
  std::vector<pid_t> pids;
  Seen seen;
  for (int i = 0; i < 1000; ++i) {
    pid_t p = spawn({"/bin/true"});
    wait_status(p);
    pids.push_back(p);
    if (i % 100 == 99) drain(*t, seen);
  }
  drain_until_exited(*t, seen, pids);
  size_t execs = 0, exits = 0;
  for (pid_t p : pids) {
    execs += seen.exec_of(p) != nullptr;
    exits += seen.process_exit(p) != nullptr;
  }
  EXPECT_EQ(execs, 1000u);
  EXPECT_EQ(exits, 1000u);
  EXPECT_EQ(t->lost().total(), 0u);
}

TEST_F(ExecTracerTest, CpuTimeAndPeakRssAgreeWithRusage) {
  auto t = open();
  ASSERT_TRUE(t);
  pid_t busy = ::fork();
  if (busy == 0) {
    // 300 ms of CPU, however busy the machine is.
    volatile double x = 1;
    timespec ts{};
    do {
      for (int i = 0; i < 10000; ++i) x = x * 1.0000001 + 1e-9;
      ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    } while (ts.tv_sec * 1'000'000'000LL + ts.tv_nsec < 300'000'000LL);
    ::_exit(0);
  }
  pid_t big = ::fork();
  if (big == 0) {
    size_t n = size_t{100} << 20;
    char* p = static_cast<char*>(::mmap(nullptr, n, PROT_READ | PROT_WRITE,
                                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    for (size_t i = 0; i < n; i += 4096) p[i] = 1;
    ::_exit(0);
  }
  rusage busy_ru{}, big_ru{};
  wait_status(busy, &busy_ru);
  wait_status(big, &big_ru);
  Seen seen;
  drain_until_exited(*t, seen, {busy, big});
  ASSERT_NE(seen.process_exit(busy), nullptr);
  double ru_cpu = busy_ru.ru_utime.tv_sec * 1e9 + busy_ru.ru_utime.tv_usec * 1e3 +
                  busy_ru.ru_stime.tv_sec * 1e9 + busy_ru.ru_stime.tv_usec * 1e3;
  double cpu = static_cast<double>(seen.process_exit(busy)->cpu_ns.value_or(0));
  EXPECT_NEAR(cpu, ru_cpu, ru_cpu * 0.05) << "cpu_ns " << cpu << " rusage " << ru_cpu;
  EXPECT_GT(cpu, 250e6);
  ASSERT_NE(seen.process_exit(big), nullptr);
  double rss = static_cast<double>(seen.process_exit(big)->maxrss_bytes.value_or(0));
  // At least what it touched (sanitizer builds add their own memory on top),
  // and what wait4 says within 3 %.
  EXPECT_GE(rss, 100.0 * (1 << 20)) << rss;
  EXPECT_NEAR(rss, big_ru.ru_maxrss * 1024.0, big_ru.ru_maxrss * 1024.0 * 0.03) << rss;
  EXPECT_GT(seen.process_exit(big)->start_ns, 0);
}

// Short processes end between scheduler ticks: the runtime since their last
// accounting must still be in cpu_ns, as it is in wait4's rusage.
TEST_F(ExecTracerTest, ShortProcessesCpuTimeAgreesWithRusage) {
  auto t = open();
  ASSERT_TRUE(t);
  std::vector<pid_t> pids;
  double ru_total = 0;
  std::map<pid_t, double> ru_of;
  for (int i = 0; i < 200; ++i) {
    pid_t p = spawn({"/bin/true"});
    rusage ru{};
    wait_status(p, &ru);
    double ns = ru.ru_utime.tv_sec * 1e9 + ru.ru_utime.tv_usec * 1e3 +
                ru.ru_stime.tv_sec * 1e9 + ru.ru_stime.tv_usec * 1e3;
    ru_of[p] = ns;
    ru_total += ns;
    pids.push_back(p);
  }
  Seen seen;
  drain_until_exited(*t, seen, pids);
  double total = 0;
  int zero = 0;
  for (pid_t p : pids) {
    ASSERT_NE(seen.process_exit(p), nullptr) << p;
    total += static_cast<double>(seen.process_exit(p)->cpu_ns.value_or(0));
    zero += seen.process_exit(p)->cpu_ns.value_or(0) == 0;
    EXPECT_TRUE(seen.process_exit(p)->cpu_final) << p;
  }
  EXPECT_EQ(zero, 0);
  // rusage has microseconds; over 200 processes that rounding is < 0.1 ms.
  EXPECT_NEAR(total, ru_total, ru_total * 0.05) << "cpu_ns " << total << " rusage " << ru_total;
}

void spin_cpu(clockid_t clock, int64_t ns) {
  volatile double x = 1;
  timespec ts{};
  do {
    for (int i = 0; i < 10000; ++i) x = x * 1.0000001 + 1e-9;
    ::clock_gettime(clock, &ts);
  } while (ts.tv_sec * 1'000'000'000LL + ts.tv_nsec < ns);
}

// The leader ends first (a zombie until the group dies) and a non-leader
// thread is the last: its own runtime, the leader's and nothing twice.
TEST_F(ExecTracerTest, CpuTimeWhenANonLeaderThreadIsTheLast) {
  auto t = open();
  ASSERT_TRUE(t);
  pid_t child = ::fork();
  if (child == 0) {
    std::thread([] {
      spin_cpu(CLOCK_THREAD_CPUTIME_ID, 200'000'000);
      ::syscall(SYS_exit, 0);  // this thread only: the last one
    }).detach();
    spin_cpu(CLOCK_THREAD_CPUTIME_ID, 100'000'000);
    ::syscall(SYS_exit, 0);  // the leader thread only
  }
  rusage ru{};
  int status = wait_status(child, &ru);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  Seen seen;
  drain_until_exited(*t, seen, {child});
  const ExecLifecycleExit* x = seen.process_exit(child);
  ASSERT_NE(x, nullptr);
  EXPECT_NE(x->tid, child);  // the last thread was not the leader
  EXPECT_TRUE(x->cpu_final);
  double ru_cpu = ru.ru_utime.tv_sec * 1e9 + ru.ru_utime.tv_usec * 1e3 +
                  ru.ru_stime.tv_sec * 1e9 + ru.ru_stime.tv_usec * 1e3;
  EXPECT_GT(ru_cpu, 290e6);
  EXPECT_NEAR(static_cast<double>(x->cpu_ns.value_or(0)), ru_cpu, ru_cpu * 0.05)
      << "cpu_ns " << x->cpu_ns.value_or(0) << " rusage " << ru_cpu;
}

TEST_F(ExecTracerTest, TreeScopeLeavesOutsidersOutAllScopeHasThem) {
  // Tree rooted at a child that waits to be told to exec; a sibling is outside.
  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  pid_t root = ::fork();
  if (root == 0) {
    char c;
    (void)!::read(go[0], &c, 1);
    ::execl("/bin/true", "true", "inside", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  auto tree = open(options(ExecScope::kTree, root));
  auto all = open(options(ExecScope::kAll, 0));
  ASSERT_TRUE(tree && all);
  pid_t outside = spawn({"/bin/true", "outside"});
  (void)!::write(go[1], "g", 1);
  wait_status(root);
  wait_status(outside);
  Seen in_tree, in_all;
  drain_until_exited(*tree, in_tree, {root});
  drain_until_exited(*all, in_all, {root, outside});
  EXPECT_NE(in_tree.exec_of(root), nullptr);
  EXPECT_EQ(in_tree.exec_of(outside), nullptr);
  EXPECT_NE(in_all.exec_of(root), nullptr);
  EXPECT_NE(in_all.exec_of(outside), nullptr);
}

TEST_F(ExecTracerTest, AnExcludedShellHidesOnlyItsOwnExec) {
  ExecTracerOptions o = options(ExecScope::kTree, 0);
  o.exclude_comms = {"sh", "dash"};
  auto t = open(o);
  ASSERT_TRUE(t);
  pid_t sh = spawn({"/bin/sh", "-c", "/bin/true one; /bin/true two"});
  wait_status(sh);
  Seen seen;
  drain_until_exited(*t, seen, {sh});
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  drain(*t, seen);
  int trues = 0;
  for (const auto& e : seen.execs) {
    EXPECT_NE(e.comm, "sh");
    EXPECT_NE(e.comm, "dash");
    trues += e.comm == "true" && e.ppid == sh;
  }
  EXPECT_EQ(trues, 2);  // the shell's children are still tracked
}

TEST_F(ExecTracerTest, AOnePageRingCountsEveryDropExactly) {
  ExecTracerOptions o = options(ExecScope::kTree, 0);
  o.ring_bytes = 4096;
  auto t = open(o);
  ASSERT_TRUE(t);
  const int n = 300;
  std::vector<pid_t> pids;
  for (int i = 0; i < n; ++i) {  // nobody polls meanwhile
    pid_t p = spawn({"/bin/true"});
    wait_status(p);
    pids.push_back(p);
  }
  Seen seen;
  drain(*t, seen);
  ExecLost lost = t->lost();
  size_t forks = 0, execs = 0, exits = 0;
  for (const auto& f : seen.forks) forks += f.parent_pid == ::getpid();
  for (pid_t p : pids) execs += seen.exec_of(p) != nullptr;
  for (const auto& e : seen.exits) exits += e.group_dead;
  EXPECT_GT(lost.exec + lost.fork + lost.exit, 0u);
  EXPECT_EQ(forks + lost.fork, static_cast<size_t>(n));
  EXPECT_EQ(execs + lost.exec, static_cast<size_t>(n));
  EXPECT_EQ(exits + lost.exit, static_cast<size_t>(n));
}

TEST_F(ExecTracerTest, HostileNamesComeBackByteExact) {
  testing::TempDir tmp;
  auto t = open();
  ASSERT_TRUE(t);
  std::vector<std::string> names = {"<script>", "'; DROP TABLE", "a,b\"c"};
  std::vector<pid_t> pids;
  for (const auto& name : names) {
    std::string path = tmp.path() + "/" + name;
    std::filesystem::copy_file("/bin/true", path);
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
    pids.push_back(spawn({path}));
    wait_status(pids.back());
  }
  Seen seen;
  drain_until_exited(*t, seen, pids);
  for (size_t i = 0; i < names.size(); ++i) {
    ASSERT_NE(seen.exec_of(pids[i]), nullptr) << names[i];
    EXPECT_EQ(seen.exec_of(pids[i])->comm, names[i]);
    EXPECT_EQ(seen.exec_of(pids[i])->filename, tmp.path() + "/" + names[i]);
    EXPECT_EQ(seen.process_exit(pids[i])->comm, names[i]);
  }
}

}  // namespace
}  // namespace ktel
