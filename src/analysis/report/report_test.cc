// `ktel report` end to end below the CLI: an episode written through
// SqliteSink + SchedTableWriter from a hand-made trace, reported in all three
// formats, the numbers checked against the trace by hand.
#include "analysis/report/report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "analysis/export/episode_fixture.h"
#include "analysis/report/report_writer.h"
#include "analysis/export/testing/csv_reader.h"
#include "sources/sched/sched_tables.h"
#include "sources/sched/testing/sched_event_builders.h"

namespace ktel::report {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ktel::testing::TempDir;
using namespace ktel::sched::testing;  // NOLINT(google-build-using-namespace)

// A comm a hostile workload could pick: comma, quote, CR LF, ESC, invalid UTF-8.
const std::string kHostile = std::string("a,b\"c\r\n\x1b[2J\xff", 12);

// cpu0: ping (100) and pong (200) take turns, each woken by the other.
// cpu1: the hostile task (300) runs 1000..2000, is preempted, and waits.
std::vector<sched::SchedEvent> trace() {
  return {
      wakeup_event(900, 0, "ping", 100, 0, false, /*by=*/0),
      switch_event(1000, 0, "swapper/0", 0, "R", "ping", 100),
      switch_event(1000, 1, "swapper/1", 0, "R", kHostile, 300),
      wakeup_event(1500, 0, "pong", 200, 0, false, /*by=*/100),
      switch_event(1600, 0, "ping", 100, "S", "pong", 200),
      switch_event(2000, 1, kHostile, 300, "R+", "swapper/1", 0),
      wakeup_event(2000, 0, "ping", 100, 0, false, /*by=*/200),
      switch_event(2300, 0, "pong", 200, "S", "ping", 100),
      wakeup_event(2500, 0, "pong", 200, 0, false, /*by=*/100),
      switch_event(2600, 0, "ping", 100, "S", "pong", 200),
      switch_event(3000, 0, "pong", 200, "S", "swapper/0", 0),
      migrate_event(3400, 1, "ping", 100, 0, 1),
  };
}

EpisodeMeta meta_with_sched(const std::string& id, SourceMeta sched) {
  EpisodeMeta m = ktel::testing::sample_meta(id);
  m.sources["sched"] = std::move(sched);
  return m;
}

// An episode directory; with_sched: it holds the sched tables of `events`.
void build(const std::string& dir, const EpisodeMeta& meta, bool with_sched,
           const std::vector<sched::SchedEvent>& events = trace()) {
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(write_meta(dir, meta).is_ok());
  auto sink = SqliteSink::open(dir + "/episode.db");
  ASSERT_TRUE(sink.is_ok()) << sink.status().to_string();
  if (with_sched) {
    EpisodeClock clock(0, 1'700'000'000'000'000'000);
    auto writer = sched::SchedTableWriter::open(**sink, clock);
    ASSERT_TRUE(writer.is_ok());
    for (const auto& e : events) ASSERT_TRUE((*writer)->add(e).is_ok());
    ASSERT_TRUE((*writer)->finish().is_ok());
  } else {
    ASSERT_TRUE((*sink)->open_table(tables::proc_ticks()).is_ok());
  }
  ASSERT_TRUE((*sink)->finish().is_ok());
  std::ofstream(dir + "/done.marker") << meta.id << "\n";
}

Report make(const std::string& dir, ReportOptions options = {}) {
  SectionRegistry registry;
  register_builtin_sections(registry);
  auto r = build_report(dir, registry, options);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return r.is_ok() ? *r : Report{};
}

std::string render(const Report& r, ReportFormat f) {
  StringOutput out;
  EXPECT_TRUE(write_report(r, f, out).is_ok());
  return out.str();
}

const ReportTable& table(const Report& r, const std::string& name) {
  for (const auto& t : r.sections.at(0).tables) {
    if (t.name == name) return t;
  }
  ADD_FAILURE() << "no table " << name;
  static const ReportTable kNone;
  return kNone;
}

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path() + "/01HXREPORT";
    build(dir_, meta_with_sched("01HXREPORT", SourceMeta{"ok", 40, 0, "", {}}), true);
  }
  TempDir tmp_;
  std::string dir_;
};

TEST_F(ReportTest, JsonHasTheNumbersOfTheTrace) {
  nlohmann::json j = nlohmann::json::parse(render(make(dir_), ReportFormat::kJson));
  EXPECT_EQ(j["report_version"], 1);
  EXPECT_EQ(j["episode"]["id"], "01HXREPORT");
  EXPECT_EQ(j["episode"]["command"], "make test");
  EXPECT_EQ(j["episode"]["duration_ns"], 1'500'000'000);
  ASSERT_EQ(j["sections"].size(), 2u);  // sched, then pipeline (no exec data here)
  EXPECT_EQ(j["sections"][1]["name"], "pipeline");
  EXPECT_EQ(j["sections"][1]["available"], false);
  const auto& s = j["sections"][0];
  EXPECT_EQ(s["name"], "sched");
  EXPECT_EQ(s["available"], true);
  const auto& overview = s["tables"][0]["rows"][0];
  EXPECT_EQ(overview["span_ns"], 2500);
  EXPECT_EQ(overview["threads"], 3);
  EXPECT_EQ(overview["cpu_time_ns"], 3000);
  EXPECT_EQ(overview["voluntary_switches"], 4);
  EXPECT_EQ(overview["involuntary_switches"], 1);
  EXPECT_EQ(overview["runqueue_wait_ns"], 400 + 200 + 1400);
  EXPECT_EQ(overview["latency_p50_ns"], 100);  // {100,100,100,300}: rank 2
  EXPECT_EQ(overview["latency_p90_ns"], 300);  // rank ceil(3.6) = 4
  const auto& tasks = s["tables"][1]["rows"];
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0]["comm"], "pong");
  EXPECT_EQ(tasks[0]["cpu_time_ns"], 1100);
  EXPECT_DOUBLE_EQ(tasks[0]["cpu_pct"].get<double>(), 44.0);
  EXPECT_EQ(tasks[1]["tid"], 300);
  EXPECT_EQ(tasks[1]["comm"], "a,b\"c\r\n\x1b[2J\xEF\xBF\xBD");  // invalid byte -> U+FFFD
  EXPECT_EQ(tasks[1]["involuntary_switches"], 1);
  EXPECT_TRUE(tasks[1]["latency_p50_ns"].is_null());  // never woken
  EXPECT_EQ(tasks[1]["runqueue_wait_ns"], 1400);
  EXPECT_EQ(tasks[2]["comm"], "ping");
  EXPECT_EQ(tasks[2]["latency_p50_ns"], 100);
  EXPECT_EQ(tasks[2]["latency_p90_ns"], 300);
  EXPECT_EQ(tasks[2]["latency_max_ns"], 300);
  EXPECT_EQ(tasks[2]["voluntary_switches"], 2);
  EXPECT_EQ(tasks[2]["migrations"], 1);
  const auto& cpus = s["tables"][2]["rows"];
  ASSERT_EQ(cpus.size(), 2u);
  EXPECT_EQ(cpus[0]["busy_ns"], 2000);
  EXPECT_DOUBLE_EQ(cpus[0]["busy_pct"].get<double>(), 80.0);
  EXPECT_EQ(cpus[0]["idle_ns"], 500);
  EXPECT_EQ(cpus[0]["unknown_ns"], 0);
  EXPECT_DOUBLE_EQ(cpus[1]["busy_pct"].get<double>(), 40.0);
}

TEST_F(ReportTest, TopLimitsTasksAndSaysHowMany) {
  Report r = make(dir_, {.top = 2, .sections = {"sched"}});
  const ReportTable& tasks = table(r, "tasks");
  ASSERT_EQ(tasks.rows.size(), 2u);
  EXPECT_EQ(std::get<int64_t>(tasks.rows[0][0]), 200);
  EXPECT_EQ(std::get<int64_t>(tasks.rows[1][0]), 300);
  EXPECT_THAT(tasks.note, HasSubstr("2 of 3 threads"));
}

TEST_F(ReportTest, CsvKeepsHostileNamesByteExact) {
  std::string csv = render(make(dir_), ReportFormat::kCsv);
  auto records = ktel::testing::parse_csv(csv);
  bool found = false;
  for (const auto& rec : records) {
    if (rec.size() > 5 && rec[0].text == "sched" && rec[1].text == "tasks" && rec[2].text == "300") {
      found = true;
      EXPECT_EQ(rec[5].text, kHostile);
      EXPECT_EQ(rec[6].text, "1000");  // cpu_time_ns, raw
      EXPECT_EQ(rec[12].text, "");     // latency_p50_ns NULL: an empty field...
      EXPECT_FALSE(rec[12].quoted);    // ...not ""
    }
  }
  EXPECT_TRUE(found) << csv;
  // Every block's header starts with section,table.
  EXPECT_THAT(csv,
              HasSubstr("section,table,cpu,busy_ns,idle_ns,unknown_ns,busy_pct,task_slices\r\n"));
  EXPECT_THAT(csv, HasSubstr("sched,cpus,0,2000,500,0,80,4\r\n"));
  EXPECT_THAT(csv, HasSubstr("report,sources,sched,ok,40,0,\"\"\r\n"));
}

TEST_F(ReportTest, TableIsReadableAndTerminalSafe) {
  std::string text = render(make(dir_), ReportFormat::kTable);
  EXPECT_THAT(text, HasSubstr("episode   01HXREPORT"));
  EXPECT_THAT(text, HasSubstr("command   make test"));
  EXPECT_THAT(text, HasSubstr("== Scheduling [sched] =="));
  EXPECT_THAT(text, HasSubstr("80.0%"));
  EXPECT_THAT(text, HasSubstr("1.1us"));  // pong's CPU time
  EXPECT_THAT(text, HasSubstr("a,b\"c\\x0d\\x0a\\x1b[2J\\xff"));
  EXPECT_THAT(text, Not(HasSubstr("\x1b")));
  EXPECT_THAT(text, Not(HasSubstr("\r")));
}

// Linux 6.18 leaves some switches unrecorded; the report says how many were
// inferred and that their latencies are not in the percentiles.
TEST(ReportNotesTest, InferredSwitchesAndLossesAreNamed) {
  TempDir tmp;
  std::string dir = tmp.path() + "/ep";
  build(dir, meta_with_sched("ep", SourceMeta{"ok", 9, 12, "", {}}), true,
        {
            switch_event(1000, 0, "a", 7, "S", "swapper/0", 0),
            wakeup_event(1100, 0, "a", 7, 0, false, /*by=*/0),
            switch_event(1500, 0, "a", 7, "S", "swapper/0", 0),  // its switch-in: unrecorded
        });
  Report r = make(dir);
  ASSERT_EQ(r.sections.size(), 2u);
  EXPECT_TRUE(r.sections[0].available);
  EXPECT_THAT(r.sections[0].note, HasSubstr("1 switches were not recorded"));
  EXPECT_THAT(r.sections[0].note, HasSubstr("lost 12 events"));
  const ReportTable& cpus = table(r, "cpus");
  ASSERT_EQ(cpus.rows.size(), 1u);
  EXPECT_EQ(std::get<int64_t>(cpus.rows[0][1]), 400);  // a ran 1100..1500
  EXPECT_EQ(std::get<int64_t>(table(r, "overview").rows[0][9]), 0);  // no latency measured
}

TEST(ReportMissingTest, SaysWhichSourceWasMissingAndWhy) {
  TempDir tmp;
  std::string dir = tmp.path() + "/ep";
  build(dir, meta_with_sched("ep", SourceMeta{"unavailable", 0, 0, "tracefs is not mounted", {}}),
        false);
  Report r = make(dir);
  ASSERT_EQ(r.sections.size(), 2u);
  EXPECT_FALSE(r.sections[0].available);
  EXPECT_THAT(r.sections[0].note, HasSubstr("sched source was unavailable: tracefs is not mounted"));
  EXPECT_THAT(render(r, ReportFormat::kTable), HasSubstr("unavailable: tracefs is not mounted"));
  auto j = nlohmann::json::parse(render(r, ReportFormat::kJson));
  EXPECT_EQ(j["sections"][0]["available"], false);
  EXPECT_TRUE(j["sections"][0]["tables"].empty());
  EXPECT_THAT(render(r, ReportFormat::kCsv), HasSubstr("sched,status,0,"));

  EpisodeMeta no_sched = ktel::testing::sample_meta("ep2");
  std::string dir2 = tmp.path() + "/ep2";
  build(dir2, no_sched, false);
  EXPECT_THAT(make(dir2).sections.at(0).note, HasSubstr("meta.json lists no sched source"));

  EpisodeMeta not_requested =
      meta_with_sched("ep3", SourceMeta{"not_requested", 0, 0, "", {}});
  std::string dir3 = tmp.path() + "/ep3";
  build(dir3, not_requested, false);
  EXPECT_THAT(make(dir3).sections.at(0).note, HasSubstr("was not requested"));
}

TEST(ReportSectionsTest, UnknownSectionIsAnErrorNamingTheKnownOnes) {
  TempDir tmp;
  std::string dir = tmp.path() + "/ep";
  build(dir, ktel::testing::sample_meta("ep"), false);
  SectionRegistry registry;
  register_builtin_sections(registry);
  auto r = build_report(dir, registry, {.top = 20, .sections = {"schedule"}});
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("known: sched, pipeline"));
}

TEST(ReportSectionsTest, SectionsArePluggable) {
  TempDir tmp;
  std::string dir = tmp.path() + "/ep";
  build(dir, ktel::testing::sample_meta("ep"), false);
  SectionRegistry registry;
  register_builtin_sections(registry);
  ASSERT_TRUE(registry
                  .add({.name = "extra",
                        .description = "test",
                        .build = [](const SectionContext& ctx) -> Result<ReportSection> {
                          ReportSection s{.name = "extra", .title = "Extra", .available = true,
                                          .note = ctx.meta.id, .tables = {}};
                          return s;
                        }})
                  .is_ok());
  EXPECT_EQ(registry.add({.name = "sched", .description = "", .build = nullptr}).code(),
            Code::kAlreadyExists);
  auto r = build_report(dir, registry, {.top = 20, .sections = {"extra", "sched"}});
  ASSERT_TRUE(r.is_ok());
  ASSERT_EQ(r->sections.size(), 2u);
  EXPECT_EQ(r->sections[0].name, "sched");  // registry order
  EXPECT_EQ(r->sections[1].note, "ep");
}

TEST(ReportSectionsTest, MissingMetaIsAnError) {
  TempDir tmp;
  SectionRegistry registry;
  register_builtin_sections(registry);
  auto r = build_report(tmp.path() + "/nope", registry, {});
  EXPECT_FALSE(r.is_ok());
}

}  // namespace
}  // namespace ktel::report
