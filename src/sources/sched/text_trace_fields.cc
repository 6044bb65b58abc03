// key=value text → JSON object text, for events without typed columns.
#include "sources/sched/text_trace_fields.h"

#include <charconv>
#include <cstdint>
#include <vector>

#include "base/json_text.h"

namespace ktel::sched {

namespace {

bool is_key_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_key_char(char c) { return is_key_start(c) || (c >= '0' && c <= '9') || c == '.'; }

// Length of "<key>=" at the start of `s` (the key without '='), or 0.
size_t key_length(std::string_view s) {
  if (s.empty() || !is_key_start(s[0])) return 0;
  size_t i = 1;
  while (i < s.size() && is_key_char(s[i])) ++i;
  return i < s.size() && s[i] == '=' ? i : 0;
}

// A decimal integer that fits int64, as its canonical text; false otherwise.
bool canonical_int(std::string_view v, std::string& out) {
  if (v.empty()) return false;
  size_t digits_at = v[0] == '-' ? 1 : 0;
  if (digits_at == v.size()) return false;
  for (size_t i = digits_at; i < v.size(); ++i) {
    if (v[i] < '0' || v[i] > '9') return false;
  }
  int64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size()) return false;
  char buf[24];
  auto [end, ec2] = std::to_chars(buf, buf + sizeof(buf), n);
  (void)ec2;
  out.append(buf, end);
  return true;
}

}  // namespace

std::string text_fields_to_json(std::string_view body) {
  std::string out = "{";
  if (body.empty()) return out + "}";
  if (key_length(body) == 0) {
    out += "\"text\":";
    append_json_string(out, body);
    return out + "}";
  }
  std::vector<std::string_view> keys;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t klen = key_length(body.substr(pos));
    std::string_view key = body.substr(pos, klen);
    size_t value_at = pos + klen + 1;
    // The value ends at the next " <key>=", so it may hold spaces.
    size_t end = value_at;
    while (true) {
      end = body.find(' ', end);
      if (end == std::string_view::npos) {
        end = body.size();
        break;
      }
      if (key_length(body.substr(end + 1)) > 0) break;
      ++end;
    }
    std::string_view value = body.substr(value_at, end - value_at);
    size_t seen = 0;
    for (std::string_view k : keys) seen += k == key ? 1 : 0;
    keys.push_back(key);
    if (out.size() > 1) out.push_back(',');
    append_json_string(
        out, seen == 0 ? std::string(key) : std::string(key) + "#" + std::to_string(seen + 1));
    out.push_back(':');
    if (!canonical_int(value, out)) append_json_string(out, value);
    pos = end + 1;
  }
  return out + "}";
}

}  // namespace ktel::sched
