// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Empty programs at the exec source's attach points, for
 * bench/exec_overhead_compare.py: what running any BPF program there costs
 * on this machine (dispatch, the bpf_stats clock reads, cold caches), so the
 * exec programs' own cost can be told from the machine's. */
#include "vmlinux.h"

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tp_btf/sched_process_exec")
int BPF_PROG(floor_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
  return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(floor_fork, struct task_struct *parent, struct task_struct *child)
{
  return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int floor_exit(void *ctx)
{
  return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(floor_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
  return 0;
}
