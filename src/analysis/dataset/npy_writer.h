// A NumPy .npy file (format version 1.0) of little-endian int32 in C order,
// written in a stream: the shape is fixed up front, values are appended, and
// finish() checks that exactly shape's product of values came.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/atomic_output_file.h"
#include "base/status.h"

namespace ktel::dataset {

// The header: magic, version 1.0, the dict, padded with spaces and a newline
// so that the data starts at a multiple of 64 bytes.
std::string npy_header_int32(const std::vector<uint64_t>& shape);

class NpyInt32Writer {
 public:
  static Result<NpyInt32Writer> create(const std::string& path, std::vector<uint64_t> shape);
  void append(int32_t v) {
    char b[4] = {static_cast<char>(v & 0xff), static_cast<char>((v >> 8) & 0xff),
                 static_cast<char>((v >> 16) & 0xff), static_cast<char>((static_cast<uint32_t>(v) >> 24) & 0xff)};
    file_.buffer().append(b, 4);
    ++count_;
  }
  Status maybe_flush() { return file_.maybe_flush(); }
  // kInternal when fewer or more values came than the shape holds.
  Status finish();

 private:
  NpyInt32Writer(AtomicOutputFile file, uint64_t expected)
      : file_(std::move(file)), expected_(expected) {}
  AtomicOutputFile file_;
  uint64_t expected_;
  uint64_t count_ = 0;
};

}  // namespace ktel::dataset
