// Output: where writers put bytes — a file (or stdout) with every write error
// reported naming the file, or a string for tests.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace ktel {

class Output {
 public:
  virtual ~Output() = default;
  virtual Status write(std::string_view bytes) = 0;
};

class StringOutput final : public Output {
 public:
  Status write(std::string_view bytes) override {
    data_.append(bytes);
    return Status::ok();
  }
  const std::string& str() const { return data_; }

 private:
  std::string data_;
};

class FileOutput final : public Output {
 public:
  // Creates or truncates `path`.
  static Result<std::unique_ptr<FileOutput>> create(const std::string& path);
  // Standard output; close() flushes but does not close it.
  static std::unique_ptr<FileOutput> standard_output();
  ~FileOutput() override;
  FileOutput(const FileOutput&) = delete;
  FileOutput& operator=(const FileOutput&) = delete;

  Status write(std::string_view bytes) override;
  // Flushes and closes; a full disk shows up here at the latest. Call once.
  Status close();
  const std::string& name() const { return name_; }

 private:
  FileOutput(std::FILE* f, std::string name, bool owned)
      : file_(f), name_(std::move(name)), owned_(owned) {}
  std::FILE* file_;
  std::string name_;
  bool owned_;
};

}  // namespace ktel
