// Small conversions sections share: SQLite cells to report Values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "analysis/report/report.h"

namespace ktel::report {

inline Value to_value(const Cell& c) {
  switch (c.type) {
    case CellType::kNull: return Value{};
    case CellType::kInt64: return Value(std::in_place_type<int64_t>, c.i);
    case CellType::kDouble: return Value(std::in_place_type<double>, c.d);
    default: return Value(std::in_place_type<std::string>, std::string(c.bytes));
  }
}
inline Value int_value(int64_t v) { return Value(std::in_place_type<int64_t>, v); }
inline Value double_value(double v) { return Value(std::in_place_type<double>, v); }
inline Value text_value(std::string v) { return Value(std::in_place_type<std::string>, std::move(v)); }
inline Value opt_value(const std::optional<int64_t>& v) { return v ? int_value(*v) : Value{}; }
inline Value pct_value(int64_t part, int64_t whole) {
  if (whole <= 0) return Value{};
  return double_value(100.0 * static_cast<double>(part) / static_cast<double>(whole));
}
inline int64_t int_or(const Cell& c, int64_t fallback) {
  return c.type == CellType::kInt64 ? c.i : fallback;
}

}  // namespace ktel::report
