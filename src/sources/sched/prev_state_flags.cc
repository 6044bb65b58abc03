// prev_state letters from sched_switch's print fmt. Since Linux 4.14 the fmt
// spells the mask as ((((0x0 | 0x1 | ... | 0x40) + 1) << 1) - 1) and the
// preemption bit (TASK_REPORT_MAX) as ((... + 1) << 1); older kernels wrote
// plain numbers (REC->prev_state & (1024-1)). Both are evaluated here.
#include "sources/sched/prev_state_flags.h"

#include <cstdio>
#include <cstring>
#include <optional>

namespace ktel::sched {
namespace {

// Recursive-descent evaluator; precedence as in C (| < ^ < & < shift < +- < unary).
class ExprParser {
 public:
  explicit ExprParser(std::string_view s) : s_(s) {}
  bool parse(uint64_t& out) {
    if (!parse_or(out)) return false;
    skip_ws();
    return pos_ == s_.size();
  }

 private:
  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
  }
  bool eat(std::string_view op) {
    skip_ws();
    if (s_.substr(pos_, op.size()) != op) return false;
    // "<" must not eat the first half of "<<", nor "|" of "||".
    if (op.size() == 1 && pos_ + 1 < s_.size() && s_[pos_ + 1] == op[0] &&
        (op[0] == '|' || op[0] == '&')) {
      return false;
    }
    pos_ += op.size();
    return true;
  }
  bool parse_or(uint64_t& v) {
    if (!parse_xor(v)) return false;
    for (uint64_t r; eat("|");) {
      if (!parse_xor(r)) return false;
      v |= r;
    }
    return true;
  }
  bool parse_xor(uint64_t& v) {
    if (!parse_and(v)) return false;
    for (uint64_t r; eat("^");) {
      if (!parse_and(r)) return false;
      v ^= r;
    }
    return true;
  }
  bool parse_and(uint64_t& v) {
    if (!parse_shift(v)) return false;
    for (uint64_t r; eat("&");) {
      if (!parse_shift(r)) return false;
      v &= r;
    }
    return true;
  }
  bool parse_shift(uint64_t& v) {
    if (!parse_add(v)) return false;
    for (;;) {
      uint64_t r;
      if (eat("<<")) {
        if (!parse_add(r) || r >= 64) return false;
        v <<= r;
      } else if (eat(">>")) {
        if (!parse_add(r) || r >= 64) return false;
        v >>= r;
      } else {
        return true;
      }
    }
  }
  bool parse_add(uint64_t& v) {
    if (!parse_unary(v)) return false;
    for (;;) {
      uint64_t r;
      if (eat("+")) {
        if (!parse_unary(r)) return false;
        v += r;
      } else if (eat("-")) {
        if (!parse_unary(r)) return false;
        v -= r;
      } else {
        return true;
      }
    }
  }
  bool parse_unary(uint64_t& v) {
    if (++depth_ > 64) return false;  // hostile nesting
    bool ok = false;
    if (eat("~")) {
      ok = parse_unary(v);
      v = ~v;
    } else if (eat("-")) {
      ok = parse_unary(v);
      v = 0 - v;
    } else if (eat("(")) {
      ok = parse_or(v) && eat(")");
    } else {
      ok = parse_number(v);
    }
    --depth_;
    return ok;
  }
  bool parse_number(uint64_t& v) {
    skip_ws();
    size_t start = pos_;
    int base = 10;
    if (s_.substr(pos_, 2) == "0x" || s_.substr(pos_, 2) == "0X") {
      base = 16;
      pos_ += 2;
    } else if (pos_ < s_.size() && s_[pos_] == '0') {
      base = 8;
    }
    v = 0;
    size_t digits = 0;
    for (; pos_ < s_.size(); ++pos_, ++digits) {
      char c = s_[pos_];
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : 99;
      if (d >= base) break;
      if (v > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) return false;
      v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    }
    while (pos_ < s_.size() && (s_[pos_] == 'u' || s_[pos_] == 'U' || s_[pos_] == 'l' ||
                                s_[pos_] == 'L')) {
      ++pos_;
    }
    return digits > 0 || (base == 8 && pos_ > start);
  }

  std::string_view s_;
  size_t pos_ = 0;
  int depth_ = 0;
};

// Splits the arguments of a call whose '(' is at `open`; sets `close` to the
// matching ')'. Commas inside (), {} and string literals do not split.
bool split_args(std::string_view s, size_t open, std::vector<std::string_view>& args,
                size_t& close) {
  int depth = 0;
  size_t start = open + 1;
  for (size_t i = open; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"') {
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\') ++i;
      }
      continue;
    }
    if (c == '(' || c == '{') ++depth;
    if (c == ')' || c == '}') --depth;
    if ((c == ',' && depth == 1) || depth == 0) {
      args.push_back(s.substr(start, i - start));
      start = i + 1;
    }
    if (depth == 0) {
      close = i;
      return true;
    }
  }
  return false;
}

std::string_view trim_ws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "\"S\"" -> S (no escapes occur in these tables).
std::optional<std::string> string_literal(std::string_view s) {
  s = trim_ws(s);
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::nullopt;
  s = s.substr(1, s.size() - 2);
  if (s.find_first_of("\"\\") != std::string_view::npos) return std::nullopt;
  return std::string(s);
}

// "REC->prev_state & EXPR" -> value of EXPR.
bool masked_value(std::string_view s, uint64_t& v) {
  size_t amp = s.find('&');
  return amp != std::string_view::npos && s.substr(0, amp).find("prev_state") != s.npos &&
         eval_const_expr(s.substr(amp + 1), v);
}

}  // namespace

bool eval_const_expr(std::string_view expr, uint64_t& value) {
  return ExprParser(expr).parse(value);
}

PrevStateFlags PrevStateFlags::fallback() {
  PrevStateFlags f;
  const char* letters[] = {"S", "D", "T", "t", "X", "Z", "P", "I"};
  for (uint64_t i = 0; i < 8; ++i) f.flags_.push_back({1ull << i, letters[i]});
  f.mask_ = 0xff;
  f.preempt_bit_ = 0x100;
  f.fill_cache();
  return f;
}

PrevStateFlags PrevStateFlags::from_print_fmt(std::string_view fmt) {
  const size_t call = fmt.find("__print_flags(");
  std::vector<std::string_view> args;
  size_t close = 0;
  if (call == std::string_view::npos ||
      !split_args(fmt, call + std::strlen("__print_flags"), args, close) || args.size() < 3) {
    return fallback();
  }
  PrevStateFlags f;
  std::optional<std::string> delim = string_literal(args[1]);
  if (!delim) return fallback();
  f.delim_ = *delim;
  uint64_t all = 0;
  for (size_t i = 2; i < args.size(); ++i) {
    std::string_view pair = trim_ws(args[i]);
    if (pair.size() < 2 || pair.front() != '{' || pair.back() != '}') return fallback();
    pair = pair.substr(1, pair.size() - 2);
    size_t comma = pair.find(',');
    Flag flag;
    std::optional<std::string> letters;
    if (comma == std::string_view::npos || !eval_const_expr(pair.substr(0, comma), flag.value) ||
        !(letters = string_literal(pair.substr(comma + 1)))) {
      return fallback();
    }
    flag.letters = *letters;
    all |= flag.value;
    f.flags_.push_back(std::move(flag));
  }
  // Without a mask expression: every bit up to the highest flag.
  uint64_t top = all == 0 ? 1 : (1ull << (63 - __builtin_clzll(all)));
  if (!masked_value(args[0], f.mask_)) f.mask_ = top | (top - 1);
  // ` : "R", REC->prev_state & PREEMPT ? "+" : ""` after the call.
  std::string_view rest = fmt.substr(close + 1);
  size_t colon = rest.find(':');
  size_t comma = rest.find(',');
  if (colon != std::string_view::npos && comma != std::string_view::npos && colon < comma) {
    if (auto running = string_literal(rest.substr(colon + 1, comma - colon - 1))) {
      f.running_ = *running;
    }
  }
  size_t plus = rest.find("? \"+\"");
  if (comma == std::string_view::npos || plus == std::string_view::npos || plus < comma ||
      !masked_value(rest.substr(comma + 1, plus - comma - 1), f.preempt_bit_)) {
    f.preempt_bit_ = f.mask_ + 1;
  }
  f.parsed_ = true;
  f.fill_cache();
  return f;
}

void PrevStateFlags::fill_cache() {
  // Only bits in mask | preempt_bit change the text; with the usual 9 bits
  // that is a 512-entry table, looked up instead of looping per event.
  constexpr uint64_t kMaxCache = 1u << 13;
  const uint64_t bits = mask_ | preempt_bit_;
  cache_.clear();
  if (bits >= kMaxCache) return;
  cache_.resize(bits + 1);
  for (uint64_t v = 0; v <= bits; ++v) render_slow(static_cast<int64_t>(v), cache_[v]);
}

void PrevStateFlags::render_slow(int64_t prev_state, StateText& out) const {
  char buf[64];
  size_t n = 0;
  auto put = [&](std::string_view s) {
    size_t k = std::min(s.size(), sizeof(buf) - n);
    std::memcpy(buf + n, s.data(), k);
    n += k;
  };
  const uint64_t state = static_cast<uint64_t>(prev_state);
  uint64_t bits = state & mask_;
  if (bits == 0) {
    put(running_);
  } else {
    bool first = true;
    for (const Flag& flag : flags_) {
      if (flag.value != 0 && (bits & flag.value) == flag.value) {
        if (!first) put(delim_);
        put(flag.letters);
        first = false;
        bits &= ~flag.value;
      }
    }
    if (bits != 0) {
      char hex[24];
      int len = std::snprintf(hex, sizeof(hex), "0x%llx", static_cast<unsigned long long>(bits));
      if (!first) put(delim_);
      put(std::string_view(hex, static_cast<size_t>(len)));
    }
  }
  if (preempt_bit_ != 0 && (state & preempt_bit_) != 0) put("+");
  out.assign(std::string_view(buf, n));
}

}  // namespace ktel::sched
