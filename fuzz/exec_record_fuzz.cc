// decode_exec_record (sys/bpf/exec_record_decode.h) on arbitrary bytes: the
// records come from the kernel, but argv and names from any process, and a
// corrupt record must be an error, never a crash or an over-read. An accepted
// exec record keeps at most max_args arguments and flags anything cut.
#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>

#include "fuzz/fuzz_check.h"
#include "sys/bpf/exec_record_decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  auto e = ktel::decode_exec_record(bytes, {.max_args = 8, .page_size = 4096});
  if (!e.is_ok()) return 0;
  if (const auto* x = std::get_if<ktel::ExecLifecycleExec>(&*e)) {
    KTEL_FUZZ_CHECK(x->argv.size() <= 8);
    KTEL_FUZZ_CHECK(x->filename.size() <= 256 && x->comm.size() <= 16);
    if (x->argv.size() < x->argc) KTEL_FUZZ_CHECK(x->argv_truncated);
  }
  return 0;
}
