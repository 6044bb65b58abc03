// Derivation of slices, wakeup latencies, thread totals and names from the
// scheduler event stream; the rules are in thread_tracker.h.
#include "sources/sched/thread_tracker.h"

#include <algorithm>
#include <variant>
#include <vector>

namespace ktel::sched {

namespace {
template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;
}  // namespace

Status ThreadTracker::add(const SchedEvent& event) {
  int64_t ts = event.ts_ns;
  if (!any_event_) {
    any_event_ = true;
    first_ts_ = last_ts_ = ts;
  } else if (ts < last_ts_) {
    ts = last_ts_;
  } else {
    last_ts_ = ts;
  }
  const int32_t cpu = event.cpu;
  if (const auto* exec = std::get_if<ExecEvent>(&event.payload);
      exec != nullptr && exec->old_pid != exec->pid) {
    // Fired as the new pid, by the task the CPU knows under old_pid: move it
    // first, so the current task matches.
    KTEL_TRY(on_exec(ts, *exec));
    return track_current(ts, cpu, event.common_pid);
  }
  KTEL_TRY(track_current(ts, cpu, event.common_pid));
  return std::visit(
      Overloaded{
          [&](const SwitchEvent& e) { return on_switch(ts, cpu, e); },
          [&](const WakeupEvent& e) { return on_wakeup(ts, e); },
          [&](const MigrateEvent& e) {
            if (e.pid == 0) return Status::ok();
            Thread& t = thread(e.pid, ts);
            ++t.r.migrations;
            return observe_comm(t, e.comm, ts);
          },
          [&](const ForkEvent& e) { return on_fork(ts, e); },
          [&](const ExecEvent& e) { return on_exec(ts, e); },
          [&](const ExitEvent& e) {
            if (e.pid == 0) return Status::ok();
            Thread& t = thread(e.pid, ts);
            t.r.exited = true;
            return observe_comm(t, e.comm, ts);
          },
          [&](const OtherEvent&) { return Status::ok(); },
      },
      event.payload);
}

ThreadTracker::Thread& ThreadTracker::thread(int32_t tid, int64_t ts) {
  auto it = threads_.find(tid);
  if (it == threads_.end()) {
    uint32_t generation = 0;
    if (auto g = next_generation_.find(tid); g != next_generation_.end()) {
      generation = g->second;
      next_generation_.erase(g);
    }
    it = threads_.emplace(tid, Thread{}).first;
    ThreadRecord& r = it->second.r;
    r.tid = tid;
    r.generation = generation;
    r.first_ts_ns = r.last_ts_ns = ts;
  }
  Thread& t = it->second;
  t.r.last_ts_ns = std::max(t.r.last_ts_ns, ts);
  return t;
}

// Every event names the task current on its CPU (common_pid). Linux 6.18
// records no sched_switch for some switches, most from idle, with no loss
// reported (testdata/ftrace: a quarter of them); lost events hide others. An
// event naming another task than the one the CPU was believed to run shows
// such a switch. It happened after the old task's last event there and after
// the new one became runnable: it is placed at the later of the two, so the new
// task's slice is as long as it can have been and its wait as short.
Status ThreadTracker::track_current(int64_t ts, int32_t cpu, int32_t common_pid) {
  if (common_pid < 0) return Status::ok();  // not known to the producer
  Cpu& c = cpus_[cpu];
  if (c.seen && c.current_valid && c.tid == common_pid) {
    c.current_seen_ts = ts;
    return Status::ok();
  }
  Thread* next = common_pid != 0 ? &thread(common_pid, ts) : nullptr;
  const int64_t runnable_since = next != nullptr ? next->runnable_since : -1;
  // The old task ran at least until its last event here; the new one at most
  // since it became runnable. Without that bound (idle, or its wakeup unseen)
  // the time in between is nobody's: a lost-events gap must not be credited.
  // On the CPU's first event the task has run since the trace began, unless
  // it became runnable later.
  const int64_t known_from = c.seen ? c.current_seen_ts : first_ts_;
  int64_t at = std::max(known_from, runnable_since);
  if (c.seen && runnable_since < 0) at = ts;
  const int64_t prev_end = std::min(at, std::max(known_from, runnable_since));
  const bool inferred = c.seen || at > first_ts_;
  if (inferred) ++stats_.inferred_switches;
  if (c.seen && c.current_valid) {
    Thread* prev = nullptr;
    if (c.tid != 0) {
      auto it = threads_.find(c.tid);
      if (it != threads_.end()) prev = &it->second;
    }
    const Comm comm = prev != nullptr ? prev->names.current(prev->r) : c.comm;
    KTEL_TRY(close_slice(cpu, c, prev, prev_end, comm, SliceBound::kInferred, nullptr));
    if (prev != nullptr) {
      prev->running_cpu = -1;
      prev->runnable_since = -1;  // how it left is unknown
    }
  }
  c = Cpu{.seen = true,
          .current_valid = true,
          .tid = common_pid,
          .generation = next != nullptr ? next->r.generation : 0,
          .since = at,
          .start = inferred ? SliceBound::kInferred : SliceBound::kTrace,
          .comm = next != nullptr ? next->names.current(next->r) : Comm(),
          .current_seen_ts = ts};
  if (next == nullptr) return Status::ok();
  forget_running(*next, cpu);
  next->running_cpu = cpu;
  if (next->runnable_since >= 0) next->r.runqueue_wait_ns += at - next->runnable_since;
  next->runnable_since = -1;  // its wakeup latency is unknown: no row
  next->wakeup_ts = -1;
  return Status::ok();
}

Status ThreadTracker::on_switch(int64_t ts, int32_t cpu, const SwitchEvent& sw) {
  KTEL_TRY(switch_out(ts, cpu, sw));
  return switch_in(ts, cpu, sw);
}

Status ThreadTracker::switch_out(int64_t ts, int32_t cpu, const SwitchEvent& sw) {
  Thread* prev = nullptr;
  if (sw.prev_pid != 0) {
    prev = &thread(sw.prev_pid, ts);
    KTEL_TRY(observe_comm(*prev, sw.prev_comm, ts));
  }
  Cpu& c = cpus_[cpu];
  if (!c.seen) {
    // First switch on this CPU: prev has been running since before the trace.
    c = Cpu{.seen = true,
            .current_valid = true,
            .tid = sw.prev_pid,
            .generation = prev != nullptr ? prev->r.generation : 0,
            .since = first_ts_,
            .start = SliceBound::kTrace,
            .comm = sw.prev_comm};
  }
  if (prev != nullptr) forget_running(*prev, cpu);
  if (c.current_valid && c.tid == sw.prev_pid) {
    KTEL_TRY(close_slice(cpu, c, prev, ts, sw.prev_comm, SliceBound::kSwitch, &sw.prev_state));
  } else if (c.current_valid) {
    // Events were lost: neither the slice this CPU was running nor prev's
    // (whose start is unknown) can be measured. (Without a valid current task
    // the gap was counted when it was found.)
    ++stats_.unmatched_switches;
    if (c.tid != 0) {
      auto it = threads_.find(c.tid);
      if (it != threads_.end() && it->second.running_cpu == cpu) it->second.running_cpu = -1;
    }
    c.current_valid = false;
  }
  if (prev == nullptr) return Status::ok();
  switch (classify_prev_state(sw.prev_state.view())) {
    case SwitchOutKind::kRunnable:
      ++prev->r.involuntary_switches;
      prev->runnable_since = ts;
      prev->wakeup_ts = -1;
      break;
    case SwitchOutKind::kSleeping:
      ++prev->r.voluntary_switches;
      prev->runnable_since = -1;
      break;
    case SwitchOutKind::kDead:
      return retire(sw.prev_pid);
    case SwitchOutKind::kUnknown:
      prev->runnable_since = -1;
      break;
  }
  return Status::ok();
}

Status ThreadTracker::switch_in(int64_t ts, int32_t cpu, const SwitchEvent& sw) {
  Cpu& c = cpus_[cpu];
  c = Cpu{.seen = true,
          .current_valid = true,
          .tid = sw.next_pid,
          .generation = 0,
          .since = ts,
          .start = SliceBound::kSwitch,
          .comm = sw.next_comm,
          .current_seen_ts = ts};
  if (sw.next_pid == 0) return Status::ok();
  Thread& n = thread(sw.next_pid, ts);
  KTEL_TRY(observe_comm(n, sw.next_comm, ts));
  forget_running(n, cpu);
  n.running_cpu = cpu;
  c.generation = n.r.generation;
  if (n.runnable_since < 0) return Status::ok();
  n.r.runqueue_wait_ns += ts - n.runnable_since;
  n.runnable_since = -1;
  if (n.wakeup_ts < 0) return Status::ok();
  WakeupLatencyRecord w{.tid = n.r.tid,
                        .generation = n.r.generation,
                        .wakeup_ts_ns = n.wakeup_ts,
                        .switch_in_ts_ns = ts,
                        .cpu = cpu,
                        .wakeup_new = n.wakeup_new};
  n.wakeup_ts = -1;
  n.r.max_wakeup_latency_ns = std::max(n.r.max_wakeup_latency_ns.value_or(0), w.latency_ns());
  return out_.wakeup_latency(w);
}

Status ThreadTracker::on_wakeup(int64_t ts, const WakeupEvent& w) {
  if (w.pid == 0) return Status::ok();
  Thread& t = thread(w.pid, ts);
  ++t.r.wakeups;
  // A wakeup of a running task (it had not slept yet) or of one already on a
  // run queue (preempted while going to sleep) starts no wait.
  if (t.running_cpu < 0 && t.runnable_since < 0) {
    t.runnable_since = ts;
    t.wakeup_ts = ts;
    t.wakeup_new = w.is_new;
  }
  return observe_comm(t, w.comm, ts);
}

Status ThreadTracker::on_fork(int64_t ts, const ForkEvent& f) {
  if (f.parent_pid != 0) {
    Thread& p = thread(f.parent_pid, ts);
    KTEL_TRY(observe_comm(p, f.parent_comm, ts));
  }
  if (f.child_pid == 0) return Status::ok();
  // A fork handing out a tid we still track: that thread's end was not seen.
  if (threads_.count(f.child_pid) != 0) KTEL_TRY(retire(f.child_pid));
  Thread& child = thread(f.child_pid, ts);
  child.r.parent_tid = f.parent_pid;
  return observe_comm(child, f.child_comm, ts);
}

Status ThreadTracker::on_exec(int64_t ts, const ExecEvent& e) {
  if (e.pid == 0) return Status::ok();
  if (e.old_pid != e.pid && e.old_pid != 0 && threads_.count(e.old_pid) != 0) {
    KTEL_TRY(move_exec_thread(ts, e));
  }
  Thread& t = thread(e.pid, ts);
  t.r.pid = e.pid;  // after exec the task leads its thread group
  return t.names.exec(t.r, e.filename, ts, out_);
}

// A non-leader thread exec'd: de_thread() gave it its leader's tid and
// released the old leader (already a zombie). The thread goes on under the
// leader's tid as that tid's next generation; its running slice is cut at the
// exec so that every slice belongs to one (tid, generation).
Status ThreadTracker::move_exec_thread(int64_t ts, const ExecEvent& e) {
  Thread& old = threads_.at(e.old_pid);
  const Comm comm = old.names.current(old.r);
  const bool has_comm = old.names.has_comm;
  int32_t cpu = -1;
  if (old.running_cpu >= 0) {
    Cpu& c = cpus_[old.running_cpu];
    if (c.current_valid && c.tid == e.old_pid) {
      cpu = old.running_cpu;
      KTEL_TRY(close_slice(cpu, c, &old, ts, comm, SliceBound::kExec, nullptr));
      old.running_cpu = -1;
    }
  }
  KTEL_TRY(retire(e.old_pid));
  if (threads_.count(e.pid) != 0) KTEL_TRY(retire(e.pid));
  Thread& t = thread(e.pid, ts);
  t.r.comm = comm;
  t.names.has_comm = has_comm;
  if (cpu >= 0) {
    t.running_cpu = cpu;
    cpus_[cpu] = Cpu{.seen = true,
                     .current_valid = true,
                     .tid = e.pid,
                     .generation = t.r.generation,
                     .since = ts,
                     .start = SliceBound::kExec,
                     .comm = comm,
                     .current_seen_ts = ts};
  }
  return Status::ok();
}

Status ThreadTracker::close_slice(int32_t cpu, Cpu& c, Thread* t, int64_t end_ts,
                                  const Comm& comm, SliceBound end, const StateText* end_state) {
  SliceRecord s{.cpu = cpu,
                .tid = c.tid,
                .generation = c.generation,
                .comm = comm,
                .ts_ns = c.since,
                .dur_ns = end_ts - c.since,
                .end_state = std::nullopt,
                .start = c.start,
                .end = end};
  if (end_state != nullptr) s.end_state = *end_state;
  c.current_valid = false;
  if (t != nullptr) {
    t->r.runtime_ns += s.dur_ns;
    ++t->r.slices;
    t->r.first_ts_ns = std::min(t->r.first_ts_ns, s.ts_ns);
    t->r.last_ts_ns = std::max(t->r.last_ts_ns, end_ts);
  }
  return out_.slice(s);
}

void ThreadTracker::forget_running(Thread& t, int32_t except_cpu) {
  if (t.running_cpu >= 0 && t.running_cpu != except_cpu) {
    auto it = cpus_.find(t.running_cpu);
    if (it != cpus_.end() && it->second.current_valid && it->second.tid == t.r.tid) {
      // It cannot run on two CPUs: its switch-out there was lost.
      it->second.current_valid = false;
      ++stats_.unmatched_switches;
    }
  }
  t.running_cpu = -1;
}

Status ThreadTracker::retire(int32_t tid) {
  auto it = threads_.find(tid);
  if (it == threads_.end()) return Status::ok();
  Thread& t = it->second;
  forget_running(t, -1);
  Status comm_status = t.names.flush(t.r, out_);
  const ThreadRecord record = t.r;
  next_generation_[tid] = record.generation + 1;
  threads_.erase(it);
  KTEL_TRY(comm_status);
  return out_.thread(record);
}

Status ThreadTracker::finish() {
  std::vector<int32_t> running;
  for (const auto& [cpu, c] : cpus_) {
    if (c.current_valid) running.push_back(cpu);
  }
  std::sort(running.begin(), running.end());
  for (int32_t cpu : running) {
    Cpu& c = cpus_[cpu];
    Thread* t = nullptr;
    if (c.tid != 0) {
      auto it = threads_.find(c.tid);
      if (it != threads_.end()) t = &it->second;
    }
    Comm comm = c.comm;
    if (t != nullptr && !t->names.current(t->r).view().empty()) comm = t->names.current(t->r);
    KTEL_TRY(close_slice(cpu, c, t, last_ts_, comm, SliceBound::kTrace, nullptr));
    if (t != nullptr) t->running_cpu = -1;
  }
  std::vector<int32_t> tids;
  tids.reserve(threads_.size());
  for (const auto& [tid, t] : threads_) tids.push_back(tid);
  std::sort(tids.begin(), tids.end());
  for (int32_t tid : tids) {
    Thread& t = threads_.at(tid);
    if (t.runnable_since >= 0) {
      t.r.runqueue_wait_ns += last_ts_ - t.runnable_since;  // still waiting at the end
      t.runnable_since = -1;
    }
    KTEL_TRY(retire(tid));
  }
  return Status::ok();
}

}  // namespace ktel::sched
