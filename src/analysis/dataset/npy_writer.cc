#include "analysis/dataset/npy_writer.h"

#include <fmt/format.h>

namespace ktel::dataset {

std::string npy_header_int32(const std::vector<uint64_t>& shape) {
  std::string dims;
  for (uint64_t d : shape) dims += fmt::format("{}, ", d);
  if (shape.size() > 1) dims.resize(dims.size() - 2);  // (N,) keeps its comma
  else if (shape.size() == 1) dims.pop_back();
  std::string dict = fmt::format("{{'descr': '<i4', 'fortran_order': False, 'shape': ({}), }}", dims);
  size_t unpadded = 10 + dict.size() + 1;  // magic(6) version(2) length(2) dict '\n'
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(dict.size() & 0xff);
  out += static_cast<char>((dict.size() >> 8) & 0xff);
  return out + dict;
}

Result<NpyInt32Writer> NpyInt32Writer::create(const std::string& path, std::vector<uint64_t> shape) {
  uint64_t expected = 1;
  for (uint64_t d : shape) expected *= d;
  KTEL_ASSIGN_OR_RETURN(AtomicOutputFile file, AtomicOutputFile::create(path));
  KTEL_TRY(file.append(npy_header_int32(shape)));
  return NpyInt32Writer(std::move(file), expected);
}

Status NpyInt32Writer::finish() {
  if (count_ != expected_) {
    return internal_error(fmt::format("{}: {} values written, the shape holds {}", file_.path(),
                                      count_, expected_));
  }
  return file_.finish();
}

}  // namespace ktel::dataset
