// The rule for tests of kernel paths: skip with the fix when a precondition is
// missing, but fail when KTEL_REQUIRE_KERNEL=1 (CI) demands they really run.
// Test-only.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace ktel::testing {

inline bool kernel_required() {
  const char* v = std::getenv("KTEL_REQUIRE_KERNEL");
  return v != nullptr && std::string(v) == "1";
}

}  // namespace ktel::testing

// Skips with `why` (which should say the fix), or fails when
// KTEL_REQUIRE_KERNEL=1. Returns from the calling function either way.
#define KTEL_SKIP_OR_FAIL(why)                                   \
  do {                                                           \
    if (::ktel::testing::kernel_required()) {                    \
      FAIL() << "KTEL_REQUIRE_KERNEL=1 but: " << (why);          \
    }                                                            \
    GTEST_SKIP() << (why);                                       \
  } while (false)
