#include "base/ulid.h"

#include <sys/random.h>

#include "base/clock.h"

namespace ktel {

namespace {
constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
}

std::string make_ulid(uint64_t unix_ms, const uint8_t (&random)[10]) {
  // 128 bits = 48-bit time (big-endian) followed by 80 random bits, written as
  // 26 base32 digits (the first digit carries only 3 bits).
  uint8_t bytes[16];
  for (int i = 0; i < 6; ++i) bytes[i] = static_cast<uint8_t>(unix_ms >> (8 * (5 - i)));
  for (int i = 0; i < 10; ++i) bytes[6 + i] = random[i];
  std::string out(26, '0');
  for (int digit = 25, bit = 0; digit >= 0; --digit, bit += 5) {
    unsigned value = 0;
    for (int b = 0; b < 5; ++b) {
      int pos = bit + b;  // bit index from the least significant end
      if (pos >= 128) break;
      int byte = 15 - pos / 8;
      if (bytes[byte] & (1u << (pos % 8))) value |= 1u << b;
    }
    out[static_cast<size_t>(digit)] = kAlphabet[value];
  }
  return out;
}

std::string make_ulid() {
  uint8_t random[10] = {};
  size_t got = 0;
  while (got < sizeof random) {
    ssize_t n = ::getrandom(random + got, sizeof random - got, 0);
    if (n <= 0) break;  // getrandom without flags only fails on EINTR/ENOSYS
    got += static_cast<size_t>(n);
  }
  return make_ulid(static_cast<uint64_t>(realtime_now_ns() / 1'000'000), random);
}

}  // namespace ktel
