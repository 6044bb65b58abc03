// ProcessBuilder on hand-made record streams: a normal fork/exec/exit, a
// process seen only at exec and exit, threads, pid reuse after a lost exit,
// a killed process, one still running, and re-exec.
#include "sources/exec/process_builder.h"

#include <gtest/gtest.h>

namespace ktel::exec {
namespace {

ExecLifecycleFork fork_of(int64_t ts, int32_t parent, int32_t child, bool thread = false) {
  return {.ts_ns = ts, .parent_pid = parent, .parent_tid = parent, .child_pid = thread ? parent : child,
          .child_tid = child, .is_thread = thread, .uid = 1000, .cgroup_id = 77,
          .child_start_ns = ts - 1, .comm = "parent"};
}

ExecLifecycleExec exec_of(int64_t ts, int32_t pid, int32_t ppid, std::string comm,
                          std::vector<std::string> argv) {
  ExecLifecycleExec e;
  e.ts_ns = ts;
  e.pid = pid;
  e.tid = pid;
  e.ppid = ppid;
  e.uid = 0;
  e.cgroup_id = 88;
  e.comm = std::move(comm);
  e.filename = "/bin/" + e.comm;
  e.argv = std::move(argv);
  return e;
}

ExecLifecycleExit exit_of(int64_t ts, int32_t pid, int32_t tid, bool last, int64_t start = 0) {
  ExecLifecycleExit x;
  x.ts_ns = ts;
  x.pid = pid;
  x.tid = tid;
  x.ppid = 1;
  x.exit_code = 0;
  x.group_dead = last;
  x.cpu_ns = last ? 123 : 0;
  x.maxrss_bytes = last ? 4096 * 10 : 0;
  x.start_ns = start;
  x.comm = "exit-name";
  return x;
}

TEST(ProcessBuilderTest, ForkExecExitMakesOneCompleteRow) {
  ProcessBuilder b;
  b.add(fork_of(100, 10, 11));
  b.add(exec_of(110, 11, 10, "make", {"make", "-j2"}));
  ExecLifecycleExit x = exit_of(200, 11, 11, true, 99);
  x.exit_code = 2;
  b.add(x);
  auto rows = b.finish();
  ASSERT_EQ(rows.size(), 1u);
  const ProcessRow& r = rows[0];
  EXPECT_EQ(r.pid, 11);
  EXPECT_EQ(r.ppid, 10);
  EXPECT_EQ(r.start_ns, 99);
  EXPECT_EQ(r.exec_ns, 110);
  EXPECT_EQ(r.exit_ns, 200);
  EXPECT_EQ(r.duration_ns(), 101);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(r.signal);
  EXPECT_EQ(r.comm, "make");
  EXPECT_EQ(r.filename, "/bin/make");
  EXPECT_EQ(r.argv, (std::vector<std::string>{"make", "-j2"}));
  EXPECT_EQ(r.cpu_ns, 123u);
  EXPECT_EQ(r.maxrss_bytes, 40960u);
  EXPECT_EQ(r.uid, 0u);          // the exec's, not the fork's
  EXPECT_EQ(r.cgroup_id, 88u);
  EXPECT_EQ(r.exec_count, 1);
  EXPECT_TRUE(b.finish().empty());
}

TEST(ProcessBuilderTest, AProcessSeenOnlyAtExecAndExitTakesItsStartFromTheExit) {
  ProcessBuilder b;
  b.add(exec_of(50, 7, 3, "sh", {"sh"}));
  b.add(exit_of(80, 7, 7, true, 20));
  auto rows = b.finish();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].ppid, 3);
  EXPECT_EQ(rows[0].start_ns, 20);
  EXPECT_EQ(rows[0].duration_ns(), 60);
}

TEST(ProcessBuilderTest, ThreadsNeitherMakeRowsNorEndTheProcess) {
  ProcessBuilder b;
  b.add(fork_of(100, 10, 11));
  b.add(fork_of(110, 11, 12, /*thread=*/true));
  b.add(fork_of(111, 11, 13, /*thread=*/true));
  b.add(exit_of(120, 11, 12, false));
  b.add(exit_of(121, 11, 13, false));
  auto rows = b.finish();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].pid, 11);
  EXPECT_FALSE(rows[0].exit_ns);  // still running: only threads ended
  EXPECT_FALSE(rows[0].duration_ns());
  EXPECT_FALSE(rows[0].cpu_ns);
  EXPECT_EQ(rows[0].comm, "parent");  // inherited at fork, never exec'd
  EXPECT_EQ(rows[0].exec_count, 0);
  EXPECT_FALSE(rows[0].argv);
}

TEST(ProcessBuilderTest, AReusedPidAfterALostExitIsASecondProcess) {
  ProcessBuilder b;
  b.add(fork_of(100, 10, 11));
  b.add(exec_of(101, 11, 10, "first", {"first"}));
  // its exit was lost; the pid comes back for a new process
  b.add(fork_of(300, 10, 11));
  b.add(exit_of(310, 11, 11, true, 299));
  auto rows = b.finish();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].comm, "first");
  EXPECT_FALSE(rows[0].exit_ns);
  EXPECT_EQ(rows[1].comm, "parent");
  EXPECT_EQ(rows[1].exit_ns, 310);
  EXPECT_EQ(rows[1].start_ns, 299);
}

TEST(ProcessBuilderTest, KilledRunningAndReExecdProcesses) {
  ProcessBuilder b;
  b.add(fork_of(100, 1, 20));
  ExecLifecycleExit killed = exit_of(150, 20, 20, true);
  killed.exit_code.reset();
  killed.signal = 9;
  killed.core_dumped = false;
  b.add(killed);
  b.add(fork_of(200, 1, 30));
  b.add(exec_of(210, 30, 1, "sh", {"sh", "-c", "exec sleep 1"}));
  b.add(exec_of(220, 30, 1, "sleep", {"sleep", "1"}));
  auto rows = b.finish();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].pid, 20);
  EXPECT_EQ(rows[0].signal, 9);
  EXPECT_FALSE(rows[0].exit_code);
  EXPECT_EQ(rows[0].start_ns, 99);  // from the fork: the exit carried none
  EXPECT_EQ(rows[1].pid, 30);
  EXPECT_EQ(rows[1].exec_count, 2);
  EXPECT_EQ(rows[1].comm, "sleep");
  EXPECT_EQ(rows[1].exec_ns, 220);
  EXPECT_FALSE(rows[1].exit_ns);
}

TEST(ProcessBuilderTest, RowsAreInStartOrderAndNoDurationIsNegative) {
  ProcessBuilder b;
  b.add(exec_of(500, 5, 1, "late", {}));   // start unknown: ordered by first seen
  b.add(fork_of(300, 1, 6));
  b.add(exit_of(250, 6, 6, true, 400));    // hostile: exit before start
  auto rows = b.finish();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].pid, 6);
  EXPECT_EQ(rows[1].pid, 5);
  EXPECT_FALSE(rows[0].duration_ns());
}

TEST(ProcessBuilderTest, AnRssRecordSetsThePeakOfItsOwnProcessOnly) {
  ProcessBuilder b;
  b.add(fork_of(100, 10, 11));  // start 99
  ExecLifecycleRss rss;
  rss.ts_ns = 190;
  rss.pid = 11;
  rss.start_ns = 99;
  rss.peak_bytes = 5 << 20;
  b.add(rss);
  ExecLifecycleRss other = rss;  // the same pid, another process
  other.start_ns = 50;
  other.peak_bytes = 9 << 20;
  b.add(other);
  b.add(exit_of(200, 11, 11, true, 99));
  b.add(fork_of(300, 10, 12));  // no --exec-rss record
  auto rows = b.finish();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].rss_peak_bytes, uint64_t{5} << 20);
  EXPECT_FALSE(rows[1].rss_peak_bytes);
}

// The ftrace fallback knows no uid, cgroup, CPU or RSS and may miss argv:
// the row keeps them unknown instead of zeros.
TEST(ProcessBuilderTest, UnknownFieldsStayUnknown) {
  ProcessBuilder b;
  ExecLifecycleFork f = fork_of(100, 10, 11);
  f.uid.reset();
  f.cgroup_id.reset();
  b.add(f);
  ExecLifecycleExec e = exec_of(110, 11, 0, "ls", {});
  e.argv_known = false;
  e.uid.reset();
  e.cgroup_id.reset();
  b.add(e);
  ExecLifecycleExit x = exit_of(200, 11, 11, true);
  x.cpu_ns.reset();
  x.maxrss_bytes.reset();
  x.exit_code.reset();
  x.ppid = 0;
  b.add(x);
  auto rows = b.finish();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].ppid, 10) << "from the fork; the exec and exit knew none";
  EXPECT_FALSE(rows[0].argv);
  EXPECT_FALSE(rows[0].uid);
  EXPECT_FALSE(rows[0].cgroup_id);
  EXPECT_FALSE(rows[0].cpu_ns);
  EXPECT_FALSE(rows[0].maxrss_bytes);
  EXPECT_FALSE(rows[0].exit_code);
  EXPECT_EQ(rows[0].filename, "/bin/ls");
}

}  // namespace
}  // namespace ktel::exec
