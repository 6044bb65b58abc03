// Scaling, delta and read-format decoding math with synthetic kernel values
// (hardware counters cannot be exercised on the test VM).
#include "sources/perf/perf_math.h"

#include <gtest/gtest.h>

#include "model/tables.h"
#include "sources/perf/perf_row.h"

namespace ktel::perf {
namespace {

TEST(PerfMath, UnmultiplexedDeltaIsRawValue) {
  CounterDelta d = counter_delta({1000, 50, 50}, {4000, 150, 150});
  EXPECT_EQ(d.raw, 3000u);
  EXPECT_DOUBLE_EQ(d.scaled, 3000.0);
  EXPECT_TRUE(d.counted());
  CounterCell c = cell_from_delta(d);
  EXPECT_EQ(*c.raw, 3000);
  EXPECT_DOUBLE_EQ(*c.scaled, 3000.0);
}

TEST(PerfMath, MultiplexedDeltaIsScaledByEnabledOverRunning) {
  // Enabled 100 ns this interval but on the PMU only 25 ns: 4x extrapolation.
  CounterDelta d = counter_delta({500, 1000, 800}, {1500, 1100, 825});
  EXPECT_EQ(d.raw, 1000u);
  EXPECT_EQ(d.enabled_ns, 100u);
  EXPECT_EQ(d.running_ns, 25u);
  EXPECT_DOUBLE_EQ(d.scaled, 4000.0);
}

TEST(PerfMath, ZeroRunningIsNotCountedAndNull) {
  // Enabled but never scheduled (multiplexed out the whole interval).
  CounterDelta d = counter_delta({10, 100, 100}, {10, 200, 100});
  EXPECT_FALSE(d.counted());
  CounterCell c = cell_from_delta(d);
  EXPECT_FALSE(c.scaled.has_value());
  EXPECT_FALSE(c.raw.has_value());
  // Task slept: neither enabled nor running advanced.
  EXPECT_FALSE(cell_from_delta(counter_delta({10, 100, 100}, {10, 100, 100})).has_value());
}

TEST(PerfMath, BackwardsValueGivesZeroNotWrap) {
  CounterDelta d = counter_delta({5000, 100, 100}, {4000, 200, 200});
  EXPECT_EQ(d.raw, 0u);
  EXPECT_TRUE(d.counted());
}

TEST(PerfMath, PerThreadDeltasAreScaledThenSummed) {
  CounterDelta sum;
  add_delta(sum, counter_delta({0, 0, 0}, {100, 100, 50}));   // 2x → 200
  add_delta(sum, counter_delta({0, 0, 0}, {300, 100, 100}));  // 1x → 300
  add_delta(sum, counter_delta({7, 9, 9}, {7, 9, 9}));        // idle thread
  EXPECT_EQ(sum.raw, 400u);
  EXPECT_DOUBLE_EQ(sum.scaled, 500.0);
  EXPECT_TRUE(sum.counted());
}

TEST(PerfMath, DecodesSingleRead) {
  uint64_t w[] = {42, 7, 5};
  auto r = decode_single_read(w);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->value, 42u);
  EXPECT_EQ(r->enabled_ns, 7u);
  EXPECT_EQ(r->running_ns, 5u);
  uint64_t short_read[] = {42, 7};
  EXPECT_EQ(decode_single_read(short_read).status().code(), Code::kDataLoss);
}

TEST(PerfMath, DecodesGroupReadSharingTimes) {
  uint64_t w[] = {2, 1000, 600, 11, 22};
  auto r = decode_group_read(w, 2);
  ASSERT_TRUE(r.is_ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].value, 11u);
  EXPECT_EQ((*r)[1].value, 22u);
  EXPECT_EQ((*r)[1].enabled_ns, 1000u);
  EXPECT_EQ((*r)[1].running_ns, 600u);
}

TEST(PerfMath, RejectsGroupReadOfWrongShape) {
  uint64_t three_members[] = {3, 1000, 600, 11, 22, 33};
  EXPECT_EQ(decode_group_read(three_members, 2).status().code(), Code::kDataLoss);
  uint64_t truncated[] = {2, 1000, 600, 11};
  EXPECT_EQ(decode_group_read(truncated, 2).status().code(), Code::kDataLoss);
  uint64_t tiny[] = {2};
  EXPECT_FALSE(decode_group_read(tiny, 2).is_ok());
}

TEST(PerfRow, RatiosOnlyWhenDefined) {
  PerfSampleRow row;
  EXPECT_FALSE(ipc(row).has_value());
  row.counters[kCycles] = {2000.0, 1000};
  row.counters[kInstructions] = {3000.0, 1500};
  EXPECT_DOUBLE_EQ(*ipc(row), 1.5);
  row.counters[kCycles] = {0.0, 0};
  EXPECT_FALSE(ipc(row).has_value());  // zero cycles: undefined, not inf
  row.counters[kCacheReferences] = {100.0, 100};
  EXPECT_FALSE(cache_miss_rate(row).has_value());  // misses missing
  row.counters[kCacheMisses] = {25.0, 25};
  EXPECT_DOUBLE_EQ(*cache_miss_rate(row), 0.25);
}

TEST(PerfRow, AppendsExactlyThePerfSamplesColumns) {
  Schema schema = tables::perf_samples();
  PerfSampleRow row;
  row.t = {500, 1'000'500};
  row.pid = 77;
  row.interval_start_mono_ns = 400;
  row.interval_ns = 100;
  row.counters[6] = {123.0, 123};  // task_clock
  Batch b(schema.columns.size());
  append_perf_sample(row, "host_perf", b);
  ASSERT_TRUE(b.well_formed());
  ASSERT_EQ(b.rows(), 1u);
  auto col = [&](const char* n) { return b.at(0, static_cast<size_t>(schema.index_of(n))); };
  EXPECT_EQ(std::get<int64_t>(col("t_mono_ns")), 500);
  EXPECT_EQ(std::get<std::string>(col("source")), "host_perf");
  EXPECT_EQ(std::get<int64_t>(col("available_in_deployment")), 1);
  EXPECT_EQ(std::get<int64_t>(col("pid")), 77);
  EXPECT_DOUBLE_EQ(std::get<double>(col("task_clock")), 123.0);
  EXPECT_EQ(std::get<int64_t>(col("task_clock_raw")), 123);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(col("cycles")));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(col("ipc")));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(col("time_enabled_ns")));
}

}  // namespace
}  // namespace ktel::perf
