// ProcessTree: which processes belong to the target's tree, rebuilt from one
// listing of /proc per tick (no /proc/<pid>/task/*/children needed). Pure
// logic: the stat read that identifies a new pid is injected, so tests feed
// synthetic listings.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <span>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "sys/procfs.h"

namespace ktel::proc {

// What one stat read tells discovery about a pid.
struct Identity {
  pid_t ppid = 0;
  uint64_t start_time_ticks = 0;
};

// Discovery rules:
//  - A pid's stat is read once, when it first appears in a listing, or again
//    when its /proc inode changes (procfs gives a reused pid a new inode) or
//    when a reader reports it vanished under a present listing (invalidate()).
//    ppid is cached per (pid, start time).
//  - Members: the root process (as first identified) and, to a fixpoint, every
//    newly identified process whose parent is a member. Membership is sticky:
//    a member re-parented to init or a subreaper stays a member until it is
//    gone, so daemonising workloads stay visible.
//  - Limitation: a process whose tree parent exited before we first listed it
//    was already re-parented away, so it is not recognised as a descendant.
// Not thread-safe.
class ProcessTree {
 public:
  // Reads the identity of `pid`: kNotFound if it vanished meanwhile (ignored),
  // other errors abort update().
  using Identify = std::function<Result<Identity>(pid_t pid)>;

  explicit ProcessTree(pid_t root) : root_(root) {}

  // Applies one listing of the proc root (any order). Returns the first
  // non-NotFound error of `identify`; the tree is consistent either way.
  Status update(std::span<const procfs::DirEntry> listing, const Identify& identify);

  // Forces the next update() to re-identify `pid` (a reader saw it vanish).
  void invalidate(pid_t pid);

  // Member pids in ascending order, with the start time each was identified with.
  struct Member {
    pid_t pid;
    uint64_t start_time_ticks;
  };
  const std::vector<Member>& members() const { return members_; }
  // Stat reads spent on discovery so far (for the benchmark and report).
  uint64_t identify_reads() const { return identify_reads_; }

 private:
  struct Entry {
    uint64_t ino = 0;
    uint64_t start_time_ticks = 0;
    pid_t ppid = 0;
    uint64_t seen_gen = 0;
    bool member = false;
    bool fresh = false;  // identified during the current update
  };

  pid_t root_;
  bool root_seen_ = false;
  uint64_t root_start_ = 0;
  uint64_t gen_ = 0;
  uint64_t identify_reads_ = 0;
  std::unordered_map<pid_t, Entry> entries_;
  std::vector<pid_t> fresh_;
  std::vector<Member> members_;
};

}  // namespace ktel::proc
