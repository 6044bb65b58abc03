// The exec source end to end: `ktel record --sources exec` on the real kernel,
// read back with the sqlite3 CLI: argv and exit codes as the command made
// them, an excluded shell whose children stay traced, exact loss accounting
// with a one-page ring nobody polls, an attached pid's existing children, and
// the report's pipeline section over the result.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "e2e_util.h"
#include "model/episode_layout.h"

namespace ktel::e2e {
namespace {

using layout::db;

class ExecE2E : public ::testing::Test {
 protected:
  void SetUp() override { KTEL_REQUIRE_ROOT("the exec source needs root (BPF)"); }
  TempDir tmp_;
};

TEST_F(ExecE2E, CommandsExitCodesAndArgvAsTheScriptRanThem) {
  std::string ep = tmp_ / "ep";
  RunResult r = run_ktel({"record", "-q", "-o", ep, "--sources", "exec", "--require", "exec",
                          "--exec-exclude", "sh,dash", "--", "/bin/sh", "-c",
                          "/bin/true 'a b' '<script>' \"'; DROP TABLE x\"; /bin/sh -c 'exit 5'; "
                          "exit 3"});
  ASSERT_EQ(r.exit_code, 3) << r.err;
  auto meta = read_json(ep + "/meta.json");
  const auto& src = meta["sources"]["exec"];
  EXPECT_EQ(src["status"], "ok") << src.dump();
  EXPECT_EQ(src["lost"], 0);
  EXPECT_EQ(src["details"]["malformed"], 0);
  int64_t target = meta["target"]["pid"];
  // The shells' own execs are hidden; what they ran is not.
  EXPECT_EQ(sql_int(db(ep), "SELECT COUNT(*) FROM exec_events WHERE comm IN ('sh','dash')"), 0);
  auto t = sql(db(ep), "SELECT ppid, filename, argv, argc, argv_truncated FROM exec_events "
                       "WHERE comm='true'");
  ASSERT_EQ(t.size(), 1u) << t.dump();
  EXPECT_EQ(t[0]["ppid"], target);
  EXPECT_EQ(t[0]["filename"], "/bin/true");
  EXPECT_EQ(nlohmann::json::parse(t[0]["argv"].get<std::string>()),
            nlohmann::json({"/bin/true", "a b", "<script>", "'; DROP TABLE x"}));
  EXPECT_EQ(t[0]["argc"], 4);
  EXPECT_EQ(t[0]["argv_truncated"], 0);
  EXPECT_EQ(sql_int(db(ep), "SELECT exit_code FROM processes WHERE pid=" + std::to_string(target)), 3);
  // The inner shell: exec hidden, process and exit code still there.
  auto inner = sql(db(ep), "SELECT exit_code, argv FROM processes WHERE ppid=" +
                               std::to_string(target) + " AND exit_code=5");
  ASSERT_EQ(inner.size(), 1u) << sql(db(ep), "SELECT * FROM processes").dump();
  EXPECT_TRUE(inner[0]["argv"].is_null());
  EXPECT_EQ(sql_int(db(ep), "SELECT COUNT(*) FROM processes WHERE cpu_ns > 0 AND maxrss_bytes > 0 "
                            "AND duration_ns > 0"),
            3);
  for (const char* k : {"exec_started", "exec_first_row", "exec_finished"}) {
    EXPECT_EQ(sql_int(db(ep), std::string("SELECT COUNT(*) FROM events WHERE kind='") + k + "'"), 1)
        << k;
  }
  EXPECT_TRUE(std::filesystem::exists(ep + "/raw/exec/records.bin"));
  RunResult rep = run_ktel({"report", ep});
  ASSERT_EQ(rep.exit_code, 0) << rep.err;
  EXPECT_NE(rep.out.find("<script>"), std::string::npos) << rep.out;
}

TEST_F(ExecE2E, AnUnpolledOnePageRingReportsEveryLoss) {
  std::string ep = tmp_ / "ep";
  const int n = 150;
  RunResult r = run_ktel({"record", "-q", "-o", ep, "--sources", "exec", "--exec-ring-size", "4",
                          "--exec-poll-period", "600s", "--", "/bin/sh", "-c",
                          "i=0; while [ $i -lt " + std::to_string(n) +
                              " ]; do /bin/true; i=$((i+1)); done"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto meta = read_json(ep + "/meta.json");
  const auto& src = meta["sources"]["exec"];
  const auto& lost = src["details"]["lost"];
  EXPECT_GT(lost["exec"].get<int64_t>(), 0) << src.dump();
  EXPECT_EQ(sql_int(db(ep), "SELECT COUNT(*) FROM exec_events") + lost["exec"].get<int64_t>(), n + 1);
  EXPECT_EQ(sql_int(db(ep), "SELECT COUNT(*) FROM forks") + lost["fork"].get<int64_t>(), n);
  EXPECT_EQ(src["details"]["exits"].get<int64_t>() + lost["exit"].get<int64_t>(), n + 1);
  EXPECT_EQ(src["lost"], lost["exec"].get<int64_t>() + lost["fork"].get<int64_t>() +
                             lost["exit"].get<int64_t>());
  EXPECT_EQ(sql_int(db(ep), "SELECT SUM(json_extract(fields, '$.count')) FROM events "
                            "WHERE kind='exec_lost'"),
            src["lost"].get<int64_t>());
}

TEST_F(ExecE2E, AnAttachedPidsExistingChildrenAreTraced) {
  std::string ep = tmp_ / "ep";
  pid_t target = start_background(
      {"/bin/sh", "-c", "/bin/sleep 1.5 & wait; /bin/true after-the-sleep"}, tmp_.path());
  // Attach while the sleep (forked before ktel started) still runs.
  ASSERT_TRUE(eventually([&] {
    return std::filesystem::exists("/proc/" + std::to_string(target) + "/task");
  }, 5));
  usleep(200'000);
  RunResult r = run_ktel({"record", "-q", "-o", ep, "--sources", "exec", "--pid",
                          std::to_string(target)}, 30);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(wait_child(target, 10), 0);
  auto meta = read_json(ep + "/meta.json");
  EXPECT_EQ(meta["sources"]["exec"]["status"], "ok") << meta["sources"]["exec"].dump();
  auto sleep_row = sql(db(ep), "SELECT ppid, exit_code, start_ns FROM processes WHERE comm='sleep'");
  ASSERT_EQ(sleep_row.size(), 1u) << sql(db(ep), "SELECT * FROM processes").dump();
  EXPECT_EQ(sleep_row[0]["ppid"], target);
  EXPECT_EQ(sleep_row[0]["exit_code"], 0);
  EXPECT_LT(sleep_row[0]["start_ns"].get<int64_t>(), 0);  // started before the episode
  EXPECT_EQ(sql_int(db(ep), "SELECT COUNT(*) FROM exec_events WHERE argv='[\"/bin/true\",\"after-the-sleep\"]'"), 1);
  EXPECT_EQ(sql_int(db(ep), "SELECT exit_code FROM processes WHERE pid=" + std::to_string(target)), 0);
}

// Names a workload can give itself (the comm is the basename of what it
// execs) must come back byte-exact from every way out of an episode.
TEST_F(ExecE2E, HostileNamesComeBackByteExactThroughQueryCsvAndJson) {
  const std::vector<std::string> names = {"<script>", "'; DROP TABLE", "a,b\"c"};
  std::filesystem::create_directories(tmp_ / "hostile");
  std::vector<std::string> paths;
  for (const auto& n : names) {
    paths.push_back(std::string(tmp_ / "hostile") + "/" + n);
    std::filesystem::create_symlink("/bin/true", paths.back());
  }
  std::string ep = tmp_ / "ep";
  RunResult r = run_ktel({"record", "-q", "-o", ep, "--sources", "exec", "--require", "exec", "--",
                          "/bin/sh", "-c", "\"$1\" x; \"$2\" y; \"$3\" z", "sh", paths[0],
                          paths[1], paths[2]});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string q =
      "SELECT comm, filename FROM processes WHERE filename LIKE '%/hostile/%' ORDER BY start_ns";
  RunResult json = run_ktel({"query", ep, q, "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto rows = nlohmann::json::parse(json.out);
  ASSERT_EQ(rows.size(), 3u) << json.out;
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(rows[i]["comm"], names[i]);
    EXPECT_EQ(rows[i]["filename"], paths[i]);
  }
  RunResult csv = run_ktel({"query", ep, "SELECT comm FROM processes WHERE filename LIKE "
                                         "'%/hostile/%' ORDER BY start_ns",
                            "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out, "comm\r\n<script>\r\n'; DROP TABLE\r\n\"a,b\"\"c\"\r\n") << csv.out;
  std::string out = tmp_ / "out";
  RunResult exported = run_ktel({"export", ep, "--format", "jsonl", "-o", out});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  std::vector<std::string> seen;
  std::ifstream lines(out + "/processes.jsonl");
  for (std::string line; std::getline(lines, line);) {
    auto row = nlohmann::json::parse(line);
    if (row["filename"].is_string() &&
        row["filename"].get<std::string>().find("/hostile/") != std::string::npos) {
      seen.push_back(row["comm"]);
    }
  }
  std::vector<std::string> sorted_names = names;
  std::sort(sorted_names.begin(), sorted_names.end());
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, sorted_names);
}

// --exec-argv-max sets what is kept of each command line on both backends;
// the full size is still there and the cut flagged. A bad value names itself.
TEST_F(ExecE2E, TheArgvLimitIsTheUsersAndCutsAreFlagged) {
  for (std::string backend : {"bpf", "ftrace"}) {
    std::string ep = tmp_ / ("ep-" + backend);
    RunResult r = run_ktel({"record", "-q", "-o", ep, "--sources", "exec", "--require", "exec",
                            "--exec-backend", backend, "--exec-argv-max", "15,2", "--",
                            "/bin/sleep", "0.2", "0", "0000"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto t = sql(db(ep), "SELECT argv, argv_bytes, argc, argv_truncated FROM exec_events");
    ASSERT_EQ(t.size(), 1u) << backend << " " << t.dump();
    EXPECT_EQ(nlohmann::json::parse(t[0]["argv"].get<std::string>()),
              nlohmann::json({"/bin/sleep", "0.2"}))
        << backend;
    EXPECT_EQ(t[0]["argv_bytes"], 22) << backend;
    EXPECT_EQ(t[0]["argc"], 4) << backend;
    EXPECT_EQ(t[0]["argv_truncated"], 1) << backend;
  }
  RunResult bad = run_ktel({"record", "-q", "-o", tmp_ / "bad", "--sources", "exec",
                            "--exec-argv-max", "0,2", "--", "/bin/true"});
  EXPECT_EQ(bad.exit_code, 125);
  EXPECT_NE(bad.err.find("--exec-argv-max '0,2'"), std::string::npos) << bad.err;
}

// --exec-rss: dd's 100 MiB buffer shows in its peak and its series; without
// the flag both stay empty; on the fallback it is listed as missing.
TEST_F(ExecE2E, ExecRssGivesPeakAndSeriesOnlyWhenAsked) {
  const std::vector<std::string> dd = {"/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=100M",
                                       "count=2", "status=none"};
  std::string ep = tmp_ / "rss";
  std::vector<std::string> args = {"record", "-q", "-o", ep, "--sources", "exec", "--require",
                                   "exec", "--exec-rss", "--"};
  args.insert(args.end(), dd.begin(), dd.end());
  RunResult r = run_ktel(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto meta = read_json(ep + "/meta.json");
  EXPECT_EQ(meta["options"]["exec_rss"], true);
  const auto& src = meta["sources"]["exec"];
  EXPECT_EQ(src["details"]["rss_records"], 1) << src.dump();
  EXPECT_EQ(src["lost"], 0);
  auto p = sql(db(ep), "SELECT pid, start_ns, maxrss_bytes, rss_peak_bytes FROM processes");
  ASSERT_EQ(p.size(), 1u) << p.dump();
  const int64_t peak = p[0]["rss_peak_bytes"];
  EXPECT_GE(peak, int64_t{100} << 20);
  EXPECT_LE(peak, p[0]["maxrss_bytes"].get<int64_t>() + (int64_t{1} << 20));
  const std::string pid = std::to_string(p[0]["pid"].get<int64_t>());
  EXPECT_GE(sql_int(db(ep), "SELECT COUNT(*) FROM process_rss WHERE pid=" + pid +
                                " AND start_ns=" + std::to_string(p[0]["start_ns"].get<int64_t>())),
            3);
  EXPECT_EQ(sql_int(db(ep), "SELECT MAX(rss_bytes) FROM process_rss"), peak);

  std::string off = tmp_ / "off";
  args[3] = off;
  args.erase(std::find(args.begin(), args.end(), "--exec-rss"));
  ASSERT_EQ(run_ktel(args).exit_code, 0);
  EXPECT_EQ(sql_int(db(off), "SELECT COUNT(*) FROM process_rss"), 0);
  EXPECT_EQ(sql_int(db(off), "SELECT COUNT(*) FROM processes WHERE rss_peak_bytes IS NOT NULL"), 0);

  std::string fb = tmp_ / "fallback";
  RunResult f = run_ktel({"record", "-q", "-o", fb, "--sources", "exec", "--exec-rss",
                          "--exec-backend", "ftrace", "--", "/bin/true"});
  ASSERT_EQ(f.exit_code, 0) << f.err;
  EXPECT_NE(read_json(fb + "/meta.json")["sources"]["exec"]["details"]["missing"].dump().find(
                "--exec-rss"),
            std::string::npos);
}

// Forced off eBPF, the recording still has the tree, and says loudly that it
// fell back and what it lacks: an event, meta.json and the terminal summary.
TEST_F(ExecE2E, TheFtraceFallbackRecordsAndSaysSo) {
  std::string ep = tmp_ / "ep";
  RunResult r = run_ktel({"record", "-o", ep, "--sources", "exec", "--require", "exec",
                          "--exec-backend", "ftrace", "--exec-exclude", "sh,dash", "--",
                          "/bin/sh", "-c",
                          "/bin/sleep 0.2; /bin/sh -c 'exit 4'; exit 2"});
  ASSERT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("exec_unavailable"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("fallback"), std::string::npos) << r.err;
  auto meta = read_json(ep + "/meta.json");
  const auto& src = meta["sources"]["exec"];
  EXPECT_EQ(src["status"], "ok") << src.dump();
  EXPECT_EQ(src["details"]["backend"], "ftrace");
  EXPECT_FALSE(src["details"]["missing"].empty());
  EXPECT_EQ(sql_int(db(ep), "SELECT COUNT(*) FROM events WHERE kind='exec_unavailable' AND "
                            "json_extract(fields, '$.fallback')='ftrace'"),
            1);
  EXPECT_EQ(sql_int(db(ep), "SELECT COUNT(*) FROM exec_events WHERE filename='/bin/sleep' AND "
                            "argv='[\"/bin/sleep\",\"0.2\"]'"),
            1);
  // The shells' execs are excluded, their processes and children are not.
  EXPECT_EQ(sql_int(db(ep), "SELECT COUNT(*) FROM exec_events WHERE filename='/bin/sh'"), 0);
  EXPECT_EQ(src["details"]["excluded_execs"], 2);
  EXPECT_EQ(sql_int(db(ep), "SELECT COUNT(*) FROM processes WHERE exit_ns IS NOT NULL"), 3);
  EXPECT_TRUE(std::filesystem::exists(ep + "/raw/exec/proc_argv.jsonl"));
  EXPECT_FALSE(std::filesystem::exists(ep + "/raw/exec/records.bin"));
  RunResult rep = run_ktel({"report", ep});
  ASSERT_EQ(rep.exit_code, 0) << rep.err;
  EXPECT_NE(rep.out.find("/bin/sleep 0.2"), std::string::npos) << rep.out;
}

}  // namespace
}  // namespace ktel::e2e
