// A private ftrace instance, <tracefs>/instances/<name>: created with mkdir,
// configured and read through its own files only, removed with rmdir. Global
// tracing files are never written here (ARCHITECTURE.md, principle 4).
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/scoped_fd.h"
#include "base/status.h"

namespace ktel {

inline constexpr std::string_view kKtelInstancePrefix = "ktel-";

class TracefsInstance {
 public:
  // mkdir <tracefs_root>/instances/<name>. kAlreadyExists when it exists,
  // kPermissionDenied (with the fix) when not allowed.
  static Result<TracefsInstance> create(const std::string& tracefs_root, const std::string& name);

  TracefsInstance(TracefsInstance&& other) noexcept;
  TracefsInstance& operator=(TracefsInstance&& other) noexcept;
  TracefsInstance(const TracefsInstance&) = delete;
  TracefsInstance& operator=(const TracefsInstance&) = delete;
  // Best effort remove() when the owner did not call it.
  ~TracefsInstance();

  const std::string& path() const { return path_; }
  const std::string& name() const { return name_; }

  // Writes `value` to the instance file `rel` (e.g. "trace_clock"); the error
  // names the file and the value. Thread-safe (separate opens).
  Status write(std::string_view rel, std::string_view value) const;
  // Reads the instance file `rel` whole.
  Result<std::string> read(std::string_view rel) const;
  // per_cpu/cpu<N>/trace_pipe_raw, non-blocking, close-on-exec.
  Result<ScopedFd> open_cpu_pipe(int cpu) const;

  // tracing_on=0 and rmdir, retrying while the kernel still holds the buffers
  // (EBUSY) for up to a second. Idempotent.
  Status remove();

 private:
  TracefsInstance(std::string path, std::string name) : path_(std::move(path)), name_(std::move(name)) {}
  std::string path_;
  std::string name_;
  bool removed_ = false;
};

// The pid a ktel instance name belongs to ("ktel-123" -> 123), or -1.
pid_t instance_owner_pid(std::string_view name);
// True for ktel-<pid> whose pid no longer exists: left by a killed recorder.
bool instance_is_stale(std::string_view name);

// Removes instances/ktel-<pid> whose pid no longer exists (left by a killed
// run). Returns the names removed; an instance that cannot be removed is an
// error naming it.
Result<std::vector<std::string>> remove_stale_instances(const std::string& tracefs_root);

// Names of instances/ktel-* present now (for tests and doctor).
Result<std::vector<std::string>> list_ktel_instances(const std::string& tracefs_root);

}  // namespace ktel
