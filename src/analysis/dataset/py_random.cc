#include "analysis/dataset/py_random.h"

#include <array>
#include <bit>

namespace ktel::dataset {

namespace {

constexpr size_t kStateWords = 624;

// The MT19937 state CPython's init_by_array(key) leaves, handed to
// std::mt19937 through the SeedSequence interface (seed() copies the words
// as the engine's state; the first output then regenerates it, as CPython's
// mti = N does).
class InitByArray {
 public:
  using result_type = uint32_t;
  explicit InitByArray(const std::vector<uint32_t>& key) {
    init_genrand(19650218u);
    size_t i = 1, j = 0;
    for (size_t k = std::max(kStateWords, key.size()); k > 0; --k) {
      mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1664525u)) + key[j] +
               static_cast<uint32_t>(j);
      ++i, ++j;
      if (i >= kStateWords) mt_[0] = mt_[kStateWords - 1], i = 1;
      if (j >= key.size()) j = 0;
    }
    for (size_t k = kStateWords - 1; k > 0; --k) {
      mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1566083941u)) -
               static_cast<uint32_t>(i);
      ++i;
      if (i >= kStateWords) mt_[0] = mt_[kStateWords - 1], i = 1;
    }
    mt_[0] = 0x80000000u;
  }
  template <typename It>
  void generate(It begin, It end) const {
    for (size_t n = 0; begin != end && n < kStateWords; ++begin, ++n) *begin = mt_[n];
  }

 private:
  void init_genrand(uint32_t s) {
    mt_[0] = s;
    for (size_t n = 1; n < kStateWords; ++n) {
      mt_[n] = 1812433253u * (mt_[n - 1] ^ (mt_[n - 1] >> 30)) + static_cast<uint32_t>(n);
    }
  }
  std::array<uint32_t, kStateWords> mt_{};
};

// CPython seeds from abs(seed) cut into 32-bit words, least significant
// first; zero is the one-word key [0].
std::vector<uint32_t> seed_key(uint64_t seed) {
  std::vector<uint32_t> key;
  do {
    key.push_back(static_cast<uint32_t>(seed & 0xffffffffu));
    seed >>= 32;
  } while (seed != 0);
  return key;
}

}  // namespace

PyRandom::PyRandom(uint64_t seed) {
  InitByArray seq(seed_key(seed));
  mt_.seed(seq);
}

uint32_t PyRandom::getrandbits(int k) { return static_cast<uint32_t>(mt_()) >> (32 - k); }

uint64_t PyRandom::randbelow(uint64_t n) {
  int k = std::bit_width(n);
  if (k <= 32) {
    uint64_t r = getrandbits(k);
    while (r >= n) r = getrandbits(k);
    return r;
  }
  // getrandbits(k > 32) fills 32-bit words from the low end; the top word
  // keeps its high bits (CPython's _random_getrandbits).
  auto draw = [this, k] {
    uint64_t low = static_cast<uint32_t>(mt_());
    uint64_t high = static_cast<uint32_t>(mt_()) >> (64 - k);
    return low | (high << 32);
  };
  uint64_t r = draw();
  while (r >= n) r = draw();
  return r;
}

}  // namespace ktel::dataset
