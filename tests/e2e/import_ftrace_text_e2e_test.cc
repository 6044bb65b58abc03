// End-to-end: `ktel import ftrace-text` on a committed Linux 6.18 capture (a
// new episode) and on a trace taken live, with trace_clock=mono, in a private
// tracefs instance while `ktel record` ran (--into that episode); results
// read back with the sqlite3 CLI and python3's json module.
#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include "e2e_util.h"

namespace ktel::e2e {
namespace {

std::string source_dir() {
  const char* s = std::getenv("KTEL_SOURCE_DIR");
  return s ? s : ".";
}

TEST(ImportFtraceTextE2E, CommittedCaptureBecomesANewEpisodeWithItsLosses) {
  TempDir tmp;
  std::string ep = tmp / "ep";
  std::string trace = source_dir() + "/testdata/ftrace_text/sched_lost_pipe.txt";
  RunResult r = run_ktel({"import", "ftrace-text", trace, "--output", ep, "--threads", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("imported 201 events"), std::string::npos) << r.out;
  // Damaged lines and LOST markers are reported with line numbers and CPUs.
  EXPECT_NE(r.err.find("7 malformed lines skipped (lines 14, 112,"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("CPU0 520, CPU1 316"), std::string::npos) << r.err;
  EXPECT_TRUE(file_exists(ep + "/done.marker"));
  auto meta = read_json(ep + "/meta.json");
  EXPECT_EQ(meta["status"], "complete");
  EXPECT_EQ(meta["target"]["kind"], "import");
  EXPECT_EQ(meta["sources"]["sched"]["status"], "ok");
  EXPECT_EQ(meta["sources"]["sched"]["lost"], 836);
  EXPECT_EQ(meta["sources"]["sched"]["details"]["malformed_lines"], 7);
  const std::string db = ep + "/episode.db";
  EXPECT_EQ(sql_int(db, "SELECT COUNT(*) FROM sched_switch"), 93);
  EXPECT_EQ(sql_int(db, "SELECT COUNT(*) FROM sched_wakeup"), 70);
  // The clock starts at the first event (line 1, 10907.283590 s).
  EXPECT_EQ(sql_int(db, "SELECT MIN(t_mono_ns) FROM sched_process"), 0);
  EXPECT_EQ(sql_int(db, "SELECT ts_ns FROM sched_process ORDER BY ts_ns LIMIT 1"), 10907283590000);
  EXPECT_EQ(sql_int(db,
                    "SELECT SUM(json_extract(fields,'$.count')) FROM events "
                    "WHERE kind='sched_lost_events'"),
            836);
  EXPECT_EQ(sql_int(db,
                    "SELECT json_extract(fields,'$.first_bad_line') FROM events "
                    "WHERE kind='sched_import_malformed'"),
            14);
  RunResult show = run_ktel({"show", ep});
  EXPECT_EQ(show.exit_code, 0) << show.err;

  // Importing a second trace into it would mix captures: refused.
  RunResult again = run_ktel({"import", "ftrace-text", trace, "--into", ep});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already holds"), std::string::npos) << again.err;
  // A file with no event at all is an error with the hint, and no episode.
  RunResult none =
      run_ktel({"import", "ftrace-text", source_dir() + "/testdata/ftrace_text/README.md",
                "--output", tmp / "none"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("holds no parsable ftrace event"), std::string::npos) << none.err;
  EXPECT_FALSE(file_exists(tmp / "none/meta.json"));
}

// Removes the test's tracefs instance however the test ends.
struct InstanceGuard {
  std::string path;
  ~InstanceGuard() {
    run({"sh", "-c",
         "[ -d " + path + " ] && { echo 0 > " + path + "/tracing_on; rmdir " + path + "; }; true"});
  }
};

TEST(ImportFtraceTextE2E, MonoTraceTakenDuringARecordingLinesUpWithIt) {
  KTEL_REQUIRE_ROOT("creates a tracefs instance");
  TempDir tmp;
  const std::string inst = "/sys/kernel/tracing/instances/import-e2e-" + std::to_string(::getpid());
  InstanceGuard guard{inst};
  // A private instance (never ktel-*: ktel removes stale ones of that name).
  const std::string setup =
      "set -e; [ -d /sys/kernel/tracing/instances ] || mount -t tracefs tracefs "
      "/sys/kernel/tracing;"
      "mkdir " +
      inst + "; echo mono > " + inst +
      "/trace_clock;"
      "for e in sched_switch sched_wakeup sched_wakeup_new sched_process_fork "
      "sched_process_exec sched_process_exit; do echo 1 > " +
      inst +
      "/events/sched/$e/enable; done;"
      "echo 1 > " +
      inst + "/tracing_on";
  RunResult s = run({"sh", "-c", setup});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  std::string ep = tmp / "ep";
  // A copy of true under this test's own path: the trace is machine-wide and
  // other tests run /bin/true meanwhile.
  const std::string mine = tmp / "true-of-this-test";
  std::filesystem::copy_file("/bin/true", mine);
  std::filesystem::permissions(mine, std::filesystem::perms::owner_all);
  RunResult rec = run_ktel({"record", "-q", "--sources", "proc", "-o", ep, "--", "sh", "-c",
                            "for i in 1 2 3; do " + mine + "; done; sleep 0.2"});
  std::string trace = tmp / "trace.txt";
  RunResult dump = run(
      {"sh", "-c",
       "echo 0 > " + inst + "/tracing_on; cat " + inst + "/trace > " + trace + "; rmdir " + inst});
  ASSERT_EQ(rec.exit_code, 0) << rec.err;
  ASSERT_EQ(dump.exit_code, 0) << dump.err;

  RunResult r = run_ktel({"import", "ftrace-text", trace, "--into", ep});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("was it traced with trace_clock=mono"), std::string::npos) << r.err;
  auto meta = read_json(ep + "/meta.json");
  EXPECT_EQ(meta["sources"]["sched"]["status"], "ok");
  const std::string db = ep + "/episode.db";
  // The three execs happened inside the recording, on its clock.
  const int64_t duration = meta["duration_ns"].get<int64_t>();
  EXPECT_EQ(sql_int(db,
                    "SELECT COUNT(*) FROM sched_process WHERE kind='exec' AND "
                    "filename='" + mine + "' AND t_mono_ns >= 0 AND t_mono_ns <= " +
                        std::to_string(duration)),
            3);
  EXPECT_GT(sql_int(db, "SELECT COUNT(*) FROM sched_switch"), 0);
  EXPECT_EQ(sql_int(db, "SELECT COUNT(*) FROM events WHERE kind='sched_import_finished'"), 1);
}

}  // namespace
}  // namespace ktel::e2e
