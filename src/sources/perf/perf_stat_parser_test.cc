// perf stat -j line parser on lines from real perf 6.1 output and on damage.
#include "sources/perf/perf_stat_parser.h"

#include <gtest/gtest.h>

namespace ktel::perf {
namespace {

using State = PerfStatRecord::State;

PerfStatRecord parse_ok(std::string_view line) {
  auto r = parse_perf_stat_line(line);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  if (!r.is_ok() || !r->has_value()) return {};
  return **r;
}

TEST(PerfStatParser, TaskClockMsecBecomesNs) {
  auto r = parse_ok(
      R"({"interval" : 0.100300584, "counter-value" : "99.639405", "unit" : "msec", "event" : "task-clock", "event-runtime" : 99639405, "pcnt-running" : 100.00, "metric-value" : 0.993406, "metric-unit" : "CPUs utilized"})");
  EXPECT_DOUBLE_EQ(r.interval_s, 0.100300584);
  EXPECT_EQ(r.event, "task-clock");
  EXPECT_EQ(r.counter, 6);
  EXPECT_EQ(r.state, State::kValue);
  EXPECT_NEAR(r.value, 99639405.0, 0.5);
  EXPECT_EQ(r.runtime_ns, 99639405u);
  EXPECT_DOUBLE_EQ(*r.pcnt_running, 100.0);
}

TEST(PerfStatParser, NotSupportedAndNotCounted) {
  auto ns = parse_ok(
      R"({"interval" : 0.100300584, "counter-value" : "<not supported>", "unit" : "", "event" : "cycles", "event-runtime" : 0, "pcnt-running" : 100.00, "metric-value" : 0.000000, "metric-unit" : ""})");
  EXPECT_EQ(ns.state, State::kNotSupported);
  EXPECT_EQ(ns.counter, 0);
  auto nc = parse_ok(
      R"({"interval" : 0.200702109, "counter-value" : "<not counted>", "unit" : "", "event" : "page-faults:u", "event-runtime" : 0, "pcnt-running" : 100.00, "metric-value" : 0.000000, "metric-unit" : ""})");
  EXPECT_EQ(nc.state, State::kNotCounted);
  EXPECT_EQ(nc.event, "page-faults");
  EXPECT_EQ(nc.counter, 9);
}

TEST(PerfStatParser, ModifiersAliasesAndPmuSyntax) {
  EXPECT_EQ(strip_event_modifiers("context-switches:k"), "context-switches");
  EXPECT_EQ(strip_event_modifiers("cycles:ukp"), "cycles");
  EXPECT_EQ(strip_event_modifiers("cpu/cycles/u"), "cycles");
  EXPECT_EQ(counter_index_for_event("cs"), 7);
  EXPECT_EQ(counter_index_for_event("faults:u"), 9);
  EXPECT_EQ(counter_index_for_event("branch-instructions"), 4);
  EXPECT_EQ(counter_index_for_event("cpu_core/branch-misses/"), 5);
  EXPECT_FALSE(counter_index_for_event("L1-dcache-loads").has_value());
}

TEST(PerfStatParser, ThousandsSeparatorsTolerated) {
  EXPECT_DOUBLE_EQ(*parse_counter_value("1,234,567.000000"), 1234567.0);
  EXPECT_DOUBLE_EQ(*parse_counter_value("12'345"), 12345.0);
  EXPECT_DOUBLE_EQ(*parse_counter_value("0.000000"), 0.0);
  EXPECT_FALSE(parse_counter_value("12x4").has_value());
  EXPECT_FALSE(parse_counter_value("").has_value());
  EXPECT_FALSE(parse_counter_value("-5").has_value());
}

TEST(PerfStatParser, NumericCounterValueAccepted) {
  auto r =
      parse_ok(R"({"interval": 1.5, "counter-value": 42, "unit": "", "event": "instructions"})");
  EXPECT_DOUBLE_EQ(r.value, 42.0);
  EXPECT_EQ(r.counter, 1);
}

TEST(PerfStatParser, HeaderAndBlankLinesCarryNoRecord) {
  for (std::string_view line : {"# started on Sun Nov 22 03:19:41 2026", "", "   \r"}) {
    auto r = parse_perf_stat_line(line);
    ASSERT_TRUE(r.is_ok());
    EXPECT_FALSE(r->has_value());
  }
}

void expect_bad(std::string_view line, std::string_view field_in_message) {
  auto r = parse_perf_stat_line(line);
  ASSERT_FALSE(r.is_ok()) << line;
  SCOPED_TRACE(line);
  EXPECT_EQ(r.status().code(), Code::kDataLoss);
  EXPECT_NE(r.status().message().find(field_in_message), std::string::npos) << r.status().message();
}

TEST(PerfStatParser, MalformedLinesNameTheProblem) {
  expect_bad(R"({"interval" : 0.1, "counter-value" : "4.0", "unit" : "", "event" : "context-sw)",
             "");
  expect_bad("perf: interrupted by signal", "JSON");
  expect_bad(R"({"counter-value" : "1.0", "unit" : "", "event" : "page-faults"})", "\"interval\"");
  expect_bad(R"({"interval" : 0.4, "counter-value" : "12x4", "event" : "cpu-migrations"})",
             "\"counter-value\"");
  expect_bad(R"({"interval" : "soon", "counter-value" : "1", "event" : "cycles"})", "\"interval\"");
  expect_bad(R"({"interval" : 0.4, "counter-value" : "1"})", "\"event\"");
  expect_bad(R"({"interval" : 0.4, "counter-value" : "1", "event" : ":u"})", "\"event\"");
  expect_bad(R"({"interval" : 0.4, "counter-value" : "1", "event" : "cpu//"})", "\"event\"");
  expect_bad(R"({"interval" : 0.4, "event" : "cycles"})", "\"counter-value\"");
  expect_bad(R"({"interval" : 0.4, "counter-value" : "1", "event" : "cycles"} trailing)", "JSON");
  expect_bad("[1,2,3]", "object");
  // Values that would overflow the int64 ns columns (found by fuzz/perf_stat_fuzz.cc).
  expect_bad(R"({"interval" : 9e9, "counter-value" : "1", "event" : "cycles"})", "\"interval\"");
  expect_bad(
      R"({"interval" : 0.1, "counter-value" : "1e305", "unit" : "msec", "event" : "task-clock"})",
      "\"counter-value\"");
  expect_bad(
      R"({"interval" : 0.1, "counter-value" : "1", "event" : "cycles", "event-runtime" : 1e30})",
      "\"event-runtime\"");
}

}  // namespace
}  // namespace ktel::perf
