// Reading one field out of a record payload: integers of 1/2/4/8 bytes with
// the format's signedness, and the bytes behind a __data_loc / __rel_loc
// descriptor (32 bits: low 16 the offset, high 16 the length; __rel_loc
// offsets count from the end of the descriptor). Inline, allocation-free.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "sources/sched/ftrace_format.h"

namespace ktel::sched {

// `p` must hold `size` bytes; size is 1, 2, 4 or 8 (anything else reads as 0).
inline int64_t load_int(const uint8_t* p, uint32_t size, bool is_signed) {
  switch (size) {
    case 1: {
      uint8_t v = p[0];
      return is_signed ? static_cast<int8_t>(v) : static_cast<int64_t>(v);
    }
    case 2: {
      uint16_t v;
      std::memcpy(&v, p, 2);
      return is_signed ? static_cast<int16_t>(v) : static_cast<int64_t>(v);
    }
    case 4: {
      uint32_t v;
      std::memcpy(&v, p, 4);
      return is_signed ? static_cast<int32_t>(v) : static_cast<int64_t>(v);
    }
    case 8: {
      int64_t v;
      std::memcpy(&v, p, 8);
      return v;
    }
    default:
      return 0;
  }
}

// The bytes a dynamic field points to; false when the descriptor does not fit
// the payload or points outside it. `field_offset`/`field_size` are the
// descriptor's (size 4).
inline bool resolve_loc(std::span<const uint8_t> payload, uint32_t field_offset,
                        uint32_t field_size, FieldLoc loc, std::span<const uint8_t>& out) {
  if (field_size < 4 || field_offset > payload.size() || payload.size() - field_offset < 4) {
    return false;
  }
  uint32_t desc;
  std::memcpy(&desc, payload.data() + field_offset, 4);
  size_t begin = desc & 0xffff;
  const size_t len = desc >> 16;
  if (loc == FieldLoc::kRelLoc) begin += field_offset + field_size;
  if (begin > payload.size() || payload.size() - begin < len) return false;
  out = payload.subspan(begin, len);
  return true;
}

// The text up to the first NUL (ftrace strings are NUL-terminated when they fit).
inline std::string_view c_string(std::span<const uint8_t> bytes) {
  const char* p = reinterpret_cast<const char*>(bytes.data());
  if (bytes.size() <= 32) {  // comms: a loop beats a memchr call
    size_t n = 0;
    while (n < bytes.size() && p[n] != 0) ++n;
    return {p, n};
  }
  const void* nul = std::memchr(p, 0, bytes.size());
  return {p, nul != nullptr ? static_cast<size_t>(static_cast<const char*>(nul) - p)
                            : bytes.size()};
}

}  // namespace ktel::sched
