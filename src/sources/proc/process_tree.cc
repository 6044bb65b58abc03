// Tree discovery over repeated /proc listings (see process_tree.h).
#include "sources/proc/process_tree.h"

#include <algorithm>

namespace ktel::proc {

Status ProcessTree::update(std::span<const procfs::DirEntry> listing, const Identify& identify) {
  ++gen_;
  fresh_.clear();
  Status first_error;
  for (const procfs::DirEntry& d : listing) {
    auto it = entries_.find(d.pid);
    if (it != entries_.end() && it->second.ino == d.ino && d.ino != 0) {
      it->second.seen_gen = gen_;
      continue;
    }
    ++identify_reads_;
    Result<Identity> id = identify(d.pid);
    if (!id.is_ok()) {
      // Vanished between listing and read: forget it; anything else is kept
      // for the caller but does not stop discovery of the others.
      if (it != entries_.end()) entries_.erase(it);
      if (id.status().code() != Code::kNotFound && first_error.is_ok()) first_error = id.status();
      continue;
    }
    Entry e;
    e.ino = d.ino;
    e.start_time_ticks = id->start_time_ticks;
    e.ppid = id->ppid;
    e.seen_gen = gen_;
    if (it != entries_.end() && it->second.start_time_ticks == e.start_time_ticks) {
      e.member = it->second.member;  // same process, inode merely recycled
    } else {
      e.fresh = true;
      fresh_.push_back(d.pid);
    }
    entries_[d.pid] = e;
  }
  std::erase_if(entries_, [&](const auto& kv) { return kv.second.seen_gen != gen_; });

  if (!root_seen_) {
    auto it = entries_.find(root_);
    if (it != entries_.end()) {
      root_seen_ = true;
      root_start_ = it->second.start_time_ticks;
      it->second.member = true;
    }
  }
  // New processes join when their parent is a member; parents may be new in
  // the same listing, so iterate to a fixpoint (depth of the new subtree).
  for (bool changed = true; changed;) {
    changed = false;
    for (pid_t pid : fresh_) {
      Entry& e = entries_[pid];
      if (e.member || !e.fresh) continue;
      auto parent = entries_.find(e.ppid);
      if (parent != entries_.end() && parent->second.member) {
        e.member = true;
        changed = true;
      }
    }
  }
  for (pid_t pid : fresh_) entries_[pid].fresh = false;

  members_.clear();
  for (const auto& [pid, e] : entries_) {
    if (e.member) members_.push_back({pid, e.start_time_ticks});
  }
  std::sort(members_.begin(), members_.end(),
            [](const Member& a, const Member& b) { return a.pid < b.pid; });
  return first_error;
}

void ProcessTree::invalidate(pid_t pid) {
  auto it = entries_.find(pid);
  if (it != entries_.end()) it->second.ino = 0;
}

}  // namespace ktel::proc
