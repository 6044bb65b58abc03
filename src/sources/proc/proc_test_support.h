// Test helpers for the proc source: an in-memory Sink, a forked process tree
// synchronised by pipes, and the real-kernel precondition check.
#pragma once

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "model/sink.h"

namespace ktel::proc::testing {

// Skips (or, with KTEL_REQUIRE_KERNEL=1, fails) when /proc is not usable.
#define KTEL_REQUIRE_PROCFS()                                                        \
  do {                                                                               \
    if (::access("/proc/self/stat", R_OK) != 0) {                                    \
      const char* req = std::getenv("KTEL_REQUIRE_KERNEL");                          \
      if (req != nullptr && std::string(req) == "1") {                               \
        FAIL() << "/proc is not mounted; mount it with `mount -t proc proc /proc`";  \
      }                                                                              \
      GTEST_SKIP() << "/proc is not mounted; mount it with `mount -t proc proc /proc`"; \
    }                                                                                \
  } while (false)

// Collects batches per table; can fail appends on demand.
class FakeSink : public Sink {
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

inline int64_t as_int(const Value& v) { return std::get<int64_t>(v); }
inline bool is_null(const Value& v) { return std::holds_alternative<std::monostate>(v); }

// A root process with `children` children, each with `grandchildren`
// children. Every process reports its pid on a pipe, then parents reap their
// children as they die and everyone exits when the release pipe closes.
class SpawnedTree {
 public:
  SpawnedTree(int children, int grandchildren, const char* root_comm = nullptr) {
    if (::pipe(ready_) != 0 || ::pipe(release_) != 0) std::abort();
    root_ = ::fork();
    if (root_ == 0) {
      ::close(release_[1]);
      ::close(ready_[0]);
      if (root_comm != nullptr) ::prctl(PR_SET_NAME, root_comm, 0, 0, 0);
      for (int c = 0; c < children; ++c) {
        if (::fork() == 0) {
          for (int g = 0; g < grandchildren; ++g) {
            if (::fork() == 0) serve(false);
          }
          serve(true);
        }
      }
      serve(true);
    }
    ::close(ready_[1]);
    ::close(release_[0]);
    int total = 1 + children + children * grandchildren;
    for (int i = 0; i < total; ++i) {
      pid_t pid = 0;
      if (::read(ready_[0], &pid, sizeof(pid)) != sizeof(pid)) std::abort();
      pids_.push_back(pid);
    }
  }
  ~SpawnedTree() {
    ::close(release_[1]);
    int status = 0;
    ::waitpid(root_, &status, 0);
    ::close(ready_[0]);
  }
  pid_t root() const { return root_; }
  const std::vector<pid_t>& pids() const { return pids_; }

 private:
  [[noreturn]] void serve(bool reap) {
    pid_t self = ::getpid();
    if (::write(ready_[1], &self, sizeof(self)) != sizeof(self)) ::_exit(2);
    if (reap) {
      while (::wait(nullptr) > 0 || errno == EINTR) {
      }
    }
    char c;
    while (::read(release_[0], &c, 1) < 0 && errno == EINTR) {
    }
    ::_exit(0);
  }

  pid_t root_ = -1;
  int ready_[2] = {-1, -1};
  int release_[2] = {-1, -1};
  std::vector<pid_t> pids_;
};

}  // namespace ktel::proc::testing
