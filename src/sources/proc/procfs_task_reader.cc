// procfs TaskReader (see procfs_task_reader.h). The fds are bound to the task
// they were opened for: after the task is reaped a pread fails with ESRCH, so
// a reused pid can never be read through an old fd.
#include "sources/proc/procfs_task_reader.h"

#include <algorithm>

#include "sources/proc/proc_parsers.h"

namespace ktel::proc {

namespace {
constexpr std::string_view kFileNames[] = {"stat", "status", "io", "schedstat"};
}  // namespace

Result<std::unique_ptr<ProcfsTaskReader>> ProcfsTaskReader::open(ProcfsReaderOptions options) {
  if (options.status_every < 1) {
    return invalid_argument("proc reader: status_every must be >= 1, got " +
                            std::to_string(options.status_every));
  }
  KTEL_ASSIGN_OR_RETURN(procfs::ProcFs fs, procfs::ProcFs::open(options.proc_root));
  return std::unique_ptr<ProcfsTaskReader>(new ProcfsTaskReader(std::move(fs), std::move(options)));
}

ProcfsTaskReader::ProcfsTaskReader(procfs::ProcFs fs, ProcfsReaderOptions options)
    : fs_(std::move(fs)), options_(std::move(options)) {
  max_kept_fds_ = options_.max_kept_fds != 0 ? options_.max_kept_fds
                                              : procfs::open_file_soft_limit() / 2;
  ns_per_tick_ = 1'000'000'000 / procfs::clock_ticks_per_second();
  page_size_ = procfs::page_size_bytes();
}

ProcfsTaskReader::~ProcfsTaskReader() = default;

TaskReaderCounters ProcfsTaskReader::counters() const {
  TaskReaderCounters c = counters_;
  if (tree_) c.discovery_reads = tree_->identify_reads();
  return c;
}

Result<Identity> ProcfsTaskReader::identify(pid_t pid) {
  procfs::ProcPath path(pid, "stat");
  KTEL_ASSIGN_OR_RETURN(std::string_view text, fs_.read_once(path, id_buf_));
  Result<StatFields> st = parse_stat(text);
  if (!st.is_ok()) return st.status().with_context(fs_.display(path));
  return Identity{st->ppid, st->start_time_ticks};
}

Status ProcfsTaskReader::read_tree(pid_t root, bool threads, std::vector<TaskStats>& out) {
  out.clear();
  if (!tree_ || tree_root_ != root) {
    for (auto& [pid, t] : procs_) release(t);
    procs_.clear();
    tree_.emplace(root);
    tree_root_ = root;
  }
  KTEL_TRY(fs_.list_pids(listing_));
  Status discovery = tree_->update(listing_, [this](pid_t pid) { return identify(pid); });
  if (!discovery.is_ok()) {
    ++counters_.discovery_errors;
    counters_.last_error = discovery.to_string();
  }

  ++gen_;
  for (const ProcessTree::Member& m : tree_->members()) {
    auto [it, inserted] = procs_.try_emplace(m.pid);
    Tracked& t = it->second;
    if (!inserted && t.start_time_ticks != m.start_time_ticks) {
      release(t);
      t = Tracked{};
    }
    t.start_time_ticks = m.start_time_ticks;
    t.seen_gen = gen_;
    TaskStats& s = out.emplace_back();
    Outcome o = read_task(m.pid, m.pid, false, t.files, s);
    // A transient read can land on a reused pid; the start time unmasks it.
    if (o == Outcome::kOk && s.start_time_ns != m.start_time_ticks * ns_per_tick_) {
      o = Outcome::kGone;
    }
    if (o != Outcome::kOk) {
      out.pop_back();
      if (o == Outcome::kGone) tree_->invalidate(m.pid);
      t.seen_gen = 0;  // released below
      continue;
    }
    if (threads) read_threads(m.pid, t, out);
  }
  for (auto it = procs_.begin(); it != procs_.end();) {
    if (it->second.seen_gen == gen_) {
      ++it;
      continue;
    }
    release(it->second);
    it = procs_.erase(it);
  }
  return Status::ok();
}

void ProcfsTaskReader::read_threads(pid_t pid, Tracked& t, std::vector<TaskStats>& out) {
  procfs::ProcPath dir(pid, "task");
  if (!t.task_dir.valid()) {
    Result<ScopedFd> fd = fs_.open_dir(dir);
    if (!fd.is_ok()) {
      if (fd.status().code() != Code::kNotFound) record_failure(fd.status());
      return;
    }
    t.task_dir = std::move(fd).value();
    ++counters_.kept_fds;
  }
  Status st = fs_.list_dir(t.task_dir.get(), dir, tids_);
  if (!st.is_ok()) {
    if (st.code() != Code::kNotFound) record_failure(st);
    return;
  }
  for (const procfs::DirEntry& d : tids_) {
    TaskFiles& f = t.threads[d.pid];
    f.seen_gen = gen_;
    TaskStats& s = out.emplace_back();
    if (read_task(pid, d.pid, true, f, s) != Outcome::kOk) {
      out.pop_back();
      f.seen_gen = 0;
    }
  }
  for (auto it = t.threads.begin(); it != t.threads.end();) {
    if (it->second.seen_gen == gen_) {
      ++it;
      continue;
    }
    release(it->second);
    it = t.threads.erase(it);
  }
}

ProcfsTaskReader::Outcome ProcfsTaskReader::read_task(pid_t pid, pid_t tid, bool is_thread,
                                                      TaskFiles& files, TaskStats& out) {
  procfs::ProcPath stat_path = path_of(pid, tid, is_thread, kStat);
  Result<std::string_view> text = read_file(files, kStat, stat_path);
  if (!text.is_ok()) {
    if (text.status().code() == Code::kNotFound) return Outcome::kGone;
    record_failure(text.status());
    return Outcome::kFailed;
  }
  Result<StatFields> st = parse_stat(*text);
  if (!st.is_ok()) {
    record_failure(st.status().with_context(fs_.display(stat_path)));
    return Outcome::kFailed;
  }
  out.pid = pid;
  out.tid = tid;
  out.is_thread = is_thread;
  out.ppid = st->ppid;
  out.start_time_ns = st->start_time_ticks * ns_per_tick_;
  out.comm.assign(st->comm);
  out.state = st->state;
  out.utime_ns = st->utime_ticks * ns_per_tick_;
  out.stime_ns = st->stime_ticks * ns_per_tick_;
  out.minflt = st->minflt;
  out.majflt = st->majflt;
  out.vsize_bytes = st->vsize_bytes;
  out.rss_bytes = st->rss_pages * page_size_;
  out.num_threads = st->num_threads;

  // Staggered by pid so that tasks appearing together do not all pay for
  // status on the same tick.
  bool status_due = options_.status_every <= 1 || files.reads == 0 ||
                    (files.reads + static_cast<uint64_t>(tid)) % options_.status_every == 0;
  ++files.reads;
  for (FileKind kind : {kStatus, kIo, kSchedstat}) {
    if (kind == kStatus && !status_due) continue;
    std::string_view body;
    Outcome o = read_optional(pid, tid, is_thread, files, kind, &body);
    if (o != Outcome::kOk) return o;
    if (body.empty()) continue;
    Status parsed = parse_optional(kind, body, out);
    if (!parsed.is_ok()) {
      record_failure(parsed.with_context(fs_.display(path_of(pid, tid, is_thread, kind))));
      return Outcome::kFailed;
    }
  }
  out.io_errno = files.missing_errno[kIo];
  return Outcome::kOk;
}

Status ProcfsTaskReader::parse_optional(FileKind kind, std::string_view body, TaskStats& out) {
  if (kind == kStatus) {
    KTEL_ASSIGN_OR_RETURN(CtxSwitches c, parse_status_ctxsw(body));
    out.vol_ctxsw = c.voluntary;
    out.invol_ctxsw = c.involuntary;
  } else if (kind == kIo) {
    KTEL_ASSIGN_OR_RETURN(IoFields io, parse_io(body));
    out.rchar = io.rchar;
    out.wchar = io.wchar;
    out.read_bytes = io.read_bytes;
    out.write_bytes = io.write_bytes;
  } else if (kind == kSchedstat) {
    KTEL_ASSIGN_OR_RETURN(SchedStat ss, parse_schedstat(body));
    out.sched_run_ns = ss.run_ns;
    out.sched_wait_ns = ss.wait_ns;
    out.sched_timeslices = ss.timeslices;
  }
  return Status::ok();
}

ProcfsTaskReader::Outcome ProcfsTaskReader::read_optional(pid_t pid, pid_t tid, bool is_thread,
                                                          TaskFiles& files, FileKind kind,
                                                          std::string_view* text) {
  *text = {};
  if (files.missing_errno[kind] != 0) return Outcome::kOk;
  procfs::ProcPath path = path_of(pid, tid, is_thread, kind);
  Result<std::string_view> r = read_file(files, kind, path);
  if (r.is_ok()) {
    *text = *r;
    return Outcome::kOk;
  }
  const Status& st = r.status();
  if (st.code() == Code::kPermissionDenied) {
    files.missing_errno[kind] = st.sys_errno() != 0 ? st.sys_errno() : EACCES;
    return Outcome::kOk;
  }
  if (st.code() == Code::kNotFound) {
    // Reaped since stat was read, or this kernel lacks the file (no
    // CONFIG_TASK_IO_ACCOUNTING / CONFIG_SCHED_INFO): stat tells which.
    procfs::ProcPath stat_path = path_of(pid, tid, is_thread, kStat);
    Result<std::string_view> again = files.fd[kStat].valid()
                                         ? fs_.pread_whole(files.fd[kStat].get(), stat_path, buf_)
                                         : fs_.read_once(stat_path, buf_);
    if (!again.is_ok()) return Outcome::kGone;
    files.missing_errno[kind] = ENOENT;
    return Outcome::kOk;
  }
  record_failure(st);
  return Outcome::kFailed;
}

Result<std::string_view> ProcfsTaskReader::read_file(TaskFiles& files, FileKind kind,
                                                     const procfs::ProcPath& p) {
  ScopedFd& fd = files.fd[kind];
  if (!fd.valid()) {
    if (counters_.kept_fds >= max_kept_fds_) {
      ++counters_.transient_reads;
      return fs_.read_once(p, buf_);
    }
    KTEL_ASSIGN_OR_RETURN(fd, fs_.open_file(p));
    ++counters_.kept_fds;
  }
  return fs_.pread_whole(fd.get(), p, buf_);
}

procfs::ProcPath ProcfsTaskReader::path_of(pid_t pid, pid_t tid, bool is_thread,
                                           FileKind kind) const {
  return is_thread ? procfs::ProcPath(pid, tid, kFileNames[kind])
                   : procfs::ProcPath(pid, kFileNames[kind]);
}

void ProcfsTaskReader::record_failure(const Status& st) {
  ++counters_.parse_errors;
  counters_.last_error = st.to_string();
}

void ProcfsTaskReader::release(TaskFiles& files) {
  for (ScopedFd& fd : files.fd) {
    if (fd.valid()) --counters_.kept_fds;
    fd.reset();
  }
}

void ProcfsTaskReader::release(Tracked& t) {
  release(t.files);
  for (auto& [tid, f] : t.threads) release(f);
  t.threads.clear();
  if (t.task_dir.valid()) --counters_.kept_fds;
  t.task_dir.reset();
}

}  // namespace ktel::proc
