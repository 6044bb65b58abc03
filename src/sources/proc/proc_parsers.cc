// Hand-written procfs parsers (see proc_parsers.h): one pass, no allocation
// unless the input is malformed and an error message has to be built.
#include "sources/proc/proc_parsers.h"

#include <string>

namespace ktel::proc {

namespace {

// Up to 24 bytes of `s`, quoted, with non-printable bytes as \xNN: error
// messages must not carry hostile bytes into terminals or logs.
std::string quote(std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  size_t n = std::min<size_t>(s.size(), 24);
  for (size_t i = 0; i < n; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  out += s.size() > n ? "\"..." : "\"";
  return out;
}

Status bad_field(std::string_view file, std::string_view field, std::string_view token) {
  std::string msg(file);
  msg += ": field ";
  msg += field;
  msg += token.empty() ? " is missing" : " is not a valid number: " + quote(token);
  return data_loss(std::move(msg));
}

// Strict unsigned decimal of the whole token; false on junk or overflow.
bool to_u64(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

bool to_pid(std::string_view s, pid_t& out) {
  uint64_t v = 0;
  if (!to_u64(s, v) || v > INT32_MAX) return false;
  out = static_cast<pid_t>(v);
  return true;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n'; }

// Splits whitespace-separated tokens off the front of a string_view.
class Tokens {
 public:
  explicit Tokens(std::string_view s) : s_(s) {}
  std::string_view next() {
    size_t i = 0;
    while (i < s_.size() && is_space(s_[i])) ++i;
    size_t j = i;
    while (j < s_.size() && !is_space(s_[j])) ++j;
    std::string_view tok = s_.substr(i, j - i);
    s_.remove_prefix(j);
    return tok;
  }

 private:
  std::string_view s_;
};

// Value of "key:<spaces>number" at the start of a line in `text`.
Status find_keyed(std::string_view text, std::string_view file, std::string_view key,
                  uint64_t& out) {
  size_t pos = 0;
  for (;;) {
    pos = text.find(key, pos);
    if (pos == std::string_view::npos) return bad_field(file, key, "");
    bool line_start = pos == 0 || text[pos - 1] == '\n';
    size_t after = pos + key.size();
    if (line_start && after < text.size() && text[after] == ':') {
      size_t i = after + 1;
      while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
      size_t j = i;
      while (j < text.size() && text[j] != '\n') ++j;
      std::string_view tok = text.substr(i, j - i);
      if (!to_u64(tok, out)) return bad_field(file, key, tok.empty() ? "<empty>" : tok);
      return Status::ok();
    }
    pos = after;
  }
}

}  // namespace

Result<StatFields> parse_stat(std::string_view text) {
  StatFields f;
  size_t open = text.find(" (");
  size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open + 1) {
    return data_loss("stat: field 2 (comm) is not enclosed in parentheses: " + quote(text));
  }
  if (!to_pid(text.substr(0, open), f.pid)) return bad_field("stat", "1 (pid)", text.substr(0, open));
  f.comm = text.substr(open + 2, close - open - 2);

  Tokens tok(text.substr(close + 1));
  std::string_view state = tok.next();
  if (state.size() != 1) {
    return data_loss("stat: field 3 (state) is not one letter: " + quote(state));
  }
  f.state = state[0];

  struct Wanted {
    int field;
    const char* name;
    uint64_t* out;
  };
  uint64_t ppid = 0;
  const Wanted wanted[] = {
      {4, "4 (ppid)", &ppid},          {10, "10 (minflt)", &f.minflt},
      {12, "12 (majflt)", &f.majflt},  {14, "14 (utime)", &f.utime_ticks},
      {15, "15 (stime)", &f.stime_ticks}, {20, "20 (num_threads)", &f.num_threads},
      {22, "22 (starttime)", &f.start_time_ticks}, {23, "23 (vsize)", &f.vsize_bytes},
      {24, "24 (rss)", &f.rss_pages},
  };
  size_t w = 0;
  for (int field = 4; field <= 24; ++field) {
    std::string_view t = tok.next();
    bool want = w < std::size(wanted) && wanted[w].field == field;
    if (t.empty()) {
      return data_loss("stat: field " + std::to_string(field) + " is missing (text ends early)");
    }
    if (!want) continue;
    if (!to_u64(t, *wanted[w].out)) return bad_field("stat", wanted[w].name, t);
    ++w;
  }
  if (ppid > INT32_MAX) return bad_field("stat", "4 (ppid)", "out of range");
  f.ppid = static_cast<pid_t>(ppid);
  return f;
}

Result<CtxSwitches> parse_status_ctxsw(std::string_view text) {
  CtxSwitches c;
  KTEL_TRY(find_keyed(text, "status", "voluntary_ctxt_switches", c.voluntary));
  KTEL_TRY(find_keyed(text, "status", "nonvoluntary_ctxt_switches", c.involuntary));
  return c;
}

Result<IoFields> parse_io(std::string_view text) {
  IoFields io;
  KTEL_TRY(find_keyed(text, "io", "rchar", io.rchar));
  KTEL_TRY(find_keyed(text, "io", "wchar", io.wchar));
  KTEL_TRY(find_keyed(text, "io", "read_bytes", io.read_bytes));
  KTEL_TRY(find_keyed(text, "io", "write_bytes", io.write_bytes));
  return io;
}

Result<SchedStat> parse_schedstat(std::string_view text) {
  SchedStat s;
  Tokens tok(text);
  const char* names[] = {"1 (run_ns)", "2 (wait_ns)", "3 (timeslices)"};
  uint64_t* outs[] = {&s.run_ns, &s.wait_ns, &s.timeslices};
  for (int i = 0; i < 3; ++i) {
    std::string_view t = tok.next();
    if (!to_u64(t, *outs[i])) return bad_field("schedstat", names[i], t);
  }
  return s;
}

Status parse_proc_stat_cpus(std::string_view text, std::vector<CpuTimes>& out) {
  out.clear();
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    if (line.substr(0, 3) != "cpu") break;  // cpu lines come first; stop at "intr"
    Tokens tok(line);
    std::string_view label = tok.next();
    CpuTimes c;
    if (label.size() > 3) {
      pid_t n = 0;  // same range check as a pid: a non-negative int
      if (!to_pid(label.substr(3), n)) return bad_field("/proc/stat", "cpu number", label);
      c.cpu = n;
    }
    const char* names[] = {"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"};
    uint64_t* outs[] = {&c.user,   &c.nice, &c.system,  &c.idle,
                        &c.iowait, &c.irq,  &c.softirq, &c.steal};
    for (int i = 0; i < 8; ++i) {
      std::string_view t = tok.next();
      if (!to_u64(t, *outs[i])) {
        return bad_field("/proc/stat", std::string(label) + " " + names[i], t);
      }
    }
    out.push_back(c);
  }
  if (out.empty() || out.front().cpu != -1) {
    return data_loss("/proc/stat: the total \"cpu\" line is missing");
  }
  return Status::ok();
}

}  // namespace ktel::proc
