#include "base/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "base/scoped_fd.h"

namespace ktel {

Result<std::string> read_file(const std::string& path) {
  ScopedFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return last_errno_status("open " + path);
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_errno_status("read " + path);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

namespace {
Status write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_errno_status("write " + path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::ok();
}
}  // namespace

Status write_file_atomic(const std::string& path, std::string_view content) {
  std::filesystem::path target(path);
  std::string dir = target.has_parent_path() ? target.parent_path().string() : ".";
  std::string tmp_template = dir + "/." + target.filename().string() + ".tmpXXXXXX";
  ScopedFd fd(::mkostemp(tmp_template.data(), O_CLOEXEC));
  if (!fd.valid()) return last_errno_status("create temporary file in " + dir);
  const std::string& tmp = tmp_template;
  Status st = write_all(fd.get(), content, tmp);
  if (st.is_ok() && ::fchmod(fd.get(), 0644) != 0) st = last_errno_status("chmod " + tmp);
  if (st.is_ok() && ::fsync(fd.get()) != 0) st = last_errno_status("fsync " + tmp);
  fd.reset();
  if (st.is_ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    st = last_errno_status("rename " + tmp + " to " + path);
  }
  if (!st.is_ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  ScopedFd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.valid()) ::fsync(dfd.get());  // best effort: the rename already happened
  return Status::ok();
}

Status make_dirs(const std::string& path, unsigned mode) {
  std::string partial;
  partial.reserve(path.size());
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t next = path.find('/', pos);
    if (next == std::string::npos) next = path.size();
    partial = path.substr(0, next);
    pos = next + 1;
    if (partial.empty()) continue;
    if (::mkdir(partial.c_str(), mode) != 0 && errno != EEXIST) {
      return last_errno_status("mkdir " + partial);
    }
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return last_errno_status("stat " + path);
  if (!S_ISDIR(st.st_mode)) return Status(Code::kAlreadyExists, path + " exists and is not a directory");
  return Status::ok();
}

Status chown_tree(const std::string& path, unsigned uid, unsigned gid) {
  Status first;
  auto note = [&](const std::string& p) {
    if (::lchown(p.c_str(), uid, gid) != 0 && first.is_ok()) first = last_errno_status("chown " + p);
  };
  note(path);
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    note(it->path().string());
  }
  if (ec && first.is_ok()) first = errno_status(ec.value(), "walk " + path);
  return first;
}

}  // namespace ktel
