// PyRandom against CPython's random.Random: fixed values taken from python3
// 3.11, and a live comparison with the python3 on this machine.
#include "analysis/dataset/py_random.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <numeric>
#include <string>

#include <fmt/format.h>

namespace ktel::dataset {
namespace {

TEST(PyRandom, MatchesCPythonForSeed42) {
  PyRandom r(42);
  EXPECT_EQ(r.getrandbits(32), 2746317213u);
  EXPECT_EQ(r.getrandbits(32), 478163327u);
  EXPECT_EQ(r.getrandbits(32), 107420369u);
  PyRandom s(42);
  std::vector<int> x(10);
  std::iota(x.begin(), x.end(), 0);
  s.shuffle(x);
  EXPECT_EQ(x, (std::vector<int>{7, 3, 2, 8, 5, 6, 9, 4, 0, 1}));
  EXPECT_EQ(s.choice_index(7), 4u);
}

TEST(PyRandom, SeedsWiderThan32BitsAndDrawsWiderThan32Bits) {
  PyRandom r((uint64_t{1} << 40) + 5);
  EXPECT_EQ(r.getrandbits(7), 64u);
  EXPECT_EQ(r.randbelow((uint64_t{1} << 33) + 3), 6515128124u);
}

std::string run_python(const std::string& program) {
  std::string cmd = "python3 -c '" + program + "'";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return "";
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

// The oracle: the same draws made by the python3 on this machine.
TEST(PyRandom, ShuffleAndChoiceAgreeWithLivePython) {
  for (uint64_t seed : {uint64_t{0}, uint64_t{1}, uint64_t{7}, uint64_t{42}, uint64_t{123456789},
                        (uint64_t{1} << 32) + 7, ~uint64_t{0} >> 1}) {
    std::string expected = run_python(fmt::format(
        "import random\nr = random.Random({})\nfor n in (1, 2, 3, 5, 37, 1000):\n"
        "    x = list(range(n)); r.shuffle(x); print(*x, r.choice(range(n)))\n",
        seed));
    ASSERT_FALSE(expected.empty()) << "python3 is needed (scripts/setup.sh installs it)";
    PyRandom r(seed);
    std::string actual;
    for (int n : {1, 2, 3, 5, 37, 1000}) {
      std::vector<int> x(static_cast<size_t>(n));
      std::iota(x.begin(), x.end(), 0);
      r.shuffle(x);
      for (int v : x) actual += fmt::format("{} ", v);
      actual += fmt::format("{}\n", r.choice_index(static_cast<size_t>(n)));
    }
    // print(*x, c) separates with single spaces.
    std::string normalized;
    for (size_t i = 0; i < actual.size(); ++i) {
      if (actual[i] == ' ' && i + 1 < actual.size() && actual[i + 1] == '\n') continue;
      normalized += actual[i];
    }
    EXPECT_EQ(normalized, expected) << "seed " << seed;
  }
}

}  // namespace
}  // namespace ktel::dataset
