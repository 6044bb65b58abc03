// End-to-end: sudo hand-back, second-signal stop, and the read-side commands
// (show, ls, query, export, import) on real recorded episodes, checked with
// independent readers (python3's json and csv modules, sqlite3).
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "e2e_util.h"

namespace ktel::e2e {
namespace {

std::string source_dir() {
  const char* s = std::getenv("KTEL_SOURCE_DIR");
  return s ? s : ".";
}

TEST(CommandsE2E, UnderSudoTheCommandRunsAsTheInvokingUserAndGetsTheEpisode) {
  KTEL_REQUIRE_ROOT("impersonates a sudo invocation to drop to uid 65534");
  TempDir tmp;
  ASSERT_EQ(::chmod(tmp.path().c_str(), 0755), 0);
  std::string ep = tmp / "ep";
  RunResult r = run({"env", "SUDO_UID=65534", "SUDO_GID=65534", "SUDO_USER=nobody", ktel_bin(),
                     "record", "-q", "-o", ep, "--", "id", "-u"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "65534\n");
  auto meta = read_json(ep + "/meta.json");
  EXPECT_EQ(meta["target"]["run_as_uid"], 65534);
  for (const char* f : {"", "/meta.json", "/episode.db", "/done.marker", "/raw"}) {
    struct stat st {};
    ASSERT_EQ(::stat((ep + f).c_str(), &st), 0) << f;
    EXPECT_EQ(st.st_uid, 65534u) << ep + f;
  }
  // --as-root keeps root for the command.
  RunResult root = run({"env", "SUDO_UID=65534", "SUDO_GID=65534", ktel_bin(), "record", "-q",
                        "--as-root", "-o", tmp / "ep2", "--", "id", "-u"});
  EXPECT_EQ(root.out, "0\n");
}

TEST(CommandsE2E, SecondSignalStopsAWorkloadThatIgnoresTheFirst) {
  TempDir tmp;
  std::string ep = tmp / "ep";
  pid_t ktel = start_background(
      {ktel_bin(), "record", "-o", ep, "--", "sh", "-c", "trap '' INT TERM; sleep 60 & wait; sleep 60"},
      tmp.path());
  ASSERT_TRUE(eventually([&] {
    return try_sql_int(ep + "/episode.db", "SELECT COUNT(*) FROM events WHERE kind='workload_started'") == 1;
  }, 20));
  ASSERT_EQ(::kill(ktel, SIGINT), 0);
  ASSERT_TRUE(eventually([&] {
    return try_sql_int(ep + "/episode.db", "SELECT COUNT(*) FROM events WHERE kind='signal_received'") == 1;
  }, 20));
  ASSERT_EQ(::kill(ktel, SIGINT), 0);
  int code = wait_child(ktel, 30);
  EXPECT_EQ(code, 128 + SIGKILL);
  auto meta = read_json(ep + "/meta.json");
  EXPECT_EQ(meta["status"], "interrupted");
  EXPECT_EQ(meta["exit"]["signal"], SIGKILL);
  EXPECT_TRUE(file_exists(ep + "/done.marker"));
  auto killed = sql(ep + "/episode.db",
                    "SELECT json_extract(fields,'$.reason') AS reason FROM events WHERE kind='workload_killed'");
  ASSERT_EQ(killed.size(), 1u);
  EXPECT_NE(killed[0]["reason"].get<std::string>().find("second signal"), std::string::npos);
}

// The exec source runs by default as root when ktel was built with eBPF.
#ifdef KTEL_E2E_HAVE_EXEC
constexpr const char* kExecSource = "exec";
#else
constexpr const char* kExecSource = "none";
#endif

TEST(CommandsE2E, ShowLsQueryAndCis490ExportReadBackIndependently) {
  TempDir tmp;
  std::string eps = tmp / "episodes";
  std::string ep = eps + "/one";
  ASSERT_EQ(run_ktel({"record", "-q", "-o", ep, "--workload", "demo"}).exit_code, 0);

  RunResult show = run_ktel({"show", ep});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  for (const char* s : {"complete", "proc_started", "perf_started", "proc_samples"}) {
    EXPECT_NE(show.out.find(s), std::string::npos) << s << "\n" << show.out;
  }
  ASSERT_EQ(run({"mkdir", "-p", eps + "/broken"}).exit_code, 0);
  ASSERT_EQ(run({"sh", "-c", "echo '{nope' > " + eps + "/broken/meta.json"}).exit_code, 0);
  RunResult ls = run_ktel({"ls", eps});
  EXPECT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_NE(ls.out.find("complete"), std::string::npos) << ls.out;
  EXPECT_NE((ls.out + ls.err).find("broken/meta.json"), std::string::npos) << ls.out << ls.err;

  RunResult q = run_ktel({"query", ep, "SELECT comm, COUNT(*) AS n FROM proc_samples GROUP BY comm", "--format", "json"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  auto rows = nlohmann::json::parse(q.out);
  bool saw_cpu = false;
  for (auto& row : rows) saw_cpu = saw_cpu || row["comm"] == "demo-cpu";
  EXPECT_TRUE(saw_cpu) << q.out;
  RunResult bad = run_ktel({"query", ep, "SELECT nope FROM proc_samples"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("no such column"), std::string::npos) << bad.err;

  std::string out = tmp / "export";
  RunResult ex = run_ktel({"export", ep, "--format", "jsonl", "--layout", "cis490", "-o", out});
  ASSERT_EQ(ex.exit_code, 0) << ex.err;
  // python3 reads every line and checks the common columns on every telemetry
  // row; it counts the stored telemetry rows itself (every table with a
  // `source` column) from episode.db with its own sqlite3 module.
  const std::string check =
      "import json,sys,glob,sqlite3\n"
      "files=glob.glob(sys.argv[1]+'/telemetry-*.jsonl')\n"
      "names=sorted(f.split('/')[-1] for f in files)\n"
      "want=['telemetry-perf.jsonl','telemetry-proc.jsonl']+(['telemetry-sched.jsonl'] if sys.argv[3]=='root' else [])\n"
      "want+=['telemetry-exec.jsonl'] if sys.argv[3]=='root' and sys.argv[4]=='exec' else []\n"
      "assert names==sorted(want), names\n"
      "n=0\n"
      "for f in files:\n"
      "  for line in open(f, encoding='utf-8'):\n"
      "    r=json.loads(line); n+=1\n"
      "    for k in ('t_mono_ns','t_wall_ns','source','available_in_deployment','table'): assert k in r, (f,k)\n"
      "    assert r['source'] in ('host_proc','host_perf','host_sched','host_exec')\n"
      "[json.loads(l) for l in open(sys.argv[1]+'/events.jsonl')]\n"
      "json.load(open(sys.argv[1]+'/meta.json'))\n"
      "db=sqlite3.connect(sys.argv[2])\n"
      "tables=[t for (t,) in db.execute(\"SELECT name FROM sqlite_master WHERE type='table'\")]\n"
      "stored=sum(db.execute('SELECT COUNT(*) FROM '+t).fetchone()[0] for t in tables\n"
      "           if any(c[1]=='source' for c in db.execute('PRAGMA table_info('+t+')')) and t!='events')\n"
      "assert n==stored, (n, stored)\n"
      "print(n)\n";
  RunResult py = run({"python3", "-c", check, out, ep + "/episode.db",
                      ::geteuid() == 0 ? "root" : "user", kExecSource});
  ASSERT_EQ(py.exit_code, 0) << py.err;
  EXPECT_GT(std::stoll(py.out), 0);
}

TEST(CommandsE2E, PerfStatImportCountsMalformedLinesAndKeepsTheRest) {
  TempDir tmp;
  std::string ep = tmp / "ep";
  ASSERT_EQ(run_ktel({"record", "-q", "--sources", "proc", "-o", ep, "--", "true"}).exit_code, 0);
  std::string damaged = source_dir() + "/testdata/perf/perf_stat_malformed.jsonl";
  ASSERT_TRUE(file_exists(damaged)) << damaged;
  RunResult r = run_ktel({"import", "perf-stat", damaged, "--into", ep});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("line 5"), std::string::npos) << r.err;
  EXPECT_EQ(sql_int(ep + "/episode.db", "SELECT COUNT(*) FROM perf_samples"), 7);
  EXPECT_EQ(sql_int(ep + "/episode.db", "SELECT json_extract(fields,'$.lines') FROM events "
                                        "WHERE kind='perf_import_malformed'"), 4);
  RunResult missing = run_ktel({"import", "perf-stat", tmp / "nope.jsonl", "--into", ep});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("nope.jsonl"), std::string::npos) << missing.err;
}

TEST(CommandsE2E, UnprivilegedPerfCountsUserSpaceOnlyAndSaysSo) {
  KTEL_REQUIRE_ROOT("runs ktel as the unprivileged user nobody through su");
  TempDir tmp;
  ASSERT_EQ(::chmod(tmp.path().c_str(), 0777), 0);
  std::string ep = tmp / "ep";
  // The build tree may not be reachable by nobody (a clone under /root): run a copy.
  std::string bin = tmp / "ktel";
  ASSERT_EQ(run({"cp", ktel_bin(), bin}).exit_code, 0);
  RunResult r = run({"su", "nobody", "-s", "/bin/sh", "-c",
                     bin + " record -q --sources perf --require perf -o " + ep + " --workload burn"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string paranoid = run({"cat", "/proc/sys/kernel/perf_event_paranoid"}).out;
  bool restricted = std::stoi(paranoid) >= 2;
  std::string db = ep + "/episode.db";
  EXPECT_EQ(sql_int(db, "SELECT COUNT(*) FROM events WHERE kind='perf_user_only'"), restricted ? 1 : 0);
  EXPECT_EQ(sql_int(db, "SELECT COUNT(*) FROM perf_counters WHERE name='task_clock' AND status='ok' "
                        "AND reason LIKE 'user space only%'"), restricted ? 1 : 0);
  EXPECT_GT(sql_int(db, "SELECT COUNT(*) FROM perf_samples WHERE task_clock > 0"), 0);
  EXPECT_EQ(read_json(ep + "/meta.json")["sources"]["perf"]["details"]["user_only"], restricted);
}

}  // namespace
}  // namespace ktel::e2e
