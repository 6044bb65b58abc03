#include "base/stop_signal.h"

#include <gtest/gtest.h>

#include <atomic>

namespace ktel {
namespace {

using std::chrono::milliseconds;

TEST(StopSignalTest, AWaitWithoutARequestTimesOut) {
  StopSignal stop;
  EXPECT_FALSE(stop.wait_for(milliseconds(1)));
  EXPECT_FALSE(stop.wait_until(std::chrono::steady_clock::now() + milliseconds(1)));
  EXPECT_FALSE(stop.requested());
}

TEST(StopSignalTest, ARequestWakesAWaitingWorkerAndStaysSet) {
  StopSignal stop;
  std::atomic<int> rounds{0};
  std::thread worker([&] {
    while (!stop.wait_for(std::chrono::hours(1))) ++rounds;
  });
  stop_and_join(stop, worker);  // returns only because the hour-long wait ended
  EXPECT_EQ(rounds.load(), 0);
  EXPECT_TRUE(stop.requested());
  EXPECT_TRUE(stop.wait_for(std::chrono::hours(1)));
  stop_and_join(stop, worker);  // nothing left to join
}

}  // namespace
}  // namespace ktel
