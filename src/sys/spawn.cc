#include "sys/spawn.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "base/file_util.h"
#include "base/strings.h"

namespace ktel {

Result<std::string> resolve_executable(const std::string& argv0) {
  if (argv0.empty()) return invalid_argument("empty command");
  auto check = [](const std::string& path) -> Status {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return last_errno_status("stat " + path);
    if (S_ISDIR(st.st_mode)) return Status(Code::kPermissionDenied, path + " is a directory", EACCES);
    if (::access(path.c_str(), X_OK) != 0) return last_errno_status(path + " is not executable");
    return Status::ok();
  };
  if (argv0.find('/') != std::string::npos) {
    Status st = check(argv0);
    if (!st.is_ok()) return st;
    return argv0;
  }
  const char* path_env = std::getenv("PATH");
  std::string path = path_env ? path_env : "/usr/local/bin:/usr/bin:/bin";
  Status denied;
  for (std::string_view dir : split(path, ':')) {
    std::string candidate = (dir.empty() ? std::string(".") : std::string(dir)) + "/" + argv0;
    Status st = check(candidate);
    if (st.is_ok()) return candidate;
    if (st.code() == Code::kPermissionDenied && denied.is_ok()) denied = st;
  }
  if (!denied.is_ok()) return denied;
  return Status(Code::kNotFound, fmt::format("command not found: '{}' (searched PATH={})", argv0, path),
                ENOENT);
}

std::optional<Credentials> sudo_invoker() {
  if (::geteuid() != 0) return std::nullopt;
  const char* uid_s = std::getenv("SUDO_UID");
  const char* gid_s = std::getenv("SUDO_GID");
  if (uid_s == nullptr || gid_s == nullptr) return std::nullopt;
  auto uid = parse_uint64(uid_s);
  auto gid = parse_uint64(gid_s);
  if (!uid || !gid || *uid == 0) return std::nullopt;
  Credentials c{static_cast<uid_t>(*uid), static_cast<gid_t>(*gid), {}};
  const char* user = std::getenv("SUDO_USER");
  if (user != nullptr) {
    int n = 64;
    std::vector<gid_t> groups(static_cast<size_t>(n));
    if (::getgrouplist(user, c.gid, groups.data(), &n) < 0) {
      groups.resize(static_cast<size_t>(n));
      ::getgrouplist(user, c.gid, groups.data(), &n);
    }
    groups.resize(static_cast<size_t>(std::max(n, 0)));
    c.groups = std::move(groups);
  }
  return c;
}

Result<std::string> self_executable() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n < 0) return last_errno_status("readlink /proc/self/exe");
  return std::string(buf, static_cast<size_t>(n));
}

namespace {

int sys_pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

// Runs in the forked child: only async-signal-safe calls. Reports a failure as
// {stage, errno} on the CLOEXEC pipe and exits 127.
[[noreturn]] void child_main(int go_fd, int err_fd, const char* path, char* const* argv,
                             const Credentials* cred, int output_fd, bool new_group) {
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);  // the recorder blocks signals for signalfd
  char c;
  ssize_t n;
  do {
    n = ::read(go_fd, &c, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1) ::_exit(127);  // parent gave up before release
  int report[2] = {0, 0};
  if (new_group) (void)::setpgid(0, 0);
  int null_fd = output_fd >= 0 ? ::open("/dev/null", O_RDONLY) : -1;
  if (output_fd >= 0 &&
      (null_fd < 0 || ::dup2(null_fd, STDIN_FILENO) < 0 || ::dup2(output_fd, STDOUT_FILENO) < 0 ||
       ::dup2(output_fd, STDERR_FILENO) < 0)) {
    report[0] = 5;
    report[1] = errno;
    (void)!::write(err_fd, report, sizeof report);
    ::_exit(127);
  }
  if (cred != nullptr) {
    if (::setgroups(cred->groups.size(), cred->groups.data()) != 0) report[0] = 1;
    else if (::setgid(cred->gid) != 0) report[0] = 2;
    else if (::setuid(cred->uid) != 0) report[0] = 3;
    if (report[0] != 0) {
      report[1] = errno;
      (void)!::write(err_fd, report, sizeof report);
      ::_exit(127);
    }
  }
  ::execv(path, argv);
  report[0] = 4;
  report[1] = errno;
  (void)!::write(err_fd, report, sizeof report);
  ::_exit(127);
}

}  // namespace

Result<HeldChild> HeldChild::spawn(const Options& options) {
  int go[2];
  int err[2];
  if (::pipe2(go, O_CLOEXEC) != 0) return last_errno_status("pipe");
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(go[0]);
    ::close(go[1]);
    return last_errno_status("pipe");
  }
  std::vector<char*> argv;
  for (const auto& a : options.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const Credentials* cred = options.run_as ? &*options.run_as : nullptr;
  pid_t pid = ::fork();
  if (pid < 0) {
    Status st = last_errno_status("fork");
    for (int fd : {go[0], go[1], err[0], err[1]}) ::close(fd);
    return st;
  }
  if (pid == 0) {
    ::close(go[1]);
    ::close(err[0]);
    child_main(go[0], err[1], options.path.c_str(), argv.data(), cred, options.output_fd,
               options.new_process_group);
  }
  ::close(go[0]);
  ::close(err[1]);
  HeldChild child;
  child.pid_ = pid;
  child.go_fd_.reset(go[1]);
  child.exec_fd_.reset(err[0]);
  child.pidfd_.reset(sys_pidfd_open(pid));
  if (!child.pidfd_.valid()) return last_errno_status(fmt::format("pidfd_open({})", pid));
  return child;
}

HeldChild::HeldChild(HeldChild&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::move(other.pidfd_)),
      go_fd_(std::move(other.go_fd_)),
      exec_fd_(std::move(other.exec_fd_)),
      released_(other.released_),
      reaped_(other.reaped_) {}

HeldChild::~HeldChild() {
  if (pid_ <= 0 || reaped_) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

Status HeldChild::release() {
  char go = 'g';
  if (::write(go_fd_.get(), &go, 1) != 1) return last_errno_status("release child");
  go_fd_.reset();
  released_ = true;
  int report[2] = {0, 0};
  ssize_t n;
  do {
    n = ::read(exec_fd_.get(), report, sizeof report);
  } while (n < 0 && errno == EINTR);
  exec_fd_.reset();
  if (n == 0) return Status::ok();  // the CLOEXEC pipe closed: execve succeeded
  (void)reap();
  static const char* const kStages[] = {"", "setgroups", "setgid", "setuid", "execve",
                                        "redirecting stdin/stdout/stderr"};
  int stage = (report[0] >= 1 && report[0] <= 5) ? report[0] : 4;
  return errno_status(report[1], fmt::format("{} in the workload child (pid {})", kStages[stage], pid_));
}

namespace {
ExitInfo decode(const siginfo_t& info) {
  ExitInfo e;
  if (info.si_code == CLD_EXITED) {
    e.code = info.si_status;
  } else {
    e.signal = info.si_status;
    e.core_dumped = info.si_code == CLD_DUMPED;
  }
  return e;
}
}  // namespace

Result<std::optional<ExitInfo>> HeldChild::peek_exit() const {
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    return last_errno_status(fmt::format("waitid({})", pid_));
  }
  if (info.si_pid == 0) return std::optional<ExitInfo>{};
  return std::optional<ExitInfo>(decode(info));
}

Result<ExitInfo> HeldChild::reap() {
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED) != 0) {
    if (errno != EINTR) return last_errno_status(fmt::format("waitid({})", pid_));
  }
  reaped_ = true;
  return decode(info);
}

Status HeldChild::send_signal(int sig) const {
  if (reaped_) return Status::ok();
  if (::kill(pid_, sig) != 0 && errno != ESRCH) {
    return last_errno_status(fmt::format("kill({}, {})", pid_, sig));
  }
  return Status::ok();
}

Result<ScopedFd> open_pidfd(pid_t pid) {
  ScopedFd fd(sys_pidfd_open(pid));
  if (!fd.valid()) {
    if (errno == ESRCH) return Status(Code::kNotFound, fmt::format("no process with pid {}", pid), ESRCH);
    return last_errno_status(fmt::format("pidfd_open({})", pid));
  }
  return fd;
}

Result<bool> wait_readable(int fd, int64_t timeout_ns) {
  pollfd p{fd, POLLIN, 0};
  int timeout_ms = timeout_ns < 0 ? -1 : static_cast<int>((timeout_ns + 999'999) / 1'000'000);
  int rc;
  do {
    rc = ::poll(&p, 1, timeout_ms);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) return last_errno_status("poll");
  return rc > 0;
}

Result<std::string> process_comm(pid_t pid) {
  auto text = read_file(fmt::format("/proc/{}/comm", pid));
  if (!text.is_ok()) return text.status();
  std::string s = std::move(text).value();
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

}  // namespace ktel
