/* Records the exec tracer (bpf/exec.bpf.c) writes to its ring buffer, one per
 * exec, fork or exit of a task in scope; shared by the BPF program (C,
 * vmlinux.h types) and the user-space decoder (C++). Raw kernel values only. */
#ifndef KTEL_SYS_BPF_EXEC_RECORD_H_
#define KTEL_SYS_BPF_EXEC_RECORD_H_

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define KTEL_EXEC_REC_VERSION 1u

/* KtelExecHeader.type, and the index of the per-type loss counters. */
#define KTEL_EXEC_TYPE_EXEC 0u
#define KTEL_EXEC_TYPE_FORK 1u
#define KTEL_EXEC_TYPE_EXIT 2u
#define KTEL_EXEC_TYPE_COUNT 3u

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

#endif /* KTEL_SYS_BPF_EXEC_RECORD_H_ */
