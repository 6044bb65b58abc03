// Test-only Sink that keeps every batch in memory, for source and import tests.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "model/sink.h"

namespace ktel::perf::testing {

class CollectingSink : public Sink {
 public:
  Result<TableId> open_table(const Schema& schema) override {
    std::lock_guard lock(mu_);
    for (size_t i = 0; i < schemas_.size(); ++i) {
      if (schemas_[i].table == schema.table) return static_cast<TableId>(i);
    }
    schemas_.push_back(schema);
    rows_.emplace_back();
    return static_cast<TableId>(schemas_.size() - 1);
  }
  Status append(TableId table, Batch batch) override {
    std::lock_guard lock(mu_);
    const auto& schema = schemas_.at(static_cast<size_t>(table));
    if (batch.width() != schema.columns.size() || !batch.well_formed()) {
      return internal_error("batch width " + std::to_string(batch.width()) + " does not match " +
                            schema.table);
    }
    for (size_t r = 0; r < batch.rows(); ++r) {
      std::map<std::string, Value> row;
      for (size_t c = 0; c < batch.width(); ++c) row[schema.columns[c].name] = batch.at(r, c);
      rows_[static_cast<size_t>(table)].push_back(std::move(row));
    }
    return Status::ok();
  }
  uint64_t dropped_rows() const override { return 0; }
  Status finish() override { return Status::ok(); }

  // Rows of `table` as column name → value maps; empty if never opened.
  std::vector<std::map<std::string, Value>> rows(const std::string& table) const {
    std::lock_guard lock(mu_);
    for (size_t i = 0; i < schemas_.size(); ++i) {
      if (schemas_[i].table == table) return rows_[i];
    }
    return {};
  }

 private:
  mutable std::mutex mu_;
  std::vector<Schema> schemas_;
  std::vector<std::vector<std::map<std::string, Value>>> rows_;
};

inline bool is_null(const Value& v) { return std::holds_alternative<std::monostate>(v); }

}  // namespace ktel::perf::testing
