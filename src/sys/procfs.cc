// Raw procfs I/O (see procfs.h). Reads go through kept fds with pread at offset
// 0: procfs seq_files regenerate their text on a read at offset 0.
#include "sys/procfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <charconv>
#include <cstddef>
#include <cstring>

namespace ktel::procfs {

namespace {

// Appends `v` in decimal at `p`; returns the new end.
char* put_int(char* p, char* end, long v) {
  auto r = std::to_chars(p, end, v);
  return r.ec == std::errc() ? r.ptr : p;
}

char* put_str(char* p, char* end, std::string_view s) {
  size_t n = std::min(s.size(), static_cast<size_t>(end - p));
  std::memcpy(p, s.data(), n);
  return p + n;
}

constexpr size_t kMaxFileBytes = 4u << 20;

}  // namespace

ProcPath::ProcPath(pid_t pid, std::string_view file) {
  char* end = buf_ + sizeof(buf_) - 1;
  char* p = put_int(buf_, end, pid);
  p = put_str(p, end, "/");
  p = put_str(p, end, file);
  *p = '\0';
}

ProcPath::ProcPath(pid_t pid, pid_t tid, std::string_view file) {
  char* end = buf_ + sizeof(buf_) - 1;
  char* p = put_int(buf_, end, pid);
  p = put_str(p, end, "/task/");
  p = put_int(p, end, tid);
  p = put_str(p, end, "/");
  p = put_str(p, end, file);
  *p = '\0';
}

ProcPath::ProcPath(std::string_view rel) {
  char* end = buf_ + sizeof(buf_) - 1;
  *put_str(buf_, end, rel) = '\0';
}

Result<ProcFs> ProcFs::open(std::string root) {
  struct statfs sfs {};
  if (::statfs(root.c_str(), &sfs) != 0) {
    return Status(Code::kUnavailable,
                  root + " is not accessible; mount procfs with `mount -t proc proc " + root + "`",
                  errno);
  }
  if (sfs.f_type != PROC_SUPER_MAGIC) {
    return unavailable(root + " is not a procfs mount; mount it with `mount -t proc proc " +
                       root + "`");
  }
  int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return last_errno_status("open " + root);
  return ProcFs(std::move(root), ScopedFd(fd));
}

std::string ProcFs::display(const ProcPath& path) const { return root_ + "/" + path.rel(); }

Status ProcFs::list_pids(std::vector<DirEntry>& out) {
  return list_fd(root_fd_.get(), nullptr, out);
}

Result<ScopedFd> ProcFs::open_dir(const ProcPath& path) const {
  int fd = ::openat(root_fd_.get(), path.rel(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return last_errno_status("open directory " + display(path));
  return ScopedFd(fd);
}

Status ProcFs::list_dir(int dir_fd, const ProcPath& path, std::vector<DirEntry>& out) {
  return list_fd(dir_fd, &path, out);
}

Status ProcFs::list_fd(int fd, const ProcPath* path, std::vector<DirEntry>& out) {
  out.clear();
  if (dents_.empty()) dents_.resize(64 * 1024);
  auto fail = [&](const char* op) {
    return last_errno_status(std::string(op) + " " + (path ? display(*path) : root_));
  };
  if (::lseek(fd, 0, SEEK_SET) < 0) return fail("rewind");
  for (;;) {
    ssize_t n = ::getdents64(fd, dents_.data(), dents_.size());
    if (n < 0) return fail("getdents64");
    if (n == 0) return Status::ok();
    for (ssize_t off = 0; off < n;) {
      dirent64 d;
      // The records are packed; copy the fixed header to stay aligned.
      std::memcpy(&d, dents_.data() + off, offsetof(dirent64, d_name));
      const char* name = dents_.data() + off + offsetof(dirent64, d_name);
      off += d.d_reclen;
      if (name[0] < '1' || name[0] > '9') continue;
      long pid = 0;
      auto r = std::from_chars(name, name + std::strlen(name), pid);
      if (r.ec != std::errc() || *r.ptr != '\0' || pid <= 0 || pid > INT32_MAX) continue;
      out.push_back({static_cast<pid_t>(pid), d.d_ino});
    }
  }
}

Result<ScopedFd> ProcFs::open_file(const ProcPath& path) const {
  int fd = ::openat(root_fd_.get(), path.rel(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return last_errno_status("open " + display(path));
  return ScopedFd(fd);
}

Result<std::string_view> ProcFs::pread_whole(int fd, const ProcPath& path,
                                             std::string& buf) const {
  if (buf.size() < 4096) buf.resize(4096);
  for (;;) {
    ssize_t n = ::pread(fd, buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_errno_status("read " + display(path));
    }
    if (static_cast<size_t>(n) < buf.size()) return std::string_view(buf.data(), n);
    // Filled the buffer: the file may be longer, so grow and re-read from 0
    // for a consistent snapshot.
    if (buf.size() >= kMaxFileBytes) {
      return Status(Code::kResourceExhausted,
                    "read " + display(path) + ": larger than " + std::to_string(kMaxFileBytes) +
                        " bytes");
    }
    buf.resize(buf.size() * 2);
  }
}

Result<std::string_view> ProcFs::read_once(const ProcPath& path, std::string& buf) const {
  KTEL_ASSIGN_OR_RETURN(ScopedFd fd, open_file(path));
  return pread_whole(fd.get(), path, buf);
}

int64_t clock_ticks_per_second() {
  long v = ::sysconf(_SC_CLK_TCK);
  return v > 0 ? v : 100;
}

int64_t page_size_bytes() {
  long v = ::sysconf(_SC_PAGESIZE);
  return v > 0 ? v : 4096;
}

int64_t boottime_now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_BOOTTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

uint64_t open_file_soft_limit() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1024;
  return rl.rlim_cur == RLIM_INFINITY ? (1u << 20) : rl.rlim_cur;
}

}  // namespace ktel::procfs
