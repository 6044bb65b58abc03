// The comm timeline rules of thread_names.h.
#include "sources/sched/thread_names.h"

namespace ktel::sched {

Status ThreadNames::write(const ThreadRecord& r, int64_t ts, const Comm& comm, CommReason why,
                          DerivedOutput& out) {
  return out.comm({.tid = r.tid, .generation = r.generation, .ts_ns = ts, .comm = comm, .why = why});
}

Status ThreadNames::flush_rename(const ThreadRecord& r, DerivedOutput& out) {
  if (pending_rename_ts < 0) return Status::ok();
  const int64_t ts = pending_rename_ts;
  pending_rename_ts = -1;
  return write(r, ts, pending_rename, CommReason::kRename, out);
}

// No event showed the name an exec gave: infer it from the path.
Status ThreadNames::flush_exec(ThreadRecord& r, DerivedOutput& out) {
  if (pending_exec_ts < 0) return Status::ok();
  const int64_t ts = pending_exec_ts;
  pending_exec_ts = -1;
  r.comm = exec_guess;
  has_comm = true;
  return write(r, ts, exec_guess, CommReason::kExec, out);
}

Status ThreadNames::observe(ThreadRecord& r, const Comm& comm, int64_t ts, DerivedOutput& out) {
  if (pending_exec_ts >= 0) {
    // The first name seen after an exec is the one exec gave, even when it
    // equals the old one.
    const int64_t at = pending_exec_ts;
    pending_exec_ts = -1;
    r.comm = comm;
    has_comm = true;
    return write(r, at, comm, CommReason::kExec, out);
  }
  if (!has_comm) {
    r.comm = comm;
    has_comm = true;
    return write(r, ts, comm, CommReason::kFirstSeen, out);
  }
  if (r.comm == comm) return Status::ok();
  KTEL_TRY(flush_rename(r, out));
  pending_rename_ts = ts;
  pending_rename = comm;
  r.comm = comm;
  return Status::ok();
}

Status ThreadNames::exec(ThreadRecord& r, std::string_view filename, int64_t ts,
                         DerivedOutput& out) {
  const Comm guess = exec_comm(filename);
  if (pending_rename_ts >= 0 && pending_rename == guess) {
    // The name changed inside this execve, before its tracepoint.
    const int64_t at = pending_rename_ts;
    pending_rename_ts = -1;
    r.comm = guess;
    return write(r, at, guess, CommReason::kExec, out);
  }
  KTEL_TRY(flush_rename(r, out));
  KTEL_TRY(flush_exec(r, out));  // two execs with no name seen in between
  pending_exec_ts = ts;
  exec_guess = guess;
  return Status::ok();
}

Status ThreadNames::flush(ThreadRecord& r, DerivedOutput& out) {
  KTEL_TRY(flush_rename(r, out));
  return flush_exec(r, out);
}

}  // namespace ktel::sched
