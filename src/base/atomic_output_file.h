// A large output file written in a stream and published atomically: bytes go
// to `<path>.tmp-<pid>` through a buffer; finish() syncs and renames it over
// `path`, so a reader never sees a half-written file and a failed or
// abandoned write leaves the previous file (if any) untouched.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/scoped_fd.h"
#include "base/status.h"

namespace ktel {

class AtomicOutputFile {
 public:
  // Creates the temporary file (mode 0644) beside `path`.
  static Result<AtomicOutputFile> create(const std::string& path);
  AtomicOutputFile(AtomicOutputFile&& other) noexcept { *this = std::move(other); }
  AtomicOutputFile& operator=(AtomicOutputFile&& other) noexcept;
  AtomicOutputFile(const AtomicOutputFile&) = delete;
  AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;
  // Removes the temporary file unless finish() succeeded.
  ~AtomicOutputFile();

  // Appends; flushes the buffer when it is full. Write errors (ENOSPC) name
  // the path. Not thread-safe.
  Status append(std::string_view bytes);
  // The buffer callers may append to directly; call maybe_flush() after.
  std::string& buffer() { return buffer_; }
  Status maybe_flush() { return buffer_.size() >= kFlushBytes ? flush() : Status::ok(); }

  // Flushes, fdatasync, renames onto the final path.
  Status finish();
  const std::string& path() const { return path_; }
  uint64_t bytes_written() const { return written_ + buffer_.size(); }

 private:
  static constexpr size_t kFlushBytes = size_t{1} << 20;
  AtomicOutputFile(std::string path, std::string temp, ScopedFd fd)
      : path_(std::move(path)), temp_(std::move(temp)), fd_(std::move(fd)) {}
  Status flush();

  std::string path_;
  std::string temp_;
  ScopedFd fd_;
  std::string buffer_;
  uint64_t written_ = 0;
  bool finished_ = false;
};

}  // namespace ktel
