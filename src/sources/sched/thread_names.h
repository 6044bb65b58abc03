// ThreadNames: the comm timeline of one thread (thread_comm rows). A name is
// first_seen, changed by an exec, or renamed (prctl). The kernel sets the new
// name in begin_new_exec(), before the exec tracepoint fires and possibly
// across sleeps in between, so a changed name seen just before an exec event
// whose path gives that very name is the exec's, not a rename: renames are
// therefore held back until the thread's next name event.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/status.h"
#include "sources/sched/derived_records.h"

namespace ktel::sched {

struct ThreadNames {
  bool has_comm = false;
  int64_t pending_exec_ts = -1;    // exec whose new name no event has shown yet
  Comm exec_guess;                 // exec_comm() of that exec's path
  int64_t pending_rename_ts = -1;  // a rename not written yet
  Comm pending_rename;

  // An event showed `comm` for thread `r` at `ts`. Updates r.comm.
  Status observe(ThreadRecord& r, const Comm& comm, int64_t ts, DerivedOutput& out);
  // Thread `r` exec'd `filename` at `ts`.
  Status exec(ThreadRecord& r, std::string_view filename, int64_t ts, DerivedOutput& out);
  // Writes what is held back; the thread ends. r.comm becomes its last name.
  Status flush(ThreadRecord& r, DerivedOutput& out);
  // The name to show now (an exec's inferred one while no event showed it).
  const Comm& current(const ThreadRecord& r) const {
    return pending_exec_ts >= 0 ? exec_guess : r.comm;
  }

 private:
  Status write(const ThreadRecord& r, int64_t ts, const Comm& comm, CommReason why,
               DerivedOutput& out);
  Status flush_rename(const ThreadRecord& r, DerivedOutput& out);
  Status flush_exec(ThreadRecord& r, DerivedOutput& out);
};

}  // namespace ktel::sched
