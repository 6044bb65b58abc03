// KTEL_FUZZ_CHECK: a property a fuzz target asserts on every input. Aborts (a
// crash to libFuzzer and to the replay test) with the failed condition.
#pragma once

#include <cstdio>
#include <cstdlib>

#define KTEL_FUZZ_CHECK(cond)                                                            \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)
