#include "sys/tracefs.h"

#include <sys/mount.h>
#include <unistd.h>

#include <vector>

#include "base/file_util.h"
#include "sys/mountinfo.h"

namespace ktel {

std::optional<std::string> find_tracefs_in_mountinfo(std::string_view mountinfo) {
  std::vector<std::string> found = mount_points_of_type(mountinfo, "tracefs");
  for (const char* preferred : {kTracefsPath, kDebugTracefsPath}) {
    for (const auto& f : found) {
      if (f == preferred) return f;
    }
  }
  if (!found.empty()) return found.front();
  return std::nullopt;
}

Result<std::optional<std::string>> find_tracefs() {
  KTEL_ASSIGN_OR_RETURN(std::string text, read_file("/proc/self/mountinfo"));
  return find_tracefs_in_mountinfo(text);
}

Status mount_tracefs() {
  if (::mount("tracefs", kTracefsPath, "tracefs", 0, nullptr) != 0) {
    return last_errno_status(std::string("mount -t tracefs tracefs ") + kTracefsPath);
  }
  return Status::ok();
}

Result<TracefsLocation> find_or_mount_tracefs() {
  KTEL_ASSIGN_OR_RETURN(std::optional<std::string> found, find_tracefs());
  if (found) return TracefsLocation{*found, false};
  if (::geteuid() != 0) {
    return unavailable(std::string("tracefs is not mounted and mounting it needs root: run "
                                   "ktel as root, or `sudo mount -t tracefs tracefs ") +
                       kTracefsPath + "`");
  }
  Status st = mount_tracefs();
  if (!st.is_ok()) {
    return Status(Code::kUnavailable, "tracefs is not mounted and " + st.message(), st.sys_errno());
  }
  return TracefsLocation{kTracefsPath, true};
}

}  // namespace ktel
