// Unit tests of the task-record decoder: procfs aggregation rules, cputime
// scaling and state letters, on hand-built records (no kernel needed).
#include "sys/bpf/task_record_decode.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

#include "sys/bpf/task_record.h"

namespace ktel::bpf {
namespace {

constexpr uint32_t kAllFlags = KTEL_TASK_REC_HAS_MM | KTEL_TASK_REC_HAS_IO |
                               KTEL_TASK_REC_HAS_SCHED_INFO | KTEL_TASK_REC_HAS_PREV_CPUTIME;

KtelTaskRecord record(int32_t tgid, int32_t tid) {
  KtelTaskRecord r;
  std::memset(&r, 0, sizeof(r));
  r.version = KTEL_TASK_REC_VERSION;
  r.flags = kAllFlags | (tgid == tid ? KTEL_TASK_REC_LEADER : 0);
  r.tgid = tgid;
  r.tid = tid;
  r.ppid = 1;
  r.nr_threads = 1;
  std::memcpy(r.comm, "worker", 6);
  return r;
}

std::vector<std::byte> bytes_of(const std::vector<KtelTaskRecord>& recs) {
  std::vector<std::byte> out(recs.size() * sizeof(KtelTaskRecord));
  if (!out.empty()) std::memcpy(out.data(), recs.data(), out.size());
  return out;
}

std::vector<TaskStats> decode(const std::vector<KtelTaskRecord>& recs, bool with_threads) {
  std::vector<TaskStats> out;
  const Status s = decode_task_records(bytes_of(recs), {.with_threads = with_threads}, out);
  EXPECT_TRUE(s.is_ok()) << s.to_string();
  return out;
}

TEST(AdjustCputime, SplitsExactRuntimeInTheTickRatio) {
  // 3:1 user:system ticks, 1000 ns of exact runtime.
  const CpuTimes t = adjust_cputime(300, 100, 1000, {});
  EXPECT_EQ(t.stime_ns, 250u);
  EXPECT_EQ(t.utime_ns, 750u);
}

TEST(AdjustCputime, NoSystemTicksMeansAllUser) {
  EXPECT_EQ(adjust_cputime(0, 0, 500, {}), (CpuTimes{500, 0}));
  EXPECT_EQ(adjust_cputime(40, 0, 500, {}), (CpuTimes{500, 0}));
  EXPECT_EQ(adjust_cputime(0, 40, 500, {}), (CpuTimes{0, 500}));
}

TEST(AdjustCputime, NeverGoesBelowThePreviousAnswer) {
  // Ratio says stime 100, but the kernel already reported 300: stime stays.
  EXPECT_EQ(adjust_cputime(900, 100, 1000, {.utime_ns = 600, .stime_ns = 300}),
            (CpuTimes{700, 300}));
  // Ratio says utime 100 < 600 reported before: utime stays, stime takes the rest.
  EXPECT_EQ(adjust_cputime(100, 900, 1000, {.utime_ns = 600, .stime_ns = 100}),
            (CpuTimes{600, 400}));
  // Runtime not beyond what was handed out: the previous answer as is.
  EXPECT_EQ(adjust_cputime(1, 1, 900, {.utime_ns = 600, .stime_ns = 300}), (CpuTimes{600, 300}));
}

TEST(AdjustCputime, ExactForLargeValues) {
  // Products beyond 64 bits must not overflow (a week of CPU time in ns).
  const uint64_t week = 604'800'000'000'000ULL;
  const CpuTimes t = adjust_cputime(week, week, 2 * week, {});
  EXPECT_EQ(t.stime_ns, week);
  EXPECT_EQ(t.utime_ns, week);
}

TEST(AdjustCputime, CounterSumPastU64DoesNotDivideByZero) {
  // utime + stime wraps to 0 in 64 bits (found by fuzz/task_record_decode_fuzz.cc).
  const CpuTimes t = adjust_cputime(UINT64_MAX, 1, 1000, {});
  EXPECT_EQ(t.utime_ns + t.stime_ns, 1000u);
  EXPECT_EQ(t.stime_ns, 0u);
}

TEST(TaskStateLetter, MatchesProcfsLetters) {
  EXPECT_EQ(task_state_letter(0x0, 0), 'R');
  EXPECT_EQ(task_state_letter(0x1, 0), 'S');
  EXPECT_EQ(task_state_letter(0x2, 0), 'D');
  EXPECT_EQ(task_state_letter(0x104, 0), 'T');    // TASK_STOPPED = WAKEKILL | __TASK_STOPPED
  EXPECT_EQ(task_state_letter(0x108, 0), 't');    // TASK_TRACED
  EXPECT_EQ(task_state_letter(0x80, 0x20), 'Z');  // TASK_DEAD + EXIT_ZOMBIE
  EXPECT_EQ(task_state_letter(0x80, 0x10), 'X');
  EXPECT_EQ(task_state_letter(0x40, 0), 'P');
  EXPECT_EQ(task_state_letter(0x402, 0), 'I');   // TASK_IDLE
  EXPECT_EQ(task_state_letter(0x8000, 0), 'D');  // frozen reads as uninterruptible
  EXPECT_EQ(task_state_letter(0x1000, 0), 'D');  // rtlock wait
}

TEST(DecodeTaskRecords, ProcessRowSumsThreadsAndDeadThreadTotals) {
  KtelTaskRecord leader = record(100, 100);
  leader.nr_threads = 2;
  leader.utime_ns = 30;
  leader.sum_exec_runtime_ns = 30;
  leader.min_flt = 5;
  leader.rchar = 10;
  leader.nvcsw = 7;
  leader.nivcsw = 3;
  leader.sig_utime_ns = 50;  // an exited thread
  leader.sig_sum_sched_runtime_ns = 50;
  leader.sig_min_flt = 100;
  leader.sig_rchar = 1000;
  leader.total_vm_pages = 10;
  leader.rss_anon_pages = 4;
  leader.rss_file_pages = 2;
  leader.rss_shmem_pages = -1;  // transiently negative: clamped like get_mm_counter
  KtelTaskRecord thread = record(100, 101);
  thread.utime_ns = 20;
  thread.sum_exec_runtime_ns = 20;
  thread.min_flt = 1;
  thread.rchar = 1;
  thread.nvcsw = 1000;

  const auto rows = decode({thread, leader}, false);
  ASSERT_EQ(rows.size(), 1u);
  const TaskStats& p = rows[0];
  EXPECT_EQ(p.pid, 100);
  EXPECT_EQ(p.tid, 100);
  EXPECT_FALSE(p.is_thread);
  EXPECT_EQ(p.utime_ns, 100u);
  EXPECT_EQ(p.stime_ns, 0u);
  EXPECT_EQ(p.minflt, 106u);
  EXPECT_EQ(p.rchar, 1011u);
  EXPECT_EQ(p.vol_ctxsw, 7u);  // status prints the leader's own count
  EXPECT_EQ(p.invol_ctxsw, 3u);
  EXPECT_EQ(p.num_threads, 2u);
  EXPECT_EQ(p.vsize_bytes, 10u * 4096);
  EXPECT_EQ(p.rss_bytes, 6u * 4096);
  EXPECT_EQ(p.comm, "worker");
  EXPECT_EQ(p.io_errno, 0);
}

TEST(DecodeTaskRecords, ThreadRowsFollowTheirProcessInTidOrder) {
  KtelTaskRecord a = record(200, 200);
  KtelTaskRecord a2 = record(200, 205);
  KtelTaskRecord a1 = record(200, 203);
  KtelTaskRecord b = record(150, 150);
  a1.utime_ns = 9;
  a1.sum_exec_runtime_ns = 9;
  const auto rows = decode({a, a2, b, a1}, true);
  ASSERT_EQ(rows.size(), 6u);  // 150: process + main thread; 200: process + 3 threads
  EXPECT_EQ(rows[0].pid, 150);
  EXPECT_FALSE(rows[0].is_thread);
  EXPECT_TRUE(rows[1].is_thread);
  EXPECT_EQ(rows[1].tid, 150);
  EXPECT_EQ(rows[2].pid, 200);
  EXPECT_FALSE(rows[2].is_thread);
  EXPECT_EQ(rows[3].tid, 200);
  EXPECT_EQ(rows[4].tid, 203);
  EXPECT_EQ(rows[4].pid, 200);
  EXPECT_TRUE(rows[4].is_thread);
  EXPECT_EQ(rows[4].utime_ns, 9u);
  EXPECT_EQ(rows[5].tid, 205);
}

TEST(DecodeTaskRecords, ThreadsWithoutLeaderRecordAreDropped) {
  const auto rows = decode({record(300, 301), record(310, 310)}, true);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].tid, 310);
  EXPECT_EQ(rows[1].tid, 310);
}

TEST(DecodeTaskRecords, MissingKernelFeaturesLeaveFieldsAbsent) {
  KtelTaskRecord r = record(400, 400);
  r.flags = KTEL_TASK_REC_LEADER;
  r.utime_ns = 70;  // no prev_cputime: raw tick values as procfs prints them
  r.sum_exec_runtime_ns = 5;
  const auto rows = decode({r}, false);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_FALSE(rows[0].read_bytes.has_value());
  EXPECT_EQ(rows[0].io_errno, ENOENT);
  EXPECT_FALSE(rows[0].sched_wait_ns.has_value());
  EXPECT_EQ(rows[0].sched_run_ns, 5u);
  EXPECT_EQ(rows[0].utime_ns, 70u);
  EXPECT_EQ(rows[0].rss_bytes, 0u);  // kernel thread or exited mm
}

TEST(DecodeTaskRecords, TruncatedOrForeignRecordsAreDataLoss) {
  std::vector<TaskStats> out;
  auto bytes = bytes_of({record(1, 1)});
  bytes.pop_back();
  EXPECT_EQ(decode_task_records(bytes, {}, out).code(), Code::kDataLoss);
  KtelTaskRecord wrong = record(1, 1);
  wrong.version = 99;
  EXPECT_EQ(decode_task_records(bytes_of({wrong}), {}, out).code(), Code::kDataLoss);
  EXPECT_TRUE(out.empty());
}

TEST(DecodeTaskRecords, CommIsRawBytesUpToNul) {
  KtelTaskRecord r = record(500, 500);
  std::memset(r.comm, 0, sizeof(r.comm));
  std::memcpy(r.comm, "a (b) c\x01\xff", 9);
  const auto rows = decode({r}, false);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].comm, std::string("a (b) c\x01\xff", 9));
}

}  // namespace
}  // namespace ktel::bpf
