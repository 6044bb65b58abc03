// End-to-end: `ktel record` against the real kernel, read back with sqlite3.
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <set>

#include <gtest/gtest.h>

#include "e2e_util.h"
#include "model/episode_layout.h"

namespace ktel::e2e {
namespace {

using layout::db;

std::set<std::string> event_kinds(const std::string& ep) {
  std::set<std::string> kinds;
  for (auto& row : sql(db(ep), "SELECT kind FROM events")) kinds.insert(row["kind"].get<std::string>());
  return kinds;
}

TEST(RecordE2E, SleepOneSecondProducesACompleteEpisode) {
  TempDir tmp;
  std::string ep = tmp / "ep";
  RunResult r = run_ktel({"record", "-o", ep, "--label", "case=sleep", "--", "sleep", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(file_exists(ep + "/done.marker"));
  auto meta = read_json(ep + "/meta.json");
  EXPECT_EQ(meta["status"], "complete");
  EXPECT_EQ(meta["schema_version"], 1);
  EXPECT_EQ(meta["exit"]["code"], 0);
  EXPECT_EQ(meta["labels"]["case"], "sleep");
  EXPECT_EQ(meta["target"]["argv"][0], "sleep");
  EXPECT_EQ(meta["sources"]["proc"]["status"], "ok");
  EXPECT_GT(meta["sources"]["proc"]["rows"].get<int64_t>(), 5);
  // ~10 ticks at 100 ms; the sleeper is sampled in each.
  int64_t pid = meta["target"]["pid"];
  EXPECT_GE(sql_int(db(ep), "SELECT COUNT(*) FROM proc_samples WHERE pid=" + std::to_string(pid)), 8);
  EXPECT_EQ(sql_int(db(ep), "SELECT COUNT(*) FROM proc_samples WHERE source != 'host_proc'"), 0);
  EXPECT_EQ(sql_int(db(ep), "SELECT COUNT(*) FROM labels WHERE key='case' AND value='sleep'"), 1);
  auto kinds = event_kinds(ep);
  for (const char* k : {"episode_started", "proc_started", "proc_first_row", "proc_finished",
                        "workload_started", "workload_exited", "episode_finished"}) {
    EXPECT_TRUE(kinds.count(k)) << "missing event " << k;
  }
  // The summary names every source and the episode path.
  EXPECT_NE(r.err.find("proc"), std::string::npos);
  EXPECT_NE(r.err.find(ep), std::string::npos);
}

TEST(RecordE2E, ExitCodeOfTheCommandPassesThrough) {
  TempDir tmp;
  RunResult r = run_ktel({"record", "-q", "-o", tmp / "ep", "--", "sh", "-c", "exit 7"});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_EQ(read_json(tmp / "ep/meta.json")["exit"]["code"], 7);
  RunResult k = run_ktel({"record", "-q", "-o", tmp / "ep2", "--", "sh", "-c", "kill -9 $$"});
  EXPECT_EQ(k.exit_code, 128 + 9);
  EXPECT_EQ(read_json(tmp / "ep2/meta.json")["exit"]["signal"], 9);
}

TEST(RecordE2E, ChildrenAndGrandchildrenAreSampled) {
  TempDir tmp;
  std::string ep = tmp / "ep";
  // parent sh -> child sh -> grandchild sleep, plus a direct sleep child.
  RunResult r = run_ktel({"record", "-o", ep, "--interval", "50ms", "--", "sh", "-c",
                          "sleep 1.2 & sh -c 'sleep 1.1; true' & wait"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int64_t root = read_json(ep + "/meta.json")["target"]["pid"];
  auto rows = sql(db(ep), "SELECT DISTINCT pid, ppid, comm FROM proc_samples");
  std::map<int64_t, int64_t> parent;
  for (auto& row : rows) parent[row["pid"]] = row["ppid"];
  ASSERT_GE(parent.size(), 4u) << rows.dump();
  int depth2 = 0;
  for (auto& [pid, ppid] : parent) {
    if (pid == root) continue;
    ASSERT_TRUE(parent.count(ppid)) << "sampled pid " << pid << " has unsampled parent " << ppid;
    if (ppid != root) ++depth2;
  }
  EXPECT_GE(depth2, 1) << "no grandchild sampled: " << rows.dump();
  EXPECT_GE(sql_int(db(ep), "SELECT COUNT(*) FROM events WHERE kind='process_appeared'"), 4);
}

TEST(RecordE2E, AttachByPidEndsWhenTheProcessExits) {
  TempDir tmp;
  pid_t target = start_background({"sleep", "1.5"}, tmp.path());
  std::string ep = tmp / "ep";
  RunResult r = run_ktel({"record", "-o", ep, "--pid", std::to_string(target)}, 30);
  EXPECT_EQ(wait_child(target, 10), 0);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto meta = read_json(ep + "/meta.json");
  EXPECT_EQ(meta["target"]["kind"], "pid");
  EXPECT_EQ(meta["target"]["comm"], "sleep");
  EXPECT_EQ(meta["status"], "complete");
  EXPECT_GE(sql_int(db(ep), "SELECT COUNT(*) FROM proc_samples WHERE pid=" + std::to_string(target)), 3);
}

TEST(RecordE2E, AttachHonoursDuration) {
  TempDir tmp;
  pid_t target = start_background({"sleep", "30"}, tmp.path());
  RunResult r = run_ktel({"record", "-q", "-o", tmp / "ep", "--duration", "500ms", "--pid",
                          std::to_string(target)}, 30);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(::kill(target, 0), 0) << "ktel must not kill an attached process";
  ::kill(target, SIGKILL);
  wait_child(target, 10);
  EXPECT_EQ(read_json(tmp / "ep/meta.json")["status"], "complete");
}

TEST(RecordE2E, DurationStopsACommandWithExit124) {
  TempDir tmp;
  RunResult r = run_ktel({"record", "-q", "-o", tmp / "ep", "--duration", "400ms", "--", "sleep", "30"});
  EXPECT_EQ(r.exit_code, 124) << r.err;
  auto meta = read_json(tmp / "ep/meta.json");
  EXPECT_EQ(meta["exit"]["signal"], SIGTERM);
  EXPECT_EQ(meta["status"], "complete");
}

TEST(RecordE2E, SigtermMidRunFinalizesAsInterrupted) {
  TempDir tmp;
  std::string ep = tmp / "ep";
  pid_t ktel = start_background({ktel_bin(), "record", "-o", ep, "--", "sleep", "30"}, tmp.path());
  // Wait until samples are committed, then interrupt.
  ASSERT_TRUE(eventually([&] {
    return try_sql_int(db(ep), "SELECT COUNT(*) FROM proc_samples") > 0;
  }, 20));
  ASSERT_EQ(::kill(ktel, SIGTERM), 0);
  int code = wait_child(ktel, 20);
  EXPECT_EQ(code, 128 + SIGTERM) << "the forwarded SIGTERM ended sleep";
  auto meta = read_json(ep + "/meta.json");
  EXPECT_EQ(meta["status"], "interrupted");
  EXPECT_TRUE(file_exists(ep + "/done.marker"));
  EXPECT_GT(sql_int(db(ep), "SELECT COUNT(*) FROM proc_samples"), 0);
  EXPECT_EQ(sql_int(db(ep), "SELECT COUNT(*) FROM events WHERE kind='signal_received'"), 1);
}

TEST(RecordE2E, ReusedPidIsANewProcess) {
  KTEL_REQUIRE_ROOT("writes /proc/sys/kernel/ns_last_pid to force pid reuse");
  TempDir tmp;
  // Two short-lived sleepers given the same pid through ns_last_pid; other
  // processes on the machine can steal the pid, so retry a few times.
  const std::string script =
      "sleep 0.4 & p=$!; wait $p; echo $((p-1)) > /proc/sys/kernel/ns_last_pid; "
      "sleep 0.4 & q=$!; wait $q; if [ $p = $q ]; then echo reused $p; fi";
  for (int attempt = 0; attempt < 5; ++attempt) {
    std::string ep = tmp / ("ep" + std::to_string(attempt));
    RunResult r = run_ktel({"record", "-q", "-o", ep, "--interval", "20ms", "--", "sh", "-c", script});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    if (r.out.find("reused") == std::string::npos) continue;
    std::string pid = r.out.substr(r.out.find("reused ") + 7);
    pid = pid.substr(0, pid.find('\n'));
    EXPECT_EQ(sql_int(db(ep), "SELECT COUNT(DISTINCT start_time_ns) FROM proc_samples WHERE pid=" + pid), 2);
    EXPECT_EQ(sql_int(db(ep), "SELECT COUNT(*) FROM events WHERE kind='process_appeared' AND "
                              "json_extract(fields,'$.pid')=" + pid), 2);
    EXPECT_EQ(sql_int(db(ep), "SELECT COUNT(*) FROM events WHERE kind='process_gone' AND "
                              "json_extract(fields,'$.pid')=" + pid), 2);
    return;
  }
  FAIL() << "could not make the kernel reuse a pid in 5 attempts";
}

TEST(RecordE2E, PerfHardwareCountersAreNullWithStatusAndEvents) {
  TempDir tmp;
  std::string ep = tmp / "ep";
  RunResult r = run_ktel({"record", "-o", ep, "--sources", "perf", "--require", "perf", "--workload", "burn"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto kinds = event_kinds(ep);
  for (const char* k : {"perf_started", "perf_first_row", "perf_finished"}) EXPECT_TRUE(kinds.count(k)) << k;
  EXPECT_GT(sql_int(db(ep), "SELECT COUNT(*) FROM perf_samples WHERE task_clock > 0"), 0);
  auto counters = sql(db(ep), "SELECT name, status FROM perf_counters");
  ASSERT_EQ(counters.size(), 10u);
  for (auto& c : counters) {
    std::string name = c["name"];
    std::string status = c["status"];
    std::string col = name;
    if (status == "ok") continue;
    // A counter that is not ok is NULL in every row.
    EXPECT_EQ(sql_int(db(ep), "SELECT COUNT(*) FROM perf_samples WHERE " + col + " IS NOT NULL"), 0) << name;
    EXPECT_TRUE(status == "not_supported" || status == "no_permission" || status == "not_counted") << status;
  }
  EXPECT_EQ(read_json(ep + "/meta.json")["sources"]["perf"]["status"], "ok");
}

TEST(RecordE2E, BadTargetsGiveClearErrors) {
  TempDir tmp;
  RunResult nf = run_ktel({"record", "-o", tmp / "a", "--", "no-such-command-ktel"});
  EXPECT_EQ(nf.exit_code, 127);
  EXPECT_NE(nf.err.find("command not found: 'no-such-command-ktel'"), std::string::npos) << nf.err;
  EXPECT_FALSE(file_exists(tmp / "a/meta.json"));

  RunResult np = run_ktel({"record", "-o", tmp / "b", "--pid", "999999999"});
  EXPECT_EQ(np.exit_code, 125);
  EXPECT_NE(np.err.find("999999999"), std::string::npos) << np.err;

  RunResult ns = run_ktel({"record", "-o", tmp / "c", "--sources", "nope", "--", "true"});
  EXPECT_EQ(ns.exit_code, 125);
  EXPECT_NE(ns.err.find("unknown source 'nope'"), std::string::npos) << ns.err;

  ASSERT_EQ(run({"sh", "-c", "mkdir -p " + tmp.path() + "/d && touch " + tmp.path() + "/d/x"}).exit_code, 0);
  RunResult ne = run_ktel({"record", "-o", tmp / "d", "--", "true"});
  EXPECT_EQ(ne.exit_code, 125);
  EXPECT_NE(ne.err.find("not empty"), std::string::npos) << ne.err;
}

TEST(RecordE2E, UnwritableOutputDirectoryIsAClearError) {
  KTEL_REQUIRE_ROOT("mounts a read-only tmpfs");
  TempDir tmp;
  std::string ro = tmp / "ro";
  ASSERT_EQ(run({"mkdir", ro}).exit_code, 0);
  ASSERT_EQ(::mount("tmpfs", ro.c_str(), "tmpfs", MS_RDONLY, "size=64k"), 0);
  RunResult r = run_ktel({"record", "-o", ro + "/ep", "--", "true"});
  ::umount(ro.c_str());
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_NE(r.err.find(ro + "/ep"), std::string::npos) << r.err;
}

TEST(RecordE2E, FullDiskKeepsWhatWasRecordedReadable) {
  KTEL_REQUIRE_ROOT("mounts a tiny tmpfs");
  TempDir tmp;
  std::string mnt = tmp / "small";
  ASSERT_EQ(run({"mkdir", mnt}).exit_code, 0);
  ASSERT_EQ(::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=384k"), 0);
  std::string ep = mnt + "/ep";
  // Many thread rows at a fast interval fill 384 KiB within seconds.
  RunResult r = run_ktel({"record", "-o", ep, "--sources", "proc", "--threads", "--interval", "2ms",
                          "--", "sleep", "6"},
                         60);
  std::string meta_text = run({"cat", ep + "/meta.json"}).out;
  int64_t rows = sql_int(ep + "/episode.db", "SELECT COUNT(*) FROM proc_samples");
  ::umount2(mnt.c_str(), MNT_DETACH);
  EXPECT_EQ(r.exit_code, 125) << r.err;
  EXPECT_NE(r.err.find("episode.db"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("resource_exhausted"), std::string::npos) << r.err;
  EXPECT_GT(rows, 0) << "rows committed before the disk filled must stay readable";
  EXPECT_FALSE(meta_text.empty());
}

}  // namespace
}  // namespace ktel::e2e
