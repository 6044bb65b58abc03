// The pipeline section over a hand-made processes table: a make-like tree
// with a slow compile, a failing one, a killed test and a hostile argv; the
// numbers are checked against the rows by hand.
#include "analysis/report/pipeline_section.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "analysis/export/episode_fixture.h"
#include "analysis/report/report_writer.h"
#include "model/tables.h"
#include "sinks/sqlite/sqlite_sink.h"

namespace ktel::report {
namespace {

using ::testing::HasSubstr;
using ktel::testing::TempDir;

constexpr int64_t kMs = 1'000'000;

struct Proc {
  int64_t pid, ppid, start, exit;
  std::optional<int> code, signal;
  std::string comm;
  std::optional<std::string> argv;  // JSON; nullopt = never exec'd
  int64_t cpu, rss;
};

const std::string kHostileArgv = R"(["sh", "-c", "echo '; DROP TABLE x", "a,b\"c", "<script>"])";

std::vector<Proc> pipeline() {
  return {
      {100, 1, 0, 1000 * kMs, 0, {}, "make", R"(["make", "-j2"])", 10 * kMs, 8 << 20},
      {101, 100, 10 * kMs, 600 * kMs, 0, {}, "cc", R"(["cc", "-c", "a.c"])", 500 * kMs, 100 << 20},
      {102, 100, 20 * kMs, 320 * kMs, 0, {}, "cc", R"(["cc", "-c", "a.c"])", 250 * kMs, 90 << 20},
      {103, 100, 30 * kMs, 90 * kMs, 1, {}, "cc", R"(["cc", "-c", "bad file.c"])", 40 * kMs, 20 << 20},
      {104, 100, 700 * kMs, 900 * kMs, {}, 9, "test", R"(["./test", "--all"])", 150 * kMs, 30 << 20},
      {105, 104, 710 * kMs, 720 * kMs, 0, {}, "test", {}, 1 * kMs, 1 << 20},  // forked, no exec
      {106, 100, 910 * kMs, 950 * kMs, 7, {}, "sh", kHostileArgv, 2 * kMs, 2 << 20},
  };
}

void build(const std::string& dir, bool with_processes) {
  std::filesystem::create_directories(dir);
  EpisodeMeta meta = ktel::testing::sample_meta("01PIPELINE");
  meta.sources["exec"] = SourceMeta{with_processes ? "ok" : "unavailable", 7, 0,
                                    with_processes ? "" : "BTF missing", nlohmann::json::object()};
  ASSERT_TRUE(write_meta(dir, meta).is_ok());
  auto sink = SqliteSink::open(dir + "/episode.db");
  ASSERT_TRUE(sink.is_ok());
  if (with_processes) {
    Schema schema = tables::processes();
    auto table = (*sink)->open_table(schema);
    ASSERT_TRUE(table.is_ok());
    Batch b(schema.columns.size());
    for (const Proc& p : pipeline()) {
      b.add_common(p.start, 1'700'000'000'000'000'000 + p.start, "host_exec", true)
          .add_int(p.pid).add_int(p.ppid).add_int(p.start);
      p.argv ? b.add_int(p.start + kMs) : b.add_null();
      b.add_int(p.exit).add_int(p.exit - p.start);
      p.code ? b.add_int(*p.code) : b.add_null();
      p.signal ? b.add_int(*p.signal) : b.add_null();
      b.add_int(0).add_text(p.comm);
      p.argv ? b.add_text("/usr/bin/" + p.comm) : b.add_null();
      p.argv ? b.add_text(*p.argv) : b.add_null();
      b.add_int(0).add_int(p.cpu).add_int(p.rss).add_int(1000).add_int(1).add_int(p.argv ? 1 : 0);
      b.add_null();  // rss_peak_bytes: no --exec-rss
    }
    ASSERT_TRUE((*sink)->append(*table, std::move(b)).is_ok());
  } else {
    ASSERT_TRUE((*sink)->open_table(tables::proc_ticks()).is_ok());
  }
  ASSERT_TRUE((*sink)->finish().is_ok());
  std::ofstream(dir + "/done.marker") << "x\n";
}

ReportSection section(const std::string& dir, size_t top = 20) {
  SectionRegistry registry;
  register_builtin_sections(registry);
  auto r = build_report(dir, registry, {.top = top, .sections = {"pipeline"}});
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return r.is_ok() && !r->sections.empty() ? r->sections[0] : ReportSection{};
}

const ReportTable& table(const ReportSection& s, const std::string& name) {
  for (const auto& t : s.tables) {
    if (t.name == name) return t;
  }
  static ReportTable none;
  ADD_FAILURE() << "no table " << name;
  return none;
}

int64_t i(const Value& v) { return std::get<int64_t>(v); }
std::string str(const Value& v) { return std::get<std::string>(v); }

TEST(PipelineSection, CommandsAreGroupedByFullCommandLine) {
  TempDir tmp;
  build(tmp.path(), true);
  ReportSection s = section(tmp.path());
  const ReportTable& t = table(s, "commands");
  ASSERT_GE(t.rows.size(), 2u);
  EXPECT_EQ(str(t.rows[0][0]), "make -j2");  // 1000 ms total
  EXPECT_EQ(str(t.rows[1][0]), "cc -c a.c");
  EXPECT_EQ(i(t.rows[1][1]), 2);            // runs
  EXPECT_EQ(i(t.rows[1][2]), 445 * kMs);    // mean of 590 and 300
  EXPECT_EQ(i(t.rows[1][3]), 300 * kMs);
  EXPECT_EQ(i(t.rows[1][4]), 590 * kMs);
  EXPECT_EQ(i(t.rows[1][5]), 890 * kMs);
  bool quoted = false;
  for (const auto& row : t.rows) quoted = quoted || str(row[0]) == "cc -c 'bad file.c'";
  EXPECT_TRUE(quoted);
  for (const auto& row : t.rows) EXPECT_NE(str(row[0]), "[test]");  // never exec'd: not a command
}

TEST(PipelineSection, CpuPerBinaryIsSummedOverRunsInSeconds) {
  TempDir tmp;
  build(tmp.path(), true);
  ReportSection s = section(tmp.path());
  const ReportTable& t = table(s, "binaries");
  ASSERT_FALSE(t.rows.empty());
  EXPECT_EQ(str(t.rows[0][0]), "/usr/bin/cc");
  EXPECT_EQ(i(t.rows[0][1]), 3);
  EXPECT_DOUBLE_EQ(std::get<double>(t.rows[0][2]), 0.79);  // 500 + 250 + 40 ms
}

TEST(PipelineSection, FailedCommandsHaveTheirExitCodeOrSignal) {
  TempDir tmp;
  build(tmp.path(), true);
  ReportSection s = section(tmp.path());
  const ReportTable& t = table(s, "failed");
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(i(t.rows[0][0]), 103);
  EXPECT_EQ(i(t.rows[0][2]), 1);
  EXPECT_EQ(i(t.rows[1][0]), 104);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(t.rows[1][2]));
  EXPECT_EQ(i(t.rows[1][3]), 9);
  EXPECT_EQ(i(t.rows[2][0]), 106);
  EXPECT_EQ(str(t.rows[2][1]), R"(sh -c 'echo '\''; DROP TABLE x' 'a,b"c' '<script>')");
}

TEST(PipelineSection, TopMemoryAndTheTreeInStartOrder) {
  TempDir tmp;
  build(tmp.path(), true);
  ReportSection s = section(tmp.path());
  const ReportTable& mem = table(s, "memory");
  EXPECT_EQ(i(mem.rows[0][0]), 101);
  EXPECT_EQ(i(mem.rows[0][2]), 100 << 20);
  const ReportTable& tree = table(s, "tree");
  std::vector<int64_t> pids, depths;
  for (const auto& row : tree.rows) {
    depths.push_back(i(row[0]));
    pids.push_back(i(row[1]));
  }
  EXPECT_EQ(pids, (std::vector<int64_t>{100, 101, 102, 103, 104, 105, 106}));
  EXPECT_EQ(depths, (std::vector<int64_t>{0, 1, 1, 1, 1, 2, 1}));
  EXPECT_EQ(str(tree.rows[5][3]), "    [test]");
  ReportSection limited = section(tmp.path(), 1);
  EXPECT_EQ(table(limited, "tree").rows.size(), 5u);  // top * 5
  EXPECT_THAT(table(limited, "tree").note, HasSubstr("first 5 of 7"));
}

TEST(PipelineSection, WithoutTheExecSourceItSaysWhy) {
  TempDir tmp;
  build(tmp.path(), false);
  ReportSection s = section(tmp.path());
  EXPECT_FALSE(s.available);
  EXPECT_THAT(s.note, HasSubstr("BTF missing"));
}

TEST(PipelineSection, HostileArgvStaysExactInJsonAndCsv) {
  TempDir tmp;
  build(tmp.path(), true);
  SectionRegistry registry;
  register_builtin_sections(registry);
  auto r = build_report(tmp.path(), registry, {.top = 20, .sections = {"pipeline"}});
  ASSERT_TRUE(r.is_ok());
  auto render = [&](ReportFormat f) {
    StringOutput out;
    EXPECT_TRUE(write_report(*r, f, out).is_ok());
    return out.str();
  };
  std::string json = render(ReportFormat::kJson);
  auto j = nlohmann::json::parse(json);
  bool found = false;
  for (const auto& t : j["sections"][0]["tables"]) {
    if (t["name"] != "failed") continue;
    found = t["rows"][2]["command"] == R"(sh -c 'echo '\''; DROP TABLE x' 'a,b"c' '<script>')";
  }
  EXPECT_TRUE(found) << json;
  std::string csv = render(ReportFormat::kCsv);
  EXPECT_THAT(csv, HasSubstr(R"("sh -c 'echo '\''; DROP TABLE x' 'a,b""c' '<script>'")"));
}

}  // namespace
}  // namespace ktel::report
