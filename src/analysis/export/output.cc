#include "analysis/export/output.h"

#include <cerrno>

namespace ktel {

Result<std::unique_ptr<FileOutput>> FileOutput::create(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "we");
  if (f == nullptr) return last_errno_status("create " + path);
  return std::unique_ptr<FileOutput>(new FileOutput(f, path, true));
}

std::unique_ptr<FileOutput> FileOutput::standard_output() {
  return std::unique_ptr<FileOutput>(new FileOutput(stdout, "standard output", false));
}

FileOutput::~FileOutput() {
  if (file_ != nullptr && owned_) std::fclose(file_);
}

Status FileOutput::write(std::string_view bytes) {
  if (file_ == nullptr) return Status(Code::kFailedPrecondition, name_ + ": write after close");
  if (bytes.empty()) return Status::ok();
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    return last_errno_status("write " + name_);
  }
  return Status::ok();
}

Status FileOutput::close() {
  if (file_ == nullptr) return Status::ok();
  std::FILE* f = file_;
  file_ = nullptr;
  if (std::fflush(f) != 0) {
    int err = errno;
    if (owned_) std::fclose(f);
    return errno_status(err, "write " + name_);
  }
  if (owned_ && std::fclose(f) != 0) return last_errno_status("close " + name_);
  return Status::ok();
}

}  // namespace ktel
