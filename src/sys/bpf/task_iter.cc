// libbpf adapter for the task iterator: loads the task_iter skeleton, attaches
// the iter/task link, and per read creates an iterator fd (bpf_iter_create)
// and read()s KtelTaskRecords from it until EOF.
#include "sys/bpf/task_iter.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <string>

#include "base/scoped_fd.h"
#include "ktel_bpf/task_iter.skel.h"
#include "sys/bpf/libbpf_log.h"
#include "sys/bpf/task_record_decode.h"

namespace ktel {
namespace {

constexpr const char* kVmlinuxBtf = "/sys/kernel/btf/vmlinux";
constexpr const char* kPrivilegeFix =
    "run ktel as root (or grant CAP_BPF + CAP_PERFMON + CAP_SYS_RESOURCE), or use the procfs "
    "backend";
constexpr size_t kReadChunk = 64 * 1024;

Status load_error(int err, std::string_view step, const std::string& log) {
  if (err == EPERM || err == EACCES) {
    return Status(Code::kPermissionDenied,
                  fmt::format("BPF task iterator: {} refused ({}); {}", step,
                              err == EPERM ? "EPERM" : "EACCES", kPrivilegeFix),
                  err);
  }
  return Status(Code::kUnavailable,
                fmt::format("BPF task iterator: {} failed; the kernel needs BPF iterators "
                            "(Linux >= 5.8, CONFIG_BPF_SYSCALL) and BTF; use the procfs backend. "
                            "libbpf said: {}",
                            step, log),
                err);
}

// Opens, loads and attaches with libbpf's messages captured; on failure the
// skeleton is destroyed and the Status explains why.
Result<task_iter_bpf*> load_skeleton() {
  LibbpfLogCapture log;
  task_iter_bpf* skel = task_iter_bpf__open();
  int err = skel == nullptr ? errno : 0;
  Status status;
  if (skel == nullptr) {
    status = load_error(err, "opening the embedded BPF object", log.tail());
  } else if ((err = -task_iter_bpf__load(skel)) != 0) {
    status = load_error(err, "loading the iter/task program", log.tail());
  } else if ((err = -task_iter_bpf__attach(skel)) != 0) {
    status = load_error(err, "attaching the iter/task link", log.tail());
  }
  if (!status.is_ok()) {
    task_iter_bpf__destroy(skel);
    return status;
  }
  return skel;
}

}  // namespace

Result<std::unique_ptr<BpfTaskIter>> BpfTaskIter::open() {
  if (::access(kVmlinuxBtf, R_OK) != 0) {
    return Status(Code::kUnavailable,
                  fmt::format("BPF task iterator: no kernel BTF at {} (the kernel needs "
                              "CONFIG_DEBUG_INFO_BTF=y); use the procfs backend",
                              kVmlinuxBtf),
                  errno);
  }
  KTEL_ASSIGN_OR_RETURN(task_iter_bpf * skel, load_skeleton());
  std::unique_ptr<BpfTaskIter> iter(new BpfTaskIter(skel));

  // Records carry init-namespace pids; inside another pid namespace they would
  // not match what the caller calls pids, so refuse rather than mislabel rows.
  // The caller's children (the recorder's workload) are in this tree too.
  std::vector<TaskStats> self;
  KTEL_TRY(iter->read_tree(::getpid(), false, self));
  if (std::none_of(self.begin(), self.end(),
                   [](const TaskStats& s) { return s.pid == ::getpid(); })) {
    return Status(Code::kUnavailable,
                  fmt::format("BPF task iterator: did not find this process (pid {}) in its own "
                              "output ({} rows); ktel is probably in a non-initial pid namespace. "
                              "Run it in the host pid namespace or use the procfs backend",
                              ::getpid(), self.size()));
  }
  return iter;
}

BpfTaskIter::BpfTaskIter(task_iter_bpf* skel)
    : skel_(skel), page_size_(static_cast<uint64_t>(::sysconf(_SC_PAGESIZE))) {}

BpfTaskIter::~BpfTaskIter() { task_iter_bpf__destroy(skel_); }

uint64_t BpfTaskIter::depth_limit_hits() const {
  return __atomic_load_n(&skel_->bss->depth_limit_hits, __ATOMIC_RELAXED);
}

Status BpfTaskIter::set_extra_roots(std::span<const ProcessKey> roots) {
  // A running source passes the same members tick after tick: rebuilding the
  // wanted_ map for them was a measurable part of a 1,000-process tick.
  if (last_roots_ok_ && std::equal(roots.begin(), roots.end(), last_roots_.begin(),
                                   last_roots_.end(), [](const ProcessKey& a, const ProcessKey& b) {
                                     return a.pid == b.pid && a.start_time_ns == b.start_time_ns;
                                   })) {
    return Status::ok();
  }
  last_roots_.assign(roots.begin(), roots.end());
  wanted_.clear();
  for (const ProcessKey& k : roots) {
    if (k.pid > 0 && k.start_time_ns != 0) wanted_[k.pid] = k.start_time_ns;
  }
  const int fd = bpf_map__fd(skel_->maps.extra_roots);
  Status status;
  for (auto it = extra_roots_.begin(); it != extra_roots_.end();) {
    auto w = wanted_.find(it->first);
    if (w != wanted_.end() && w->second == it->second) {
      ++it;
      continue;
    }
    const __u32 key = static_cast<__u32>(it->first);
    if (bpf_map_delete_elem(fd, &key) != 0 && errno != ENOENT) {
      status = last_errno_status(fmt::format("delete pid {} from the BPF extra_roots map", key));
      break;
    }
    it = extra_roots_.erase(it);
  }
  for (const auto& [pid, start] : wanted_) {
    if (!status.is_ok()) break;
    if (extra_roots_.count(pid) != 0) continue;
    if (extra_roots_.size() >= kMaxExtraRoots) {
      status = Status(Code::kResourceExhausted,
                      fmt::format("BPF task iterator: more than {} processes to keep in the tree; "
                                  "re-parented ones beyond that may be missed",
                                  kMaxExtraRoots));
      break;
    }
    const __u32 key = static_cast<__u32>(pid);
    const __u64 value = start;
    if (bpf_map_update_elem(fd, &key, &value, BPF_ANY) != 0) {
      status = last_errno_status(fmt::format("add pid {} to the BPF extra_roots map", pid));
      break;
    }
    extra_roots_.emplace(pid, start);
  }
  skel_->bss->nr_extra_roots = static_cast<__u32>(extra_roots_.size());
  last_roots_ok_ = status.is_ok();
  return status;
}

Status BpfTaskIter::read_records(ProcessKey root, bool with_threads) {
  // .bss is mmap()ed by libbpf: the program sees these stores directly.
  skel_->bss->root_tgid = static_cast<__u32>(root.pid);
  skel_->bss->root_start_boottime = root.start_time_ns;
  skel_->bss->with_threads = with_threads ? 1 : 0;
  const int fd = bpf_iter_create(bpf_link__fd(skel_->links.task_stats));
  if (fd < 0) {
    return errno_status(-fd,
                        fmt::format("bpf_iter_create for the task iterator (root pid {})", root.pid));
  }
  ScopedFd iter_fd(fd);
  // records_ only grows: resizing it down and up again each read zero-filled
  // the whole buffer every tick.
  size_t used = 0;
  records_used_ = 0;
  while (true) {
    if (records_.size() - used < kReadChunk) records_.resize(used + kReadChunk);
    const ssize_t n = ::read(iter_fd.get(), records_.data() + used, records_.size() - used);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_errno_status(
          fmt::format("read BPF task iterator (root pid {}, {} bytes read so far)", root.pid, used));
    }
    used += static_cast<size_t>(n);
  }
  records_used_ = used;
  return Status::ok();
}

Status BpfTaskIter::read_tree(pid_t root, bool with_threads, std::vector<TaskStats>& out) {
  return read_tree(ProcessKey{.pid = root}, with_threads, out);
}

Status BpfTaskIter::read_tree(ProcessKey root, bool with_threads, std::vector<TaskStats>& out) {
  if (root.pid <= 0) {
    return invalid_argument(
        fmt::format("BPF task iterator: root pid must be > 0, got {}", root.pid));
  }
  KTEL_TRY(read_records(root, with_threads));
  return bpf::decode_task_records(std::span(records_).first(records_used_),
                                  {.with_threads = with_threads, .page_size = page_size_}, out);
}

}  // namespace ktel
