// Paths inside an episode directory (docs/formats/episode.md).
#pragma once

#include <string>

namespace ktel::layout {

inline std::string meta(const std::string& dir) { return dir + "/meta.json"; }
inline std::string db(const std::string& dir) { return dir + "/episode.db"; }
inline std::string raw(const std::string& dir) { return dir + "/raw"; }
inline std::string done_marker(const std::string& dir) { return dir + "/done.marker"; }

}  // namespace ktel::layout
