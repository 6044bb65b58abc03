// Plain-file helpers: whole-file reads, atomic replacement (temp + fsync +
// rename + directory fsync) and recursive mkdir. Every failure names the path.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace ktel {

Result<std::string> read_file(const std::string& path);

// Writes `content` to `path` so that a reader sees either the old file or the
// whole new one, never a prefix: temp file in the same directory, fsync, rename,
// fsync of the directory. Safe to call from several threads on different paths.
Status write_file_atomic(const std::string& path, std::string_view content);

// mkdir -p with the given mode for created directories.
Status make_dirs(const std::string& path, unsigned mode = 0755);

// Hands a file tree to uid/gid (used when recording through sudo). Errors on
// individual entries are collected; the first one is returned.
Status chown_tree(const std::string& path, unsigned uid, unsigned gid);

}  // namespace ktel
