// --exec-rss against the real kernel: a child that touches 100 MiB, then 200
// MiB, then unmaps it all has a peak of 200 MiB, a series that rises then
// falls, at most 64 samples in time order; a process still running at the
// end is read from the map; without the option no RSS record comes. Needs
// root; skips otherwise, fails with KTEL_REQUIRE_KERNEL=1.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

#include "base/testing/kernel_required.h"
#include "sys/bpf/exec_record.h"
#include "sys/bpf/exec_record_decode.h"
#include "sys/bpf/exec_tracer.h"

namespace ktel {
namespace {

constexpr uint64_t kMiB = 1 << 20;

std::vector<ExecLifecycleRss> rss_of(ExecTracer& t, pid_t pid, const ExecDecodeOptions& d,
                                     bool flush) {
  std::vector<ExecLifecycleRss> out;
  auto keep = [&](std::span<const std::byte> raw) {
    auto e = decode_exec_record(raw, d);
    ASSERT_TRUE(e.is_ok()) << e.status().to_string();
    if (auto* r = std::get_if<ExecLifecycleRss>(&*e); r != nullptr && r->pid == pid) {
      out.push_back(*r);
    }
  };
  EXPECT_TRUE(t.poll_raw(keep).is_ok());
  if (flush) {
    t.detach();
    EXPECT_TRUE(t.poll_raw(keep).is_ok());
    EXPECT_TRUE(t.flush_rss(keep).is_ok());
  }
  return out;
}

// Touches `mib` MiB of a fresh mapping one page at a time.
void* touch(size_t mib) {
  size_t bytes = mib * kMiB;
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) ::_exit(90);
  for (size_t off = 0; off < bytes; off += 4096) static_cast<char*>(p)[off] = 1;
  return p;
}

// 100 MiB, a pause, 100 MiB more, a pause, all unmapped, a pause, exit.
// ASan keeps a shadow byte per 8 bytes of memory the program touches.
#if defined(__SANITIZE_ADDRESS__)
constexpr double kShadowShare = 1.0 / 8;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr double kShadowShare = 1.0 / 8;
#else
constexpr double kShadowShare = 0;
#endif
#else
constexpr double kShadowShare = 0;
#endif

pid_t grow_then_shrink(int pause_ms) {
  pid_t pid = ::fork();
  if (pid == 0) {
    void* a = touch(100);
    ::usleep(pause_ms * 1000);
    void* b = touch(100);
    ::usleep(pause_ms * 1000);
    ::munmap(a, 100 * kMiB);
    ::munmap(b, 100 * kMiB);
    ::usleep(pause_ms * 1000);
    ::_exit(0);
  }
  return pid;
}

class ExecTracerRssTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) KTEL_SKIP_OR_FAIL("the exec tracer needs root (BPF)");
  }
  std::unique_ptr<ExecTracer> open(bool rss) {
    ExecTracerOptions o;
    o.scope = ExecScope::kTree;
    o.root_pid = ::getpid();
    o.rss = rss;
    auto t = ExecTracer::open(o);
    EXPECT_TRUE(t.is_ok()) << t.status().to_string();
    return t.is_ok() ? std::move(*t) : nullptr;
  }
};

TEST_F(ExecTracerRssTest, PeakAndASeriesThatRisesAndFalls) {
  auto t = open(true);
  ASSERT_TRUE(t);
  pid_t child = grow_then_shrink(100);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::vector<ExecLifecycleRss> got = rss_of(*t, child, t->decode_options(), false);
  ASSERT_EQ(got.size(), 1u) << "one record, at the exit";
  const ExecLifecycleRss& r = got[0];
  ASSERT_GE(r.samples.size(), 3u);
  // A forked child starts with its parent's resident pages (large under
  // ASan): what it touched is measured from its first sample.
  const double base = static_cast<double>(r.samples.front().bytes);
  const double peak = static_cast<double>(r.peak_bytes);
  EXPECT_GE(peak - base, 195.0 * kMiB);
  EXPECT_LE(peak - base, (215.0 + kShadowShare * 200) * kMiB)
      << "200 MiB touched plus a little stack and heap (and ASan's shadow of it)";
  EXPECT_LE(r.samples.size(), KTEL_EXEC_RSS_SAMPLES + 1);
  uint64_t top = 0;
  size_t top_at = 0;
  for (size_t i = 0; i < r.samples.size(); ++i) {
    if (i > 0) {
      EXPECT_GT(r.samples[i].ts_ns, r.samples[i - 1].ts_ns);
    }
    if (r.samples[i].bytes > top) {
      top = r.samples[i].bytes;
      top_at = i;
    }
  }
  EXPECT_GE(static_cast<double>(top), 0.9 * peak) << "the series reaches near the peak";
  EXPECT_LT(static_cast<double>(r.samples.back().bytes), base + 50.0 * kMiB)
      << "and ends after the unmap";
  EXPECT_LT(top_at, r.samples.size() - 1);
  // Halfway (the 100 MiB plateau) shows in the series too.
  bool plateau = false;
  for (const auto& s : r.samples) {
    const double above = static_cast<double>(s.bytes) - base;
    plateau = plateau || (above > 90.0 * kMiB && above < 130.0 * kMiB);
  }
  EXPECT_TRUE(plateau);
  EXPECT_GT(r.events, r.samples.size());
  EXPECT_EQ(t->lost().total(), 0u);
}

// Many rises and falls: more candidate samples than slots, so the series is
// compacted (the gap doubles) yet still spans the life and keeps the peaks.
TEST_F(ExecTracerRssTest, ALongSawtoothIsCompactedKeepingItsPeaks) {
  auto t = open(true);
  ASSERT_TRUE(t);
  pid_t child = ::fork();
  if (child == 0) {
    for (int i = 0; i < 40; ++i) {
      void* p = touch(8);
      ::usleep(12'000);
      ::munmap(p, 8 * kMiB);
      ::usleep(12'000);
    }
    ::_exit(0);
  }
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::vector<ExecLifecycleRss> got = rss_of(*t, child, t->decode_options(), false);
  ASSERT_EQ(got.size(), 1u);
  const ExecLifecycleRss& r = got[0];
  EXPECT_GT(r.interval_ns, 10'000'000) << "no compaction happened";
  EXPECT_LE(r.samples.size(), KTEL_EXEC_RSS_SAMPLES + 1);
  uint64_t top = 0;
  for (const auto& s : r.samples) top = std::max(top, s.bytes);
  EXPECT_GE(static_cast<double>(top), 0.9 * static_cast<double>(r.peak_bytes));
  EXPECT_GE(r.peak_bytes, 8 * kMiB);
  // The series covers the whole life, not only its start.
  const double span = static_cast<double>(r.samples.back().ts_ns - r.samples.front().ts_ns);
  EXPECT_GT(span, 0.8e9) << "40 cycles of >= 24 ms last about a second";
}

TEST_F(ExecTracerRssTest, ARunningProcessIsReadFromTheMapAtTheEnd) {
  auto t = open(true);
  ASSERT_TRUE(t);
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  if (child == 0) {
    touch(64);
    char c = 1;
    (void)!::write(ready[1], &c, 1);
    ::pause();
    ::_exit(0);
  }
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  std::vector<ExecLifecycleRss> got = rss_of(*t, child, t->decode_options(), true);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  ::close(ready[0]);
  ::close(ready[1]);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_GE(got[0].peak_bytes, 64 * kMiB);
  EXPECT_FALSE(got[0].samples.empty());
}

TEST_F(ExecTracerRssTest, WithoutTheOptionNoRssRecordComes) {
  auto t = open(false);
  ASSERT_TRUE(t);
  pid_t child = grow_then_shrink(10);
  ::waitpid(child, nullptr, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(rss_of(*t, child, t->decode_options(), true).empty());
}

}  // namespace
}  // namespace ktel
