// Test helpers for the sqlite sink and reader tests: temporary directories and
// the skip-or-fail rule for tests that need root.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace ktel::testing {

// A fresh directory under /tmp, removed (recursively) when the object dies.
class TempDir {
 public:
  TempDir() {
    std::string templ = "/tmp/ktel-sqlite-test-XXXXXX";
    char* p = ::mkdtemp(templ.data());
    path_ = p != nullptr ? p : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline bool kernel_required() {
  const char* v = std::getenv("KTEL_REQUIRE_KERNEL");
  return v != nullptr && std::string(v) == "1";
}

}  // namespace ktel::testing

// Skips with `why` (which should say the fix), or fails when
// KTEL_REQUIRE_KERNEL=1 demands that kernel paths really run.
#define KTEL_SKIP_OR_FAIL(why)                                   \
  do {                                                           \
    if (::ktel::testing::kernel_required()) {                    \
      FAIL() << "KTEL_REQUIRE_KERNEL=1 but: " << (why);          \
    }                                                            \
    GTEST_SKIP() << (why);                                       \
  } while (false)
