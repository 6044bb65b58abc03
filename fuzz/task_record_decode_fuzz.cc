// Fuzzes the decoder of BPF task-iterator records (sys/bpf/task_record_decode.h)
// on arbitrary bytes: as read (size and version checks), with the version
// field forced so every record reaches the per-process aggregation, and
// adjust_cputime on arbitrary counters.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "sys/bpf/task_record.h"
#include "sys/bpf/task_record_decode.h"

namespace {

constexpr size_t kRecordSize = sizeof(KtelTaskRecord);

void check_rows(const std::vector<ktel::TaskStats>& rows, size_t records, bool with_threads) {
  KTEL_FUZZ_CHECK(rows.size() <= (with_threads ? 2 * records : records));
  for (const ktel::TaskStats& s : rows) {
    KTEL_FUZZ_CHECK(s.comm.size() <= 15);
    KTEL_FUZZ_CHECK(s.state != '\0' &&
                    std::string_view("RSDTtXZPI").find(s.state) != std::string_view::npos);
    if (!with_threads) KTEL_FUZZ_CHECK(!s.is_thread);
  }
}

void check_adjust_cputime(const uint8_t* data, size_t size) {
  uint64_t v[5];
  if (size < sizeof(v)) return;
  std::memcpy(v, data, sizeof(v));
  const ktel::bpf::CpuTimes prev{v[3], v[4]};
  if (prev.utime_ns > UINT64_MAX - prev.stime_ns) return;  // no such kernel state
  const ktel::bpf::CpuTimes got = ktel::bpf::adjust_cputime(v[0], v[1], v[2], prev);
  if (prev.utime_ns + prev.stime_ns >= v[2]) {
    KTEL_FUZZ_CHECK(got == prev);
  } else {
    // The kernel's guarantees: the split adds up to rtime and neither part
    // goes backwards.
    KTEL_FUZZ_CHECK(got.utime_ns + got.stime_ns == v[2]);
    KTEL_FUZZ_CHECK(got.utime_ns >= prev.utime_ns && got.stime_ns >= prev.stime_ns);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ktel::bpf;
  check_adjust_cputime(data, size);

  std::vector<ktel::TaskStats> rows;
  const auto raw = std::as_bytes(std::span(data, size));
  if (decode_task_records(raw, {}, rows).is_ok()) {
    KTEL_FUZZ_CHECK(size % kRecordSize == 0);
    check_rows(rows, size / kRecordSize, false);
  }

  // Whole records of the right version, so decoding always gets past the checks.
  const size_t n = size / kRecordSize;
  std::vector<KtelTaskRecord> recs(n);
  if (n > 0) std::memcpy(recs.data(), data, n * kRecordSize);
  for (KtelTaskRecord& r : recs) r.version = KTEL_TASK_REC_VERSION;
  const auto bytes = std::as_bytes(std::span(recs));
  for (bool with_threads : {false, true}) {
    rows.clear();
    KTEL_FUZZ_CHECK(decode_task_records(bytes, {.with_threads = with_threads}, rows).is_ok());
    check_rows(rows, n, with_threads);
  }
  return 0;
}
