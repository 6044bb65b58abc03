// The seeded generator of `ktel dataset build`: MT19937 seeded and drawn from
// exactly as CPython's random.Random(seed) does (init_by_array, getrandbits,
// _randbelow, shuffle, choice), so a split made here is the split a Python
// script with the same seed makes, and the output is the same on every host.
#pragma once

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace ktel::dataset {

class PyRandom {
 public:
  // random.Random(seed) for a non-negative integer seed.
  explicit PyRandom(uint64_t seed);

  // random.getrandbits(k) for 1 <= k <= 32.
  uint32_t getrandbits(int k);
  // random._randbelow(n) for n >= 1: uniform in [0, n).
  uint64_t randbelow(uint64_t n);

  // random.shuffle(items).
  template <typename T>
  void shuffle(std::vector<T>& items) {
    for (size_t i = items.size(); i-- > 1;) {
      size_t j = static_cast<size_t>(randbelow(i + 1));
      std::swap(items[i], items[j]);
    }
  }
  // Index random.choice(seq) picks for a sequence of `size` >= 1 elements.
  size_t choice_index(size_t size) { return static_cast<size_t>(randbelow(size)); }

 private:
  std::mt19937 mt_;
};

}  // namespace ktel::dataset
