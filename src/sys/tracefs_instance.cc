#include "sys/tracefs_instance.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "base/file_util.h"
#include "base/strings.h"

namespace ktel {

namespace {

std::string instances_dir(const std::string& root) { return root + "/instances"; }

// rmdir of an instance fails with EBUSY while a reader still holds a per-CPU
// file or the kernel is tearing the buffers down; both clear within moments.
Status rmdir_with_retry(const std::string& path) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::seconds(1);
  while (::rmdir(path.c_str()) != 0) {
    if (errno == ENOENT) return Status::ok();
    if (errno != EBUSY || Clock::now() > deadline) {
      return last_errno_status("rmdir " + path +
                               " (the ftrace instance; close its files, then remove it by hand)");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return Status::ok();
}

}  // namespace

Result<TracefsInstance> TracefsInstance::create(const std::string& tracefs_root,
                                                const std::string& name) {
  std::string path = instances_dir(tracefs_root) + "/" + name;
  if (::mkdir(path.c_str(), 0750) != 0) {
    int err = errno;
    if (err == EEXIST) return Status(Code::kAlreadyExists, "ftrace instance " + path + " exists", err);
    if (err == EACCES || err == EPERM) {
      return errno_status(err, "mkdir " + path + ": creating an ftrace instance needs root");
    }
    return errno_status(err, "mkdir " + path);
  }
  return TracefsInstance(std::move(path), name);
}

TracefsInstance::TracefsInstance(TracefsInstance&& other) noexcept
    : path_(std::move(other.path_)), name_(std::move(other.name_)), removed_(other.removed_) {
  other.removed_ = true;
}

TracefsInstance& TracefsInstance::operator=(TracefsInstance&& other) noexcept {
  if (this != &other) {
    if (!removed_) (void)remove();
    path_ = std::move(other.path_);
    name_ = std::move(other.name_);
    removed_ = other.removed_;
    other.removed_ = true;
  }
  return *this;
}

TracefsInstance::~TracefsInstance() {
  if (!removed_) (void)remove();
}

Status TracefsInstance::write(std::string_view rel, std::string_view value) const {
  std::string file = path_ + "/" + std::string(rel);
  ScopedFd fd(::open(file.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
  if (!fd.valid()) return last_errno_status("open " + file + " for writing");
  ssize_t n = ::write(fd.get(), value.data(), value.size());
  if (n != static_cast<ssize_t>(value.size())) {
    return errno_status(n < 0 ? errno : EIO,
                        "write '" + std::string(value) + "' to " + file);
  }
  return Status::ok();
}

Result<std::string> TracefsInstance::read(std::string_view rel) const {
  return read_file(path_ + "/" + std::string(rel));
}

Result<ScopedFd> TracefsInstance::open_cpu_pipe(int cpu) const {
  std::string file = path_ + "/per_cpu/cpu" + std::to_string(cpu) + "/trace_pipe_raw";
  ScopedFd fd(::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) return last_errno_status("open " + file);
  return fd;
}

Status TracefsInstance::remove() {
  if (removed_) return Status::ok();
  removed_ = true;
  // Stop writers first so the kernel is not filling buffers while they go.
  (void)write("tracing_on", "0");
  return rmdir_with_retry(path_);
}

pid_t instance_owner_pid(std::string_view name) {
  if (name.substr(0, kKtelInstancePrefix.size()) != kKtelInstancePrefix) return -1;
  // "ktel-<pid>" or "ktel-<pid>-<purpose>" (the exec source's "ktel-<pid>-exec").
  std::string_view rest = name.substr(kKtelInstancePrefix.size());
  std::optional<int64_t> pid = parse_int64(rest.substr(0, rest.find('-')));
  if (!pid || *pid <= 0 || *pid > (1 << 22)) return -1;
  return static_cast<pid_t>(*pid);
}

bool instance_is_stale(std::string_view name) {
  const pid_t owner = instance_owner_pid(name);
  return owner > 0 && ::kill(owner, 0) != 0 && errno == ESRCH;
}

Result<std::vector<std::string>> list_ktel_instances(const std::string& tracefs_root) {
  std::string dir = instances_dir(tracefs_root);
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return last_errno_status("opendir " + dir);
  std::vector<std::string> out;
  while (const dirent* e = ::readdir(d)) {
    std::string_view n(e->d_name);
    if (n.substr(0, kKtelInstancePrefix.size()) == kKtelInstancePrefix) out.emplace_back(n);
  }
  ::closedir(d);
  return out;
}

Result<std::vector<std::string>> remove_stale_instances(const std::string& tracefs_root) {
  KTEL_ASSIGN_OR_RETURN(std::vector<std::string> names, list_ktel_instances(tracefs_root));
  std::vector<std::string> removed;
  for (const auto& n : names) {
    if (!instance_is_stale(n)) continue;
    KTEL_TRY(rmdir_with_retry(instances_dir(tracefs_root) + "/" + n));
    removed.push_back(n);
  }
  return removed;
}

}  // namespace ktel
