// Raw procfs I/O: numeric directory listings with getdents64 on a kept fd, file
// opens relative to the /proc root and whole-file pread at offset 0. No parsing.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/scoped_fd.h"
#include "base/status.h"

namespace ktel::procfs {

// One numeric entry of a /proc-like directory: a pid (or tid) and the inode
// number readdir reported. procfs gives a reused pid a new inode, so a changed
// inode means "look again".
struct DirEntry {
  pid_t pid = 0;
  uint64_t ino = 0;
};

// Names a file below the proc root, formatted on the stack so the hot path
// never allocates; the full path is built only for error messages.
class ProcPath {
 public:
  ProcPath(pid_t pid, std::string_view file);             // "<pid>/<file>"
  ProcPath(pid_t pid, pid_t tid, std::string_view file);  // "<pid>/task/<tid>/<file>"
  explicit ProcPath(std::string_view rel);                // "stat", "self/stat"
  const char* rel() const { return buf_; }

 private:
  char buf_[128];
};

// The proc root ("/proc" unless a test says otherwise) with its directory fd
// kept open. Not thread-safe: one user at a time (each method may reuse
// internal buffers).
class ProcFs {
 public:
  // kUnavailable if `root` is not a mounted procfs, with the mount command.
  static Result<ProcFs> open(std::string root = "/proc");

  const std::string& root() const { return root_; }
  // "/proc/<rel>" for messages.
  std::string display(const ProcPath& path) const;

  // Lists the numeric entries of the root (the processes) into `out`, which
  // is cleared first. Rewinds the kept fd, so each call is a fresh listing.
  Status list_pids(std::vector<DirEntry>& out);

  // Opens a directory below the root (e.g. "<pid>/task") for list_dir().
  // kNotFound when the process is gone.
  Result<ScopedFd> open_dir(const ProcPath& path) const;
  // Lists numeric entries of a directory opened with open_dir().
  Status list_dir(int dir_fd, const ProcPath& path, std::vector<DirEntry>& out);

  // Opens a file read-only, close-on-exec. kNotFound (ENOENT/ESRCH) when the
  // process is gone or the file does not exist; kPermissionDenied on EACCES.
  Result<ScopedFd> open_file(const ProcPath& path) const;

  // Reads the whole file behind `fd` from offset 0 into `buf` and returns a
  // view of the bytes (valid until `buf` changes). `buf` keeps its size between
  // calls so steady-state reads do not allocate. kNotFound (ESRCH) once the
  // process has been reaped.
  Result<std::string_view> pread_whole(int fd, const ProcPath& path, std::string& buf) const;
  // open + pread_whole + close, for files read once.
  Result<std::string_view> read_once(const ProcPath& path, std::string& buf) const;

 private:
  ProcFs(std::string root, ScopedFd fd) : root_(std::move(root)), root_fd_(std::move(fd)) {}
  Status list_fd(int fd, const ProcPath* path, std::vector<DirEntry>& out);

  std::string root_;
  ScopedFd root_fd_;
  std::vector<char> dents_;
};

// sysconf(_SC_CLK_TCK): the unit of utime/stime in stat and of /proc/stat.
int64_t clock_ticks_per_second();
// sysconf(_SC_PAGESIZE): the unit of rss in stat.
int64_t page_size_bytes();
// CLOCK_BOOTTIME now: the base of stat's start time.
int64_t boottime_now_ns();
// The soft RLIMIT_NOFILE, or 1024 if it cannot be read.
uint64_t open_file_soft_limit();

}  // namespace ktel::procfs
