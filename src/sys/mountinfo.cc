#include "sys/mountinfo.h"

#include "base/file_util.h"
#include "base/strings.h"

namespace ktel {

std::vector<std::string> mount_points_of_type(std::string_view mountinfo, std::string_view fstype) {
  // mountinfo line: id parent maj:min root mount-point options ... - fstype source super-opts
  std::vector<std::string> found;
  for (std::string_view line : split(mountinfo, '\n')) {
    size_t dash = line.find(" - ");
    if (dash == std::string_view::npos) continue;
    auto after = split(line.substr(dash + 3), ' ');
    if (after.empty() || after[0] != fstype) continue;
    auto before = split(line.substr(0, dash), ' ');
    if (before.size() < 5) continue;
    found.emplace_back(before[4]);
  }
  return found;
}

Result<std::vector<std::string>> read_mount_points_of_type(std::string_view fstype) {
  KTEL_ASSIGN_OR_RETURN(std::string text, read_file("/proc/self/mountinfo"));
  return mount_points_of_type(text, fstype);
}

}  // namespace ktel
