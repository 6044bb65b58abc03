// The sched tables of real Linux 6.18 captures (testdata/ftrace: ring-buffer
// pages, as the sched source reads them; testdata/ftrace_text: the text trace
// `ktel import ftrace-text` reads). That kernel records no sched_switch for
// about a quarter of the switches, with nothing lost: the derived tables must
// still account for (nearly) every CPU's time and every thread's run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "model/testing/memory_sink.h"
#include "sources/sched/raw_trace_reader.h"
#include "sources/sched/sched_tables.h"
#include "sources/sched/text_trace_import.h"

namespace ktel::sched {
namespace {

using ktel::testing::MemorySink;
using ::testing::IsSupersetOf;
using ::testing::UnorderedElementsAre;

int64_t i(const Value& v) { return std::get<int64_t>(v); }
std::string s(const Value& v) { return std::get<std::string>(v); }

std::string testdata(const std::string& rel) { return std::string(KTEL_SOURCE_DIR) + "/testdata/" + rel; }

struct Tables {
  MemorySink sink;
  SchedTableCounts counts;
};

void write_pages(const std::string& dir, Tables& t) {
  EpisodeClock clock(0, 0);
  auto writer = SchedTableWriter::open(t.sink, clock);
  ASSERT_TRUE(writer.is_ok());
  auto read = read_raw_trace(
      dir, [&](const SchedEvent& e) { return (*writer)->add(e); }, {.parallel = false});
  ASSERT_TRUE(read.is_ok()) << read.status().to_string();
  ASSERT_TRUE((*writer)->finish().is_ok());
  t.counts = (*writer)->counts();
}

void write_text(const std::string& path, Tables& t) {
  EpisodeClock clock(0, 0);
  auto writer = SchedTableWriter::open(t.sink, clock);
  ASSERT_TRUE(writer.is_ok());
  auto read = import_text_trace_file(path, {.threads = 1}, [&](const SchedEvent& e, uint64_t) {
    return (*writer)->add(e);
  });
  ASSERT_TRUE(read.is_ok()) << read.status().to_string();
  ASSERT_TRUE((*writer)->finish().is_ok());
  t.counts = (*writer)->counts();
}

// Per CPU: slices never overlap; returns the time they cover and the span.
std::map<int64_t, int64_t> covered_per_cpu(const MemorySink& sink, int64_t& span) {
  std::map<int64_t, std::vector<std::pair<int64_t, int64_t>>> by_cpu;
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (auto& row : sink.rows("sched_slice")) {
    int64_t start = i(row["ts_ns"]), end = start + i(row["dur_ns"]);
    by_cpu[i(row["cpu"])].emplace_back(start, end);
    lo = std::min(lo, start);
    hi = std::max(hi, end);
  }
  span = hi - lo;
  std::map<int64_t, int64_t> covered;
  for (auto& [cpu, spans] : by_cpu) {
    std::sort(spans.begin(), spans.end());
    for (size_t k = 0; k < spans.size(); ++k) {
      if (k > 0) {
        EXPECT_GE(spans[k].first, spans[k - 1].second) << "cpu " << cpu;
      }
      covered[cpu] += spans[k].second - spans[k].first;
    }
  }
  return covered;
}

void expect_runtime_is_sum_of_slices(const MemorySink& sink) {
  std::map<std::pair<int64_t, int64_t>, int64_t> sum;
  for (auto& row : sink.rows("sched_slice")) {
    if (i(row["tid"]) != 0) sum[{i(row["tid"]), i(row["generation"])}] += i(row["dur_ns"]);
  }
  for (auto& t : sink.rows("thread_summary")) {
    const std::pair<int64_t, int64_t> key{i(t["tid"]), i(t["generation"])};
    EXPECT_EQ(i(t["runtime_ns"]), sum[key]) << key.first;
  }
}

std::multiset<std::string> comms_of(const MemorySink& sink, const std::string& why) {
  std::multiset<std::string> out;
  for (auto& row : sink.rows("thread_comm")) {
    if (s(row["why"]) == why) out.insert(s(row["comm"]));
  }
  return out;
}

TEST(SchedTablesRealTest, RingBufferPagesAccountForNearlyEveryCpuNanosecond) {
  Tables t;
  write_pages(testdata("ftrace/basic"), t);
  EXPECT_EQ(t.counts.unmatched_switches, 0u);
  int64_t span = 0;
  auto covered = covered_per_cpu(t.sink, span);
  ASSERT_EQ(covered.size(), 2u);
  // Time between a task's last event and the next one's first, when nothing
  // shows when the switch happened (its switch to idle was not recorded), is
  // nobody's: about 1% here.
  for (auto& [cpu, ns] : covered) EXPECT_GE(ns, span - span / 50) << "cpu " << cpu;
  size_t inferred = 0;
  for (auto& row : t.sink.rows("sched_slice")) inferred += s(row["start_kind"]) == "inferred";
  EXPECT_GT(inferred, t.counts.switches / 10);  // the kernel's unrecorded switches
  expect_runtime_is_sum_of_slices(t.sink);
  EXPECT_GT(t.counts.wakeup_latencies, 100u);
  for (auto& row : t.sink.rows("wakeup_latency")) EXPECT_GE(i(row["latency_ns"]), 0);
  // /bin/true three times, and once through a symlink with a 150-byte path.
  EXPECT_EQ(comms_of(t.sink, "exec").count("true"), 3u);
  EXPECT_EQ(comms_of(t.sink, "exec").count("true-with-a-lon"), 1u);
}

TEST(SchedTablesRealTest, PagesShowARenameWithQuotesAndBackslash) {
  Tables t;
  write_pages(testdata("ftrace/mixed"), t);
  EXPECT_EQ(t.counts.unmatched_switches, 0u);
  EXPECT_THAT(comms_of(t.sink, "rename"), UnorderedElementsAre("renamed \"q\"\\"));
  EXPECT_GT(t.counts.other, 0u);  // sched_stat_runtime and friends
}

TEST(SchedTablesRealTest, TextTraceRenamesToHostileNamesAreRenames) {
  Tables t;
  write_text(testdata("ftrace_text/sched_local.txt"), t);
  EXPECT_EQ(t.counts.unmatched_switches, 0u);
  EXPECT_THAT(comms_of(t.sink, "rename"),
              UnorderedElementsAre("Web Content", "a-12 [001] x", "k=v prev_pid=1",
                                   "x ==> next_comm", "h\xc3\xa9llo w\xc3\xb6rld", "-5", ""));
  EXPECT_THAT(comms_of(t.sink, "exec"), IsSupersetOf({"python3", "true", "true", "true"}));
  expect_runtime_is_sum_of_slices(t.sink);
  int64_t span = 0;
  for (auto& [cpu, ns] : covered_per_cpu(t.sink, span)) {
    // CPU 1's first task became runnable 1.4 ms into the trace: before that,
    // who ran there is unknown and covered by no slice.
    EXPECT_GE(ns, span - 1'500'000) << "cpu " << cpu;
  }
}

}  // namespace
}  // namespace ktel::sched
