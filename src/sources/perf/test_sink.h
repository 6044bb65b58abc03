// Test-only Sink for perf source and import tests: the shared MemorySink.
#pragma once

#include "model/testing/memory_sink.h"

namespace ktel::perf::testing {

using CollectingSink = ::ktel::testing::MemorySink;
using ::ktel::testing::is_null;

}  // namespace ktel::perf::testing
