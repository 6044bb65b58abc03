// perf_event_open(2) syscall wrapper and counter reads; /proc/<pid>/task listing.
#include "sys/perf_event.h"

#include <dirent.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <string>

#include "base/file_util.h"
#include "base/strings.h"

namespace ktel::sys {

Result<ScopedFd> perf_counter_open(const PerfCounterAttr& attr, pid_t tid, int group_fd) {
  perf_event_attr pa;
  std::memset(&pa, 0, sizeof(pa));
  pa.size = sizeof(pa);
  pa.type = attr.type;
  pa.config = attr.config;
  pa.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
  if (attr.group_read) pa.read_format |= PERF_FORMAT_GROUP;
  pa.inherit = attr.inherit ? 1 : 0;
  pa.exclude_kernel = attr.user_only ? 1 : 0;
  pa.exclude_hv = attr.user_only ? 1 : 0;
  // Counting mode has no sample timestamps, but the clock is set anyway so any
  // later sampling use of these attrs lands on the episode clock base.
  pa.use_clockid = 1;
  pa.clockid = CLOCK_MONOTONIC;
  long fd = ::syscall(SYS_perf_event_open, &pa, tid, /*cpu=*/-1, group_fd, PERF_FLAG_FD_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    return errno_status(err, "perf_event_open(type=" + std::to_string(attr.type) + ", config=" +
                                 std::to_string(attr.config) + ") on tid " + std::to_string(tid));
  }
  return ScopedFd(static_cast<int>(fd));
}

Result<size_t> perf_counter_read(int fd, uint64_t* words, size_t max_words) {
  for (;;) {
    ssize_t n = ::read(fd, words, max_words * sizeof(uint64_t));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return last_errno_status("read of perf counter fd " + std::to_string(fd));
    if (n % sizeof(uint64_t) != 0) {
      return data_loss("read of perf counter fd " + std::to_string(fd) + " returned " +
                       std::to_string(n) + " bytes, not a whole number of u64 words");
    }
    return static_cast<size_t>(n) / sizeof(uint64_t);
  }
}

Result<std::vector<pid_t>> list_thread_ids(pid_t pid) {
  std::string path = "/proc/" + std::to_string(pid) + "/task";
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return last_errno_status("opendir " + path);
  std::vector<pid_t> tids;
  while (dirent* e = ::readdir(dir)) {
    if (auto tid = parse_int64(e->d_name)) tids.push_back(static_cast<pid_t>(*tid));
  }
  ::closedir(dir);
  std::sort(tids.begin(), tids.end());
  if (tids.empty())
    return not_found(path + " lists no threads: pid " + std::to_string(pid) + " exited");
  return tids;
}

std::optional<int> read_perf_event_paranoid() {
  auto text = read_file("/proc/sys/kernel/perf_event_paranoid");
  if (!text.is_ok()) return std::nullopt;
  auto v = parse_int64(trim(*text));
  if (!v) return std::nullopt;
  return static_cast<int>(*v);
}

}  // namespace ktel::sys
