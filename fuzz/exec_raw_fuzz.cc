// The exec source's raw capture (sources/exec/exec_raw_file.h) and the
// processes derivation (process_builder.h) on arbitrary bytes: the file may
// be cut or damaged, the records hostile. Parsing in one chunk and in chunks
// of 1..61 bytes gives the same frames and outcome; every decoded stream
// folds into processes rows with no negative duration, exactly one closed row
// per last-thread exit.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "sources/exec/exec_raw_file.h"
#include "sources/exec/process_builder.h"

namespace {

struct Outcome {
  bool ok = false;
  std::vector<std::string> frames;
  ktel::exec::ExecRawSummary summary;
};

Outcome parse(std::span<const std::byte> bytes, size_t chunk) {
  Outcome out;
  ktel::exec::ExecRawParser parser("fuzz", nullptr);
  auto keep = [&](std::span<const std::byte> f) {
    out.frames.emplace_back(reinterpret_cast<const char*>(f.data()), f.size());
    return ktel::Status::ok();
  };
  for (size_t off = 0; off < bytes.size(); off += chunk) {
    if (!parser.feed(bytes.subspan(off, std::min(chunk, bytes.size() - off)), keep).is_ok()) {
      return out;
    }
  }
  auto s = parser.finish();
  if (!s.is_ok()) return out;
  out.ok = true;
  out.summary = *s;
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  Outcome whole = parse(bytes, bytes.size() + 1);
  Outcome chunked = parse(bytes, 1 + size % 61);
  KTEL_FUZZ_CHECK(whole.ok == chunked.ok);
  KTEL_FUZZ_CHECK(whole.frames == chunked.frames);
  if (!whole.ok) return 0;
  KTEL_FUZZ_CHECK(whole.summary.frames == whole.frames.size());
  KTEL_FUZZ_CHECK(whole.summary.bytes + whole.summary.truncated_tail_bytes == size);
  KTEL_FUZZ_CHECK(whole.summary.frames == chunked.summary.frames &&
                  whole.summary.truncated_tail_bytes == chunked.summary.truncated_tail_bytes);

  ktel::exec::ProcessBuilder builder;
  size_t last_exits = 0;
  ktel::ExecDecodeOptions options{.max_args = 8, .page_size = 4096};
  for (const std::string& f : whole.frames) {
    auto e = ktel::decode_exec_record({reinterpret_cast<const std::byte*>(f.data()), f.size()},
                                      options);
    if (!e.is_ok()) continue;
    const auto* x = std::get_if<ktel::ExecLifecycleExit>(&*e);
    if (x != nullptr && x->group_dead) ++last_exits;
    builder.add(*e);
  }
  size_t closed = 0;
  for (const auto& row : builder.finish()) {
    if (row.exit_ns) ++closed;
    if (auto d = row.duration_ns()) KTEL_FUZZ_CHECK(*d >= 0);
    KTEL_FUZZ_CHECK(row.exec_count >= 0);
    if (row.argv) KTEL_FUZZ_CHECK(row.argv->size() <= 8);
  }
  KTEL_FUZZ_CHECK(closed == last_exits);
  return 0;
}
