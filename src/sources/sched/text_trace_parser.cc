// The line layout of the kernel's text trace (kernel/trace/trace_output.c):
//   "%16s-%-7d " comm and pid ("%-5d" before 5.x), "(%7d) " or "(-------) "
//   with options/record-tgid, "[%03d] " CPU, the irq-info flags ("d..2." since
//   5.17, "d..2" before; absent with options/irq-info=0), " %5lu.%06lu: " for
//   time clocks or "%12llu: " for counter clocks, then "<event>: <fields>".
// The comm is the task's name (or "<...>"), so it can hold spaces, dashes,
// brackets and digits; the task/CPU column is therefore found from the CPU
// backwards, trying the kernel's own alignment (the dash at byte 16) first.
#include "sources/sched/text_trace_parser.h"

#include <array>
#include <cstring>

#include "sources/sched/text_trace_bodies.h"

namespace ktel::sched {

namespace {

constexpr size_t kCommColumn = 16;  // "%16s-": the pid's dash when the comm fits

bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr auto kNameChars = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) {
    t[c] = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }
  return t;
}();
bool is_name_char(char c) { return kNameChars[static_cast<unsigned char>(c)]; }
bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && std::memcmp(s.data(), p.data(), p.size()) == 0;
}
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() &&
         std::memcmp(s.data() + s.size() - p.size(), p.data(), p.size()) == 0;
}

// Non-negative decimal at s[i..) up to a non-digit; advances i. False when no
// digit or when the value exceeds `max`.
bool read_uint(std::string_view s, size_t& i, uint64_t max, uint64_t& out) {
  size_t start = i;
  uint64_t v = 0;
  while (i < s.size() && is_digit(s[i])) {
    if (i - start >= 19) return false;
    v = v * 10 + static_cast<uint64_t>(s[i] - '0');
    ++i;
  }
  if (i == start || v > max) return false;
  out = v;
  return true;
}

size_t skip_spaces(std::string_view s, size_t i) {
  while (i < s.size() && s[i] == ' ') ++i;
  return i;
}

// How far a candidate got; the deepest failure names a malformed line.
enum Stage : int { kNoColumn, kBadTimestamp, kNoEventName, kDone };
constexpr std::string_view kStageReason[] = {
    "no \"<comm>-<pid> [<cpu>]\" column",
    "no \"<seconds>.<fraction>: \" timestamp after the CPU column",
    "no \"<event>: \" after the timestamp",
};

struct Parsed {
  int32_t pid = 0;
  int32_t tgid = -1;
  int32_t cpu = -1;
  int64_t ts_ns = 0;
  TimestampFormat ts_format = TimestampFormat::kMicros;
  std::string_view name;
  std::string_view body;
};

// "-<pid> [(<tgid>|-------) ][<cpu>]" with the dash at `dash`; returns the
// index after ']' or 0.
size_t parse_task_column(std::string_view s, size_t dash, Parsed& p) {
  size_t i = dash + 1;
  uint64_t v = 0;
  if (!read_uint(s, i, INT32_MAX, v)) return 0;
  p.pid = static_cast<int32_t>(v);
  if (i >= s.size() || s[i] != ' ') return 0;
  i = skip_spaces(s, i);
  p.tgid = -1;
  if (i < s.size() && s[i] == '(') {
    size_t close = s.find(')', i);
    if (close == std::string_view::npos || close - i > 12) return 0;
    std::string_view inner = s.substr(i + 1, close - i - 1);
    size_t k = skip_spaces(inner, 0);
    if (inner.substr(k) != "-------") {
      if (!read_uint(inner, k, INT32_MAX, v) || k != inner.size()) return 0;
      p.tgid = static_cast<int32_t>(v);
    }
    i = close + 1;
    if (i >= s.size() || s[i] != ' ') return 0;
    i = skip_spaces(s, i);
  }
  if (i >= s.size() || s[i] != '[') return 0;
  ++i;
  if (!read_uint(s, i, 1u << 20, v) || i >= s.size() || s[i] != ']') return 0;
  p.cpu = static_cast<int32_t>(v);
  return i + 1;
}

// "<digits>[.<1-9 digits>]:" at s[i..) → ns (or the raw count without a
// fraction); advances i past the ':'. Digits are read as they are scanned.
bool parse_timestamp_at(std::string_view s, size_t& i, Parsed& p) {
  uint64_t whole = 0;
  size_t start = i;
  if (!read_uint(s, i, INT64_MAX, whole) || i >= s.size()) return false;
  if (s[i] == ':') {
    p.ts_ns = static_cast<int64_t>(whole);
    p.ts_format = TimestampFormat::kCounter;
    ++i;
    return true;
  }
  if (s[i] != '.' || whole > INT64_MAX / 1'000'000'000 - 1 || i - start > 10) return false;
  size_t frac_at = ++i;
  uint64_t frac = 0;
  while (i < s.size() && is_digit(s[i]) && i - frac_at < 9) {
    frac = frac * 10 + static_cast<uint64_t>(s[i] - '0');
    ++i;
  }
  size_t decimals = i - frac_at;
  if (decimals == 0 || i >= s.size() || s[i] != ':') return false;
  static constexpr uint64_t kScale[] = {1'000'000'000, 100'000'000, 10'000'000, 1'000'000, 100'000,
                                        10'000,        1'000,       100,        10,        1};
  p.ts_ns = static_cast<int64_t>(whole * 1'000'000'000 + frac * kScale[decimals]);
  p.ts_format = decimals == 6   ? TimestampFormat::kMicros
                : decimals == 9 ? TimestampFormat::kNanos
                                : TimestampFormat::kOther;
  ++i;
  return true;
}

// After "[<cpu>]": " [<flags> ]<timestamp>: <event>: <body>".
Stage parse_after_cpu(std::string_view s, size_t i, Parsed& p) {
  if (i >= s.size() || s[i] != ' ') return kNoColumn;
  i = skip_spaces(s, i);
  // irq-info flags ("d..2.") never start with a digit; without them (irq-info=0)
  // the timestamp follows the CPU column directly.
  if (i < s.size() && !is_digit(s[i])) {
    size_t flags_at = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i - flags_at > 8 || i >= s.size()) return kNoColumn;
    i = skip_spaces(s, i);
  }
  if (!parse_timestamp_at(s, i, p)) return kBadTimestamp;
  if (i >= s.size() || s[i] != ' ') return kNoEventName;
  size_t name_at = ++i;
  while (i < s.size() && is_name_char(s[i])) ++i;
  if (i == name_at || i >= s.size() || s[i] != ':') return kNoEventName;
  p.name = s.substr(name_at, i - name_at);
  ++i;
  if (i < s.size() && s[i] == ' ') ++i;
  p.body = s.substr(i);
  return kDone;
}

// Tries the task column whose '[' is at `bracket`: back over spaces and an
// optional "(tgid)" to the pid and its dash.
Stage try_bracket(std::string_view s, size_t bracket, Parsed& p) {
  size_t j = bracket;
  if (j == 0 || s[j - 1] != ' ') return kNoColumn;
  while (j > 0 && s[j - 1] == ' ') --j;
  if (j > 0 && s[j - 1] == ')') {
    size_t open = s.rfind('(', j - 1);
    if (open == std::string_view::npos || j - open > 12 || open == 0 || s[open - 1] != ' ') {
      return kNoColumn;
    }
    j = open;
    while (j > 0 && s[j - 1] == ' ') --j;
  }
  size_t digits_end = j;
  while (j > 0 && is_digit(s[j - 1])) --j;
  if (j == digits_end || j == 0 || s[j - 1] != '-') return kNoColumn;
  size_t after = parse_task_column(s, j - 1, p);
  if (after == 0 || s[after - 1] != ']' || s.rfind('[', after) != bracket) return kNoColumn;
  return parse_after_cpu(s, after, p);
}

Stage parse_event_line(std::string_view s, Parsed& p) {
  Stage best = kNoColumn;
  if (s.size() > kCommColumn + 1 && s[kCommColumn] == '-') {
    size_t after = parse_task_column(s, kCommColumn, p);
    if (after != 0) {
      best = parse_after_cpu(s, after, p);
      if (best == kDone) return best;
    }
  }
  for (size_t b = s.find('['); b != std::string_view::npos; b = s.find('[', b + 1)) {
    Stage st = try_bracket(s, b, p);
    if (st == kDone) return st;
    if (st > best) best = st;
  }
  return best;
}

TextLineKind classify_hash_line(std::string_view s, TextLineInfo& info) {
  constexpr std::string_view kStarted = "##### CPU ";
  constexpr std::string_view kStartedTail = " buffer started ####";
  constexpr std::string_view kEntries = "# entries-in-buffer/entries-written: ";
  uint64_t v = 0;
  if (starts_with(s, kStarted) && ends_with(s, kStartedTail)) {
    size_t i = kStarted.size();
    if (read_uint(s, i, 1u << 20, v) && i == s.size() - kStartedTail.size()) {
      info.cpu = static_cast<int32_t>(v);
      return info.kind = TextLineKind::kBufferStarted;
    }
  }
  if (starts_with(s, kEntries)) {
    size_t i = kEntries.size();
    uint64_t in_buffer = 0, written = 0;
    if (read_uint(s, i, UINT64_MAX, in_buffer) && i < s.size() && s[i] == '/' &&
        read_uint(s, ++i, UINT64_MAX, written)) {
      info.entries_in_buffer = in_buffer;
      info.entries_written = written;
      info.header_cpus = -1;
      size_t cpus_at = s.find("#P:", i);
      if (cpus_at != std::string_view::npos) {
        size_t k = cpus_at + 3;
        if (read_uint(s, k, 1u << 20, v)) info.header_cpus = static_cast<int32_t>(v);
      }
      return info.kind = TextLineKind::kEntriesHeader;
    }
  }
  return info.kind = TextLineKind::kComment;
}

// "CPU:%d [LOST %lu EVENTS]" / "CPU:%d [LOST EVENTS]" (kernel/trace/trace.c).
TextLineKind classify_lost_line(std::string_view s, TextLineInfo& info) {
  size_t i = 4;
  uint64_t cpu = 0, lost = 0;
  if (read_uint(s, i, 1u << 20, cpu) && s.substr(i).starts_with(" [LOST ")) {
    std::string_view rest = s.substr(i + 7);
    size_t k = 0;
    if (rest == "EVENTS]") {
      info.lost = -1;
    } else if (read_uint(rest, k, INT64_MAX, lost) && rest.substr(k) == " EVENTS]") {
      info.lost = static_cast<int64_t>(lost);
    } else {
      info.reason = "bad \"CPU:<n> [LOST <m> EVENTS]\" marker";
      return info.kind = TextLineKind::kMalformed;
    }
    info.cpu = static_cast<int32_t>(cpu);
    return info.kind = TextLineKind::kLostEvents;
  }
  info.reason = "bad \"CPU:<n> [LOST <m> EVENTS]\" marker";
  return info.kind = TextLineKind::kMalformed;
}

}  // namespace

TextLineKind parse_text_trace_line(std::string_view line, SchedEvent& event, TextLineInfo& info) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  info.truncated = false;
  // (find_first_not_of would call memchr once per padding byte.)
  size_t first = 0;
  while (first < line.size() && (line[first] == ' ' || line[first] == '\t')) ++first;
  if (first == line.size()) return info.kind = TextLineKind::kBlank;
  if (line[0] == '#') return classify_hash_line(line, info);
  if (starts_with(line, "CPU:")) return classify_lost_line(line, info);
  Parsed p;
  Stage stage = parse_event_line(line, p);
  if (stage != kDone) {
    info.reason = kStageReason[stage];
    return info.kind = TextLineKind::kMalformed;
  }
  std::string_view bad = parse_sched_event_body(p.name, p.body, event.payload, info.truncated);
  if (!bad.empty()) {
    info.reason = bad;
    return info.kind = TextLineKind::kMalformed;
  }
  event.ts_ns = p.ts_ns;
  event.cpu = p.cpu;
  event.common_pid = p.pid;
  info.tgid = p.tgid;
  info.ts_format = p.ts_format;
  return info.kind = TextLineKind::kEvent;
}

}  // namespace ktel::sched
