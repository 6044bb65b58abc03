#include "base/atomic_output_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include <fmt/format.h>

namespace ktel {

Result<AtomicOutputFile> AtomicOutputFile::create(const std::string& path) {
  std::string temp = fmt::format("{}.tmp-{}", path, ::getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return last_errno_status(fmt::format("cannot create {}", temp));
  AtomicOutputFile file(path, std::move(temp), ScopedFd(fd));
  file.buffer_.reserve(kFlushBytes + (kFlushBytes >> 2));
  return file;
}

AtomicOutputFile& AtomicOutputFile::operator=(AtomicOutputFile&& other) noexcept {
  if (this != &other) {
    if (!finished_ && !temp_.empty()) ::unlink(temp_.c_str());
    path_ = std::move(other.path_);
    temp_ = std::exchange(other.temp_, std::string());
    fd_ = std::move(other.fd_);
    buffer_ = std::move(other.buffer_);
    written_ = other.written_;
    finished_ = other.finished_;
  }
  return *this;
}

AtomicOutputFile::~AtomicOutputFile() {
  if (!finished_ && !temp_.empty()) ::unlink(temp_.c_str());
}

Status AtomicOutputFile::append(std::string_view bytes) {
  buffer_.append(bytes);
  return maybe_flush();
}

Status AtomicOutputFile::flush() {
  size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = ::write(fd_.get(), buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return last_errno_status(fmt::format("cannot write {}", temp_));
    done += static_cast<size_t>(n);
  }
  written_ += done;
  buffer_.clear();
  return Status::ok();
}

Status AtomicOutputFile::finish() {
  KTEL_TRY(flush());
  if (::fdatasync(fd_.get()) != 0) return last_errno_status(fmt::format("cannot sync {}", temp_));
  fd_.reset();
  if (::rename(temp_.c_str(), path_.c_str()) != 0) {
    return last_errno_status(fmt::format("cannot rename {} to {}", temp_, path_));
  }
  finished_ = true;
  return Status::ok();
}

}  // namespace ktel
