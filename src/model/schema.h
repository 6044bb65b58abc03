// Table schemas and row batches: the contract between sources (which fill
// batches) and sinks (which store them). Every table is described once, here or
// in tables.cc, and specified in docs/formats/episode.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ktel {

enum class ColumnType { kInt64, kDouble, kText };

std::string_view column_type_sql(ColumnType type);  // INTEGER / REAL / TEXT

struct Column {
  std::string name;
  ColumnType type = ColumnType::kInt64;
  std::string unit;         // "ns", "bytes", "count", "" for none
  std::string description;  // one line, goes into the docs
};

struct Schema {
  std::string table;
  std::vector<Column> columns;

  // Index of a column by name, or -1.
  int index_of(std::string_view name) const;
};

// The four columns every telemetry row starts with.
inline constexpr int kCommonColumnCount = 4;
std::vector<Column> common_columns();
// A telemetry schema: common columns followed by `specific`.
Schema telemetry_schema(std::string table, std::vector<Column> specific);

// A cell: NULL, integer, real or text.
using Value = std::variant<std::monostate, int64_t, double, std::string>;

// Row-major batch of rows for one table. Not thread-safe; hand it to a sink
// with std::move.
class Batch {
 public:
  explicit Batch(size_t width) : width_(width) {}

  size_t width() const { return width_; }
  size_t rows() const { return width_ == 0 ? 0 : cells_.size() / width_; }
  bool empty() const { return cells_.empty(); }
  // True when every row is complete.
  bool well_formed() const { return width_ != 0 && cells_.size() % width_ == 0; }

  // Appends one cell; rows are filled left to right in schema order.
  // (Each alternative is constructed in place: moving a whole Value trips
  // g++ 12's -Wmaybe-uninitialized false positive on std::variant at -O2.)
  Batch& add(Value v) {
    cells_.push_back(std::move(v));
    return *this;
  }
  Batch& add_null() {
    cells_.emplace_back();
    return *this;
  }
  Batch& add_int(int64_t v) {
    cells_.emplace_back(std::in_place_type<int64_t>, v);
    return *this;
  }
  Batch& add_double(double v) {
    cells_.emplace_back(std::in_place_type<double>, v);
    return *this;
  }
  Batch& add_text(std::string v) {
    cells_.emplace_back(std::in_place_type<std::string>, std::move(v));
    return *this;
  }
  // Appends the four common columns.
  Batch& add_common(int64_t t_mono_ns, int64_t t_wall_ns, std::string_view source,
                    bool available_in_deployment) {
    add_int(t_mono_ns);
    add_int(t_wall_ns);
    add_text(std::string(source));
    return add_int(available_in_deployment ? 1 : 0);
  }

  const Value& at(size_t row, size_t col) const { return cells_[row * width_ + col]; }
  const std::vector<Value>& cells() const { return cells_; }
  void reserve_rows(size_t n) { cells_.reserve(n * width_); }
  void clear() { cells_.clear(); }

 private:
  size_t width_;
  std::vector<Value> cells_;
};

}  // namespace ktel
