// Mount points by filesystem type, from /proc/self/mountinfo text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace ktel {

// Mount points (field 5) of every line whose filesystem type (first field after
// " - ") equals `fstype`, in file order. Malformed lines are skipped.
std::vector<std::string> mount_points_of_type(std::string_view mountinfo, std::string_view fstype);
// The same over /proc/self/mountinfo.
Result<std::vector<std::string>> read_mount_points_of_type(std::string_view fstype);

}  // namespace ktel
