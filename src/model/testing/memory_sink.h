// MemorySink: a Sink that keeps every row in memory, for tests of sources,
// importers and the event log. Can fail appends on demand (disk full).
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "model/sink.h"

namespace ktel::testing {

class MemorySink : public Sink {
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
    if (table < 0 || static_cast<size_t>(table) >= schemas_.size()) {
      return internal_error("bad table id");
    }
    if (batch.width() != schemas_[table].columns.size() || !batch.well_formed()) {
      return internal_error("batch width does not match " + schemas_[table].table);
    }
    if (fail_appends_) {
      dropped_ += batch.rows();
      return Status(Code::kResourceExhausted, "disk full (fake)", ENOSPC);
    }
    for (size_t r = 0; r < batch.rows(); ++r) {
      std::vector<Value> row;
      for (size_t c = 0; c < batch.width(); ++c) row.push_back(batch.at(r, c));
      rows_[table].push_back(std::move(row));
    }
    cv_.notify_all();
    return Status::ok();
  }
  uint64_t dropped_rows() const override { return dropped_; }
  Status finish() override { return Status::ok(); }

  void set_fail_appends(bool fail) {
    std::lock_guard lock(mu_);
    fail_appends_ = fail;
  }
  // Rows of `table` as column-name -> value maps.
  std::vector<std::map<std::string, Value>> rows(const std::string& table) const {
    std::lock_guard lock(mu_);
    std::vector<std::map<std::string, Value>> out;
    for (size_t t = 0; t < schemas_.size(); ++t) {
      if (schemas_[t].table != table) continue;
      for (const auto& row : rows_[t]) {
        std::map<std::string, Value> m;
        for (size_t c = 0; c < row.size(); ++c) m[schemas_[t].columns[c].name] = row[c];
        out.push_back(std::move(m));
      }
    }
    return out;
  }
  // Waits (bounded) until `table` holds at least `n` rows.
  bool wait_rows(const std::string& table, size_t n, std::chrono::seconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] {
      for (size_t t = 0; t < schemas_.size(); ++t) {
        if (schemas_[t].table == table && rows_[t].size() >= n) return true;
      }
      return false;
    });
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Schema> schemas_;
  std::vector<std::vector<std::vector<Value>>> rows_;
  bool fail_appends_ = false;
  uint64_t dropped_ = 0;
};

inline bool is_null(const Value& v) { return std::holds_alternative<std::monostate>(v); }

}  // namespace ktel::testing
