// libbpf adapter of the exec tracer: sizes and configures the exec skeleton
// (rodata, ring size, exclusions), loads and attaches it, and drains its ring
// buffer with ring_buffer__consume.
#include "sys/bpf/exec_tracer.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <unistd.h>

#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "ktel_bpf/exec.skel.h"
#include "sys/bpf/exec_record.h"
#include "sys/bpf/libbpf_log.h"

namespace ktel {

namespace {

constexpr const char* kPrivilegeFix =
    "run ktel as root (or grant CAP_BPF + CAP_PERFMON), or let the exec source fall back to "
    "the sched tracepoints";

Status load_error(int err, std::string_view step, const std::string& log) {
  if (err == EPERM || err == EACCES) {
    return Status(Code::kPermissionDenied,
                  fmt::format("exec tracer: {} refused ({}); {}", step,
                              err == EPERM ? "EPERM" : "EACCES", kPrivilegeFix),
                  err);
  }
  return Status(Code::kUnavailable,
                fmt::format("exec tracer: {} failed; it needs BTF, tp_btf and BPF ring buffers "
                            "(Linux >= 5.8). libbpf said: {}",
                            step, log),
                err);
}

size_t ring_size(size_t wanted) {
  size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  size_t n = page;
  while (n < wanted && n < (size_t{1} << 30)) n <<= 1;
  return n;
}

Status configure(exec_bpf* skel, const ExecTracerOptions& o) {
  skel->rodata->scope = o.scope == ExecScope::kAll    ? KTEL_EXEC_SCOPE_ALL
                        : o.scope == ExecScope::kTree ? KTEL_EXEC_SCOPE_TREE
                                                      : KTEL_EXEC_SCOPE_CGROUP;
  skel->rodata->target_cgroup = o.cgroup_id;
  skel->rodata->argv_max = o.argv_max_bytes;
  skel->rodata->nr_excluded = static_cast<uint32_t>(o.exclude_comms.size());
  skel->rodata->rss_interval_ns = o.rss_interval_ns;
  skel->rodata->rss_enabled = o.rss ? 1 : 0;
  if (!o.rss) {
    // rss_stat fires on every page-fault batch: not even loaded when off.
    int err = bpf_program__set_autoload(skel->progs.on_rss, false);
    if (err == 0) err = bpf_map__set_max_entries(skel->maps.rss_states, 1);
    if (err != 0) return errno_status(-err, "exec tracer: leaving out the rss_stat program");
  }
  int err = bpf_map__set_max_entries(skel->maps.events, static_cast<uint32_t>(ring_size(o.ring_bytes)));
  if (err != 0) return errno_status(-err, "exec tracer: sizing the ring buffer");
  return Status::ok();
}

Status fill_maps(exec_bpf* skel, const ExecTracerOptions& o) {
  for (const auto& comm : o.exclude_comms) {
    char key[16] = {};
    std::memcpy(key, comm.data(), std::min<size_t>(comm.size(), 15));
    uint8_t one = 1;
    if (bpf_map__update_elem(skel->maps.excluded, key, sizeof key, &one, 1, BPF_ANY) != 0) {
      return last_errno_status(fmt::format("exec tracer: excluding comm '{}'", comm));
    }
  }
  return Status::ok();
}

// The u32 keys of a hash map, listed before any is deleted.
std::vector<uint32_t> map_keys(const bpf_map* map) {
  std::vector<uint32_t> keys;
  uint32_t key = 0;
  uint32_t next = 0;
  const uint32_t* prev = nullptr;
  while (bpf_map__get_next_key(map, prev, &next, sizeof next) == 0) {
    keys.push_back(next);
    key = next;
    prev = &key;
  }
  return keys;
}

}  // namespace

Result<std::unique_ptr<ExecTracer>> ExecTracer::open(const ExecTracerOptions& o) {
  if (o.argv_max_bytes < 1 || o.argv_max_bytes >= KTEL_EXEC_ARGV_MAX) {
    return invalid_argument(fmt::format("exec tracer: argv limit {} bytes is not in 1..{}",
                                        o.argv_max_bytes, KTEL_EXEC_ARGV_MAX - 1));
  }
  if (o.exclude_comms.size() > KTEL_EXEC_MAX_EXCLUDED) {
    return invalid_argument(fmt::format("exec tracer: more than {} excluded comms",
                                        KTEL_EXEC_MAX_EXCLUDED));
  }
  if (::access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
    return Status(Code::kUnavailable,
                  "exec tracer: no kernel BTF at /sys/kernel/btf/vmlinux (the kernel needs "
                  "CONFIG_DEBUG_INFO_BTF=y)",
                  errno);
  }
  std::unique_ptr<ExecTracer> t(new ExecTracer());
  t->decode_ = {.max_args = o.argv_max_args,
                .page_size = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE))};
  {
    LibbpfLogCapture log;
    t->skel_ = exec_bpf__open();
    if (t->skel_ == nullptr) return load_error(errno, "opening the embedded BPF object", log.tail());
    KTEL_TRY(configure(t->skel_, o));
    t->ring_bytes_ = ring_size(o.ring_bytes);
    int err = exec_bpf__load(t->skel_);
    if (err != 0) return load_error(-err, "loading the exec/fork/exit programs", log.tail());
    KTEL_TRY(fill_maps(t->skel_, o));
    if (o.scope == ExecScope::kTree && o.root_pid > 0) KTEL_TRY(t->track(o.root_pid));
    err = exec_bpf__attach(t->skel_);
    if (err != 0) return load_error(-err, "attaching to sched_process_exec/fork/exit", log.tail());
  }
  t->ring_ = ring_buffer__new(bpf_map__fd(t->skel_->maps.events), &ExecTracer::on_record,
                              t.get(), nullptr);
  if (t->ring_ == nullptr) return last_errno_status("exec tracer: ring_buffer__new");
  return t;
}

ExecTracer::~ExecTracer() {
  if (ring_ != nullptr) ring_buffer__free(ring_);
  if (skel_ != nullptr) exec_bpf__destroy(skel_);
}

Status ExecTracer::track(pid_t tgid) {
  uint32_t key = static_cast<uint32_t>(tgid);
  uint8_t one = 1;
  if (bpf_map__update_elem(skel_->maps.tracked, &key, sizeof key, &one, 1, BPF_ANY) != 0) {
    return last_errno_status(fmt::format("exec tracer: tracking pid {}", tgid));
  }
  return Status::ok();
}

Result<size_t> ExecTracer::track_descendants_from_proc(pid_t root) {
  std::multimap<pid_t, pid_t> children;  // ppid -> pid
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return last_errno_status("opendir /proc");
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    std::ifstream stat(fmt::format("/proc/{}/stat", pid));
    std::string line;
    if (!std::getline(stat, line)) continue;
    size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    std::string state;
    long ppid = 0;
    rest >> state >> ppid;
    children.emplace(static_cast<pid_t>(ppid), static_cast<pid_t>(pid));
  }
  ::closedir(d);
  std::vector<pid_t> todo = {root};
  size_t added = 0;
  while (!todo.empty()) {
    pid_t p = todo.back();
    todo.pop_back();
    KTEL_TRY(track(p));
    ++added;
    auto [lo, hi] = children.equal_range(p);
    for (auto it = lo; it != hi; ++it) todo.push_back(it->second);
  }
  return added;
}

int ExecTracer::on_record(void* ctx, void* data, size_t size) {
  auto* self = static_cast<ExecTracer*>(ctx);
  std::span<const std::byte> bytes(static_cast<const std::byte*>(data), size);
  if (self->raw_fn_ != nullptr) {
    ++self->delivered_;
    (*self->raw_fn_)(bytes);
    return 0;
  }
  auto event = decode_exec_record(bytes, self->decode_);
  if (!event.is_ok()) {
    ++self->malformed_;
    return 0;
  }
  ++self->delivered_;
  (*self->fn_)(std::move(*event));
  return 0;
}

Result<size_t> ExecTracer::consume() {
  delivered_ = 0;
  int n = ring_buffer__consume(ring_);
  fn_ = nullptr;
  raw_fn_ = nullptr;
  if (n < 0) return errno_status(-n, "exec tracer: ring_buffer__consume");
  return delivered_;
}

Result<size_t> ExecTracer::poll(const EventFn& fn) {
  fn_ = &fn;
  return consume();
}

Result<size_t> ExecTracer::poll_raw(const RawFn& fn) {
  raw_fn_ = &fn;
  return consume();
}

void ExecTracer::detach() {
  if (skel_ != nullptr) exec_bpf__detach(skel_);
}

Result<size_t> ExecTracer::flush_pending_exits(const RawFn& fn) {
  size_t n = 0;
  for (uint32_t tid : map_keys(skel_->maps.pending_exits)) {
    struct {
      KtelExitRecord rec;
      uint64_t others_cpu_ns;
    } value{};
    // Lookup, then delete: hash maps gained lookup-and-delete only in 5.14.
    if (bpf_map__lookup_elem(skel_->maps.pending_exits, &tid, sizeof tid, &value, sizeof value,
                             0) != 0) {
      continue;
    }
    (void)bpf_map__delete_elem(skel_->maps.pending_exits, &tid, sizeof tid, 0);
    fn({reinterpret_cast<const std::byte*>(&value.rec), sizeof value.rec});
    ++n;
  }
  return n;
}

Result<size_t> ExecTracer::flush_rss(const RawFn& fn) {
  const std::vector<uint32_t> pids = map_keys(skel_->maps.rss_states);
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  size_t n = 0;
  for (uint32_t pid : pids) {
    KtelRssRecord rec{};
    if (bpf_map__lookup_elem(skel_->maps.rss_states, &pid, sizeof pid, &rec, sizeof rec, 0) != 0) {
      continue;
    }
    (void)bpf_map__delete_elem(skel_->maps.rss_states, &pid, sizeof pid, 0);
    const uint32_t used = std::min<uint32_t>(rec.n, KTEL_EXEC_RSS_SAMPLES);
    const size_t size = sizeof rec - (KTEL_EXEC_RSS_SAMPLES - used) * sizeof(KtelRssSample);
    rec.hdr.version = KTEL_EXEC_REC_VERSION;
    rec.hdr.type = KTEL_EXEC_TYPE_RSS;
    rec.hdr.size = static_cast<uint32_t>(size);
    rec.hdr.ts_ns = static_cast<uint64_t>(now.tv_sec) * 1'000'000'000u + now.tv_nsec;
    fn({reinterpret_cast<const std::byte*>(&rec), size});
    ++n;
  }
  return n;
}

ExecLost ExecTracer::lost() const {
  ExecLost out;
  int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0) return out;
  std::vector<uint64_t> values(static_cast<size_t>(ncpu));
  uint64_t* slots[KTEL_EXEC_LOST_SLOTS] = {&out.exec, &out.fork, &out.exit, &out.rss,
                                           &out.tracked_full, &out.rss_map_full};
  for (uint32_t key = 0; key < KTEL_EXEC_LOST_SLOTS; ++key) {
    if (bpf_map__lookup_elem(skel_->maps.lost, &key, sizeof key, values.data(),
                             values.size() * sizeof(uint64_t), 0) != 0) {
      continue;
    }
    for (uint64_t v : values) *slots[key] += v;
  }
  return out;
}

}  // namespace ktel
