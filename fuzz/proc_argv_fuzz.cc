// The exec fallback's /proc notes file (sources/exec/proc_argv_file.h) on
// arbitrary bytes: never crashes; a note that parses writes back to a line
// that parses to the same note; the cut tail is the bytes after the last
// newline and only counted when the lines before it all parsed.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "sources/exec/proc_argv_file.h"

namespace {

bool same(const ktel::exec::ProcArgvNote& a, const ktel::exec::ProcArgvNote& b) {
  return a.seen_ns == b.seen_ns && a.pid == b.pid && a.ppid == b.ppid && a.uid == b.uid &&
         a.comm == b.comm && a.argv == b.argv && a.argv_bytes == b.argv_bytes &&
         a.argc == b.argc && a.argv_truncated == b.argv_truncated;
}

// Every note of `text`, with the parse's status and cut tail.
ktel::Status parse_all(std::string_view text, std::string_view name,
                       std::vector<ktel::exec::ProcArgvNote>& notes, uint64_t& cut) {
  return ktel::exec::parse_proc_argv_text(text, name, [&](ktel::exec::ProcArgvNote&& n) {
    notes.push_back(std::move(n));
    return ktel::Status::ok();
  }, cut);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<ktel::exec::ProcArgvNote> notes;
  uint64_t cut = 0;
  ktel::Status s = parse_all(text, "fuzz", notes, cut);
  if (s.is_ok()) {
    size_t last_newline = text.rfind('\n');
    size_t tail = last_newline == std::string_view::npos ? size : size - last_newline - 1;
    KTEL_FUZZ_CHECK(cut == tail);
  } else {
    KTEL_FUZZ_CHECK(s.message().find("fuzz:") == 0);
  }
  for (const auto& n : notes) {
    std::string line = ktel::exec::proc_argv_note_json(n) + "\n";
    std::vector<ktel::exec::ProcArgvNote> again;
    uint64_t again_cut = 0;
    ktel::Status r = parse_all(line, "again", again, again_cut);
    KTEL_FUZZ_CHECK(r.is_ok());
    KTEL_FUZZ_CHECK(again.size() == 1);
    // Text fields were valid UTF-8 once parsed from JSON, so they survive exactly.
    KTEL_FUZZ_CHECK(same(n, again[0]));
  }
  return 0;
}
