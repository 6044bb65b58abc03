// Test helpers for the sqlite sink and reader tests: temporary directories and
// the skip-or-fail rule for tests that need root.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "base/testing/temp_dir.h"

namespace ktel::testing {

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
