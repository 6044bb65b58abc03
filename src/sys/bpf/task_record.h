/* Binary record the BPF task iterator (bpf/task_iter.bpf.c) writes with
 * bpf_seq_write, one per task of the requested tree; shared by the BPF program
 * (C, vmlinux.h types) and the user-space decoder (C++). Raw kernel values only. */
#ifndef KTEL_SYS_BPF_TASK_RECORD_H_
#define KTEL_SYS_BPF_TASK_RECORD_H_

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Deepest ancestor chain the iterator follows when deciding whether a task is
 * in the tree; deeper descendants are missed and counted in depth_limit_hits. */
#define KTEL_TASK_ITER_MAX_DEPTH 64

/* Capacity of the iterator's extra_roots map (BpfTaskIter::set_extra_roots). */
#define KTEL_TASK_ITER_MAX_EXTRA_ROOTS 32768

/* KtelTaskRecord.flags */
#define KTEL_TASK_REC_LEADER 0x1u            /* task == group_leader; sig_* are valid */
#define KTEL_TASK_REC_HAS_MM 0x2u            /* total_vm / rss_* read from task->mm */
#define KTEL_TASK_REC_HAS_IO 0x4u            /* kernel has CONFIG_TASK_XACCT + IO_ACCOUNTING */
#define KTEL_TASK_REC_HAS_SCHED_INFO 0x8u    /* kernel has CONFIG_SCHED_INFO */
#define KTEL_TASK_REC_HAS_PREV_CPUTIME 0x10u /* cputime_adjust applies (tick accounting) */

/* Bump when the layout changes; the decoder refuses records of another size. */
#define KTEL_TASK_REC_VERSION 1u

struct KtelTaskRecord {
  __u32 version; /* KTEL_TASK_REC_VERSION */
  __u32 flags;
  __s32 tid;        /* task->pid (init pid namespace) */
  __s32 tgid;       /* task->tgid */
  __s32 ppid;       /* task->real_parent->tgid */
  __u32 state;      /* task->__state, raw bits */
  __u32 exit_state; /* task->exit_state */
  __u32 nr_threads; /* task->signal->nr_threads */
  char comm[16];    /* task->comm */
  __u64 start_boottime_ns;
  /* This task's own counters (cumulative since it started). */
  __u64 utime_ns; /* tick-sampled */
  __u64 stime_ns;
  __u64 sum_exec_runtime_ns; /* se.sum_exec_runtime, exact */
  __u64 prev_utime_ns;       /* task->prev_cputime */
  __u64 prev_stime_ns;
  __u64 min_flt;
  __u64 maj_flt;
  __u64 nvcsw;
  __u64 nivcsw;
  __u64 rchar;
  __u64 wchar;
  __u64 read_bytes;
  __u64 write_bytes;
  __u64 run_delay_ns; /* sched_info */
  __u64 pcount;
  /* signal_struct: totals of the group's dead threads (LEADER only). */
  __u64 sig_utime_ns;
  __u64 sig_stime_ns;
  __u64 sig_sum_sched_runtime_ns;
  __u64 sig_prev_utime_ns; /* signal->prev_cputime */
  __u64 sig_prev_stime_ns;
  __u64 sig_min_flt;
  __u64 sig_maj_flt;
  __u64 sig_rchar;
  __u64 sig_wchar;
  __u64 sig_read_bytes;
  __u64 sig_write_bytes;
  /* mm counters in pages (HAS_MM); rss_* may be transiently negative. */
  __u64 total_vm_pages;
  __s64 rss_file_pages;
  __s64 rss_anon_pages;
  __s64 rss_shmem_pages;
};

#endif /* KTEL_SYS_BPF_TASK_RECORD_H_ */
