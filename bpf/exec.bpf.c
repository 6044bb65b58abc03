// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Process lifecycle for the exec source: one record per exec, fork and exit of
 * a task in scope, into one BPF ring buffer, read by src/sys/bpf/exec_tracer.cc.
 * Attach points work without kprobes or fentry: tp_btf/sched_process_exec,
 * tp_btf/sched_process_fork and the sched_process_exit tracepoint. */

/* Design notes.
 * - Records are built in a per-CPU scratch buffer and copied out with
 *   bpf_ringbuf_output(BPF_RB_NO_WAKEUP) at their real size (an exec with a
 *   short argv costs ~330 bytes, not the 32 KiB maximum); user space polls on
 *   a timer. A failed output is counted per type in `lost`.
 * - Tree scope: `tracked` holds the tgids of the target's tree. A fork by a
 *   tracked process tracks the child; the last exit untracks it. Comm
 *   exclusions only hide exec records (matched on the comm after exec): an
 *   excluded shell's children stay tracked.
 * - Exit: group_dead comes from the tracepoint's own field where the kernel
 *   has it (6.x kernels with the exit-ordering change), else from
 *   signal->live having dropped to 0 (do_exit decrements it before the
 *   tracepoint on every kernel).
 * - CPU time of the last thread: at the exit tracepoint its
 *   se.sum_exec_runtime lacks what it ran since the scheduler last accounted
 *   it (up to a tick: all of a short process's runtime). So its exit record
 *   waits in `pending_exits` until the task's last context switch
 *   (tp_btf/sched_switch with prev in TASK_DEAD, set by do_task_dead: not a
 *   preemption or a block earlier in do_exit), where the runtime is final
 *   (dequeue accounted it), and is submitted from there with
 *   KTEL_EXIT_CPU_FINAL. The other threads' share is taken at the exit
 *   tracepoint: a non-leader last thread is released (its stale runtime
 *   added to signal->sum_sched_runtime) before that switch. Records still
 *   pending when the programs are detached are read by user space as they
 *   are (exit-time CPU, no flag). on_switch runs on every switch of the
 *   machine, so it does one direct load and compare before anything else.
 *   (tp_btf/sched_process_free, once per task after its reaping, would be
 *   cheaper still, but on Linux 6.18 it was not seen for ~0.4 % of exited
 *   tasks, whose records would then wait until the end.) */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "sys/bpf/exec_record.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by user space before load. */
const volatile __u32 scope = KTEL_EXEC_SCOPE_ALL;
const volatile __u64 target_cgroup = 0;
const volatile __u32 argv_max = 4096; /* < KTEL_EXEC_ARGV_MAX */
const volatile __u32 nr_excluded = 0;
const volatile __u64 rss_interval_ns = 10000000; /* --exec-rss: first gap between samples */
const volatile __u32 rss_enabled = 0;              /* --exec-rss: on_rss is loaded */

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 1 << 22); /* resized by user space before load */
} events SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, KTEL_EXEC_MAX_TRACKED);
  __type(key, __u32);
  __type(value, __u8);
} tracked SEC(".maps");

struct comm_key {
  char comm[16];
};
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, KTEL_EXEC_MAX_EXCLUDED);
  __type(key, struct comm_key);
  __type(value, __u8);
} excluded SEC(".maps");

/* Failed ring-buffer outputs per record type, and tracked-map insertions
 * that failed (a full map: that subtree is lost). */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, KTEL_EXEC_LOST_SLOTS);
  __type(key, __u32);
  __type(value, __u64);
} lost SEC(".maps");

/* --exec-rss: per process (tgid) state, which is also the record submitted
 * at exit. Not preallocated: most recordings never fill it. User space sets
 * max_entries to 1 when --exec-rss is off (on_rss is then not loaded). */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __uint(max_entries, KTEL_EXEC_MAX_RSS_PROCS);
  __type(key, __u32);
  __type(value, struct KtelRssRecord);
} rss_states SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct KtelRssRecord);
} rss_scratch SEC(".maps");

#define KTEL_TASK_DEAD 0x80 /* include/linux/sched.h, since 4.14 */
#define KTEL_E2BIG 7        /* errno values (vmlinux.h has no macros) */
#define KTEL_ENOMEM 12

/* Kernels before 5.14 call task_struct.__state `state`. */
struct task_struct___pre514 {
  long state;
} __attribute__((preserve_access_index));

/* A direct load (tp_btf pointers are trusted): on_switch runs on every context
 * switch, and a bpf_probe_read_kernel there cost ~150 ns more per switch on
 * the reference VM. The branch not taken is removed at load. */
static __always_inline unsigned int task_state(struct task_struct *t)
{
  if (bpf_core_field_exists(t->__state))
    return t->__state;
  return (unsigned int)BPF_CORE_READ((struct task_struct___pre514 *)t, state);
}

/* Exit records of last threads waiting for their final context switch:
 * the record (CPU time as at exit) and the CPU time of the other threads. */
struct pending_exit {
  struct KtelExitRecord rec;
  __u64 others_cpu_ns;
};
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, KTEL_EXEC_MAX_PENDING_EXITS);
  __type(key, __u32); /* tid */
  __type(value, struct pending_exit);
} pending_exits SEC(".maps");

struct exec_scratch {
  struct KtelExecRecord rec;
  char argv[KTEL_EXEC_ARGV_MAX];
};
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct exec_scratch);
} scratch SEC(".maps");

/* Kernels before 6.2 keep rss in atomics instead of percpu_counters. */
struct mm_rss_stat___pre62 {
  atomic_long_t count[4];
} __attribute__((preserve_access_index));
struct mm_struct___pre62 {
  struct mm_rss_stat___pre62 rss_stat;
} __attribute__((preserve_access_index));

static __always_inline void count_lost(__u32 type)
{
  __u64 *n = bpf_map_lookup_elem(&lost, &type);
  if (n)
    *n += 1;
}

static __always_inline int in_scope(struct task_struct *task)
{
  if (scope == KTEL_EXEC_SCOPE_ALL)
    return 1;
  if (scope == KTEL_EXEC_SCOPE_CGROUP)
    return bpf_get_current_cgroup_id() == target_cgroup;
  __u32 tgid = task->tgid;
  return bpf_map_lookup_elem(&tracked, &tgid) != NULL;
}

static __always_inline void fill_header(struct KtelExecHeader *h, __u16 type, __u32 size)
{
  h->version = KTEL_EXEC_REC_VERSION;
  h->type = type;
  h->size = size;
  h->ts_ns = bpf_ktime_get_ns();
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
  if (!in_scope(p))
    return 0;
  struct comm_key key = {};
  bpf_get_current_comm(key.comm, sizeof key.comm);
  if (nr_excluded && bpf_map_lookup_elem(&excluded, &key))
    return 0;
  __u32 zero = 0;
  struct exec_scratch *s = bpf_map_lookup_elem(&scratch, &zero);
  if (!s)
    return 0;
  struct KtelExecRecord *r = &s->rec;
  r->pid = p->tgid;
  r->tid = old_pid;
  r->ppid = p->real_parent->tgid;
  r->uid = (__u32)bpf_get_current_uid_gid();
  r->cgroup_id = bpf_get_current_cgroup_id();
  __builtin_memcpy(r->comm, key.comm, sizeof r->comm);
  r->argc = bprm->argc;
  long n = bpf_probe_read_kernel_str(r->filename, sizeof r->filename, bprm->filename);
  r->filename_len = n > 0 ? (__u32)n - 1 : 0;
  struct mm_struct *mm = p->mm;
  unsigned long start = mm->arg_start;
  unsigned long end = mm->arg_end;
  __u32 full = end > start ? (__u32)(end - start) : 0;
  __u32 len = full < argv_max ? full : argv_max;
  /* argv_max < KTEL_EXEC_ARGV_MAX (user space checks), so the mask only
   * gives the verifier the bound it needs. */
  len &= KTEL_EXEC_ARGV_MAX - 1;
  r->argv_full_len = full;
  r->argv_len = 0;
  if (len > 0 && bpf_probe_read_user(s->argv, len, (const void *)start) == 0)
    r->argv_len = len;
  __u32 size = sizeof(struct KtelExecRecord) + r->argv_len;
  fill_header(&r->hdr, KTEL_EXEC_TYPE_EXEC, size);
  if (size > sizeof(struct exec_scratch))
    size = sizeof(struct exec_scratch);
  if (bpf_ringbuf_output(&events, s, size, BPF_RB_NO_WAKEUP) != 0)
    count_lost(KTEL_EXEC_TYPE_EXEC);
  return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
  __u32 child_tgid = child->tgid;
  int is_thread = child_tgid == parent->tgid;
  if (scope == KTEL_EXEC_SCOPE_TREE) {
    __u32 ptgid = parent->tgid;
    if (!bpf_map_lookup_elem(&tracked, &ptgid))
      return 0;
    if (!is_thread) {
      __u8 one = 1;
      if (bpf_map_update_elem(&tracked, &child_tgid, &one, BPF_ANY) != 0)
        count_lost(KTEL_EXEC_LOST_TRACKED_FULL);
    }
  } else if (!in_scope(parent)) {
    return 0;
  }
  /* Filled in place: no copy from the stack. */
  struct KtelForkRecord *r = bpf_ringbuf_reserve(&events, sizeof *r, 0);
  if (!r) {
    count_lost(KTEL_EXEC_TYPE_FORK);
    return 0;
  }
  fill_header(&r->hdr, KTEL_EXEC_TYPE_FORK, sizeof *r);
  r->parent_pid = parent->tgid;
  r->parent_tid = parent->pid;
  r->child_pid = child_tgid;
  r->child_tid = child->pid;
  r->is_thread = is_thread;
  r->uid = (__u32)bpf_get_current_uid_gid();
  r->cgroup_id = bpf_get_current_cgroup_id();
  r->child_start_ns = child->start_time;
  bpf_probe_read_kernel(r->comm, sizeof r->comm, parent->comm);
  bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
  return 0;
}

static __always_inline __u64 mm_rss_pages(struct mm_struct *mm)
{
  struct mm_struct___pre62 *old = (void *)mm;
  __s64 file, anon, shmem;
  if (bpf_core_field_exists(old->rss_stat.count)) {
    file = old->rss_stat.count[MM_FILEPAGES].counter;
    anon = old->rss_stat.count[MM_ANONPAGES].counter;
    shmem = old->rss_stat.count[MM_SHMEMPAGES].counter;
  } else {
    file = mm->rss_stat[MM_FILEPAGES].count;
    anon = mm->rss_stat[MM_ANONPAGES].count;
    shmem = mm->rss_stat[MM_SHMEMPAGES].count;
  }
  __s64 sum = file + anon + shmem;
  return sum > 0 ? (__u64)sum : 0;
}

/* The process's RSS record, if --exec-rss followed it, then forgotten. */
static __always_inline void submit_rss(__u32 tgid)
{
  if (!rss_enabled)
    return;
  struct KtelRssRecord *st = bpf_map_lookup_elem(&rss_states, &tgid);
  if (!st)
    return;
  __u32 n = st->n;
  if (n > KTEL_EXEC_RSS_SAMPLES)
    n = KTEL_EXEC_RSS_SAMPLES;
  __u32 size = sizeof(struct KtelRssRecord) -
               (KTEL_EXEC_RSS_SAMPLES - n) * sizeof(struct KtelRssSample);
  fill_header(&st->hdr, KTEL_EXEC_TYPE_RSS, size);
  if (bpf_ringbuf_output(&events, st, size, BPF_RB_NO_WAKEUP) != 0)
    count_lost(KTEL_EXEC_TYPE_RSS);
  bpf_map_delete_elem(&rss_states, &tgid);
}

/* A sample when the gap since the last one is at least interval_ns and RSS
 * moved by 1/16 or 1 MiB of pages since; when samples[] is full, each pair
 * keeps its higher sample and the gap doubles, so the series spans the whole
 * life and keeps its peaks. The
 * latest value is kept apart (last_*): a burst inside one gap (an munmap)
 * still shows where it ended. */
static __always_inline void rss_note(struct KtelRssRecord *st, __u64 now, __u64 pages)
{
  st->events += 1;
  st->last_ts_ns = now; /* the latest value, kept even when not sampled */
  st->last_pages = pages;
  if (pages > st->peak_pages)
    st->peak_pages = pages;
  __u32 n = st->n;
  if (n > 0) {
    struct KtelRssSample *prev = &st->samples[(n - 1) & (KTEL_EXEC_RSS_SAMPLES - 1)];
    if (now - prev->ts_ns < st->interval_ns)
      return;
    __u64 last = prev->pages;
    __u64 diff = pages > last ? pages - last : last - pages;
    if (diff * 16 < last && diff < 256)
      return;
  }
  if (n >= KTEL_EXEC_RSS_SAMPLES) {
    /* Each pair keeps its higher sample, so peaks stay in the series. */
    for (__u32 i = 0; i < KTEL_EXEC_RSS_SAMPLES / 2; i++) {
      struct KtelRssSample a = st->samples[2 * i];
      struct KtelRssSample b = st->samples[2 * i + 1];
      st->samples[i] = b.pages > a.pages ? b : a;
    }
    n = KTEL_EXEC_RSS_SAMPLES / 2;
    st->interval_ns *= 2;
  }
  n &= KTEL_EXEC_RSS_SAMPLES - 1;
  st->samples[n].ts_ns = now;
  st->samples[n].pages = pages;
  st->n = n + 1;
}

/* --exec-rss only. Fires on every change of an mm's counters (page-fault
 * batches): only the faulting process's own mm is counted, found by tgid. */
SEC("tp_btf/rss_stat")
int BPF_PROG(on_rss, struct mm_struct *mm, int member)
{
  struct task_struct *task = bpf_get_current_task_btf();
  if (task->mm != mm || !in_scope(task))
    return 0;
  __u32 tgid = task->tgid;
  struct KtelRssRecord *st = bpf_map_lookup_elem(&rss_states, &tgid);
  if (!st) {
    __u32 zero = 0;
    struct KtelRssRecord *init = bpf_map_lookup_elem(&rss_scratch, &zero);
    if (!init)
      return 0;
    init->pid = tgid;
    init->n = 0;
    init->start_ns = task->group_leader->start_time;
    init->peak_pages = 0;
    init->interval_ns = rss_interval_ns;
    init->last_ts_ns = 0;
    init->last_pages = 0;
    init->events = 0;
    long err = bpf_map_update_elem(&rss_states, &tgid, init, BPF_NOEXIST);
    if (err == -KTEL_E2BIG || err == -KTEL_ENOMEM) { /* full, not a racing insert */
      count_lost(KTEL_EXEC_LOST_RSS_FULL);
      return 0;
    }
    st = bpf_map_lookup_elem(&rss_states, &tgid);
    if (!st)
      return 0;
  }
  rss_note(st, bpf_ktime_get_ns(), mm_rss_pages(mm));
  return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int on_exit(struct trace_event_raw_sched_process_exit *ctx)
{
  struct task_struct *task = bpf_get_current_task_btf();
  if (!in_scope(task))
    return 0;
  struct signal_struct *sig = task->signal;
  int group_dead;
  if (bpf_core_field_exists(ctx->group_dead))
    group_dead = BPF_CORE_READ(ctx, group_dead);
  else
    group_dead = sig->live.counter == 0;
  struct KtelExitRecord r = {};
  fill_header(&r.hdr, KTEL_EXEC_TYPE_EXIT, sizeof r);
  r.pid = task->tgid;
  r.tid = task->pid;
  r.ppid = task->real_parent->tgid;
  r.exit_code = task->exit_code;
  bpf_get_current_comm(r.comm, sizeof r.comm);
  if (group_dead) {
    r.flags |= KTEL_EXIT_GROUP_DEAD;
    struct task_struct *leader = task->group_leader;
    /* Threads reaped before this one left their runtime in the signal
     * struct; a leader that exited first is a zombie until the group is
     * reaped, so its runtime is not there yet. */
    __u64 others = sig->sum_sched_runtime;
    if (leader != task)
      others += leader->se.sum_exec_runtime;
    r.cpu_ns = others + task->se.sum_exec_runtime;
    __u64 maxrss = sig->maxrss;
    struct mm_struct *mm = task->mm;
    if (mm) {
      r.flags |= KTEL_EXIT_HAS_MM;
      __u64 hiwater = mm->hiwater_rss;
      __u64 rss = mm_rss_pages(mm);
      if (rss > hiwater)
        hiwater = rss;
      if (hiwater > maxrss)
        maxrss = hiwater;
    }
    r.maxrss_pages = maxrss;
    r.start_ns = leader->start_time;
    submit_rss(task->tgid);
    if (scope == KTEL_EXEC_SCOPE_TREE) {
      __u32 tgid = task->tgid;
      bpf_map_delete_elem(&tracked, &tgid);
    }
    __u32 tid = task->pid;
    struct pending_exit pending = {.rec = r, .others_cpu_ns = others};
    if (bpf_map_update_elem(&pending_exits, &tid, &pending, BPF_ANY) == 0)
      return 0; /* submitted at the last switch (on_switch) */
    /* The map is full: submit now with the CPU time as at exit. */
  }
  if (bpf_ringbuf_output(&events, &r, sizeof r, BPF_RB_NO_WAKEUP) != 0)
    count_lost(KTEL_EXEC_TYPE_EXIT);
  return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
  if (task_state(prev) != KTEL_TASK_DEAD)
    return 0;
  __u32 tid = prev->pid;
  struct pending_exit *p = bpf_map_lookup_elem(&pending_exits, &tid);
  if (!p)
    return 0;
  p->rec.cpu_ns = p->others_cpu_ns + prev->se.sum_exec_runtime;
  p->rec.flags |= KTEL_EXIT_CPU_FINAL;
  if (bpf_ringbuf_output(&events, &p->rec, sizeof p->rec, BPF_RB_NO_WAKEUP) != 0)
    count_lost(KTEL_EXEC_TYPE_EXIT);
  bpf_map_delete_elem(&pending_exits, &tid);
  return 0;
}
