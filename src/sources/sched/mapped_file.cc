// mmap(2) of a whole regular file, MAP_PRIVATE and read-only; the pages are
// only ever read sequentially, which madvise tells the kernel.
#include "sources/sched/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <utility>

#include "base/scoped_fd.h"

namespace ktel::sched {

Result<MappedFile> MappedFile::open(const std::string& path) {
  ScopedFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return last_errno_status("open " + path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return last_errno_status("fstat " + path);
  if (!S_ISREG(st.st_mode)) return invalid_argument(path + " is not a regular file");
  MappedFile f;
  if (st.st_size == 0) return f;
  void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd.get(), 0);
  if (p == MAP_FAILED) return last_errno_status("mmap " + path);
  ::madvise(p, static_cast<size_t>(st.st_size), MADV_SEQUENTIAL);
  f.data_ = static_cast<const uint8_t*>(p);
  f.size_ = static_cast<size_t>(st.st_size);
  return f;
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    reset();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

MappedFile::~MappedFile() { reset(); }

void MappedFile::reset() {
  if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
  data_ = nullptr;
  size_ = 0;
}

}  // namespace ktel::sched
