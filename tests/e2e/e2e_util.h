// Helpers for end-to-end tests that drive the real ktel binary (KTEL_BIN)
// against the real kernel and read results back with independent tools
// (the sqlite3 CLI, python3).
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/testing/temp_dir.h"

namespace ktel::e2e {

struct RunResult {
  int exit_code = -1;  // 128+N when killed by signal N
  std::string out;
  std::string err;
};

std::string ktel_bin();

// Runs argv with a bounded wait (kills it after timeout_s). Output captured.
RunResult run(const std::vector<std::string>& argv, int timeout_s = 60);
RunResult run_ktel(const std::vector<std::string>& args, int timeout_s = 60);

// Starts argv in the background; stdout/stderr go to files in `dir`.
pid_t start_background(const std::vector<std::string>& argv, const std::string& dir);
// Waits for a background child; returns shell-style exit code, or -1 on timeout
// (then the child is killed).
int wait_child(pid_t pid, int timeout_s);

// `sqlite3 -json DB SQL` parsed; an empty result is an empty array. Fails the
// current test (ADD_FAILURE) on errors.
nlohmann::json sql(const std::string& db, const std::string& query);
int64_t sql_int(const std::string& db, const std::string& query);
// As sql_int, but -1 instead of a test failure when sqlite3 fails (for polling
// an episode that may not have its tables yet).
int64_t try_sql_int(const std::string& db, const std::string& query);

nlohmann::json read_json(const std::string& path);
bool file_exists(const std::string& path);

// A fresh directory under /tmp, removed by the destructor; `tmp / "x"` names
// a path inside it.
class TempDir : public ::ktel::testing::TempDir {
 public:
  std::string operator/(const std::string& name) const { return path() + "/" + name; }
};

// True when the test may use root-only kernel paths; otherwise skips, or fails
// when KTEL_REQUIRE_KERNEL=1. Use as: if (!require_root()) return;
bool require_root_impl(const char* why);
#define KTEL_REQUIRE_ROOT(why)                                    \
  do {                                                            \
    if (!::ktel::e2e::require_root_impl(why)) GTEST_SKIP() << why; \
  } while (false)

// Polls fn every 20 ms until it returns true or timeout_s passes.
bool eventually(const std::function<bool()>& fn, int timeout_s);

}  // namespace ktel::e2e
