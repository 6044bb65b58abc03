// SchedCapture against the real kernel: a private instance, raw pages on disk,
// the kernel's own counters, and nothing left behind.
#include "sources/sched/sched_capture.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <mutex>

#include "base/testing/kernel_required.h"
#include "base/testing/temp_dir.h"
#include "sources/sched/testing/tracefs_fixture.h"
#include "workloads/pingpong.h"

namespace ktel::sched {
namespace {

namespace fs = std::filesystem;

class SchedCaptureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    auto root = ktel::testing::tracefs_for_tests(why);
    if (!root) KTEL_SKIP_OR_FAIL(why);
    root_ = *root;
    raw_ = tmp_.path() + "/raw/sched";
    ASSERT_TRUE(make_dirs(raw_).is_ok());
  }

  SchedCaptureConfig config() const {
    SchedCaptureConfig c;
    c.tracefs_root = root_;
    c.instance_name = "ktel-" + std::to_string(::getpid());
    c.raw_dir = raw_;
    c.events = default_sched_events();
    return c;
  }

  bool instance_exists() const {
    struct stat st {};
    return ::stat((root_ + "/instances/ktel-" + std::to_string(::getpid())).c_str(), &st) == 0;
  }

  std::string root_;
  ktel::testing::TempDir tmp_;
  std::string raw_;
};

TEST_F(SchedCaptureTest, PingPongLandsInRawPagesAndTheInstanceGoes) {
  const auto before = ktel::testing::global_tracing_snapshot(root_);
  std::mutex mu;
  std::vector<CpuStatsReading> readings;
  auto cap = SchedCapture::start(config(), [&](const CpuStatsReading& r) {
    std::lock_guard lock(mu);
    readings.push_back(r);
  });
  ASSERT_TRUE(cap.is_ok()) << cap.status().to_string();
  EXPECT_TRUE(instance_exists());
  EXPECT_GE((*cap)->granted_buffer_kb(), 8192u);
  auto pp = run_pipe_pingpong({.rounds = 2000});
  ASSERT_TRUE(pp.is_ok()) << pp.status().to_string();
  ASSERT_TRUE((*cap)->stop().is_ok());
  EXPECT_FALSE(instance_exists());
  EXPECT_EQ(ktel::testing::global_tracing_snapshot(root_), before);

  uint64_t read_events = 0, lost = 0, pages = 0;
  for (const auto& s : (*cap)->stats_delta_per_cpu()) {
    read_events += s.read_events;
    lost += s.lost();
    EXPECT_EQ(s.entries, 0u) << "final drain left events in the buffer";
  }
  for (uint64_t p : (*cap)->pages_per_cpu()) pages += p;
  EXPECT_GE(read_events, 2u * 2000u) << "a round trip is at least two switches";
  EXPECT_EQ(lost, 0u);
  uint64_t file_bytes = 0;
  for (int cpu = 0; cpu < (*cap)->cpus(); ++cpu) {
    std::string f = raw_ + "/cpu" + std::to_string(cpu) + ".pages";
    ASSERT_TRUE(fs::exists(f)) << f;
    EXPECT_EQ(fs::file_size(f) % (*cap)->page_size(), 0u);
    file_bytes += fs::file_size(f);
  }
  EXPECT_EQ(file_bytes, pages * (*cap)->page_size());
  for (const auto& ev : default_sched_events()) {
    EXPECT_TRUE(fs::exists(raw_ + "/formats/" + ev + "/format")) << ev;
  }
  EXPECT_TRUE(fs::exists(raw_ + "/formats/header_page"));
  EXPECT_TRUE(fs::exists(raw_ + "/formats/header_event"));
  // One start and one final reading per CPU.
  auto count = [&](const char* phase) {
    return std::count_if(readings.begin(), readings.end(),
                         [&](const CpuStatsReading& r) { return r.phase == phase; });
  };
  EXPECT_EQ(count("start"), (*cap)->cpus());
  EXPECT_EQ(count("final"), (*cap)->cpus());
}

TEST_F(SchedCaptureTest, TinyBufferAndStalledReaderShowInTheKernelsCounters) {
  SchedCaptureConfig c = config();
  c.buffer_kb = 16;
  c.drain_period_ns = 3'600'000'000'000;  // the reader never wakes before stop()
  auto cap = SchedCapture::start(c, nullptr);
  ASSERT_TRUE(cap.is_ok()) << cap.status().to_string();
  ASSERT_TRUE(run_pipe_pingpong({.rounds = 20000}).is_ok());
  ASSERT_TRUE((*cap)->stop().is_ok());
  uint64_t lost = 0;
  for (const auto& s : (*cap)->stats_delta_per_cpu()) lost += s.lost();
  EXPECT_GT(lost, 0u) << "16 KB per CPU cannot hold 40k switches";
  EXPECT_FALSE(instance_exists());
}

TEST_F(SchedCaptureTest, UnknownEventFailsAndLeavesNothing) {
  SchedCaptureConfig c = config();
  c.events.push_back("sched/no_such_event");
  auto cap = SchedCapture::start(c, nullptr);
  ASSERT_FALSE(cap.is_ok());
  EXPECT_EQ(cap.status().code(), Code::kInvalidArgument);
  EXPECT_NE(cap.status().message().find("sched/no_such_event"), std::string::npos);
  EXPECT_FALSE(instance_exists());
}

TEST_F(SchedCaptureTest, StaleInstanceOfADeadPidIsRemovedAndALiveOneKept) {
  pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  ASSERT_GT(dead, 0);
  ASSERT_EQ(::waitpid(dead, nullptr, 0), dead);
  const std::string stale = "ktel-" + std::to_string(dead);
  const std::string live = "ktel-" + std::to_string(::getppid());
  ASSERT_EQ(::mkdir((root_ + "/instances/" + stale).c_str(), 0750), 0);
  ASSERT_EQ(::mkdir((root_ + "/instances/" + live).c_str(), 0750), 0);
  auto removed = remove_stale_instances(root_);
  ::rmdir((root_ + "/instances/" + live).c_str());
  ASSERT_TRUE(removed.is_ok()) << removed.status().to_string();
  EXPECT_NE(std::find(removed->begin(), removed->end(), stale), removed->end());
  EXPECT_EQ(std::find(removed->begin(), removed->end(), live), removed->end());
  EXPECT_FALSE(fs::exists(root_ + "/instances/" + stale));
}

}  // namespace
}  // namespace ktel::sched
