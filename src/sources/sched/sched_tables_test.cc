// SchedTableWriter into a MemorySink: the rows a user finds in episode.db for a
// short trace, the clock mapping, batching, counts and sink failures.
#include "sources/sched/sched_tables.h"

#include <gtest/gtest.h>

#include <vector>

#include "model/testing/memory_sink.h"
#include "sources/sched/testing/sched_event_builders.h"

namespace ktel::sched {
namespace {

using ktel::testing::is_null;
using ktel::testing::MemorySink;
using namespace ktel::sched::testing;  // NOLINT(google-build-using-namespace)

constexpr int64_t kOriginMono = 500;
constexpr int64_t kOriginWall = 1'700'000'000'000'000'000;

int64_t i(const Value& v) { return std::get<int64_t>(v); }
std::string s(const Value& v) { return std::get<std::string>(v); }

std::vector<SchedEvent> small_trace() {
  return {
      wakeup_event(900, 0, "ping", 100, 0),
      switch_event(1000, 0, "swapper/0", 0, "R", "ping", 100),
      fork_event(1100, 0, "ping", 100, 101),
      wakeup_event(1150, 0, "ping", 101, 1, /*is_new=*/true),
      switch_event(1200, 1, "swapper/1", 0, "R", "ping", 101),
      exec_event(1300, 1, "/bin/pong", 101, 101),
      migrate_event(1350, 0, "ping", 100, 0, 1),
      other_event(1400, 0, 100, "sched_stat_runtime", R"({"comm":"ping","runtime":400})"),
      exit_event(1500, 1, "pong", 101, -1),
      switch_event(1600, 1, "pong", 101, "X", "swapper/1", 0),
      switch_event(1700, 0, "ping", 100, "S", "swapper/0", 0),
  };
}

Result<SchedTableCounts> write_all(MemorySink& sink, const std::vector<SchedEvent>& events,
                                   SchedTableOptions options = {}) {
  EpisodeClock clock(kOriginMono, kOriginWall);
  KTEL_ASSIGN_OR_RETURN(auto writer, SchedTableWriter::open(sink, clock, options));
  for (const auto& e : events) KTEL_TRY(writer->add(e));
  KTEL_TRY(writer->finish());
  return writer->counts();
}

TEST(SchedTablesTest, WritesRawRowsOnTheEpisodeClock) {
  MemorySink sink;
  auto counts = write_all(sink, small_trace());
  ASSERT_TRUE(counts.is_ok()) << counts.status().to_string();
  auto sw = sink.rows("sched_switch");
  ASSERT_EQ(sw.size(), 4u);
  EXPECT_EQ(i(sw[0]["ts_ns"]), 1000);
  EXPECT_EQ(i(sw[0]["t_mono_ns"]), 1000 - kOriginMono);
  EXPECT_EQ(i(sw[0]["t_wall_ns"]), kOriginWall + 1000 - kOriginMono);
  EXPECT_EQ(s(sw[0]["source"]), "host_sched");
  EXPECT_EQ(i(sw[0]["available_in_deployment"]), 1);
  EXPECT_EQ(s(sw[0]["prev_comm"]), "swapper/0");
  EXPECT_EQ(s(sw[0]["prev_state"]), "R");
  EXPECT_EQ(i(sw[0]["next_pid"]), 100);
  EXPECT_EQ(i(sw[0]["next_prio"]), 120);

  auto wk = sink.rows("sched_wakeup");
  ASSERT_EQ(wk.size(), 2u);
  EXPECT_EQ(i(wk[1]["wakeup_new"]), 1);
  EXPECT_EQ(i(wk[1]["target_cpu"]), 1);

  auto pr = sink.rows("sched_process");
  ASSERT_EQ(pr.size(), 3u);
  EXPECT_EQ(s(pr[0]["kind"]), "fork");
  EXPECT_EQ(i(pr[0]["pid"]), 101);
  EXPECT_EQ(i(pr[0]["parent_pid"]), 100);
  EXPECT_TRUE(is_null(pr[0]["filename"]));
  EXPECT_EQ(s(pr[1]["kind"]), "exec");
  EXPECT_TRUE(is_null(pr[1]["comm"]));
  EXPECT_EQ(s(pr[1]["filename"]), "/bin/pong");
  EXPECT_EQ(i(pr[1]["old_pid"]), 101);
  EXPECT_EQ(s(pr[2]["kind"]), "exit");
  EXPECT_TRUE(is_null(pr[2]["group_dead"]));  // the kernel's format had no such field
  EXPECT_EQ(i(pr[2]["prio"]), 120);

  auto other = sink.rows("sched_other");
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(s(other[0]["name"]), "sched_stat_runtime");
  EXPECT_EQ(i(other[0]["common_pid"]), 100);
  EXPECT_EQ(s(other[0]["fields"]), R"({"comm":"ping","runtime":400})");
  EXPECT_EQ(sink.rows("sched_migrate").size(), 1u);
}

TEST(SchedTablesTest, WritesDerivedRowsAndCountsEveryRow) {
  MemorySink sink;
  auto counts = write_all(sink, small_trace());
  ASSERT_TRUE(counts.is_ok()) << counts.status().to_string();

  auto threads = sink.rows("thread_summary");
  ASSERT_EQ(threads.size(), 2u);
  for (auto& t : threads) {
    if (i(t["tid"]) != 101) continue;
    EXPECT_EQ(s(t["comm"]), "pong");
    EXPECT_EQ(i(t["pid"]), 101);
    EXPECT_EQ(i(t["parent_tid"]), 100);
    EXPECT_EQ(i(t["runtime_ns"]), 400);
    EXPECT_EQ(i(t["exited"]), 1);
    EXPECT_EQ(i(t["max_wakeup_latency_ns"]), 50);
    EXPECT_EQ(i(t["t_mono_ns"]), 1100 - kOriginMono);  // stamped at its first event
  }
  auto lat = sink.rows("wakeup_latency");
  ASSERT_EQ(lat.size(), 2u);
  EXPECT_EQ(i(lat[1]["latency_ns"]), 50);
  EXPECT_EQ(i(lat[1]["wakeup_new"]), 1);
  EXPECT_EQ(i(lat[1]["cpu"]), 1);

  auto slices = sink.rows("sched_slice");
  int64_t running_at_end = 0;
  for (auto& sl : slices) {
    if (is_null(sl["end_state"])) {
      ++running_at_end;
      EXPECT_EQ(s(sl["end_kind"]), "trace");
      EXPECT_EQ(i(sl["tid"]), 0);  // each CPU's idle task
    } else {
      EXPECT_EQ(s(sl["end_kind"]), "switch");
    }
  }
  EXPECT_EQ(running_at_end, 2);
  EXPECT_EQ(s(slices.at(0)["start_kind"]), "trace");  // cpu0's idle, running at the first event

  auto comms = sink.rows("thread_comm");
  bool exec_seen = false;
  for (auto& c : comms) {
    if (s(c["why"]) == "exec") {
      exec_seen = true;
      EXPECT_EQ(s(c["comm"]), "pong");
      EXPECT_EQ(i(c["ts_ns"]), 1300);
    }
  }
  EXPECT_TRUE(exec_seen);

  EXPECT_EQ(counts->switches, 4u);
  EXPECT_EQ(counts->wakeups, 2u);
  EXPECT_EQ(counts->migrations, 1u);
  EXPECT_EQ(counts->process_events, 3u);
  EXPECT_EQ(counts->other, 1u);
  EXPECT_EQ(counts->slices, slices.size());
  EXPECT_EQ(counts->wakeup_latencies, 2u);
  EXPECT_EQ(counts->threads, 2u);
  EXPECT_EQ(counts->thread_comms, comms.size());
  EXPECT_EQ(counts->out_of_order, 0u);
  size_t total = 0;
  for (const char* t : {"sched_switch", "sched_wakeup", "sched_migrate", "sched_process",
                        "sched_other", "sched_slice", "wakeup_latency", "thread_summary",
                        "thread_comm"}) {
    total += sink.rows(t).size();
  }
  EXPECT_EQ(counts->rows(), total);
}

TEST(SchedTablesTest, OptionsSetSourceAndDeploymentColumns) {
  MemorySink sink;
  auto counts = write_all(sink, small_trace(),
                          {.row_source = "host_sched_import", .available_in_deployment = false});
  ASSERT_TRUE(counts.is_ok());
  for (const char* t : {"sched_switch", "sched_slice", "thread_summary"}) {
    for (auto& row : sink.rows(t)) {
      EXPECT_EQ(s(row["source"]), "host_sched_import") << t;
      EXPECT_EQ(i(row["available_in_deployment"]), 0) << t;
    }
  }
}

// Records the size of every batch handed over.
class BatchSizeSink : public MemorySink {
 public:
  Status append(TableId table, Batch batch) override {
    sizes.push_back(batch.rows());
    return MemorySink::append(table, std::move(batch));
  }
  std::vector<size_t> sizes;
};

TEST(SchedTablesTest, StreamsRowsInBatchesOfBatchRows) {
  BatchSizeSink sink;
  EpisodeClock clock(0, 0);
  auto writer = SchedTableWriter::open(sink, clock, {.batch_rows = 3});
  ASSERT_TRUE(writer.is_ok());
  int64_t ts = 1000;
  for (int n = 0; n < 50; ++n) {
    ASSERT_TRUE((*writer)->add(switch_event(ts, 0, "a", 10, "R+", "b", 20)).is_ok());
    ASSERT_TRUE((*writer)->add(switch_event(ts + 10, 0, "b", 20, "R+", "a", 10)).is_ok());
    ts += 20;
  }
  // Before finish(), closed slices already reached the sink.
  EXPECT_GE(sink.rows("sched_slice").size(), 90u);
  EXPECT_EQ(sink.rows("sched_switch").size(), 99u);  // 100 rows, the last batch pending
  ASSERT_TRUE((*writer)->finish().is_ok());
  EXPECT_EQ(sink.rows("sched_switch").size(), 100u);
  EXPECT_EQ(sink.rows("sched_slice").size(), 101u);
  for (size_t n : sink.sizes) EXPECT_LE(n, 3u);
}

TEST(SchedTablesTest, CountsOutOfOrderEventsAndKeepsTheirTimestamps) {
  MemorySink sink;
  auto counts = write_all(sink, {
                                    switch_event(1000, 0, "swapper/0", 0, "R", "a", 1),
                                    switch_event(3000, 1, "swapper/1", 0, "R", "b", 2),
                                    switch_event(2000, 0, "a", 1, "S", "swapper/0", 0),
                                    switch_event(4000, 0, "swapper/0", 0, "R", "a", 1),
                                });
  ASSERT_TRUE(counts.is_ok());
  EXPECT_EQ(counts->out_of_order, 1u);
  auto sw = sink.rows("sched_switch");
  ASSERT_EQ(sw.size(), 4u);
  EXPECT_EQ(i(sw[2]["ts_ns"]), 2000);
  for (auto& sl : sink.rows("sched_slice")) EXPECT_GE(i(sl["dur_ns"]), 0);
}

TEST(SchedTablesTest, SinkFailureIsReturnedAndSticks) {
  MemorySink sink;
  EpisodeClock clock(0, 0);
  auto writer = SchedTableWriter::open(sink, clock, {.batch_rows = 1});
  ASSERT_TRUE(writer.is_ok());
  ASSERT_TRUE((*writer)->add(wakeup_event(900, 0, "a", 1, 0)).is_ok());
  sink.set_fail_appends(true);
  Status st = (*writer)->add(switch_event(1000, 0, "swapper/0", 0, "R", "a", 1));
  EXPECT_EQ(st.code(), Code::kResourceExhausted);
  sink.set_fail_appends(false);  // a writer never carries on after an error
  EXPECT_EQ((*writer)->add(wakeup_event(1100, 0, "a", 1, 0)).code(), Code::kResourceExhausted);
  EXPECT_EQ((*writer)->finish().code(), Code::kResourceExhausted);
}

TEST(SchedTablesTest, SinkFailureAtFinishIsReturned) {
  MemorySink sink;
  EpisodeClock clock(0, 0);
  auto writer = SchedTableWriter::open(sink, clock);
  ASSERT_TRUE(writer.is_ok());
  ASSERT_TRUE((*writer)->add(switch_event(1000, 0, "swapper/0", 0, "R", "a", 1)).is_ok());
  sink.set_fail_appends(true);
  EXPECT_EQ((*writer)->finish().code(), Code::kResourceExhausted);
}

}  // namespace
}  // namespace ktel::sched
