/* Records the exec tracer (bpf/exec.bpf.c) writes to its ring buffer, one per
 * exec, fork or exit of a task in scope; shared by the BPF program (C,
 * vmlinux.h types) and the user-space decoder (C++). Raw kernel values only. */
#ifndef KTEL_SYS_BPF_EXEC_RECORD_H_
#define KTEL_SYS_BPF_EXEC_RECORD_H_

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* 2 added KtelRssRecord; the exec, fork and exit layouts are those of 1, so
 * a reader of 2 reads 1 too. */
#define KTEL_EXEC_REC_VERSION 2u
#define KTEL_EXEC_REC_VERSION_MIN 1u

/* KtelExecHeader.type, and the index of the per-type loss counters. */
#define KTEL_EXEC_TYPE_EXEC 0u
#define KTEL_EXEC_TYPE_FORK 1u
#define KTEL_EXEC_TYPE_EXIT 2u
#define KTEL_EXEC_TYPE_RSS 3u
#define KTEL_EXEC_TYPE_COUNT 4u
/* Loss counters after the per-type ones: a fork whose child could not join
 * the tracked set, an rss_stat event of a process the RSS map had no room for. */
#define KTEL_EXEC_LOST_TRACKED_FULL (KTEL_EXEC_TYPE_COUNT + 0)
#define KTEL_EXEC_LOST_RSS_FULL (KTEL_EXEC_TYPE_COUNT + 1)
#define KTEL_EXEC_LOST_SLOTS (KTEL_EXEC_TYPE_COUNT + 2)

/* Scope of the tracer (rodata `scope`). */
#define KTEL_EXEC_SCOPE_ALL 0u
#define KTEL_EXEC_SCOPE_TREE 1u
#define KTEL_EXEC_SCOPE_CGROUP 2u

#define KTEL_EXEC_FILENAME_MAX 256u
/* Largest argv block the program copies: a power of two (for the verifier's
 * bounds) whose per-CPU scratch buffer stays under the 32 KiB per-CPU limit. */
#define KTEL_EXEC_ARGV_MAX 16384u
#define KTEL_EXEC_MAX_TRACKED 65536u
#define KTEL_EXEC_MAX_EXCLUDED 64u
/* Last-thread exits waiting for their final context switch at once. */
#define KTEL_EXEC_MAX_PENDING_EXITS 8192u
/* --exec-rss: processes followed at once, and samples kept per process (a
 * power of two: when full, every other one is dropped and the gap doubled). */
#define KTEL_EXEC_MAX_RSS_PROCS 8192u
#define KTEL_EXEC_RSS_SAMPLES 64u

struct KtelExecHeader {
  __u16 version;
  __u16 type;
  __u32 size; /* bytes of the whole record, header included */
  __u64 ts_ns; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
};

struct KtelExecRecord {
  struct KtelExecHeader hdr;
  __s32 pid;  /* tgid after exec */
  __s32 tid;  /* the task that called execve */
  __s32 ppid; /* real_parent->tgid */
  __u32 uid;
  __u64 cgroup_id;
  char comm[16];
  __u32 filename_len;  /* bytes of filename[] used, NUL excluded */
  __u32 argv_len;      /* bytes of argv[] used (NUL-separated arguments) */
  __u32 argv_full_len; /* mm->arg_end - mm->arg_start */
  __u32 argc;          /* bprm->argc: all arguments */
  char filename[KTEL_EXEC_FILENAME_MAX];
  /* argv_len bytes of arguments follow the record (hdr.size covers them). */
};

struct KtelForkRecord {
  struct KtelExecHeader hdr;
  __s32 parent_pid;
  __s32 parent_tid;
  __s32 child_pid;
  __s32 child_tid;
  __u32 is_thread;
  __u32 uid;
  __u64 cgroup_id;
  __u64 child_start_ns; /* child->start_time, CLOCK_MONOTONIC */
  char comm[16];
};

/* KtelExitRecord.flags */
#define KTEL_EXIT_GROUP_DEAD 0x1u  /* the last thread of its process */
#define KTEL_EXIT_HAS_MM 0x2u      /* the mm was still there: its high-water RSS is in maxrss */
#define KTEL_EXIT_CPU_FINAL 0x4u   /* cpu_ns read at the task's last context switch: exact */

struct KtelExitRecord {
  struct KtelExecHeader hdr;
  __s32 pid;
  __s32 tid;
  __s32 ppid;
  __u32 exit_code; /* task->exit_code: (status << 8) | signal | 0x80 core */
  __u32 flags;
  __u32 pad;
  /* Valid with KTEL_EXIT_GROUP_DEAD: */
  __u64 cpu_ns;       /* sched runtime of all the process's threads */
  __u64 maxrss_pages; /* peak resident set, pages */
  __u64 start_ns;     /* group_leader->start_time, CLOCK_MONOTONIC */
  char comm[16];
};

/* --exec-rss: a process's resident set from the kmem/rss_stat tracepoint,
 * aggregated in the kernel while it lives (the map value is this record) and
 * submitted at its last thread's exit, or read by user space at the end for
 * processes still running. hdr.size = offsetof(samples) + n * 16. */
struct KtelRssSample {
  __u64 ts_ns; /* CLOCK_MONOTONIC */
  __u64 pages; /* file + anon + shmem */
};
struct KtelRssRecord {
  struct KtelExecHeader hdr;
  __s32 pid;
  __u32 n;            /* samples[] used, <= KTEL_EXEC_RSS_SAMPLES */
  __u64 start_ns;     /* group_leader->start_time: with pid, the process */
  __u64 peak_pages;   /* largest RSS any event showed */
  __u64 interval_ns;  /* least gap between samples, doubled at each compaction */
  __u64 last_ts_ns;   /* the latest event (sampled or not) */
  __u64 last_pages;   /* and the RSS it showed */
  __u64 events;       /* rss_stat events seen */
  struct KtelRssSample samples[KTEL_EXEC_RSS_SAMPLES];
};

#endif /* KTEL_SYS_BPF_EXEC_RECORD_H_ */
