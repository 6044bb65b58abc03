#include "sys/cgroup.h"

#include <sys/stat.h>

#include <fmt/format.h>

#include "base/file_util.h"
#include "base/strings.h"
#include "sys/mountinfo.h"

namespace ktel {

std::optional<std::string> cgroup_v2_path(std::string_view text) {
  for (std::string_view line : split(text, '\n')) {
    if (line.substr(0, 3) == "0::") return std::string(line.substr(3));
  }
  return std::nullopt;
}

Result<CgroupV2> cgroup_v2_of_pid(pid_t pid) {
  const std::string file = fmt::format("/proc/{}/cgroup", pid);
  Result<std::string> text = read_file(file);
  if (!text.is_ok()) {
    if (text.status().sys_errno() == ENOENT) {
      return not_found(fmt::format("pid {} does not exist (no {})", pid, file));
    }
    return text.status();
  }
  std::optional<std::string> path = cgroup_v2_path(*text);
  if (!path) {
    return unavailable(fmt::format("{} has no cgroup v2 (\"0::\") line: the kernel runs cgroup "
                                   "v1 only; boot with systemd.unified_cgroup_hierarchy=1",
                                   file));
  }
  KTEL_ASSIGN_OR_RETURN(std::vector<std::string> mounts, read_mount_points_of_type("cgroup2"));
  if (mounts.empty()) {
    return unavailable("no cgroup2 filesystem is mounted: mount -t cgroup2 none /sys/fs/cgroup");
  }
  CgroupV2 out{.path = *path, .directory = mounts.front() + (*path == "/" ? "" : *path), .id = 0};
  struct stat st {};
  if (::stat(out.directory.c_str(), &st) != 0) {
    return last_errno_status(fmt::format("stat {} (cgroup of pid {})", out.directory, pid));
  }
  out.id = static_cast<uint64_t>(st.st_ino);
  return out;
}

}  // namespace ktel
