// The exec source's ftrace + /proc fallback against the real kernel: forced
// with --exec-backend ftrace, it must still record the target tree's execs,
// forks and exits, give argv to processes that lived a /proc scan, leave out
// outsiders, and say loudly what it is and what it lacks. Needs root;
// KTEL_REQUIRE_KERNEL=1 turns a skip into a failure.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "base/testing/kernel_required.h"
#include "sources/exec/exec_source.h"
#include "sources/exec/exec_test_support.h"

namespace ktel::exec {
namespace {

class ExecFallbackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) KTEL_SKIP_OR_FAIL("the exec source's ftrace fallback needs root");
  }
};

TEST_F(ExecFallbackTest, ForcedOffBpfItStillRecordsTheTreeAndSaysWhatItLacks) {
  Harness h;
  HeldChild target = held({"/bin/sh", "-c",
                           "/bin/sleep 0.3; /bin/sh -c 'exit 7'; /bin/true 'a b'; exit 3"});
  SourceContext ctx = h.ctx(target.pid());
  ctx.options.exec_backend = "ftrace";
  ExecSource source;
  ASSERT_TRUE(source.start(ctx).is_ok());
  pid_t outsider = run_outsider();
  ExitInfo info = run_to_exit(target);
  EXPECT_EQ(info.code, 3);
  Status stopped = source.stop();
  ASSERT_TRUE(stopped.is_ok()) << stopped.to_string();

  // Loud: the event, the report's backend and what is missing.
  std::vector<Event> unavailable = h.of_kind("exec_unavailable");
  ASSERT_EQ(unavailable.size(), 1u);
  EXPECT_EQ(unavailable[0].fields.at("fallback"), "ftrace");
  EXPECT_NE(unavailable[0].fields.at("reason").get<std::string>().find("--exec-backend ftrace"),
            std::string::npos);
  EXPECT_FALSE(unavailable[0].fields.at("missing").empty());
  SourceReport r = source.report();
  EXPECT_EQ(r.status, "ok") << r.reason;
  EXPECT_EQ(r.details.at("backend"), "ftrace");
  EXPECT_EQ(r.lost, 0u);

  // The target's own row: exec'd sh, exit code unknown to ftrace.
  std::optional<Row> top = h.process(target.pid());
  ASSERT_TRUE(top);
  EXPECT_EQ(as_text(top->at("filename")), "/bin/sh");
  EXPECT_TRUE(is_null(top->at("exit_code")));
  EXPECT_TRUE(is_null(top->at("cpu_ns")));
  EXPECT_FALSE(is_null(top->at("exit_ns")));
  // sleep lived 300 ms, many scans: its argv comes from /proc.
  int sleeps = 0;
  int trues = 0;
  int shells = 0;
  for (const Row& e : h.sink.rows("exec_events")) {
    std::string file = as_text(e.at("filename"));
    if (file == "/bin/sleep") {
      ++sleeps;
      EXPECT_EQ(nlohmann::json::parse(as_text(e.at("argv"))),
                nlohmann::json({"/bin/sleep", "0.3"}));
      EXPECT_EQ(as_int(e.at("ppid")), target.pid());
    } else if (file == "/bin/true") {
      ++trues;  // a short life: argv only if a scan caught it
      if (!is_null(e.at("argv"))) {
        EXPECT_EQ(nlohmann::json::parse(as_text(e.at("argv"))), nlohmann::json({"/bin/true", "a b"}));
      }
    } else if (file == "/bin/sh") {
      ++shells;
    }
  }
  EXPECT_EQ(sleeps, 1);
  EXPECT_EQ(trues, 1);
  EXPECT_EQ(shells, 2);  // the target and the one exiting 7
  // Every exec has its argv from /proc or is counted as missing.
  EXPECT_EQ(r.details.at("argv_from_proc").get<uint64_t>() +
                r.details.at("argv_missing").get<uint64_t>(),
            4u);
  // Three process forks of the target (sleep, sh, true), none a thread.
  int forks = 0;
  for (const Row& f : h.sink.rows("forks")) {
    if (as_int(f.at("parent_pid")) != target.pid()) continue;
    ++forks;
    EXPECT_EQ(as_int(f.at("is_thread")), 0);
  }
  EXPECT_EQ(forks, 3);
  EXPECT_FALSE(h.process(outsider)) << "tree scope left the outsider in";
}

TEST_F(ExecFallbackTest, AllScopeSeesOutsiders) {
  Harness h;
  HeldChild target = held({"/bin/sleep", "0.2"});
  SourceContext ctx = h.ctx(target.pid(), "all");
  ctx.options.exec_backend = "ftrace";
  ExecSource source;
  ASSERT_TRUE(source.start(ctx).is_ok());
  pid_t outsider = run_outsider();
  run_to_exit(target);
  ASSERT_TRUE(source.stop().is_ok());
  EXPECT_TRUE(h.process(outsider)) << "all scope left the outsider out";
  EXPECT_TRUE(h.process(target.pid()));
}

}  // namespace
}  // namespace ktel::exec
