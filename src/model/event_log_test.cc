#include "model/event_log.h"

#include <gtest/gtest.h>

#include <thread>

namespace ktel {
namespace {

// Records what reaches it; fails on demand to test error propagation.
class FakeSink : public Sink {
 public:
  Result<TableId> open_table(const Schema& s) override {
    schema = s;
    return 0;
  }
  Status append(TableId, Batch b) override {
    if (fail) return Status(Code::kResourceExhausted, "disk full");
    rows += b.rows();
    return Status::ok();
  }
  uint64_t dropped_rows() const override { return 0; }
  Status finish() override { return Status::ok(); }
  Schema schema;
  size_t rows = 0;
  bool fail = false;
};

TEST(EventLogTest, EventsBeforeAttachAreWrittenOnAttach) {
  EpisodeClock clock = EpisodeClock::start_now();
  EventLog log(clock);
  log.emit("record", "episode_started", {{"pid", 1}});
  FakeSink sink;
  ASSERT_TRUE(log.attach_sink(&sink).is_ok());
  log.emit("proc", "proc_started");
  EXPECT_EQ(sink.rows, 2u);
  EXPECT_EQ(sink.schema.table, "events");
  EXPECT_EQ(log.snapshot().size(), 2u);
}

TEST(EventLogTest, SinkErrorIsKeptAndEventStillInMemory) {
  EpisodeClock clock = EpisodeClock::start_now();
  EventLog log(clock);
  FakeSink sink;
  ASSERT_TRUE(log.attach_sink(&sink).is_ok());
  sink.fail = true;
  log.emit("proc", "x");
  EXPECT_EQ(log.sink_status().code(), Code::kResourceExhausted);
  EXPECT_EQ(log.snapshot().size(), 1u);
}

TEST(EventLogTest, WaitForSeesEventsFromOtherThreads) {
  EpisodeClock clock = EpisodeClock::start_now();
  EventLog log(clock);
  EXPECT_FALSE(log.wait_for("go", 1'000'000));
  std::thread t([&] { log.emit("t", "go"); });
  EXPECT_TRUE(log.wait_for("go", 5'000'000'000));
  t.join();
}

}  // namespace
}  // namespace ktel
