// import_text_trace_tables: real Linux 6.18 text traces into the sched tables
// (the real SchedTableWriter, a MemorySink), with their losses as events and
// in the meta summary.
#include "sources/sched/text_trace_tables.h"

#include <gtest/gtest.h>

#include "model/testing/memory_sink.h"

namespace ktel::sched {
namespace {

using ktel::testing::MemorySink;

std::string testdata_path(const std::string& name) {
  return std::string(KTEL_SOURCE_DIR) + "/testdata/ftrace_text/" + name;
}

int64_t i64(const Value& v) { return std::get<int64_t>(v); }
std::string str(const Value& v) { return std::get<std::string>(v); }

constexpr int64_t kWallOrigin = 1'700'000'000'000'000'000;

struct Imported {
  MemorySink sink;
  EpisodeClock clock;
  EventLog events{clock};
  Result<TextTraceTablesReport> report = internal_error("not run");

  Imported(const std::string& file, int64_t origin_mono, int threads = 2)
      : clock(origin_mono, kWallOrigin) {
    Status st = events.attach_sink(&sink);
    EXPECT_TRUE(st.is_ok()) << st.to_string();
    report = import_text_trace_tables(testdata_path(file), clock, {.parse = {.threads = threads}},
                                      sink, events);
  }
  std::vector<nlohmann::json> events_of(const std::string& kind) {
    std::vector<nlohmann::json> out;
    for (const auto& row : sink.rows("events")) {
      if (str(row.at("kind")) == kind) out.push_back(nlohmann::json::parse(str(row.at("fields"))));
    }
    return out;
  }
};

TEST(TextTraceTables, RowsOnTheEpisodeClock) {
  const int64_t first = 10906'162455'000;
  Imported im("sched_local.txt", first);
  ASSERT_TRUE(im.report.is_ok()) << im.report.status().to_string();
  const TextTraceTablesReport& r = *im.report;
  EXPECT_EQ(r.trace.events, 344u);
  EXPECT_EQ(r.tables.switches, 154u);
  EXPECT_EQ(r.tables.wakeups, 118u);  // sched_wakeup + sched_wakeup_new
  EXPECT_EQ(r.tables.process_events, 47u);
  auto switches = im.sink.rows("sched_switch");
  ASSERT_EQ(switches.size(), 154u);
  // Line 15, the first sched_switch: 10906.162904 s.
  EXPECT_EQ(i64(switches[0].at("t_mono_ns")), 10906'162904'000 - first);
  EXPECT_EQ(i64(switches[0].at("t_wall_ns")), kWallOrigin + 10906'162904'000 - first);
  EXPECT_EQ(str(switches[0].at("source")), "host_sched");
  EXPECT_GT(r.tables.slices, 0u);
  EXPECT_GT(r.tables.threads, 0u);
  EXPECT_EQ(r.lost(), 0u);
  auto finished = im.events_of("sched_import_finished");
  ASSERT_EQ(finished.size(), 1u);
  EXPECT_EQ(finished[0]["events"], 344);
  EXPECT_EQ(finished[0]["rows"], r.tables.rows());
  EXPECT_TRUE(im.events_of("sched_lost_events").empty());
  EXPECT_TRUE(im.events_of("sched_import_malformed").empty());
}

TEST(TextTraceTables, LostMarkersAndDamageBecomeEventsAndMeta) {
  Imported im("sched_lost_pipe.txt", 10907'283590'000);
  ASSERT_TRUE(im.report.is_ok()) << im.report.status().to_string();
  auto lost = im.events_of("sched_lost_events");
  ASSERT_EQ(lost.size(), 2u);
  EXPECT_EQ(lost[0]["cpu"], 0);
  EXPECT_EQ(lost[0]["count"], 520);
  EXPECT_EQ(lost[0]["first_line"], 199);
  EXPECT_EQ(lost[0]["origin"], "lost_marker");
  EXPECT_EQ(lost[1]["cpu"], 1);
  EXPECT_EQ(lost[1]["count"], 316);
  auto bad = im.events_of("sched_import_malformed");
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0]["lines"], 7);
  EXPECT_EQ(bad[0]["first_bad_line"], 14);

  SourceMeta meta = text_trace_source_meta("trace.txt", *im.report);
  EXPECT_EQ(meta.status, "ok");
  EXPECT_EQ(meta.lost, 836u);
  EXPECT_EQ(meta.rows, im.report->tables.rows());
  EXPECT_EQ(meta.details["lost_by_cpu"]["0"], 520);
  EXPECT_EQ(meta.details["malformed_lines"], 7);
  EXPECT_EQ(meta.details["first_malformed"][0]["line"], 14);
  EXPECT_EQ(meta.details["timestamps"], "seconds.micros");
}

TEST(TextTraceTables, OverwrittenBufferFromTheHeader) {
  Imported im("sched_tiny_overwrite.txt", 10906'906431'000, 1);
  ASSERT_TRUE(im.report.is_ok()) << im.report.status().to_string();
  auto lost = im.events_of("sched_lost_events");
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_TRUE(lost[0]["cpu"].is_null());
  EXPECT_EQ(lost[0]["count"], 72);
  EXPECT_EQ(lost[0]["origin"], "trace_header");
  SourceMeta meta = text_trace_source_meta("t", *im.report);
  EXPECT_EQ(meta.lost, 72u);
  EXPECT_EQ(meta.details["buffer_started_cpus"], nlohmann::json::array({0}));
}

TEST(TextTraceTables, SinkErrorsNameFileAndLine) {
  MemorySink sink;
  EpisodeClock clock(0, kWallOrigin);
  EventLog events(clock);
  sink.set_fail_appends(true);
  const std::string path = testdata_path("sched_local.txt");
  auto r = import_text_trace_tables(path, clock, {.tables = {.batch_rows = 1}}, sink, events);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted);
  EXPECT_EQ(r.status().message().rfind(path + ":13: ", 0), 0u) << r.status().message();
}

TEST(TextTraceTables, ClockFormatNamesCounterTraces) {
  Imported im("sched_counter.txt", 0);
  ASSERT_TRUE(im.report.is_ok());
  EXPECT_EQ(text_trace_clock_format(im.report->trace), "counter");
}

}  // namespace
}  // namespace ktel::sched
