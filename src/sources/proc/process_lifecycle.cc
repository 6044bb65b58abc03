// Appeared/gone bookkeeping for the proc source (see process_lifecycle.h).
#include "sources/proc/process_lifecycle.h"

namespace ktel::proc {

void ProcessLifecycle::update(const std::vector<TaskStats>& tasks,
                              std::vector<const TaskStats*>& appeared, std::vector<Gone>& gone) {
  appeared.clear();
  gone.clear();
  ++gen_;
  for (const TaskStats& s : tasks) {
    if (s.is_thread) continue;
    auto [it, inserted] = known_.try_emplace(s.pid);
    Known& k = it->second;
    if (!inserted && k.start_time_ns != s.start_time_ns) {
      // Same pid, different start: the old process ended and the pid was reused.
      gone.push_back({s.pid, k.start_time_ns, std::move(k.comm)});
      inserted = true;
    }
    if (inserted) {
      k.start_time_ns = s.start_time_ns;
      appeared.push_back(&s);
      ++seen_;
    }
    if (k.comm != s.comm) k.comm = s.comm;
    k.gen = gen_;
  }
  for (auto it = known_.begin(); it != known_.end();) {
    if (it->second.gen == gen_) {
      ++it;
      continue;
    }
    gone.push_back({it->first, it->second.start_time_ns, std::move(it->second.comm)});
    it = known_.erase(it);
  }
}

}  // namespace ktel::proc
