// /proc scans for the ftrace fallback: listing with getdents64 on a kept fd,
// stat for the parent and name of a new pid, cmdline every pass for the
// processes in scope (an exec changes it), status for the real uid.
#include "sources/exec/proc_argv_scanner.h"

#include "base/clock.h"
#include "base/strings.h"
#include "sources/proc/proc_parsers.h"

namespace ktel::exec {

namespace {

constexpr int32_t kKthreadd = 2;  // parent of every kernel thread; they never exec

}  // namespace

void split_cmdline(std::string_view block, const ArgvLimits& limits, ProcArgvNote& out) {
  out.argv.clear();
  out.argv_truncated = false;
  out.argv_bytes = static_cast<uint32_t>(block.size());
  out.argc = 0;
  size_t start = 0;
  size_t kept_bytes = 0;
  while (start < block.size()) {
    size_t end = block.find('\0', start);
    if (end == std::string_view::npos) end = block.size();
    ++out.argc;
    std::string_view arg = block.substr(start, end - start);
    if (out.argv.size() >= limits.max_args || kept_bytes >= limits.max_bytes) {
      out.argv_truncated = true;
    } else {
      size_t room = limits.max_bytes - kept_bytes;
      if (arg.size() + 1 > room) {
        arg = arg.substr(0, room);
        out.argv_truncated = true;
      }
      out.argv.emplace_back(arg);
      kept_bytes += arg.size() + 1;
    }
    start = end + 1;
  }
}

std::optional<uint32_t> parse_status_real_uid(std::string_view status) {
  size_t at = status.find("\nUid:");
  if (at == std::string_view::npos) {
    if (status.substr(0, 4) != "Uid:") return std::nullopt;
    at = 0;
  } else {
    at += 1;
  }
  size_t p = at + 4;
  while (p < status.size() && (status[p] == '\t' || status[p] == ' ')) ++p;
  size_t q = p;
  while (q < status.size() && status[q] >= '0' && status[q] <= '9') ++q;
  std::optional<int64_t> v = parse_int64(status.substr(p, q - p));
  if (!v || *v < 0 || *v > 0xffffffffLL) return std::nullopt;
  return static_cast<uint32_t>(*v);
}

Result<ProcArgvScanner> ProcArgvScanner::open(ProcArgvScope scope, ArgvLimits limits,
                                              std::string proc_root) {
  KTEL_ASSIGN_OR_RETURN(procfs::ProcFs fs, procfs::ProcFs::open(std::move(proc_root)));
  return ProcArgvScanner(std::move(fs), scope, limits);
}

size_t ProcArgvScanner::in_scope() const {
  size_t n = 0;
  for (const auto& [pid, k] : known_) n += k.in_scope ? 1 : 0;
  return n;
}

bool ProcArgvScanner::learn(const procfs::DirEntry& e, int32_t& ppid, std::string& comm) {
  Result<std::string_view> text = fs_.read_once(procfs::ProcPath(e.pid, "stat"), buf_);
  if (!text.is_ok()) return false;
  Result<proc::StatFields> stat = proc::parse_stat(*text);
  if (!stat.is_ok()) return false;
  ppid = stat->ppid;
  comm.assign(stat->comm);
  return true;
}

void ProcArgvScanner::look(int32_t pid, int32_t ppid, std::string_view comm, Known& k,
                           const NoteCallback& on_note) {
  Result<std::string_view> cmdline = fs_.read_once(procfs::ProcPath(pid, "cmdline"), buf_);
  if (!cmdline.is_ok()) return;  // gone, or a zombie's empty file below
  if (cmdline->empty()) return;   // a zombie, or a kernel thread
  if (!k.cmdline.empty() && *cmdline == k.cmdline) return;
  k.cmdline.assign(*cmdline);
  ProcArgvNote note;
  note.pid = pid;
  note.ppid = ppid;
  note.comm.assign(comm);
  split_cmdline(k.cmdline, limits_, note);
  Result<std::string_view> status = fs_.read_once(procfs::ProcPath(pid, "status"), buf_);
  if (status.is_ok()) note.uid = parse_status_real_uid(*status);
  note.seen_ns = monotonic_now_ns();
  on_note(note);
}

Status ProcArgvScanner::scan(const NoteCallback& on_note) {
  KTEL_TRY(fs_.list_pids(entries_));
  ++scans_;
  for (auto& [pid, k] : known_) k.seen = false;
  struct Fresh {
    int32_t pid;
    int32_t ppid;
    std::string comm;
  };
  std::vector<Fresh> fresh;
  std::string comm;
  for (const procfs::DirEntry& e : entries_) {
    auto it = known_.find(e.pid);
    int32_t ppid = 0;
    if (it != known_.end() && it->second.ino == e.ino) {
      it->second.seen = true;
      if (!it->second.in_scope) continue;
      // The name and parent only matter when the arguments changed; look()
      // compares first, so read stat after a cheap cmdline check.
      Result<std::string_view> cmdline = fs_.read_once(procfs::ProcPath(e.pid, "cmdline"), buf_);
      if (!cmdline.is_ok() || cmdline->empty() || *cmdline == it->second.cmdline) continue;
      if (learn(e, ppid, comm)) look(e.pid, ppid, comm, it->second, on_note);
      continue;
    }
    if (!learn(e, ppid, comm)) {
      if (it != known_.end()) known_.erase(it);
      continue;
    }
    known_[e.pid] = Known{.ino = e.ino, .in_scope = false, .seen = true, .cmdline = {}};
    fresh.push_back({e.pid, ppid, comm});
  }
  // Parents come before children in scope, whatever order /proc lists them.
  auto eligible = [&](const Fresh& f) {
    return f.pid != kKthreadd && f.ppid != kKthreadd &&
           (scope_.all || f.pid == scope_.root);
  };
  for (const Fresh& f : fresh) known_[f.pid].in_scope = eligible(f);
  for (bool changed = !scope_.all; changed;) {
    changed = false;
    for (const Fresh& f : fresh) {
      Known& k = known_[f.pid];
      if (k.in_scope || f.ppid == kKthreadd) continue;
      auto parent = known_.find(f.ppid);
      if (parent != known_.end() && parent->second.in_scope) changed = k.in_scope = true;
    }
  }
  for (const Fresh& f : fresh) {
    Known& k = known_[f.pid];
    if (k.in_scope) look(f.pid, f.ppid, f.comm, k, on_note);
  }
  std::erase_if(known_, [](const auto& kv) { return !kv.second.seen; });
  return Status::ok();
}

}  // namespace ktel::exec
