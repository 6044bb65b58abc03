#include "sources/exec/ftrace_lifecycle.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "base/json_text.h"
#include "sources/sched/derived_records.h"

namespace ktel::exec {

namespace {

constexpr uint64_t kCloneThread = 0x00010000;  // include/uapi/linux/sched.h

// Names compare as the notes file stores them (invalid UTF-8 as U+FFFD).
std::string comparable(std::string_view name) {
  std::string quoted;
  append_json_string(quoted, name);
  return quoted;
}

}  // namespace

void ArgvIndex::add_note(ProcArgvNote note) { notes_[note.pid].push_back(std::move(note)); }

void ArgvIndex::add_boundary(int32_t pid, int64_t ts_ns) { bounds_[pid].push_back(ts_ns); }

void ArgvIndex::freeze() {
  for (auto& [pid, notes] : notes_) {
    std::stable_sort(notes.begin(), notes.end(), [](const ProcArgvNote& a, const ProcArgvNote& b) {
      return a.seen_ns < b.seen_ns;
    });
  }
  for (auto& [pid, b] : bounds_) std::sort(b.begin(), b.end());
}

const ProcArgvNote* ArgvIndex::for_exec(int32_t pid, int64_t exec_ns, std::string_view comm) const {
  auto n = notes_.find(pid);
  if (n == notes_.end()) return nullptr;
  int64_t from = exec_ns - kNoteSlackNs;
  int64_t until = INT64_MAX;
  if (auto b = bounds_.find(pid); b != bounds_.end()) {
    auto next = std::upper_bound(b->second.begin(), b->second.end(), exec_ns);
    if (next != b->second.end()) until = *next;
    auto at = std::lower_bound(b->second.begin(), b->second.end(), exec_ns);
    if (at != b->second.begin()) from = std::max(from, *std::prev(at) + 1);  // not the image before
  }
  const std::string want = comparable(comm);
  const ProcArgvNote* early = nullptr;
  for (const ProcArgvNote& note : n->second) {
    if (note.seen_ns >= until) break;
    if (note.seen_ns < from || comparable(note.comm) != want) continue;
    if (note.seen_ns >= exec_ns) return &note;
    if (early == nullptr) early = &note;
  }
  return early;
}

int32_t ArgvIndex::ppid_of(int32_t pid) const {
  auto n = notes_.find(pid);
  return n == notes_.end() || n->second.empty() ? 0 : n->second.back().ppid;
}

void add_boundaries(const sched::SchedEvent& event, ArgvIndex& index) {
  if (const auto* e = std::get_if<sched::ExecEvent>(&event.payload)) {
    index.add_boundary(e->pid, event.ts_ns);
  } else if (const auto* x = std::get_if<sched::ExitEvent>(&event.payload)) {
    index.add_boundary(x->pid, event.ts_ns);
  }
}

int32_t FtraceLifecycle::tgid_of(int32_t tid) const {
  auto it = tgid_.find(tid);
  return it == tgid_.end() ? tid : it->second;
}

int32_t FtraceLifecycle::ppid_of(int32_t pid) const {
  auto it = ppid_.find(pid);
  return it != ppid_.end() ? it->second : argv_.ppid_of(pid);
}

std::optional<ExecLifecycleEvent> FtraceLifecycle::convert(const sched::SchedEvent& event) {
  if (const auto* f = std::get_if<sched::ForkEvent>(&event.payload)) return fork(event.ts_ns, *f);
  if (const auto* e = std::get_if<sched::ExecEvent>(&event.payload)) return exec(event.ts_ns, *e);
  if (const auto* x = std::get_if<sched::ExitEvent>(&event.payload)) return exit(event.ts_ns, *x);
  const auto* o = std::get_if<sched::OtherEvent>(&event.payload);
  if (o != nullptr && o->system == "task" && o->name == "task_newtask") {
    nlohmann::json j = nlohmann::json::parse(o->fields_json, nullptr, false);
    auto pid = j.is_object() ? j.find("pid") : j.end();
    auto flags = j.is_object() ? j.find("clone_flags") : j.end();
    if (pid != j.end() && flags != j.end() && pid->is_number_integer() &&
        flags->is_number_integer()) {
      clone_flags_[pid->get<int32_t>()] = flags->get<uint64_t>();
    }
  }
  return std::nullopt;
}

ExecLifecycleFork FtraceLifecycle::fork(int64_t ts_ns, const sched::ForkEvent& f) {
  ExecLifecycleFork out;
  out.ts_ns = ts_ns;
  out.parent_tid = f.parent_pid;  // ftrace names tasks by thread id
  out.parent_pid = tgid_of(f.parent_pid);
  out.child_tid = f.child_pid;
  out.child_start_ns = ts_ns;
  out.comm = f.parent_comm.str();
  auto flags = clone_flags_.find(f.child_pid);
  if (flags != clone_flags_.end()) {
    out.is_thread = (flags->second & kCloneThread) != 0;
    clone_flags_.erase(flags);
  } else {
    ++counts_.fork_kind_unknown;
  }
  if (out.is_thread) {
    out.child_pid = out.parent_pid;
    tgid_[f.child_pid] = out.parent_pid;
  } else {
    out.child_pid = f.child_pid;
    ppid_[f.child_pid] = out.parent_pid;
  }
  return out;
}

ExecLifecycleExec FtraceLifecycle::exec(int64_t ts_ns, const sched::ExecEvent& e) {
  ExecLifecycleExec out;
  out.ts_ns = ts_ns;
  out.pid = e.pid;  // a non-leader that execs takes its leader's id
  out.tid = e.old_pid;
  if (e.old_pid != e.pid) tgid_.erase(e.old_pid);
  out.ppid = ppid_of(e.pid);
  out.filename = e.filename;
  out.comm = sched::exec_comm(e.filename).str();
  const ProcArgvNote* note = argv_.for_exec(e.pid, ts_ns, out.comm);
  if (note == nullptr) {
    out.argv_known = false;
    ++counts_.argv_missing;
    return out;
  }
  ++counts_.argv_from_proc;
  out.argv = note->argv;
  out.argv_bytes = note->argv_bytes;
  out.argc = note->argc;
  out.argv_truncated = note->argv_truncated;
  out.uid = note->uid;
  if (out.ppid == 0) out.ppid = note->ppid;
  return out;
}

ExecLifecycleExit FtraceLifecycle::exit(int64_t ts_ns, const sched::ExitEvent& e) {
  ExecLifecycleExit out;
  out.ts_ns = ts_ns;
  out.tid = e.pid;
  out.pid = tgid_of(e.pid);
  out.ppid = ppid_of(out.pid);
  out.comm = e.comm.str();
  if (e.group_dead >= 0) {
    out.group_dead = e.group_dead == 1;
  } else {
    out.group_dead = out.tid == out.pid;
    ++counts_.group_dead_guessed;
  }
  tgid_.erase(e.pid);
  if (out.group_dead) ppid_.erase(out.pid);
  return out;
}

}  // namespace ktel::exec
