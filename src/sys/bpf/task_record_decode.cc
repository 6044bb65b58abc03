// Decoding and per-process aggregation of BPF task-iterator records. Each
// field below is matched to what fs/proc/array.c / fs/proc/base.c print (Linux
// 6.x; checked against do_task_stat, proc_pid_status, do_io_accounting,
// proc_pid_schedstat):
//   stat (whole=1): utime/stime = cputime_adjust(signal totals + every live
//     thread, signal->prev_cputime); minflt/majflt = signal + live threads;
//     vsize = mm->total_vm pages; rss = get_mm_rss(): file + anon + shmem
//     pages; num_threads = signal->nr_threads; ppid = real_parent's tgid;
//     start time = the leader's start_boottime (procfs divides by 10 ms ticks;
//     we keep the ns, so procfs_ticks == start_time_ns / (1e9 / CLK_TCK)).
//   status: voluntary/nonvoluntary_ctxt_switches print the leader task's own
//     nvcsw/nivcsw (task_context_switch_counts), NOT a sum over threads.
//   io (whole=1): signal->ioac + every live thread's ioac.
//   schedstat: the leader task's own se.sum_exec_runtime, run_delay, pcount.
// Thread rows (/proc/<pid>/task/<tid>/...) use the thread's own values, with
// cputime_adjust over the thread's prev_cputime.
#include "sys/bpf/task_record_decode.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "sys/bpf/task_record.h"

namespace ktel::bpf {
namespace {

__extension__ typedef unsigned __int128 Uint128;

// include/linux/sched.h (6.1+). TASK_REPORT covers the states procfs names.
constexpr uint32_t kTaskUninterruptible = 0x2;
constexpr uint32_t kTaskNoload = 0x400;
constexpr uint32_t kTaskIdle = kTaskUninterruptible | kTaskNoload;
constexpr uint32_t kTaskRtlockWait = 0x1000;
constexpr uint32_t kTaskFrozen = 0x8000;
constexpr uint32_t kTaskReport = 0x7f;
constexpr uint32_t kTaskReportIdle = kTaskReport + 1;
constexpr char kStateLetters[] = "RSDTtXZPI";

uint64_t rss_pages(const KtelTaskRecord& r) {
  // get_mm_counter() clamps each counter at 0 (percpu_counter_read_positive).
  auto pos = [](int64_t v) { return v > 0 ? static_cast<uint64_t>(v) : 0; };
  return pos(r.rss_file_pages) + pos(r.rss_anon_pages) + pos(r.rss_shmem_pages);
}

std::string comm_of(const KtelTaskRecord& r) {
  const size_t len = strnlen(r.comm, sizeof(r.comm) - 1);
  return std::string(r.comm, len);
}

// Fields common to process and thread rows, taken from one task's record.
TaskStats task_row(const KtelTaskRecord& r, const DecodeOptions& options) {
  TaskStats s;
  s.pid = r.tgid;
  s.tid = r.tid;
  s.ppid = r.ppid;
  s.start_time_ns = r.start_boottime_ns;
  s.comm = comm_of(r);
  s.state = task_state_letter(r.state, r.exit_state);
  s.num_threads = r.nr_threads;
  if (r.flags & KTEL_TASK_REC_HAS_MM) {
    s.vsize_bytes = r.total_vm_pages * options.page_size;
    s.rss_bytes = rss_pages(r) * options.page_size;
  }
  // What procfs gives without CONFIG_TASK_IO_ACCOUNTING: no io file.
  if (!(r.flags & KTEL_TASK_REC_HAS_IO)) s.io_errno = ENOENT;
  s.vol_ctxsw = r.nvcsw;
  s.invol_ctxsw = r.nivcsw;
  s.sched_run_ns = r.sum_exec_runtime_ns;
  if (r.flags & KTEL_TASK_REC_HAS_SCHED_INFO) {
    s.sched_wait_ns = r.run_delay_ns;
    s.sched_timeslices = r.pcount;
  }
  return s;
}

CpuTimes adjusted(const KtelTaskRecord& r, uint64_t utime, uint64_t stime, uint64_t rtime,
                  CpuTimes prev) {
  // Without prev_cputime (VIRT_CPU_ACCOUNTING_NATIVE) procfs prints the raw sums.
  if (!(r.flags & KTEL_TASK_REC_HAS_PREV_CPUTIME)) return {utime, stime};
  return adjust_cputime(utime, stime, rtime, prev);
}

TaskStats thread_row(const KtelTaskRecord& r, const DecodeOptions& options) {
  TaskStats s = task_row(r, options);
  s.is_thread = true;
  const CpuTimes t = adjusted(r, r.utime_ns, r.stime_ns, r.sum_exec_runtime_ns,
                              {r.prev_utime_ns, r.prev_stime_ns});
  s.utime_ns = t.utime_ns;
  s.stime_ns = t.stime_ns;
  s.minflt = r.min_flt;
  s.majflt = r.maj_flt;
  if (r.flags & KTEL_TASK_REC_HAS_IO) {
    s.rchar = r.rchar;
    s.wchar = r.wchar;
    s.read_bytes = r.read_bytes;
    s.write_bytes = r.write_bytes;
  }
  return s;
}

// One thread group: its records sorted by tid, the leader included.
struct Group {
  const KtelTaskRecord* leader = nullptr;
  std::span<const KtelTaskRecord* const> threads;
};

TaskStats process_row(const Group& g, const DecodeOptions& options) {
  const KtelTaskRecord& l = *g.leader;
  TaskStats s = task_row(l, options);
  uint64_t utime = l.sig_utime_ns, stime = l.sig_stime_ns, rtime = l.sig_sum_sched_runtime_ns;
  s.minflt = l.sig_min_flt;
  s.majflt = l.sig_maj_flt;
  uint64_t rchar = l.sig_rchar, wchar = l.sig_wchar;
  uint64_t read_bytes = l.sig_read_bytes, write_bytes = l.sig_write_bytes;
  for (const KtelTaskRecord* t : g.threads) {
    utime += t->utime_ns;
    stime += t->stime_ns;
    rtime += t->sum_exec_runtime_ns;
    s.minflt += t->min_flt;
    s.majflt += t->maj_flt;
    rchar += t->rchar;
    wchar += t->wchar;
    read_bytes += t->read_bytes;
    write_bytes += t->write_bytes;
  }
  const CpuTimes c = adjusted(l, utime, stime, rtime, {l.sig_prev_utime_ns, l.sig_prev_stime_ns});
  s.utime_ns = c.utime_ns;
  s.stime_ns = c.stime_ns;
  if (l.flags & KTEL_TASK_REC_HAS_IO) {
    s.rchar = rchar;
    s.wchar = wchar;
    s.read_bytes = read_bytes;
    s.write_bytes = write_bytes;
  }
  return s;
}

}  // namespace

CpuTimes adjust_cputime(uint64_t utime_ns, uint64_t stime_ns, uint64_t rtime_ns, CpuTimes prev) {
  // rtime not past what was already handed out: the kernel returns prev as is.
  if (prev.stime_ns + prev.utime_ns >= rtime_ns) return prev;
  uint64_t stime = stime_ns;
  if (stime_ns == 0) {
    stime = 0;  // all runtime counts as user time until the first stime tick
  } else if (utime_ns == 0) {
    stime = rtime_ns;
  } else {
    // mul_u64_u64_div_u64 is exact on x86-64 (128-bit), so this is too. The
    // divisor is 128-bit as well: a u64 sum of garbage counters can wrap to 0.
    const Uint128 scaled =
        static_cast<Uint128>(stime_ns) * rtime_ns / (static_cast<Uint128>(stime_ns) + utime_ns);
    stime = static_cast<uint64_t>(std::min<Uint128>(scaled, rtime_ns));
  }
  stime = std::max(stime, prev.stime_ns);
  uint64_t utime = rtime_ns - stime;
  if (utime < prev.utime_ns) {
    utime = prev.utime_ns;
    stime = rtime_ns - utime;
  }
  return {utime, stime};
}

char task_state_letter(uint32_t state, uint32_t exit_state) {
  uint32_t report = (state | exit_state) & kTaskReport;
  if ((state & kTaskIdle) == kTaskIdle) report = kTaskReportIdle;
  if ((state & kTaskRtlockWait) || (state & kTaskFrozen)) report = kTaskUninterruptible;
  const int index = std::bit_width(report);  // fls()
  return kStateLetters[index];
}

Status decode_task_records(std::span<const std::byte> records, const DecodeOptions& options,
                           std::vector<TaskStats>& out) {
  constexpr size_t kSize = sizeof(KtelTaskRecord);
  if (records.size() % kSize != 0) {
    return data_loss(fmt::format(
        "BPF task iterator returned {} bytes, not a multiple of the {}-byte record; the "
        "BPF object and ktel were built from different task_record.h versions (rebuild ktel)",
        records.size(), kSize));
  }
  // Copied (the bytes need not be aligned for KtelTaskRecord) into storage
  // that is not zeroed first: the copy overwrites all of it.
  const size_t count = records.size() / kSize;
  std::unique_ptr<KtelTaskRecord[]> recs = std::make_unique_for_overwrite<KtelTaskRecord[]>(count);
  if (count != 0) std::memcpy(recs.get(), records.data(), records.size());
  std::vector<const KtelTaskRecord*> order;
  order.reserve(count);
  for (const KtelTaskRecord& r : std::span(recs.get(), count)) {
    if (r.version != KTEL_TASK_REC_VERSION) {
      return data_loss(
          fmt::format("BPF task record for tid {} has version {}, expected {} (rebuild ktel)",
                      r.tid, r.version, KTEL_TASK_REC_VERSION));
    }
    order.push_back(&r);
  }
  // (tgid, tid) order: processes by pid, threads by tid, as procfs lists them.
  std::sort(order.begin(), order.end(), [](const KtelTaskRecord* a, const KtelTaskRecord* b) {
    return a->tgid != b->tgid ? a->tgid < b->tgid : a->tid < b->tid;
  });
  for (size_t begin = 0; begin < order.size();) {
    size_t end = begin;
    Group group;
    for (; end < order.size() && order[end]->tgid == order[begin]->tgid; ++end) {
      if (order[end]->flags & KTEL_TASK_REC_LEADER) group.leader = order[end];
    }
    group.threads = std::span(order).subspan(begin, end - begin);
    begin = end;
    if (group.leader == nullptr) continue;
    out.push_back(process_row(group, options));
    if (!options.with_threads) continue;
    for (const KtelTaskRecord* t : group.threads) out.push_back(thread_row(*t, options));
  }
  return Status::ok();
}

}  // namespace ktel::bpf
