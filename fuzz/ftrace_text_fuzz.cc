// Fuzzes `ktel import ftrace-text`'s parsing of a kernel text trace
// (sources/sched/text_trace_parser.h, text_trace_import.h): every input line
// goes through parse_text_trace_line with per-kind invariants, then the whole
// input through import_text_trace twice — one chunk on the calling thread,
// and chunks of 1..61 bytes (from the first byte) on 1 or 2 threads — which
// must give the same events, line numbers and accounting.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "sources/sched/sched_event_format.h"
#include "sources/sched/text_trace_import.h"
#include "sources/sched/text_trace_parser.h"

namespace {

using namespace ktel::sched;

// Small enough that fuzzed inputs have lines over it (the oversized path).
constexpr size_t kMaxLine = 256;

void check_comm(std::string_view c) { KTEL_FUZZ_CHECK(c.size() <= 16); }

void check_event(const SchedEvent& e) {
  KTEL_FUZZ_CHECK(e.ts_ns >= 0 && e.cpu >= 0 && e.common_pid >= 0);
  if (const auto* s = std::get_if<SwitchEvent>(&e.payload)) {
    check_comm(s->prev_comm.view());
    check_comm(s->next_comm.view());
    KTEL_FUZZ_CHECK(!s->prev_state.view().empty());
  } else if (const auto* o = std::get_if<OtherEvent>(&e.payload)) {
    KTEL_FUZZ_CHECK(!o->name.empty() && o->system.empty());
    // Hostile bytes in any field still make one JSON object.
    auto j = nlohmann::json::parse(o->fields_json, nullptr, false);
    KTEL_FUZZ_CHECK(!j.is_discarded() && j.is_object());
  }
  KTEL_FUZZ_CHECK(format_sched_event(e).find('\n') == std::string::npos);
}

void check_line(std::string_view line) {
  SchedEvent e;
  TextLineInfo info;
  TextLineKind kind = parse_text_trace_line(line, e, info);
  KTEL_FUZZ_CHECK(kind == info.kind);
  switch (kind) {
    case TextLineKind::kEvent:
      check_event(e);
      break;
    case TextLineKind::kMalformed:
      KTEL_FUZZ_CHECK(!info.reason.empty());
      break;
    case TextLineKind::kLostEvents:
      KTEL_FUZZ_CHECK(info.cpu >= 0 && info.lost >= -1);
      break;
    case TextLineKind::kBufferStarted:
      KTEL_FUZZ_CHECK(info.cpu >= 0);
      break;
    default:
      break;
  }
}

struct Outcome {
  std::vector<std::string> events;
  TextTraceStats stats;
};

Outcome import(std::string_view text, TextTraceOptions opt) {
  Outcome out;
  std::istringstream in{std::string(text)};
  auto r = import_text_trace(in, "fuzz", opt, [&](const SchedEvent& e, uint64_t line) {
    out.events.push_back(std::to_string(line) + " " + format_sched_event(e));
    return ktel::Status::ok();
  });
  KTEL_FUZZ_CHECK(r.is_ok());
  out.stats = std::move(*r);
  return out;
}

void check_same(const Outcome& a, const Outcome& b) {
  KTEL_FUZZ_CHECK(a.events == b.events);
  const TextTraceStats &x = a.stats, &y = b.stats;
  KTEL_FUZZ_CHECK(x.bytes == y.bytes && x.lines == y.lines && x.events == y.events);
  KTEL_FUZZ_CHECK(x.events_by_type == y.events_by_type);
  KTEL_FUZZ_CHECK(x.blank_lines == y.blank_lines && x.comment_lines == y.comment_lines);
  KTEL_FUZZ_CHECK(x.malformed_count == y.malformed_count);
  KTEL_FUZZ_CHECK(x.malformed.size() == y.malformed.size());
  for (size_t i = 0; i < x.malformed.size(); ++i) {
    KTEL_FUZZ_CHECK(x.malformed[i].line == y.malformed[i].line);
    KTEL_FUZZ_CHECK(x.malformed[i].reason == y.malformed[i].reason);
    KTEL_FUZZ_CHECK(x.malformed[i].excerpt == y.malformed[i].excerpt);
  }
  KTEL_FUZZ_CHECK(x.lost.size() == y.lost.size());
  for (const auto& [cpu, l] : x.lost) {
    auto it = y.lost.find(cpu);
    KTEL_FUZZ_CHECK(it != y.lost.end());
    KTEL_FUZZ_CHECK(l.events == it->second.events && l.markers == it->second.markers);
    KTEL_FUZZ_CHECK(l.first_line == it->second.first_line);
    KTEL_FUZZ_CHECK(l.first_after_ts_ns == it->second.first_after_ts_ns);
  }
  KTEL_FUZZ_CHECK(x.buffer_started == y.buffer_started && x.overwritten == y.overwritten);
  KTEL_FUZZ_CHECK(x.first_ts_ns == y.first_ts_ns && x.last_ts_ns == y.last_ts_ns);
  KTEL_FUZZ_CHECK(x.min_ts_ns == y.min_ts_ns && x.max_ts_ns == y.max_ts_ns);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  uint64_t lines = 0;
  for (std::string_view rest = text; !rest.empty(); ++lines) {
    size_t eol = rest.find('\n');
    check_line(rest.substr(0, eol));
    rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 1);
  }
  // One chunk: a read as large as the input (a fixed 1 MiB buffer per run
  // would cost libFuzzer more than the parse).
  Outcome whole = import(text, {.threads = 1, .chunk_bytes = size + 1, .max_line_bytes = kMaxLine});
  KTEL_FUZZ_CHECK(whole.stats.lines == lines && whole.stats.bytes == size);
  uint64_t markers = 0;
  for (const auto& [cpu, l] : whole.stats.lost) markers += l.markers;
  // Every line is exactly one of these.
  KTEL_FUZZ_CHECK(whole.stats.events + whole.stats.blank_lines + whole.stats.comment_lines +
                      whole.stats.malformed_count + markers ==
                  lines);
  KTEL_FUZZ_CHECK(whole.stats.malformed.size() <= 20);
  const uint8_t knob = size > 0 ? data[0] : 0;
  Outcome chunked = import(text, {.threads = 1 + (knob & 1),
                                  .chunk_bytes = size_t{knob} % 61 + 1,
                                  .max_line_bytes = kMaxLine});
  check_same(whole, chunked);
  return 0;
}
