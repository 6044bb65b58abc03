// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* BPF task iterator (iter/task): one KtelTaskRecord per task of the process tree
 * rooted at root_tgid, read by user space from the iterator fd (src/sys/bpf/task_iter.cc).
 * CO-RE: field offsets are relocated by libbpf against the running kernel's BTF. */

/* Design notes.
 * - Fields are read with plain loads through BTF-typed pointers (vmlinux.h
 *   marks every struct preserve_access_index; the verifier makes the loads
 *   fault-safe) rather than BPF_CORE_READ: one helper call per field made a
 *   1,000-process read about 50 % dearer in CPU (bench/bpf_task_iter_bench.cc).
 * - Every thread of a tree process gets a record, even without with_threads,
 *   because the process row sums all threads; user space adds them up by tgid
 *   (src/sys/bpf/task_record_decode.cc). That keeps this program free of
 *   per-tgid maps and of bounded walks over signal->thread_head.
 * - When a record does not fit the seq_file buffer, bpf_seq_read() discards it
 *   and runs this program again for the same task on the next read(): no loss.
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "sys/bpf/task_record.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by user space before each bpf_iter_create(); the iterator is not
 * reentrant across readers (BpfTaskIter::read_tree is documented as such). */
__u32 root_tgid = 0;
__u64 root_start_boottime = 0; /* 0: whichever process has root_tgid */
__u32 with_threads = 0;
__u32 nr_extra_roots = 0; /* entries in extra_roots; 0 skips the lookups */
/* Tasks whose ancestor chain was longer than KTEL_TASK_ITER_MAX_DEPTH before
 * reaching init: possibly in the tree but skipped. */
__u64 depth_limit_hits = 0;

/* More tree heads besides root_tgid: tgid -> the leader's start_boottime (so a
 * reused pid never matches). User space puts the tree members it has seen
 * here, which keeps a member and its descendants in the tree after the member
 * is re-parented away from root (sticky membership, as the procfs tracker). */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, KTEL_TASK_ITER_MAX_EXTRA_ROOTS);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, __u32);
  __type(value, __u64);
} extra_roots SEC(".maps");
/* Kernels before 5.14 call the state field `state` (long). */
struct task_struct___pre514 {
  long state;
} __attribute__((preserve_access_index));

/* Kernels before 6.2 keep rss in atomics instead of percpu_counters. */
struct mm_rss_stat___pre62 {
  atomic_long_t count[4];
} __attribute__((preserve_access_index));
struct mm_struct___pre62 {
  struct mm_rss_stat___pre62 rss_stat;
} __attribute__((preserve_access_index));

/* Follows real_parent upwards until root or an extra root. Threads share
 * their leader's real_parent. A re-parented orphan is only found through
 * extra_roots (user space keeps it there once seen), as the procfs tracker's
 * sticky membership does. Walking in the kernel avoids first listing the tree
 * from /proc, which is the cost we are here to remove. */
static __always_inline int in_tree(struct task_struct *task, __u32 root)
{
  struct task_struct *p = task;

  for (int depth = 0; depth < KTEL_TASK_ITER_MAX_DEPTH; depth++) {
    __u32 tgid = p->tgid;
    if (tgid == root &&
        (root_start_boottime == 0 || p->group_leader->start_boottime == root_start_boottime))
      return 1;
    if (tgid <= 1) /* init or the idle task: the chain ends here */
      return 0;
    if (nr_extra_roots) {
      __u64 *start = bpf_map_lookup_elem(&extra_roots, &tgid);
      if (start && *start == p->group_leader->start_boottime)
        return 1;
    }
    struct task_struct *parent = p->real_parent;
    if (!parent || parent == p)
      return 0;
    p = parent;
  }
  __sync_fetch_and_add(&depth_limit_hits, 1);
  return 0;
}

static __always_inline void read_state(struct task_struct *task, struct KtelTaskRecord *rec)
{
  if (bpf_core_field_exists(task->__state)) {
    rec->state = task->__state;
  } else {
    struct task_struct___pre514 *old = (void *)task;
    rec->state = (__u32)old->state;
  }
  rec->exit_state = task->exit_state;
}

static __always_inline void read_own_counters(struct task_struct *task,
                                              struct KtelTaskRecord *rec)
{
  rec->utime_ns = task->utime;
  rec->stime_ns = task->stime;
  rec->sum_exec_runtime_ns = task->se.sum_exec_runtime;
  if (bpf_core_field_exists(task->prev_cputime)) {
    rec->flags |= KTEL_TASK_REC_HAS_PREV_CPUTIME;
    rec->prev_utime_ns = task->prev_cputime.utime;
    rec->prev_stime_ns = task->prev_cputime.stime;
  }
  rec->min_flt = task->min_flt;
  rec->maj_flt = task->maj_flt;
  rec->nvcsw = task->nvcsw;
  rec->nivcsw = task->nivcsw;
  if (bpf_core_field_exists(task->ioac.read_bytes)) {
    rec->flags |= KTEL_TASK_REC_HAS_IO;
    rec->rchar = task->ioac.rchar;
    rec->wchar = task->ioac.wchar;
    rec->read_bytes = task->ioac.read_bytes;
    rec->write_bytes = task->ioac.write_bytes;
  }
  if (bpf_core_field_exists(task->sched_info.run_delay)) {
    rec->flags |= KTEL_TASK_REC_HAS_SCHED_INFO;
    rec->run_delay_ns = task->sched_info.run_delay;
    rec->pcount = task->sched_info.pcount;
  }
}

/* What exited threads left behind in signal_struct; procfs adds it to the
 * live threads' sums for /proc/<pid>/{stat,io}. */
static __always_inline void read_signal(struct signal_struct *sig, struct KtelTaskRecord *rec)
{
  rec->nr_threads = sig->nr_threads;
  rec->sig_utime_ns = sig->utime;
  rec->sig_stime_ns = sig->stime;
  rec->sig_sum_sched_runtime_ns = sig->sum_sched_runtime;
  if (bpf_core_field_exists(sig->prev_cputime)) {
    rec->sig_prev_utime_ns = sig->prev_cputime.utime;
    rec->sig_prev_stime_ns = sig->prev_cputime.stime;
  }
  rec->sig_min_flt = sig->min_flt;
  rec->sig_maj_flt = sig->maj_flt;
  if (bpf_core_field_exists(sig->ioac.read_bytes)) {
    rec->sig_rchar = sig->ioac.rchar;
    rec->sig_wchar = sig->ioac.wchar;
    rec->sig_read_bytes = sig->ioac.read_bytes;
    rec->sig_write_bytes = sig->ioac.write_bytes;
  }
}

/* get_mm_rss() reads percpu_counter.count without folding in the per-CPU
 * deltas (percpu_counter_read_positive), and so do we: same value as stat. */
static __always_inline void read_mm(struct mm_struct *mm, struct KtelTaskRecord *rec)
{
  /* MM_* indices have been FILE=0 ANON=1 SWAP=2 SHMEM=3 since Linux 4.5; the
   * enum is anonymous, so CO-RE cannot relocate it anyway. */
  struct mm_struct___pre62 *old = (void *)mm;

  rec->flags |= KTEL_TASK_REC_HAS_MM;
  rec->total_vm_pages = mm->total_vm;
  if (bpf_core_field_exists(old->rss_stat.count)) {
    rec->rss_file_pages = old->rss_stat.count[MM_FILEPAGES].counter;
    rec->rss_anon_pages = old->rss_stat.count[MM_ANONPAGES].counter;
    rec->rss_shmem_pages = old->rss_stat.count[MM_SHMEMPAGES].counter;
  } else {
    rec->rss_file_pages = mm->rss_stat[MM_FILEPAGES].count;
    rec->rss_anon_pages = mm->rss_stat[MM_ANONPAGES].count;
    rec->rss_shmem_pages = mm->rss_stat[MM_SHMEMPAGES].count;
  }
}

SEC("iter/task")
int task_stats(struct bpf_iter__task *ctx)
{
  struct seq_file *seq = ctx->meta->seq;
  struct task_struct *task = ctx->task;
  struct KtelTaskRecord rec;

  if (!task || root_tgid == 0)
    return 0;
  if (!in_tree(task, root_tgid))
    return 0;

  __builtin_memset(&rec, 0, sizeof(rec));
  rec.version = KTEL_TASK_REC_VERSION;
  rec.tid = task->pid;
  rec.tgid = task->tgid;
  rec.ppid = task->real_parent->tgid;
  rec.start_boottime_ns = task->start_boottime;
  __builtin_memcpy(rec.comm, task->comm, sizeof(rec.comm));
  read_state(task, &rec);
  read_own_counters(task, &rec);

  struct signal_struct *sig = task->signal;
  int leader = task->group_leader == task;
  if (leader) {
    rec.flags |= KTEL_TASK_REC_LEADER;
    if (sig)
      read_signal(sig, &rec);
  } else if (sig) {
    rec.nr_threads = sig->nr_threads;
  }
  if (leader || with_threads) {
    struct mm_struct *mm = task->mm;
    if (mm)
      read_mm(mm, &rec);
  }
  bpf_seq_write(seq, &rec, sizeof(rec));
  return 0;
}
