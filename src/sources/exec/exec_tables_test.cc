// build_exec_tables over a hand-built raw capture of real record layouts:
// rows of exec_events, forks and processes byte-exact (hostile argv and
// names), the episode clock applied, bad frames counted, a foreign record
// version refused.
#include "sources/exec/exec_tables.h"

#include <gtest/gtest.h>

#include <cstring>

#include <nlohmann/json.hpp>

#include "base/testing/temp_dir.h"
#include "model/testing/memory_sink.h"
#include "sys/bpf/exec_record.h"

namespace ktel::exec {
namespace {

using ktel::testing::is_null;
using ktel::testing::MemorySink;

constexpr int64_t kOrigin = 1'000'000'000;

template <typename T>
std::string raw_bytes(const T& rec, std::string_view tail = {}) {
  std::string out(reinterpret_cast<const char*>(&rec), sizeof rec);
  out += tail;
  return out;
}

std::string exec_record(uint64_t ts, int32_t pid, int32_t ppid, std::string_view comm,
                        std::string_view argv_block, uint32_t argc) {
  KtelExecRecord r{};
  r.hdr = {KTEL_EXEC_REC_VERSION, KTEL_EXEC_TYPE_EXEC,
           static_cast<uint32_t>(sizeof r + argv_block.size()), ts};
  r.pid = pid;
  r.tid = pid;
  r.ppid = ppid;
  r.uid = 1000;
  r.cgroup_id = 4242;
  std::memcpy(r.comm, comm.data(), std::min<size_t>(comm.size(), 15));
  std::string file = "/tmp/" + std::string(comm);
  std::memcpy(r.filename, file.data(), file.size());
  r.filename_len = static_cast<uint32_t>(file.size());
  r.argv_len = static_cast<uint32_t>(argv_block.size());
  r.argv_full_len = r.argv_len;
  r.argc = argc;
  return raw_bytes(r, argv_block);
}

std::string fork_record(uint64_t ts, int32_t parent, int32_t child) {
  KtelForkRecord r{};
  r.hdr = {KTEL_EXEC_REC_VERSION, KTEL_EXEC_TYPE_FORK, sizeof r, ts};
  r.parent_pid = r.parent_tid = parent;
  r.child_pid = r.child_tid = child;
  r.child_start_ns = ts;
  std::memcpy(r.comm, "bash", 4);
  return raw_bytes(r);
}

std::string exit_record(uint64_t ts, int32_t pid, uint32_t code, uint64_t start) {
  KtelExitRecord r{};
  r.hdr = {KTEL_EXEC_REC_VERSION, KTEL_EXEC_TYPE_EXIT, sizeof r, ts};
  r.pid = r.tid = pid;
  r.ppid = 1;
  r.exit_code = code;
  r.flags = KTEL_EXIT_GROUP_DEAD | KTEL_EXIT_HAS_MM;
  r.cpu_ns = 5'000'000;
  r.maxrss_pages = 25;
  r.start_ns = start;
  return raw_bytes(r);
}

std::string write_capture(const std::string& dir, const std::vector<std::string>& records,
                          uint32_t version = KTEL_EXEC_REC_VERSION) {
  std::string path = dir + "/records.bin";
  auto w = ExecRawWriter::create(path, {.record_version = version, .page_size = 4096,
                                        .argv_max_args = 64, .argv_max_bytes = 4096});
  EXPECT_TRUE(w.is_ok());
  for (const auto& r : records) {
    EXPECT_TRUE(w->append({reinterpret_cast<const std::byte*>(r.data()), r.size()}).is_ok());
  }
  EXPECT_TRUE(w->finish().is_ok());
  return path;
}

int64_t as_int(const Value& v) { return std::get<int64_t>(v); }
std::string as_text(const Value& v) { return std::get<std::string>(v); }

TEST(ExecTablesTest, RowsFromARawCaptureAreExact) {
  testing::TempDir tmp;
  const std::string hostile_argv("<script>\0'; DROP TABLE x\0a,b\"c\0\xff\xfe\0", 34);
  std::string path = write_capture(
      tmp.path(), {fork_record(kOrigin + 10, 100, 101),
                   exec_record(kOrigin + 20, 101, 100, "<script>", hostile_argv, 4),
                   "garbage that is not a record",
                   exit_record(kOrigin + 90, 101, 7 << 8, kOrigin + 10)});
  MemorySink sink;
  EpisodeClock clock(kOrigin, 5'000'000'000);
  auto built = build_exec_tables(path, sink, clock);
  ASSERT_TRUE(built.is_ok()) << built.status().to_string();
  EXPECT_EQ(built->raw.frames, 4u);
  EXPECT_EQ(built->malformed, 1u);
  EXPECT_NE(built->first_malformed.find("exec tracer"), std::string::npos);
  EXPECT_EQ(built->first_row_ts_ns, kOrigin + 10);
  EXPECT_EQ(built->counts.execs, 1u);
  EXPECT_EQ(built->counts.forks, 1u);
  EXPECT_EQ(built->counts.process_exits, 1u);
  EXPECT_EQ(built->counts.processes, 1u);

  auto execs = sink.rows("exec_events");
  ASSERT_EQ(execs.size(), 1u);
  EXPECT_EQ(as_int(execs[0]["t_mono_ns"]), 20);
  EXPECT_EQ(as_int(execs[0]["t_wall_ns"]), 5'000'000'020);
  EXPECT_EQ(as_text(execs[0]["source"]), "host_exec");
  EXPECT_EQ(as_int(execs[0]["ts_ns"]), kOrigin + 20);
  EXPECT_EQ(as_text(execs[0]["comm"]), "<script>");
  EXPECT_EQ(as_text(execs[0]["filename"]), "/tmp/<script>");
  auto argv = nlohmann::json::parse(as_text(execs[0]["argv"]));
  EXPECT_EQ(argv, nlohmann::json({"<script>", "'; DROP TABLE x", "a,b\"c", "\xef\xbf\xbd\xef\xbf\xbd"}));
  EXPECT_EQ(as_int(execs[0]["argv_bytes"]), 34);
  EXPECT_EQ(as_int(execs[0]["argc"]), 4);
  EXPECT_EQ(as_int(execs[0]["argv_truncated"]), 0);
  EXPECT_EQ(as_int(execs[0]["cgroup_id"]), 4242);

  auto forks = sink.rows("forks");
  ASSERT_EQ(forks.size(), 1u);
  EXPECT_EQ(as_int(forks[0]["parent_pid"]), 100);
  EXPECT_EQ(as_int(forks[0]["child_pid"]), 101);
  EXPECT_EQ(as_int(forks[0]["is_thread"]), 0);

  auto procs = sink.rows("processes");
  ASSERT_EQ(procs.size(), 1u);
  auto& p = procs[0];
  EXPECT_EQ(as_int(p["t_mono_ns"]), 10);  // the process's start
  EXPECT_EQ(as_int(p["pid"]), 101);
  EXPECT_EQ(as_int(p["ppid"]), 100);
  EXPECT_EQ(as_int(p["start_ns"]), 10);
  EXPECT_EQ(as_int(p["exec_ns"]), 20);
  EXPECT_EQ(as_int(p["exit_ns"]), 90);
  EXPECT_EQ(as_int(p["duration_ns"]), 80);
  EXPECT_EQ(as_int(p["exit_code"]), 7);
  EXPECT_TRUE(is_null(p["signal"]));
  EXPECT_EQ(as_text(p["comm"]), "<script>");
  EXPECT_EQ(nlohmann::json::parse(as_text(p["argv"])), argv);
  EXPECT_EQ(as_int(p["cpu_ns"]), 5'000'000);
  EXPECT_EQ(as_int(p["maxrss_bytes"]), 25 * 4096);
  EXPECT_EQ(as_int(p["uid"]), 1000);
  EXPECT_EQ(as_int(p["exec_count"]), 1);
}

TEST(ExecTablesTest, AProcessStillRunningHasNullsNotZeros) {
  testing::TempDir tmp;
  std::string path = write_capture(tmp.path(), {fork_record(kOrigin - 50, 1, 2)});
  MemorySink sink;
  EpisodeClock clock(kOrigin, 0);
  auto built = build_exec_tables(path, sink, clock);
  ASSERT_TRUE(built.is_ok());
  auto procs = sink.rows("processes");
  ASSERT_EQ(procs.size(), 1u);
  EXPECT_EQ(as_int(procs[0]["start_ns"]), -50);  // started before the episode
  for (const char* col : {"exec_ns", "exit_ns", "duration_ns", "exit_code", "signal", "filename",
                          "argv", "cpu_ns", "maxrss_bytes"}) {
    EXPECT_TRUE(is_null(procs[0][col])) << col;
  }
  EXPECT_EQ(as_text(procs[0]["comm"]), "bash");
}

TEST(ExecTablesTest, AForeignRecordVersionIsRefusedAndTheFileNamed) {
  testing::TempDir tmp;
  std::string path = write_capture(tmp.path(), {fork_record(1, 1, 2)}, 99);
  MemorySink sink;
  EpisodeClock clock(0, 0);
  auto built = build_exec_tables(path, sink, clock);
  ASSERT_FALSE(built.is_ok());
  EXPECT_EQ(built.status().code(), Code::kDataLoss);
  EXPECT_NE(built.status().to_string().find(path), std::string::npos);
  EXPECT_NE(built.status().to_string().find("version 99"), std::string::npos);
}

TEST(ExecTablesTest, ArgvJsonEscapesEverything) {
  EXPECT_EQ(argv_json({}), "[]");
  EXPECT_EQ(argv_json({"a b", "\"q\"", "\n"}), R"(["a b","\"q\"","\n"])");
}

}  // namespace
}  // namespace ktel::exec
