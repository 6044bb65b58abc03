#include "sys/bpf/exec_record_decode.h"

#include <cstddef>
#include <cstring>

#include <fmt/format.h>

#include "sys/bpf/exec_record.h"

namespace ktel {

namespace {

template <typename T>
Result<T> read_struct(std::span<const std::byte> bytes, const char* what) {
  if (bytes.size() < sizeof(T)) {
    return data_loss(fmt::format("exec tracer: {} record of {} bytes, expected {}", what,
                                 bytes.size(), sizeof(T)));
  }
  T t;
  std::memcpy(&t, bytes.data(), sizeof(T));
  return t;
}

std::string fixed_text(const char* s, size_t cap) { return std::string(s, ::strnlen(s, cap)); }

// NUL-separated arguments; a last one without its NUL was cut.
std::vector<std::string> split_args(std::string_view block, uint32_t max_args, bool& truncated) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < block.size()) {
    size_t nul = block.find('\0', start);
    if (nul == std::string_view::npos) {
      out.emplace_back(block.substr(start));
      truncated = true;
      break;
    }
    out.emplace_back(block.substr(start, nul - start));
    start = nul + 1;
  }
  if (out.size() > max_args) {
    out.resize(max_args);
    truncated = true;
  }
  return out;
}

Result<ExecLifecycleEvent> decode_exec(std::span<const std::byte> bytes,
                                       const ExecDecodeOptions& o) {
  KTEL_ASSIGN_OR_RETURN(KtelExecRecord r, read_struct<KtelExecRecord>(bytes, "exec"));
  size_t argv_len = r.argv_len;
  if (r.hdr.size != sizeof r + argv_len || bytes.size() < sizeof r + argv_len) {
    return data_loss(fmt::format("exec tracer: exec record says {} bytes with {} of argv, got {}",
                                 r.hdr.size, argv_len, bytes.size()));
  }
  ExecLifecycleExec e;
  e.ts_ns = static_cast<int64_t>(r.hdr.ts_ns);
  e.pid = r.pid;
  e.tid = r.tid;
  e.ppid = r.ppid;
  e.uid = r.uid;
  e.cgroup_id = r.cgroup_id;
  e.comm = fixed_text(r.comm, sizeof r.comm);
  e.filename = std::string(r.filename, std::min<size_t>(r.filename_len, sizeof r.filename));
  e.argv_bytes = r.argv_full_len;
  e.argc = r.argc;
  std::string_view block(reinterpret_cast<const char*>(bytes.data()) + sizeof r, argv_len);
  e.argv_truncated = argv_len < r.argv_full_len;
  e.argv = split_args(block, o.max_args, e.argv_truncated);
  if (e.argv.size() < r.argc) e.argv_truncated = true;
  return ExecLifecycleEvent(std::move(e));
}

Result<ExecLifecycleEvent> decode_exit(std::span<const std::byte> bytes,
                                       const ExecDecodeOptions& o) {
  KTEL_ASSIGN_OR_RETURN(KtelExitRecord r, read_struct<KtelExitRecord>(bytes, "exit"));
  ExecLifecycleExit e;
  e.ts_ns = static_cast<int64_t>(r.hdr.ts_ns);
  e.pid = r.pid;
  e.tid = r.tid;
  e.ppid = r.ppid;
  // task->exit_code as wait(2) encodes it: (status << 8) | signal | 0x80 core.
  int sig = static_cast<int>(r.exit_code & 0x7f);
  if (sig == 0) e.exit_code = static_cast<int>((r.exit_code >> 8) & 0xff);
  else e.signal = sig;
  e.core_dumped = (r.exit_code & 0x80) != 0;
  e.group_dead = (r.flags & KTEL_EXIT_GROUP_DEAD) != 0;
  e.cpu_ns = r.cpu_ns;
  e.cpu_final = (r.flags & KTEL_EXIT_CPU_FINAL) != 0;
  e.maxrss_bytes = r.maxrss_pages * o.page_size;
  e.start_ns = static_cast<int64_t>(r.start_ns);
  e.comm = fixed_text(r.comm, sizeof r.comm);
  return ExecLifecycleEvent(std::move(e));
}

Result<ExecLifecycleEvent> decode_rss(std::span<const std::byte> bytes,
                                      const ExecDecodeOptions& o) {
  constexpr size_t kFixed = offsetof(KtelRssRecord, samples);
  if (bytes.size() < kFixed) {
    return data_loss(fmt::format("exec tracer: rss record of {} bytes, expected at least {}",
                                 bytes.size(), kFixed));
  }
  KtelRssRecord r{};
  std::memcpy(&r, bytes.data(), kFixed);
  if (r.n > KTEL_EXEC_RSS_SAMPLES || bytes.size() < kFixed + r.n * sizeof(KtelRssSample)) {
    return data_loss(fmt::format("exec tracer: rss record of {} bytes claims {} samples",
                                 bytes.size(), r.n));
  }
  ExecLifecycleRss e;
  e.ts_ns = static_cast<int64_t>(r.hdr.ts_ns);
  e.pid = r.pid;
  e.start_ns = static_cast<int64_t>(r.start_ns);
  e.peak_bytes = r.peak_pages * o.page_size;
  e.events = r.events;
  e.interval_ns = static_cast<int64_t>(r.interval_ns);
  e.samples.reserve(r.n);
  for (uint32_t i = 0; i < r.n; ++i) {
    KtelRssSample s;
    std::memcpy(&s, bytes.data() + kFixed + i * sizeof s, sizeof s);
    e.samples.push_back({static_cast<int64_t>(s.ts_ns), s.pages * o.page_size});
  }
  // The latest value closes the series when no sample took it.
  const auto last_ts = static_cast<int64_t>(r.last_ts_ns);
  if (r.events > 0 && (e.samples.empty() || last_ts > e.samples.back().ts_ns)) {
    e.samples.push_back({last_ts, r.last_pages * o.page_size});
  }
  return ExecLifecycleEvent(std::move(e));
}

}  // namespace

uint32_t exec_record_version() { return KTEL_EXEC_REC_VERSION; }

bool exec_record_version_readable(uint32_t version) {
  return version >= KTEL_EXEC_REC_VERSION_MIN && version <= KTEL_EXEC_REC_VERSION;
}

Result<ExecLifecycleEvent> decode_exec_record(std::span<const std::byte> bytes,
                                              const ExecDecodeOptions& options) {
  KTEL_ASSIGN_OR_RETURN(KtelExecHeader h, read_struct<KtelExecHeader>(bytes, "header of a"));
  if (!exec_record_version_readable(h.version)) {
    return data_loss(fmt::format("exec tracer: record version {}, this ktel reads {} to {}",
                                 h.version, KTEL_EXEC_REC_VERSION_MIN, KTEL_EXEC_REC_VERSION));
  }
  switch (h.type) {
    case KTEL_EXEC_TYPE_EXEC:
      return decode_exec(bytes, options);
    case KTEL_EXEC_TYPE_FORK: {
      KTEL_ASSIGN_OR_RETURN(KtelForkRecord r, read_struct<KtelForkRecord>(bytes, "fork"));
      return ExecLifecycleEvent(ExecLifecycleFork{
          .ts_ns = static_cast<int64_t>(r.hdr.ts_ns), .parent_pid = r.parent_pid,
          .parent_tid = r.parent_tid, .child_pid = r.child_pid, .child_tid = r.child_tid,
          .is_thread = r.is_thread != 0, .uid = r.uid, .cgroup_id = r.cgroup_id,
          .child_start_ns = static_cast<int64_t>(r.child_start_ns),
          .comm = fixed_text(r.comm, sizeof r.comm)});
    }
    case KTEL_EXEC_TYPE_EXIT:
      return decode_exit(bytes, options);
    case KTEL_EXEC_TYPE_RSS:
      return decode_rss(bytes, options);
    default:
      return data_loss(fmt::format("exec tracer: unknown record type {}", h.type));
  }
}

}  // namespace ktel
