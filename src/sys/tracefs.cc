#include "sys/tracefs.h"

#include <sys/mount.h>

#include <vector>

#include "base/file_util.h"
#include "base/strings.h"

namespace ktel {

std::optional<std::string> find_tracefs_in_mountinfo(std::string_view mountinfo) {
  // mountinfo line: id parent maj:min root mount-point options ... - fstype source super-opts
  std::vector<std::string> found;
  for (std::string_view line : split(mountinfo, '\n')) {
    size_t dash = line.find(" - ");
    if (dash == std::string_view::npos) continue;
    auto after = split(line.substr(dash + 3), ' ');
    if (after.empty() || after[0] != "tracefs") continue;
    auto before = split(line.substr(0, dash), ' ');
    if (before.size() < 5) continue;
    found.emplace_back(before[4]);
  }
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

}  // namespace ktel
