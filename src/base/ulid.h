// ULID episode ids: 48-bit millisecond time + 80 random bits, Crockford base32,
// 26 characters, lexicographically sortable by creation time.
#pragma once

#include <cstdint>
#include <string>

namespace ktel {

// Random bits come from getrandom(2).
std::string make_ulid();
std::string make_ulid(uint64_t unix_ms, const uint8_t (&random)[10]);

}  // namespace ktel
