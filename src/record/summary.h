// The short end-of-recording summary printed by `ktel record`.
#pragma once

#include <string>

#include "model/meta.h"

namespace ktel {

std::string format_record_summary(const EpisodeMeta& meta, const std::string& dir);

}  // namespace ktel
