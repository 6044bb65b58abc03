// perf stat -j import on real captured perf 6.1 output (testdata/perf/).
#include "sources/perf/perf_stat_import.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "model/tables.h"
#include "sources/perf/test_sink.h"

namespace ktel::perf {
namespace {

using testing::CollectingSink;
using testing::is_null;

std::string testdata(const std::string& name) {
  return std::string(KTEL_SOURCE_DIR) + "/testdata/perf/" + name;
}

struct Imported {
  CollectingSink sink;
  EpisodeClock clock{0, 1'000'000'000};
  EventLog events{clock};
  Result<PerfStatImportReport> report = internal_error("not run");
};

void run_import(const std::string& file, Imported& out) {
  std::ifstream in(testdata(file));
  ASSERT_TRUE(in.good()) << testdata(file);
  out.report = import_perf_stat(in, file, 1'000'000'000, out.sink, out.events);
  ASSERT_TRUE(out.report.is_ok()) << out.report.status().to_string();
}

double dbl(const Value& v) { return std::get<double>(v); }
int64_t i64(const Value& v) { return std::get<int64_t>(v); }

TEST(PerfStatImport, AllTenEventsOneRowPerInterval) {
  Imported im;
  run_import("perf_stat_I100_all10.jsonl", im);
  auto rows = im.sink.rows("perf_samples");
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(im.report->rows, 6u);
  EXPECT_EQ(im.report->malformed_count, 0u);
  const auto& r0 = rows[0];
  EXPECT_EQ(i64(r0.at("t_mono_ns")), 100300584);
  EXPECT_EQ(i64(r0.at("t_wall_ns")), 1'000'000'000 + 100300584);
  EXPECT_EQ(std::get<std::string>(r0.at("source")), "host_perf");
  EXPECT_EQ(i64(r0.at("available_in_deployment")), 1);
  EXPECT_EQ(i64(r0.at("interval_start_mono_ns")), 0);
  EXPECT_EQ(i64(r0.at("interval_ns")), 100300584);
  EXPECT_NEAR(dbl(r0.at("task_clock")), 99639405.0, 1.0);
  EXPECT_EQ(i64(r0.at("page_faults_raw")), 61);
  EXPECT_TRUE(is_null(r0.at("pid")));
  for (const char* hw :
       {"cycles", "instructions", "cache_references", "cache_misses", "branches", "branch_misses",
        "ipc", "cache_miss_rate", "time_enabled_ns", "time_running_ns"}) {
    EXPECT_TRUE(is_null(r0.at(hw))) << hw;
  }
  // The last, partial interval follows on from the previous one.
  EXPECT_EQ(i64(rows[5].at("interval_start_mono_ns")), 502598913);
  EXPECT_EQ(i64(rows[5].at("interval_ns")), 519994070 - 502598913);
  EXPECT_DOUBLE_EQ(dbl(rows[5].at("page_faults")), 0.0);  // zero, not NULL
}

TEST(PerfStatImport, ModifiersStrippedAndNotCountedIsNull) {
  Imported im;
  run_import("perf_stat_I100_modifiers_sleep.jsonl", im);
  auto rows = im.sink.rows("perf_samples");
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(i64(rows[0].at("page_faults_raw")), 130);
  EXPECT_EQ(i64(rows[0].at("context_switches_raw")), 4);
  // Intervals 2 and 3: the workload slept; every counter <not counted>.
  for (size_t i : {1u, 2u}) {
    for (const char* c : {"task_clock", "page_faults", "context_switches", "instructions"}) {
      EXPECT_TRUE(is_null(rows[i].at(c))) << i << " " << c;
    }
  }
  EXPECT_NEAR(dbl(rows[3].at("task_clock")), 45399402.0, 1.0);
}

TEST(PerfStatImport, MalformedLinesCountedWithLineNumbersAndRowsKept) {
  Imported im;
  run_import("perf_stat_malformed.jsonl", im);
  const auto& rep = *im.report;
  EXPECT_EQ(rep.malformed_count, 4u);
  ASSERT_EQ(rep.malformed.size(), 4u);
  EXPECT_EQ(rep.malformed[0].line, 5u);
  EXPECT_EQ(rep.malformed[1].line, 10u);
  EXPECT_EQ(rep.malformed[2].line, 15u);
  EXPECT_NE(rep.malformed[2].reason.find("interval"), std::string::npos);
  EXPECT_EQ(rep.malformed[3].line, 21u);
  EXPECT_NE(rep.malformed[3].reason.find("counter-value"), std::string::npos);

  auto rows = im.sink.rows("perf_samples");
  ASSERT_EQ(rows.size(), 7u);  // every interval survives the damage
  EXPECT_EQ(i64(rows[0].at("context_switches_raw")), 4);
  EXPECT_TRUE(is_null(rows[3].at("cpu_migrations")));              // its only line was bad
  EXPECT_DOUBLE_EQ(dbl(rows[4].at("cpu_migrations")), 1234567.0);  // "1,234,567.000000"

  bool found = false;
  for (const auto& e : im.events.snapshot()) {
    if (e.kind != "perf_import_malformed") continue;
    found = true;
    EXPECT_EQ(e.source, "perf");
    EXPECT_EQ(e.fields.at("lines"), 4);
    EXPECT_EQ(e.fields.at("first_bad_line"), 5);
    EXPECT_FALSE(e.fields.at("reason").get<std::string>().empty());
    EXPECT_EQ(e.fields.size(), 3u);
  }
  EXPECT_TRUE(found);
}

TEST(PerfStatImport, CleanFileEmitsNoMalformedEvent) {
  Imported im;
  run_import("perf_stat_I100_all10.jsonl", im);
  for (const auto& e : im.events.snapshot()) EXPECT_NE(e.kind, "perf_import_malformed");
}

TEST(PerfStatAssembler, ScalesRawFromPcntAndSumsPerCpuLines) {
  PerfStatAssembler a(0);
  a.add_line(
      R"({"interval": 1.0, "cpu": "0", "counter-value": "1000", "unit": "", "event": "cycles", "event-runtime": 250, "pcnt-running": 25.00})");
  a.add_line(
      R"({"interval": 1.0, "cpu": "1", "counter-value": "600", "unit": "", "event": "cycles", "event-runtime": 500, "pcnt-running": 50.00})");
  a.add_line(
      R"({"interval": 1.0, "counter-value": "3200", "unit": "", "event": "instructions", "event-runtime": 750, "pcnt-running": 100.00})");
  a.add_line(
      R"({"interval": 0.5, "counter-value": "1", "unit": "", "event": "cycles"})");  // backwards
  a.finish();
  auto rows = a.take_rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_DOUBLE_EQ(*rows[0].counters[kCycles].scaled, 1600.0);
  EXPECT_EQ(*rows[0].counters[kCycles].raw, 250 + 300);
  EXPECT_EQ(*rows[0].time_running_ns, 750);
  EXPECT_EQ(*rows[0].time_enabled_ns, 1000 + 1000);
  EXPECT_DOUBLE_EQ(*ipc(rows[0]), 2.0);
  EXPECT_EQ(a.malformed_count(), 1u);
  EXPECT_EQ(a.malformed()[0].line, 4u);
}

}  // namespace
}  // namespace ktel::perf
