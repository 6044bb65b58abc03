// Exact percentiles by the nearest-rank method: the p-th percentile of n
// sorted values is the value at rank ceil(p/100 * n) (1-based), so it is
// always one of the values (p50 of {1,2,3,4} is 2, p99 of 10 values is the
// largest). docs/formats/report.md states the same.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace ktel::report {

// 1-based rank of the p-th percentile among n values (n >= 1, 0 < p <= 100).
uint64_t nearest_rank(uint64_t n, int percent);

// The p-th percentile of `sorted` (ascending); nullopt when it is empty.
std::optional<int64_t> percentile_sorted(const std::vector<int64_t>& sorted, int percent);

}  // namespace ktel::report
