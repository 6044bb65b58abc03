// Fuzzes find_tracefs_in_mountinfo (sys/tracefs.h) on arbitrary
// /proc/self/mountinfo text (mount points may hold any bytes a user mounts at).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "sys/tracefs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto path = ktel::find_tracefs_in_mountinfo(text)) {
    // The answer is a mount-point field of a tracefs line of the input, so it
    // is in the input and holds neither the field separator nor a line break.
    KTEL_FUZZ_CHECK(text.find(*path) != std::string_view::npos);
    KTEL_FUZZ_CHECK(path->find_first_of(" \n") == std::string::npos);
    KTEL_FUZZ_CHECK(text.find(" - tracefs") != std::string_view::npos);
  }
  return 0;
}
