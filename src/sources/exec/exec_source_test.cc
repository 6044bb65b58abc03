// ExecSource against the real kernel with an in-memory sink: a held target's
// tree with exit codes and argv, outsiders left out, exact loss accounting
// from a one-page ring nobody polls, cgroup scope in a cgroup of its own,
// seeding of an attached target's existing children, and the tables rebuilt
// from raw/exec. Needs root; KTEL_REQUIRE_KERNEL=1 turns a skip into a failure.
#include "sources/exec/exec_source.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "base/testing/kernel_required.h"
#include "base/testing/temp_dir.h"
#include "model/testing/memory_sink.h"
#include "sources/exec/exec_tables.h"
#include "sources/exec/exec_test_support.h"
#include "sys/cgroup.h"
#include "sys/spawn.h"

namespace ktel::exec {
namespace {

class ExecSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) KTEL_SKIP_OR_FAIL("the exec source needs root (BPF): run as root");
  }
};

TEST_F(ExecSourceTest, TheTargetTreeBecomesRowsAndOutsidersStayOut) {
  Harness h;
  HeldChild target = held({"/bin/sh", "-c", "/bin/true one 'two words'; /bin/sh -c 'exit 5'; exit 3"});
  ExecSource source;
  ASSERT_TRUE(source.start(h.ctx(target.pid())).is_ok());
  pid_t outsider = run_outsider();
  ExitInfo info = run_to_exit(target);
  ASSERT_TRUE(source.stop().is_ok());
  EXPECT_EQ(info.code, 3);
  SourceReport r = source.report();
  EXPECT_EQ(r.status, "ok") << r.reason;
  EXPECT_EQ(r.lost, 0u);
  EXPECT_EQ(r.details["malformed"], 0);

  auto root = h.process(target.pid());
  ASSERT_TRUE(root);
  EXPECT_EQ(as_int(root->at("exit_code")), 3);
  EXPECT_EQ(as_int(root->at("ppid")), ::getpid());
  EXPECT_EQ(as_text(root->at("comm")), "sh");
  EXPECT_GT(as_int(root->at("duration_ns")), 0);
  EXPECT_GT(as_int(root->at("maxrss_bytes")), 0);
  int trues = 0, fives = 0;
  for (const auto& p : h.sink.rows("processes")) {
    if (as_int(p.at("pid")) == outsider) ADD_FAILURE() << "the outsider is in the tree's rows";
    if (is_null(p.at("argv"))) continue;
    auto argv = nlohmann::json::parse(as_text(p.at("argv")));
    if (argv == nlohmann::json({"/bin/true", "one", "two words"})) {
      ++trues;
      EXPECT_EQ(as_int(p.at("ppid")), target.pid());
      EXPECT_EQ(as_int(p.at("exit_code")), 0);
      EXPECT_EQ(as_text(p.at("filename")), "/bin/true");
    }
    if (argv == nlohmann::json({"/bin/sh", "-c", "exit 5"})) {
      ++fives;
      EXPECT_EQ(as_int(p.at("exit_code")), 5);
    }
  }
  EXPECT_EQ(trues, 1);
  EXPECT_EQ(fives, 1);
  ASSERT_EQ(h.execs_of(target.pid()).size(), 1u);
  EXPECT_EQ(h.of_kind("exec_started").size(), 1u);
  EXPECT_EQ(h.of_kind("exec_started")[0].fields["seeded"], 1);
  EXPECT_EQ(h.of_kind("exec_first_row").size(), 1u);
  ASSERT_EQ(h.of_kind("exec_finished").size(), 1u);
  EXPECT_EQ(h.of_kind("exec_finished")[0].fields["rows"], r.rows);
  EXPECT_TRUE(h.of_kind("exec_lost").empty());

  // The raw capture rebuilds the same tables.
  MemorySink again;
  auto rebuilt = build_exec_tables(h.dir.path() + "/raw/exec/records.bin", again, h.clock);
  ASSERT_TRUE(rebuilt.is_ok()) << rebuilt.status().to_string();
  EXPECT_EQ(rebuilt->counts.rows(), r.rows);
  EXPECT_EQ(again.rows("processes"), h.sink.rows("processes"));
}

TEST_F(ExecSourceTest, AOnePageRingNobodyPollsCountsEveryLossByType) {
  Harness h;
  const int n = 200;
  HeldChild target = held({"/bin/sh", "-c",
                           "i=0; while [ $i -lt " + std::to_string(n) +
                               " ]; do /bin/true; i=$((i+1)); done"});
  SourceContext ctx = h.ctx(target.pid());
  ctx.options.exec_ring_kb = 4;
  ctx.options.exec_poll_period_ns = 600'000'000'000;  // stop() is the only reader
  ExecSource source;
  ASSERT_TRUE(source.start(ctx).is_ok());
  run_to_exit(target);
  ASSERT_TRUE(source.stop().is_ok());
  SourceReport r = source.report();
  const auto& d = r.details;
  uint64_t lost_exec = d["lost"]["exec"], lost_fork = d["lost"]["fork"], lost_exit = d["lost"]["exit"];
  EXPECT_GT(lost_exec, 0u);
  EXPECT_EQ(d["ring_bytes"], 4096);
  // the shell's own exec + one per /bin/true; a fork per /bin/true; every process exits
  EXPECT_EQ(d["tables"]["exec_events"].get<uint64_t>() + lost_exec, n + 1u);
  EXPECT_EQ(d["tables"]["forks"].get<uint64_t>() + lost_fork, static_cast<uint64_t>(n));
  EXPECT_EQ(d["exits"].get<uint64_t>() + lost_exit, n + 1u);
  EXPECT_EQ(d["process_exits"], d["exits"]);  // no threads here
  EXPECT_EQ(r.lost, lost_exec + lost_fork + lost_exit);
  uint64_t reported = 0;
  for (const Event& e : h.of_kind("exec_lost")) reported += e.fields["count"].get<uint64_t>();
  EXPECT_EQ(reported, r.lost);
}

// A cgroup of the test's own under the cgroup2 mount, removed at the end.
class TestCgroup {
 public:
  TestCgroup() {
    auto self = cgroup_v2_of_pid(::getpid());
    if (!self.is_ok()) {
      why_ = self.status().to_string();
      return;
    }
    path_ = self->directory + "/ktel-exec-test-" + std::to_string(::getpid());
    if (::mkdir(path_.c_str(), 0755) != 0) {
      why_ = "mkdir " + path_ + ": " + std::strerror(errno);
      path_.clear();
    }
  }
  ~TestCgroup() {
    if (!path_.empty()) ::rmdir(path_.c_str());
  }
  const std::string& why_not() const { return why_; }
  bool ok() const { return !path_.empty(); }
  bool add(pid_t pid) const {
    std::ofstream procs(path_ + "/cgroup.procs");
    procs << pid << "\n";
    procs.flush();
    return static_cast<bool>(procs);
  }

 private:
  std::string path_;
  std::string why_;
};

TEST_F(ExecSourceTest, CgroupScopeSeesOnlyTheTargetsCgroup) {
  TestCgroup cg;
  if (!cg.ok()) KTEL_SKIP_OR_FAIL("cannot make a cgroup v2 for the test: " + cg.why_not());
  Harness h;
  HeldChild target = held({"/bin/sh", "-c", "/bin/true in-cgroup; exit 0"});
  ASSERT_TRUE(cg.add(target.pid()));
  auto target_cg = cgroup_v2_of_pid(target.pid());
  ASSERT_TRUE(target_cg.is_ok());
  ExecSource source;
  ASSERT_TRUE(source.start(h.ctx(target.pid(), "cgroup")).is_ok());
  EXPECT_EQ(h.of_kind("exec_started")[0].fields["cgroup_id"], target_cg->id);
  pid_t outsider = run_outsider();
  run_to_exit(target);
  ASSERT_TRUE(source.stop().is_ok());
  EXPECT_EQ(h.execs_of(outsider).size(), 0u);
  ASSERT_EQ(h.execs_of(target.pid()).size(), 1u);
  int in_cgroup = 0;
  for (const auto& e : h.sink.rows("exec_events")) {
    EXPECT_EQ(static_cast<uint64_t>(as_int(e.at("cgroup_id"))), target_cg->id);
    in_cgroup += as_text(e.at("argv")) == R"(["/bin/true","in-cgroup"])";
  }
  EXPECT_EQ(in_cgroup, 1);
}

TEST_F(ExecSourceTest, AnAttachedTargetsExistingChildrenAreSeeded) {
  Harness h;
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t parent = ::fork();
  if (parent == 0) {
    pid_t child = ::fork();
    if (child == 0) {
      ::execl("/bin/sleep", "sleep", "30", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    (void)!::write(ready[1], &child, sizeof child);
    int st = 0;
    ::waitpid(child, &st, 0);
    ::_exit(0);
  }
  pid_t child = 0;
  ASSERT_EQ(::read(ready[0], &child, sizeof child), static_cast<ssize_t>(sizeof child));
  ExecSource source;
  ASSERT_TRUE(source.start(h.ctx(parent)).is_ok());
  EXPECT_EQ(h.of_kind("exec_started")[0].fields["seeded"], 2);
  ::kill(child, SIGKILL);
  int st = 0;
  ::waitpid(parent, &st, 0);
  ASSERT_TRUE(source.stop().is_ok());
  auto c = h.process(child);
  ASSERT_TRUE(c) << "the child forked before attaching was not seeded";
  EXPECT_EQ(as_int(c->at("signal")), SIGKILL);
  EXPECT_TRUE(is_null(c->at("exit_code")));
  EXPECT_EQ(as_int(c->at("ppid")), parent);
  EXPECT_GT(as_int(c->at("duration_ns")), 0);
  ASSERT_TRUE(h.process(parent));
  EXPECT_EQ(as_int(h.process(parent)->at("exit_code")), 0);
}

TEST_F(ExecSourceTest, BadOptionsAreInvalidArguments) {
  Harness h;
  ExecSource bogus;
  EXPECT_EQ(bogus.start(h.ctx(::getpid(), "bogus")).code(), Code::kInvalidArgument);
  ExecSource no_target;
  EXPECT_EQ(no_target.start(h.ctx(0, "tree")).code(), Code::kInvalidArgument);
}

TEST(ExecRingSizeTest, TheDefaultIsAPowerOfTwoForTheExpectedRate) {
  EXPECT_EQ(default_ring_bytes(20'000, 25'000'000), size_t{4} << 20);
  EXPECT_EQ(default_ring_bytes(1, 25'000'000), size_t{256} << 10);
  EXPECT_EQ(default_ring_bytes(200'000, 25'000'000), size_t{32} << 20);
}

}  // namespace
}  // namespace ktel::exec
