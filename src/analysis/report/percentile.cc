#include "analysis/report/percentile.h"

#include <algorithm>

namespace ktel::report {

uint64_t nearest_rank(uint64_t n, int percent) {
  if (n == 0) return 0;
  uint64_t p = static_cast<uint64_t>(std::clamp(percent, 1, 100));
  // ceil(p * n / 100) in integers, exact for every n a trace can hold.
  uint64_t rank = (p * n + 99) / 100;
  return std::clamp<uint64_t>(rank, 1, n);
}

std::optional<int64_t> percentile_sorted(const std::vector<int64_t>& sorted, int percent) {
  if (sorted.empty()) return std::nullopt;
  return sorted[nearest_rank(sorted.size(), percent) - 1];
}

}  // namespace ktel::report
