// The sched source end to end: `ktel record --sources sched` on the real
// kernel, read back with the sqlite3 CLI; losses reconciled with the kernel's
// own counters; tracing state left as found after normal ends, SIGINT and
// SIGKILL.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "e2e_util.h"
#include "model/episode_layout.h"
#include "sources/sched/testing/tracefs_fixture.h"
#include "sys/tracefs_instance.h"

namespace ktel::e2e {
namespace {

using layout::db;

class SchedE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    KTEL_REQUIRE_ROOT("the sched source needs root for its ftrace instance");
    std::string why;
    auto root = ktel::testing::tracefs_for_tests(why);
    ASSERT_TRUE(root.has_value()) << why;
    root_ = *root;
    before_ = ktel::testing::global_tracing_snapshot(root_);
  }

  // The episode's own instance is gone, no ktel-* instance is stale (other
  // tests may be recording right now), and every global tracing file is as
  // it was.
  void expect_left_as_found(const std::string& ep) {
    auto meta = read_json(ep + "/meta.json");
    std::string instance = meta["sources"]["sched"]["details"].value("instance", "");
    EXPECT_FALSE(instance.empty()) << meta["sources"]["sched"].dump();
    EXPECT_FALSE(std::filesystem::exists(instance)) << instance;
    EXPECT_EQ(ktel::testing::stale_ktel_instances(root_), std::vector<std::string>{});
    EXPECT_EQ(ktel::testing::global_tracing_snapshot(root_), before_);
  }

  std::string root_;
  std::map<std::string, std::string> before_;
  TempDir tmp_;
};

TEST_F(SchedE2E, PingPongSwitchesAreAllThereWithNothingLost) {
  const int rounds = 5000;
  std::string ep = tmp_ / "ep";
  // Both partners on CPU 0: the CPU is never idle while they run.
  RunResult r = run_ktel({"record", "-q", "-o", ep, "--sources", "sched", "--require", "sched",
                          "--", "taskset", "-c", "0", ktel_bin(), "__workload", "pingpong",
                          std::to_string(rounds)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Each round trip blocks and wakes both partners once: at least one
  // switch-in of each per round.
  EXPECT_GE(sql_int(db(ep), "SELECT COUNT(*) FROM sched_switch WHERE next_comm='pingpong-a'"), rounds);
  EXPECT_GE(sql_int(db(ep), "SELECT COUNT(*) FROM sched_switch WHERE next_comm='pingpong-b'"), rounds);
  auto meta = read_json(ep + "/meta.json");
  EXPECT_EQ(meta["sources"]["sched"]["status"], "ok") << meta["sources"]["sched"].dump();
  EXPECT_EQ(meta["sources"]["sched"]["lost"], 0);
  // Everything the kernel wrote was captured: parsed == read by our readers.
  EXPECT_EQ(sql_int(db(ep), "SELECT SUM(events_parsed) FROM capture_stats WHERE phase='final'"),
            sql_int(db(ep), "SELECT SUM(read_events) FROM capture_stats WHERE phase='final'"));
  EXPECT_EQ(sql_int(db(ep), "SELECT COUNT(*) FROM events WHERE kind='sched_lost_events'"), 0);
  for (const char* k : {"sched_started", "sched_finished"}) {
    EXPECT_EQ(sql_int(db(ep), std::string("SELECT COUNT(*) FROM events WHERE kind='") + k + "'"), 1)
        << k;
  }
  EXPECT_TRUE(std::filesystem::exists(ep + "/raw/sched/formats/sched/sched_switch/format"));
  expect_left_as_found(ep);
}

TEST_F(SchedE2E, LossesFromATinyBufferEqualTheKernelsCounters) {
  std::string ep = tmp_ / "ep";
  RunResult r = run_ktel({"record", "-q", "-o", ep, "--sources", "sched", "--buffer-size", "16",
                          "--sched-drain-period", "1h", "--", ktel_bin(), "__workload", "pingpong",
                          "20000"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string fin = "FROM capture_stats WHERE phase='final'";
  const int64_t kernel_lost =
      sql_int(db(ep), "SELECT SUM(overrun + commit_overrun + dropped_events) " + fin);
  ASSERT_GT(kernel_lost, 0) << "16 KB per CPU with a stalled reader must overflow";
  auto meta = read_json(ep + "/meta.json");
  EXPECT_EQ(meta["sources"]["sched"]["lost"], kernel_lost);
  // Written by the kernel = captured + reported lost.
  EXPECT_EQ(sql_int(db(ep), "SELECT SUM(events_parsed) " + fin),
            sql_int(db(ep), "SELECT SUM(read_events) " + fin));
  // Pages read after overwritten events carry the flag and, where the page
  // has room, the count: a lower bound that locates the gaps. The kernel's
  // counters above are the authority on how many were lost.
  const int64_t flagged = sql_int(db(ep), "SELECT SUM(missed_events_flagged) " + fin);
  EXPECT_GT(flagged, 0);
  EXPECT_LE(flagged, sql_int(db(ep), "SELECT SUM(overrun) " + fin));
  EXPECT_EQ(sql_int(db(ep), "SELECT COALESCE(SUM(json_extract(fields,'$.count')),0) FROM events "
                            "WHERE kind='sched_lost_events'"),
            kernel_lost);
  expect_left_as_found(ep);
}

TEST_F(SchedE2E, SigintLeavesNoInstanceAndAReadableEpisode) {
  std::string ep = tmp_ / "ep";
  pid_t ktel = start_background({ktel_bin(), "record", "-o", ep, "--sources", "sched", "--",
                                 "sleep", "30"},
                                tmp_.path());
  ASSERT_TRUE(eventually([&] {
    return try_sql_int(db(ep), "SELECT COUNT(*) FROM events WHERE kind='sched_started'") > 0;
  }, 20));
  ASSERT_EQ(::kill(ktel, SIGINT), 0);
  EXPECT_EQ(wait_child(ktel, 30), 128 + SIGINT);
  EXPECT_EQ(read_json(ep + "/meta.json")["status"], "interrupted");
  EXPECT_GT(sql_int(db(ep), "SELECT COUNT(*) FROM sched_switch"), 0);
  expect_left_as_found(ep);
}

TEST_F(SchedE2E, SigkilledRunsInstanceIsRemovedByTheNextRun) {
  std::string ep = tmp_ / "ep";
  pid_t ktel = start_background({ktel_bin(), "record", "-o", ep, "--sources", "sched", "--",
                                 "sleep", "29.125"},
                                tmp_.path());
  const std::string instance = root_ + "/instances/ktel-" + std::to_string(ktel);
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(instance); }, 20));
  ASSERT_EQ(::kill(ktel, SIGKILL), 0);
  wait_child(ktel, 10);
  // The orphaned workload outlives its killed recorder.
  run({"pkill", "-f", "^sleep 29.125$"});
  ASSERT_TRUE(std::filesystem::exists(instance)) << "SIGKILL leaves the instance behind";
  std::string ep2 = tmp_ / "ep2";
  RunResult r = run_ktel({"record", "-q", "-o", ep2, "--sources", "sched", "--", "true"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(std::filesystem::exists(instance));
  EXPECT_EQ(sql_int(db(ep2), "SELECT COUNT(*) FROM events WHERE kind='sched_stale_instances_removed'"),
            1);
  expect_left_as_found(ep2);
}

}  // namespace
}  // namespace ktel::e2e
