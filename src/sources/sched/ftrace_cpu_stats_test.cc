#include "sources/sched/ftrace_cpu_stats.h"

#include <gtest/gtest.h>

#include "base/file_util.h"

namespace ktel::sched {
namespace {

TEST(FtraceCpuStatsTest, ParsesTheKernelsFile) {
  auto text = read_file(std::string(KTEL_SOURCE_DIR) + "/testdata/ftrace_stats/cpu0_idle_6.18.txt");
  ASSERT_TRUE(text.is_ok()) << text.status().to_string();
  auto s = parse_ftrace_cpu_stats(*text, "cpu0/stats");
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  EXPECT_TRUE(s->has_dropped);
  EXPECT_TRUE(s->has_read);
  EXPECT_EQ(s->lost(), 0u);
}

TEST(FtraceCpuStatsTest, ReadsEveryCounterAndIgnoresNewLines) {
  auto s = parse_ftrace_cpu_stats(
      "entries: 5\noverrun: 7\ncommit overrun: 1\nbytes: 4096\noldest event ts: 1.5\n"
      "now ts: 9.25\ndropped events: 3\nread events: 40\nfuture counter: 12\n",
      "x");
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  EXPECT_EQ(s->entries, 5u);
  EXPECT_EQ(s->overrun, 7u);
  EXPECT_EQ(s->commit_overrun, 1u);
  EXPECT_EQ(s->bytes, 4096u);
  EXPECT_EQ(s->dropped_events, 3u);
  EXPECT_EQ(s->read_events, 40u);
  EXPECT_EQ(s->lost(), 11u);
}

TEST(FtraceCpuStatsTest, BadNumbersNameFileAndLine) {
  auto s = parse_ftrace_cpu_stats("entries: 5\noverrun: lots\nbytes: 1\n", "per_cpu/cpu3/stats");
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.status().message().find("per_cpu/cpu3/stats:2"), std::string::npos)
      << s.status().to_string();
  EXPECT_FALSE(parse_ftrace_cpu_stats("hello\n", "f").is_ok());
}

TEST(FtraceCpuStatsTest, DeltaSubtractsCountersAndKeepsLevels) {
  FtraceCpuStats a{.entries = 9, .overrun = 10, .bytes = 100, .dropped_events = 1, .read_events = 5};
  FtraceCpuStats b{.entries = 2, .overrun = 25, .bytes = 7, .dropped_events = 1, .read_events = 50};
  FtraceCpuStats d = stats_delta(a, b);
  EXPECT_EQ(d.overrun, 15u);
  EXPECT_EQ(d.dropped_events, 0u);
  EXPECT_EQ(d.read_events, 45u);
  EXPECT_EQ(d.entries, 2u);
  EXPECT_EQ(d.bytes, 7u);
}

}  // namespace
}  // namespace ktel::sched
