// The ftrace fallback's derivation on hand-made event streams: threads told
// from processes by task_newtask's clone flags, a non-leader exec, exits with
// and without group_dead, and the choice of /proc note for each exec.
#include "sources/exec/ftrace_lifecycle.h"

#include <gtest/gtest.h>

namespace ktel::exec {
namespace {

using sched::SchedEvent;

SchedEvent at(int64_t ts, sched::SchedPayload p) {
  SchedEvent e;
  e.ts_ns = ts;
  e.payload = std::move(p);
  return e;
}
SchedEvent newtask(int64_t ts, int32_t pid, uint64_t flags) {
  return at(ts, sched::OtherEvent{"task", "task_newtask",
                                  "{\"pid\":" + std::to_string(pid) +
                                      ",\"comm\":\"x\",\"clone_flags\":" + std::to_string(flags) +
                                      ",\"oom_score_adj\":0}"});
}
SchedEvent fork_of(int64_t ts, int32_t parent, int32_t child) {
  return at(ts, sched::ForkEvent{sched::Comm("p"), parent, sched::Comm("p"), child});
}
SchedEvent exit_of(int64_t ts, int32_t tid, int8_t group_dead) {
  return at(ts, sched::ExitEvent{sched::Comm("c"), tid, 120, group_dead});
}
ProcArgvNote note(int64_t seen, int32_t pid, std::string comm, std::vector<std::string> argv) {
  return {.seen_ns = seen, .pid = pid, .ppid = 1, .uid = 7, .comm = std::move(comm),
          .argv = std::move(argv), .argv_bytes = 9, .argc = 2};
}

TEST(FtraceLifecycle, ThreadsAndProcessesByCloneFlags) {
  ArgvIndex index;
  index.freeze();
  FtraceLifecycle l(index);
  EXPECT_FALSE(l.convert(newtask(1, 101, 0x3d0f00)));  // pthread_create's flags: CLONE_THREAD
  auto t = l.convert(fork_of(2, 100, 101));
  ASSERT_TRUE(t);
  const auto& tf = std::get<ExecLifecycleFork>(*t);
  EXPECT_TRUE(tf.is_thread);
  EXPECT_EQ(tf.child_pid, 100);
  EXPECT_EQ(tf.child_tid, 101);
  l.convert(newtask(3, 200, 0x1200011));  // fork(): SIGCHLD | CLONE_CHILD_*
  const auto pf = std::get<ExecLifecycleFork>(*l.convert(fork_of(4, 101, 200)));
  EXPECT_FALSE(pf.is_thread);
  EXPECT_EQ(pf.parent_pid, 100) << "a thread's fork comes from its process";
  EXPECT_EQ(pf.parent_tid, 101);
  EXPECT_EQ(pf.child_pid, 200);
  // The thread exits (not the process), then the process's last thread.
  const auto te = std::get<ExecLifecycleExit>(*l.convert(exit_of(5, 101, 0)));
  EXPECT_EQ(te.pid, 100);
  EXPECT_FALSE(te.group_dead);
  const auto pe = std::get<ExecLifecycleExit>(*l.convert(exit_of(6, 200, 1)));
  EXPECT_TRUE(pe.group_dead);
  EXPECT_EQ(pe.ppid, 100);
  EXPECT_FALSE(pe.exit_code);
  EXPECT_FALSE(pe.cpu_ns);
  EXPECT_EQ(l.counts().fork_kind_unknown, 0u);
  // No task_newtask: taken as a process and counted.
  EXPECT_FALSE(std::get<ExecLifecycleFork>(*l.convert(fork_of(7, 100, 300))).is_thread);
  EXPECT_EQ(l.counts().fork_kind_unknown, 1u);
}

TEST(FtraceLifecycle, ANonLeaderExecTakesTheLeadersIdAndGuessesGroupDeadOnOldKernels) {
  ArgvIndex index;
  index.freeze();
  FtraceLifecycle l(index);
  l.convert(newtask(1, 11, 0x10000));
  l.convert(fork_of(2, 10, 11));
  const auto e = std::get<ExecLifecycleExec>(
      *l.convert(at(3, sched::ExecEvent{"/usr/bin/env", 10, 11})));
  EXPECT_EQ(e.pid, 10);
  EXPECT_EQ(e.tid, 11);
  EXPECT_EQ(e.comm, "env");
  EXPECT_FALSE(e.argv_known);
  EXPECT_EQ(l.counts().argv_missing, 1u);
  const auto x = std::get<ExecLifecycleExit>(*l.convert(exit_of(4, 10, -1)));
  EXPECT_TRUE(x.group_dead);  // the leader, on a kernel without group_dead
  EXPECT_EQ(l.counts().group_dead_guessed, 1u);
}

TEST(ArgvIndex, TheNoteAfterTheExecWithItsNameBeforeTheNextBoundary) {
  ArgvIndex index;
  index.add_note(note(50, 10, "sh", {"sh", "-c"}));          // the image before
  index.add_note(note(1'000'150, 10, "make", {"make", "-j2"}));  // after the exec at 1'000'100
  index.add_note(note(6'000'000, 10, "cc", {"cc", "x.c"}));  // after the next exec
  index.add_boundary(10, 1'000'100);
  index.add_boundary(10, 5'000'000);
  index.freeze();
  const ProcArgvNote* n = index.for_exec(10, 1'000'100, "make");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->argv, (std::vector<std::string>{"make", "-j2"}));
  // The exec at 5'000'000 ends make's window and starts cc's.
  EXPECT_EQ(index.for_exec(10, 5'000'000, "cc")->argv[0], "cc");
  EXPECT_EQ(index.for_exec(10, 5'000'000, "make"), nullptr) << "make's note is before the exec";
  EXPECT_EQ(index.for_exec(11, 5, "x"), nullptr);
  // A note just before the tracepoint (within the slack) with the new name counts.
  ArgvIndex early;
  early.add_note(note(999'500, 20, "ls", {"ls"}));
  early.add_boundary(20, 1'000'000);
  early.freeze();
  ASSERT_NE(early.for_exec(20, 1'000'000, "ls"), nullptr);
  EXPECT_EQ(early.for_exec(20, 1'000'000 + kNoteSlackNs + 600, "ls"), nullptr);
  // ... but not one from before the pid's previous exec (the same name again).
  ArgvIndex again;
  again.add_note(note(999'500, 21, "sh", {"sh", "old"}));
  again.add_boundary(21, 999'800);
  again.add_boundary(21, 1'000'000);
  again.freeze();
  EXPECT_EQ(again.for_exec(21, 1'000'000, "sh"), nullptr);
}

TEST(FtraceLifecycle, AnExecGetsItsNotesArgvUidAndParent) {
  ArgvIndex index;
  index.add_note(note(120, 30, "ls", {"ls", "-l"}));
  index.add_boundary(30, 100);
  index.freeze();
  FtraceLifecycle l(index);
  const auto e = std::get<ExecLifecycleExec>(*l.convert(at(100, sched::ExecEvent{"/bin/ls", 30, 30})));
  EXPECT_TRUE(e.argv_known);
  EXPECT_EQ(e.argv, (std::vector<std::string>{"ls", "-l"}));
  EXPECT_EQ(e.uid, 7u);
  EXPECT_EQ(e.ppid, 1);
  EXPECT_FALSE(e.cgroup_id);
  EXPECT_EQ(l.counts().argv_from_proc, 1u);
}

}  // namespace
}  // namespace ktel::exec
