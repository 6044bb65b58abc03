// Copies ring-buffer pages from one CPU's trace_pipe_raw (non-blocking) to a
// file of fixed-size page slots, with no parsing: the hot path of the sched
// source. Each read() of trace_pipe_raw returns one page.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/scoped_fd.h"
#include "base/status.h"

namespace ktel {

class FtracePipeReader {
 public:
  // `pipe` is an open non-blocking trace_pipe_raw; pages go to `out_path`
  // (created, must not exist). `page_size` comes from header_page.
  static Result<FtracePipeReader> open(ScopedFd pipe, const std::string& out_path,
                                       size_t page_size);

  // Reads pages until the kernel has none left (EAGAIN) and appends them to
  // the file. Returns the pages read by this call. Not thread-safe: one
  // thread per reader.
  Result<uint64_t> drain();
  // Flushes and closes the page file. Call once, after the last drain().
  Status finish();

  uint64_t pages() const { return pages_; }
  uint64_t bytes_read() const { return bytes_read_; }
  const std::string& path() const { return out_path_; }

 private:
  FtracePipeReader(ScopedFd pipe, ScopedFd out, std::string out_path, size_t page_size);
  Status flush();

  ScopedFd pipe_;
  ScopedFd out_;
  std::string out_path_;
  size_t page_size_;
  std::vector<char> buffer_;  // whole pages waiting for one write()
  size_t buffered_ = 0;
  uint64_t pages_ = 0;
  uint64_t bytes_read_ = 0;
};

}  // namespace ktel
