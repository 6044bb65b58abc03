// `ktel collect` and `ktel dataset build` end to end on the real kernel: the
// collection layout and run metadata, Ctrl-C mid-run (finished runs kept,
// partial run removed, tracing left as found) and resuming, timeouts, and the
// datasets built from a real collection read back by pandas and re-split by
// Python's own random.Random.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "e2e_util.h"
#include "model/episode_layout.h"
#include "sources/sched/testing/tracefs_fixture.h"
#include "sys/tracefs_instance.h"

namespace ktel::e2e {
namespace {

namespace fs = std::filesystem;

const char* const kPython = "/usr/bin/python3";  // Debian's, with python3-pandas

std::string source(const std::string& rel) { return std::string(KTEL_SOURCE_DIR) + "/" + rel; }

class CollectE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    KTEL_REQUIRE_ROOT("collect records with the sched source, which needs root");
    std::string why;
    auto root = ktel::testing::tracefs_for_tests(why);
    ASSERT_TRUE(root.has_value()) << why;
    root_ = *root;
    before_ = ktel::testing::global_tracing_snapshot(root_);
  }
  void TearDown() override {
    if (root_.empty()) return;
    EXPECT_EQ(ktel::testing::stale_ktel_instances(root_), std::vector<std::string>{});
    EXPECT_EQ(ktel::testing::global_tracing_snapshot(root_), before_);
  }

  std::string root_;
  std::map<std::string, std::string> before_;
  TempDir tmp_;
};

// The issue's own scenario, with short durations: three categories, two runs
// each, then build; every run's metadata is checked against its episode.
TEST_F(CollectE2E, CollectThreeWorkloadsTwiceThenBuildAndCheckWithPandas) {
  std::string dir = tmp_ / "data";
  RunResult c = run_ktel({"collect", "-o", dir, "-w", "cpu_bound_4p,hackbench_pipe_small,io_mixed",
                          "--runs", "2", "--duration", "1s"},
                         240);
  ASSERT_EQ(c.exit_code, 0) << c.out << c.err;
  EXPECT_NE(c.out.find("6 runs recorded"), std::string::npos) << c.out;
  for (std::string w : {"cpu_bound_4p", "hackbench_pipe_small", "io_mixed"}) {
    for (int i = 1; i <= 2; ++i) {
      std::string run = dir + "/raw/" + w + "_run" + std::to_string(i);
      auto meta = read_json(run + ".json");
      auto ep = read_json(run + "/meta.json");
      EXPECT_EQ(meta["trace_id"], ep["id"]) << run;
      EXPECT_EQ(meta["workload"], w);
      EXPECT_EQ(ep["labels"]["workload"], w);
      EXPECT_EQ(meta["category"], ep["labels"]["category"]);
      EXPECT_EQ(meta["status"], "ok") << run;
      EXPECT_EQ(meta["exit"]["code"], 0) << run;
      EXPECT_EQ(meta["sched_switch"], sql_int(layout::db(run), "SELECT COUNT(*) FROM sched_switch"));
      EXPECT_GT(meta["sched_switch"].get<int64_t>(), 100) << run;
      EXPECT_EQ(meta["lost_events"], ep["sources"]["sched"]["lost"]);
      EXPECT_GE(meta["buffer_size_kb"].get<int64_t>(), 4096);
      EXPECT_EQ(meta["cpus"], ep["host"]["cpus"]);
      EXPECT_TRUE(file_exists(dir + "/logs/" + w + "_run" + std::to_string(i) + ".log"));
    }
  }
  auto summary = read_json(dir + "/collect.json");
  EXPECT_EQ(summary["status"], "complete");
  EXPECT_EQ(summary["runs"].size(), 6u);

  RunResult b = run_ktel({"dataset", "build", dir}, 120);
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  auto ds = read_json(dir + "/dataset_meta.json");
  EXPECT_EQ(ds["num_traces"], 6);
  EXPECT_EQ(ds["split_level"], "trace");
  EXPECT_FALSE(ds["unseen_category"].is_null());  // three categories
  int64_t switches = 0;
  for (const auto& r : summary["runs"]) switches += r["sched_switch"].get<int64_t>();
  EXPECT_EQ(ds["total_events"], switches);
  RunResult pandas = run({kPython, source("tests/oracle/dataset_pandas_check.py"), dir});
  EXPECT_EQ(pandas.exit_code, 0) << pandas.out << pandas.err;
  RunResult split = run({kPython, source("tests/oracle/dataset_split_oracle.py"), dir + "/raw",
                         dir + "/dataset_meta.json"});
  EXPECT_EQ(split.exit_code, 0) << split.out << split.err;

  // What is made from the dataset, each read back independently.
  RunResult seq = run_ktel({"dataset", "sequences", dir, "--seq-len", "16", "--stride", "3"}, 120);
  ASSERT_EQ(seq.exit_code, 0) << seq.out << seq.err;
  RunResult numpy = run({kPython, source("tests/oracle/dataset_sequences_check.py"), dir}, 300);
  EXPECT_EQ(numpy.exit_code, 0) << numpy.out << numpy.err;
  RunResult eval = run_ktel({"dataset", "eval", dir, "--format", "json"}, 120);
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  auto ev = nlohmann::json::parse(eval.out);
  EXPECT_EQ(ev["test_unseen"]["by_workload"].size(), 1u);
  EXPECT_EQ(ev["test_seen"]["overall"]["events"].get<int64_t>() + ev["test_seen"]["traces"].get<int64_t>(),
            ds["test_seen_events"].get<int64_t>());
  RunResult table = run_ktel({"dataset", "eval", dir}, 120);
  EXPECT_NE(table.out.find("markov2"), std::string::npos) << table.out;
  RunResult base = run_ktel({"dataset", "baseline", dir + "/train.csv", dir + "/baseline.csv"});
  ASSERT_EQ(base.exit_code, 0) << base.err;
  RunResult by = run_ktel({"dataset", "split-by-workload", dir + "/all.csv", "-o", dir + "/by"});
  ASSERT_EQ(by.exit_code, 0) << by.err;
  RunResult pd = run({kPython, "-c",
                      "import sys, pandas as pd\n"
                      "b = pd.read_csv(sys.argv[1], dtype={'name': str}, keep_default_na=False)\n"
                      "assert list(b.columns) == ['task_code', 'time', 'name', 'pid'], b.columns\n"
                      "assert str(b.task_code.dtype) == 'int64' and str(b.time.dtype) == 'float64'\n"
                      "assert b.groupby('name').task_code.nunique().max() == 1\n"
                      "t = pd.read_csv(sys.argv[2], dtype=str, keep_default_na=False)\n"
                      "assert len(b) == len(t), (len(b), len(t))\n"
                      "n = 0\n"
                      "for w in ['cpu_bound', 'hackbench', 'io_mixed']:\n"
                      "    d = pd.read_csv(f'{sys.argv[3]}/{w}.csv', dtype={'task_name': str}, keep_default_na=False)\n"
                      "    assert set(d.workload_type) == {w}; n += len(d)\n"
                      "a = pd.read_csv(sys.argv[4], dtype=str, keep_default_na=False)\n"
                      "assert n == len(a), (n, len(a))\n",
                      dir + "/baseline.csv", dir + "/train.csv", dir + "/by", dir + "/all.csv"},
                     120);
  EXPECT_EQ(pd.exit_code, 0) << pd.out << pd.err;
}

TEST_F(CollectE2E, CtrlCKeepsFinishedRunsRemovesThePartialOneAndAResumeCompletes) {
  std::string dir = tmp_ / "data";
  std::vector<std::string> argv = {ktel_bin(), "collect", "-o", dir, "-w", "cpu_bound_4p",
                                   "--runs", "3", "--duration", "3s"};
  pid_t pid = start_background(argv, tmp_.path());
  // Interrupt run 2 once it records.
  ASSERT_TRUE(eventually([&] { return file_exists(dir + "/raw/cpu_bound_4p_run2/meta.json"); }, 60));
  ::usleep(500'000);
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  EXPECT_EQ(wait_child(pid, 60), 130);
  EXPECT_TRUE(file_exists(dir + "/raw/cpu_bound_4p_run1.json"));
  EXPECT_FALSE(fs::exists(dir + "/raw/cpu_bound_4p_run2"));
  EXPECT_FALSE(file_exists(dir + "/raw/cpu_bound_4p_run2.json"));
  EXPECT_FALSE(fs::exists(dir + "/raw/cpu_bound_4p_run3"));
  auto summary = read_json(dir + "/collect.json");
  EXPECT_EQ(summary["status"], "interrupted");
  ASSERT_EQ(summary["runs"].size(), 2u);
  EXPECT_EQ(summary["runs"][1]["status"], "interrupted");
  // No cpu_bound process outlived the interrupted run (zombies aside: PID 1
  // of some VMs never reaps orphans).
  RunResult ps = run({"ps", "-C", "cpu_bound", "-o", "pid=,stat="});
  std::istringstream listed(ps.out);
  std::string left_pid, stat;
  while (listed >> left_pid >> stat) {
    EXPECT_EQ(stat[0], 'Z') << "left running: cpu_bound pid " << left_pid;
  }

  std::string run1_id = read_json(dir + "/raw/cpu_bound_4p_run1.json")["trace_id"];
  argv.erase(argv.begin());
  RunResult again = run_ktel(argv, 120);
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("already_collected"), std::string::npos) << again.out;
  EXPECT_EQ(read_json(dir + "/raw/cpu_bound_4p_run1.json")["trace_id"], run1_id);  // kept as is
  summary = read_json(dir + "/collect.json");
  EXPECT_EQ(summary["status"], "complete");
  ASSERT_EQ(summary["runs"].size(), 3u);
  for (const auto& r : summary["runs"]) EXPECT_EQ(r["status"], "ok") << r.dump();
}

TEST_F(CollectE2E, AWorkloadWhoseToolIsMissingIsSkippedWithTheFix) {
  std::string dir = tmp_ / "data";
  std::string toml = tmp_ / "w.toml";
  std::ofstream(toml) << "[[workload]]\nname = \"mine\"\ncategory = \"custom\"\n"
                         "argv = [\"ktel-no-such-tool\"]\npackage = \"ktel-tools\"\n";
  RunResult c = run_ktel({"collect", "-o", dir, "--workloads-file", toml, "-w",
                          "mine,cpu_bound_4p", "--runs", "1", "--duration", "0.3s"},
                         120);
  ASSERT_EQ(c.exit_code, 0) << c.out << c.err;
  EXPECT_NE(c.out.find("skipped"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("apt-get install ktel-tools"), std::string::npos) << c.out;
  EXPECT_FALSE(fs::exists(dir + "/raw/mine_run1"));
  EXPECT_TRUE(file_exists(dir + "/raw/cpu_bound_4p_run1.json"));
  auto summary = read_json(dir + "/collect.json");
  EXPECT_EQ(summary["workloads"][0]["status"], "skipped");
  EXPECT_EQ(summary["runs"][0]["status"], "skipped");
}

TEST_F(CollectE2E, ARunPastTheTimeoutIsStoppedAndKeptAsTimedOut) {
  std::string dir = tmp_ / "data";
  RunResult c = run_ktel({"collect", "-o", dir, "-w", "cpu_bound_4p", "--runs", "1", "--duration",
                          "30s", "--timeout", "1s"},
                         120);
  ASSERT_EQ(c.exit_code, 0) << c.out << c.err;
  auto meta = read_json(dir + "/raw/cpu_bound_4p_run1.json");
  EXPECT_EQ(meta["status"], "timed_out");
  EXPECT_EQ(meta["exit"]["timed_out"], true);
  EXPECT_LT(meta["duration_s"].get<double>(), 10.0);
  EXPECT_GT(meta["sched_switch"].get<int64_t>(), 0);
}

TEST_F(CollectE2E, UnderSudoTheCollectionBelongsToTheInvokingUser) {
  std::string dir = tmp_ / "data";
  ASSERT_EQ(::chmod(tmp_.path().c_str(), 0755), 0);
  RunResult c = run({"env", "SUDO_UID=65534", "SUDO_GID=65534", "SUDO_USER=nobody", ktel_bin(),
                     "collect", "-o", dir, "-w", "cpu_bound_4p", "--runs", "1", "--duration",
                     "0.5s"},
                    120);
  ASSERT_EQ(c.exit_code, 0) << c.out << c.err;
  for (std::string p : {dir, dir + "/collect.json", dir + "/raw", dir + "/raw/cpu_bound_4p_run1.json",
                        dir + "/raw/cpu_bound_4p_run1/episode.db", dir + "/logs"}) {
    struct stat st {};
    ASSERT_EQ(::stat(p.c_str(), &st), 0) << p;
    EXPECT_EQ(st.st_uid, 65534u) << p;
  }
}

}  // namespace
}  // namespace ktel::e2e

namespace ktel::e2e {
namespace {

TEST(WorkloadsE2E, ListsTheStandardWorkloadsAndCustomOnesAsTableAndJson) {
  TempDir tmp;
  std::string toml = tmp / "w.toml";
  std::ofstream(toml) << "[[workload]]\nname = \"mine\"\ncategory = \"custom\"\n"
                         "argv = [\"ktel-no-such-tool\", \"--go\"]\npackage = \"ktel-tools\"\n";
  RunResult t = run_ktel({"workloads", "--workloads-file", toml});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  for (const char* name : {"hackbench_pipe_small", "sysbench_memory_4t", "cpu_bound_8p", "io_mixed",
                           "mine"}) {
    EXPECT_NE(t.out.find(name), std::string::npos) << name;
  }
  RunResult j = run_ktel({"workloads", "--workloads-file", toml, "--format", "json"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  std::string listed = tmp / "list.json";
  std::ofstream(listed) << j.out;
  RunResult check = run({"python3", "-c",
                         "import json,sys; w={x['name']: x for x in json.load(open(sys.argv[1]))}; "
                         "std=[n for n,x in w.items() if x['standard']]; assert len(std)==12, std; "
                         "assert all(w[n]['status'] in ('installed','built-in') for n in std), w; "
                         "assert w['mine']['status']=='missing' and 'ktel-tools' in w['mine']['detail']",
                         listed});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

TEST(WorkloadsE2E, ABrokenTomlFileIsAnErrorNamingFileAndLine) {
  TempDir tmp;
  std::string toml = tmp / "bad.toml";
  std::ofstream(toml) << "[[workload]]\nname = \"x\"\ncategory = \"c\"\nargv = [\"a\"]\nextra = 1\n";
  RunResult r = run_ktel({"workloads", "--workloads-file", toml});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(toml + ":5: unknown field 'extra'"), std::string::npos) << r.err;
  RunResult rec = run_ktel({"record", "--workload", "x", "--workloads-file", toml, "-o", tmp / "ep"});
  EXPECT_EQ(rec.exit_code, 125);
  EXPECT_NE(rec.err.find(toml + ":5:"), std::string::npos) << rec.err;
}

TEST(WorkloadsE2E, RecordAWorkloadOfTheCatalogWithItsLabels) {
  TempDir tmp;
  std::string ep = tmp / "ep";
  RunResult r = run_ktel({"record", "-q", "--sources", "proc", "-o", ep, "--workload", "cpu_bound_4p",
                          "--workload-seconds", "0.5"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto meta = read_json(ep + "/meta.json");
  EXPECT_EQ(meta["labels"]["workload"], "cpu_bound_4p");
  EXPECT_EQ(meta["labels"]["category"], "cpu_bound");
  EXPECT_EQ(meta["target"]["argv"][2], "cpu_bound");
  EXPECT_EQ(meta["target"]["argv"][4], "0.5");
  EXPECT_GE(sql_int(layout::db(ep), "SELECT COUNT(DISTINCT pid) FROM proc_samples WHERE comm = 'cpu_bound'"), 5);
  RunResult missing = run_ktel({"record", "--workload", "nope", "-o", tmp / "ep2"});
  EXPECT_EQ(missing.exit_code, 125);
  EXPECT_NE(missing.err.find("unknown workload 'nope'"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace ktel::e2e
