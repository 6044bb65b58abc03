#include "sys/ftrace_pipe_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ktel {

namespace {
constexpr size_t kPagesPerWrite = 64;
}

Result<FtracePipeReader> FtracePipeReader::open(ScopedFd pipe, const std::string& out_path,
                                                size_t page_size) {
  if (page_size < 64 || page_size > (1u << 20)) {
    return invalid_argument("ftrace page size " + std::to_string(page_size) + " is implausible");
  }
  ScopedFd out(::open(out_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!out.valid()) return last_errno_status("create " + out_path);
  return FtracePipeReader(std::move(pipe), std::move(out), out_path, page_size);
}

FtracePipeReader::FtracePipeReader(ScopedFd pipe, ScopedFd out, std::string out_path,
                                   size_t page_size)
    : pipe_(std::move(pipe)),
      out_(std::move(out)),
      out_path_(std::move(out_path)),
      page_size_(page_size),
      buffer_(page_size * kPagesPerWrite) {}

Result<uint64_t> FtracePipeReader::drain() {
  uint64_t pages = 0;
  for (;;) {
    char* slot = buffer_.data() + buffered_;
    ssize_t n = ::read(pipe_.get(), slot, page_size_);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      return last_errno_status("read trace_pipe_raw for " + out_path_);
    }
    if (n == 0) break;
    // A short read still holds one page's header and events; keep the slot
    // size fixed so the file stays an array of pages.
    if (static_cast<size_t>(n) < page_size_) {
      std::memset(slot + n, 0, page_size_ - static_cast<size_t>(n));
    }
    bytes_read_ += static_cast<uint64_t>(n);
    buffered_ += page_size_;
    ++pages;
    ++pages_;
    if (buffered_ == buffer_.size()) KTEL_TRY(flush());
  }
  KTEL_TRY(flush());
  return pages;
}

Status FtracePipeReader::flush() {
  size_t off = 0;
  while (off < buffered_) {
    ssize_t n = ::write(out_.get(), buffer_.data() + off, buffered_ - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_errno_status("write " + out_path_);
    }
    off += static_cast<size_t>(n);
  }
  buffered_ = 0;
  return Status::ok();
}

Status FtracePipeReader::finish() {
  KTEL_TRY(flush());
  if (out_.valid() && ::close(out_.release()) != 0) return last_errno_status("close " + out_path_);
  pipe_.reset();
  return Status::ok();
}

}  // namespace ktel
