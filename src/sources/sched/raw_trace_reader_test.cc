// read_raw_trace on the real captures (merge order, per-CPU stats, kernel-
// reported loss) and on damaged copies of them (malformations are counted and
// skipped, never fatal).
#include "sources/sched/raw_trace_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "base/testing/temp_dir.h"
#include "sources/sched/pages_test_support.h"

namespace ktel::sched {
namespace {

using ::testing::HasSubstr;
using testing::ftrace_testdata;

struct Seen {
  int64_t ts;
  int32_t cpu;
  size_t kind;
  int32_t pid;
  bool operator==(const Seen&) const = default;
};

Result<RawTraceStats> read_all(const std::string& dir, std::vector<Seen>& out,
                               RawTraceOptions options = {}) {
  out.clear();
  return read_raw_trace(
      dir,
      [&](const SchedEvent& ev) {
        out.push_back({ev.ts_ns, ev.cpu, ev.payload.index(), ev.common_pid});
        return Status::ok();
      },
      options);
}

TEST(RawTraceReader, BasicCaptureMergedInTimeOrder) {
  std::vector<Seen> events;
  Result<RawTraceStats> stats = read_all(ftrace_testdata("basic"), events);
  ASSERT_TRUE(stats.is_ok()) << stats.status().to_string();
  ASSERT_EQ(stats->cpus.size(), 2u);
  for (const CpuParseStats& c : stats->cpus) {
    const auto size = std::filesystem::file_size(ftrace_testdata("basic/cpu" +
                                                                 std::to_string(c.cpu) + ".pages"));
    EXPECT_EQ(c.bytes, size);
    EXPECT_EQ(c.pages, size / 4096);
    EXPECT_GT(c.events, 500u);
    EXPECT_GT(c.record_bytes, c.events * 8);
    EXPECT_EQ(c.malformed(), 0u);
    EXPECT_EQ(c.unknown_ids, 0u);
    EXPECT_EQ(c.out_of_order, 0u);
    EXPECT_EQ(c.missed_pages, 0u);
  }
  const CpuParseStats total = stats->total();
  EXPECT_EQ(total.cpu, -1);
  EXPECT_EQ(total.events, events.size());
  EXPECT_EQ(total.events, stats->cpus[0].events + stats->cpus[1].events);
  EXPECT_GE(total.time_extends, 1u);
  bool cpu0 = false, cpu1 = false, interleaved = false;
  for (size_t i = 0; i < events.size(); ++i) {
    cpu0 |= events[i].cpu == 0;
    cpu1 |= events[i].cpu == 1;
    if (i == 0) continue;
    ASSERT_LE(events[i - 1].ts, events[i].ts) << i;
    if (events[i - 1].ts == events[i].ts) {
      ASSERT_LE(events[i - 1].cpu, events[i].cpu);
    }
    interleaved |= events[i - 1].cpu != events[i].cpu;
  }
  EXPECT_TRUE(cpu0 && cpu1 && interleaved);
}

TEST(RawTraceReader, ParallelSequentialAndTinyChunksAgree) {
  std::vector<Seen> parallel, sequential, tiny;
  ASSERT_TRUE(read_all(ftrace_testdata("mixed"), parallel).is_ok());
  ASSERT_TRUE(read_all(ftrace_testdata("mixed"), sequential, {.parallel = false}).is_ok());
  Result<RawTraceStats> s =
      read_all(ftrace_testdata("mixed"), tiny, {.chunk_events = 3, .chunks_per_cpu = 1});
  ASSERT_TRUE(s.is_ok());
  EXPECT_GT(parallel.size(), 1000u);
  EXPECT_EQ(parallel, sequential);
  EXPECT_EQ(parallel, tiny);
  EXPECT_EQ(s->total().events, tiny.size());
}

TEST(RawTraceReader, LostCaptureReportsTheKernelsCounts) {
  std::vector<Seen> events;
  Result<RawTraceStats> stats = read_all(ftrace_testdata("lost"), events);
  ASSERT_TRUE(stats.is_ok()) << stats.status().to_string();
  for (const CpuParseStats& c : stats->cpus) {
    auto kstats = testing::read_cpu_stats(ftrace_testdata("lost/stats/cpu" + std::to_string(c.cpu)));
    EXPECT_EQ(c.missed_pages, 1u);
    EXPECT_EQ(c.missed_pages_without_count, 0u);
    EXPECT_EQ(std::to_string(c.missed_events), kstats["overrun"]);
    // What was captured is what the buffer still held ("entries").
    EXPECT_EQ(std::to_string(c.events), kstats["entries"]);
    EXPECT_EQ(c.malformed(), 0u);
  }
}

TEST(RawTraceReader, CallbackErrorStopsTheRead) {
  int calls = 0;
  Result<RawTraceStats> r = read_raw_trace(ftrace_testdata("mixed"), [&](const SchedEvent&) {
    return ++calls == 100 ? Status(Code::kResourceExhausted, "disk full") : Status::ok();
  }, {.chunk_events = 16, .chunks_per_cpu = 2});
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted);
  EXPECT_EQ(calls, 100);
}

TEST(RawTraceReader, MissingInputsAreErrors) {
  ::ktel::testing::TempDir tmp;
  std::vector<Seen> events;
  Result<RawTraceStats> r = read_all(tmp.path(), events);
  ASSERT_FALSE(r.is_ok());
  EXPECT_THAT(r.status().message(), HasSubstr(tmp.path() + "/formats/header_page"));
  std::filesystem::copy(ftrace_testdata("basic/formats"), tmp.path() + "/formats",
                        std::filesystem::copy_options::recursive);
  r = read_all(tmp.path(), events);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr("no cpu<N>.pages files"));
  r = read_all(tmp.path(), events, {.page_size = 16});
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
}

// A copy of the basic capture to damage.
class DamagedCapture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::copy(ftrace_testdata("basic"), dir(),
                          std::filesystem::copy_options::recursive);
  }
  std::string dir() const { return tmp_.path() + "/sched"; }
  std::vector<uint8_t> pages(int cpu) {
    return testing::read_bytes(dir() + "/cpu" + std::to_string(cpu) + ".pages");
  }
  void write_pages(int cpu, const std::vector<uint8_t>& b) {
    std::ofstream f(dir() + "/cpu" + std::to_string(cpu) + ".pages", std::ios::binary);
    f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  }
  RawTraceStats read(std::vector<Seen>& events) {
    Result<RawTraceStats> r = read_all(dir(), events);
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    return r.value_or(RawTraceStats{});
  }
  ::ktel::testing::TempDir tmp_;
};

TEST_F(DamagedCapture, BrokenPageIsSkippedTheRestRead) {
  std::vector<Seen> clean;
  const uint64_t clean_events = read(clean).cpus[0].events;
  std::vector<uint8_t> b = pages(0);
  const uint64_t bad_commit = 5000;
  std::memcpy(b.data() + 4096 + 8, &bad_commit, 8);  // second page
  b.resize(b.size() + 100);                          // and a truncated trailing slot
  write_pages(0, b);
  std::vector<Seen> events;
  RawTraceStats s = read(events);
  const CpuParseStats& c = s.cpus[0];
  EXPECT_EQ(c.page_issues[static_cast<size_t>(PageIssue::kCommitBeyondPage)], 1u);
  EXPECT_EQ(c.page_issues[static_cast<size_t>(PageIssue::kShortPage)], 1u);
  EXPECT_EQ(c.malformed(), 2u);
  EXPECT_EQ(c.pages, b.size() / 4096 + 1);
  EXPECT_LT(c.events, clean_events);
  EXPECT_GT(c.events, clean_events - 100);  // one page's worth lost, no more
  auto kinds = c.malformed_by_kind();
  EXPECT_THAT(kinds, ::testing::Contains(std::pair<std::string_view, uint64_t>(
                         "commit_beyond_page", 1)));
}

TEST_F(DamagedCapture, EventsWithoutFormatAreCountedNotDelivered) {
  std::vector<Seen> clean;
  RawTraceStats before = read(clean);
  const size_t wakeups =
      std::count_if(clean.begin(), clean.end(), [](const Seen& s) { return s.kind == 1; });
  ASSERT_GT(wakeups, 0u);
  std::filesystem::remove_all(dir() + "/formats/sched/sched_wakeup");
  std::filesystem::remove_all(dir() + "/formats/sched/sched_wakeup_new");
  std::vector<Seen> events;
  RawTraceStats after = read(events);
  EXPECT_EQ(after.total().unknown_ids, wakeups);
  EXPECT_EQ(after.total().events + wakeups, before.total().events);
  EXPECT_EQ(after.total().malformed(), 0u);
}

TEST_F(DamagedCapture, TimeGoingBackwardsIsCountedAndKeptInFileOrder) {
  std::vector<uint8_t> b = pages(1);
  ASSERT_GE(b.size(), 3 * 4096u);
  // Page 2 moved in front of pages 0 and 1: one step back in time.
  std::rotate(b.begin(), b.begin() + 2 * 4096, b.begin() + 3 * 4096);
  write_pages(1, b);
  std::vector<Seen> events;
  RawTraceStats s = read(events);
  EXPECT_EQ(s.cpus[1].out_of_order, 1u);
  EXPECT_EQ(s.cpus[0].out_of_order, 0u);
  std::vector<int64_t> cpu1;
  for (const Seen& e : events) {
    if (e.cpu == 1) cpu1.push_back(e.ts);
  }
  EXPECT_FALSE(std::is_sorted(cpu1.begin(), cpu1.end()));  // file order, not re-sorted
}

}  // namespace
}  // namespace ktel::sched
