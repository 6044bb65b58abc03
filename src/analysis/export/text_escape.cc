#include "analysis/export/text_escape.h"

#include <fmt/format.h>

namespace ktel::text {

void append_csv_field(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(field);
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string terminal_safe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c >= 0x80 ? utf8_sequence_length(s, i) : 1;
    if (len > 1) {
      // C1 controls (U+0080..U+009F) act as escapes on some terminals.
      bool c1 = c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0;
      if (!c1) {
        out.append(s.substr(i, len));
        i += len;
        continue;
      }
      len = 0;
    }
    if (len == 0 || c < 0x20 || c == 0x7F) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
    ++i;
  }
  return out;
}

size_t display_width(std::string_view safe) {
  size_t width = 0;
  for (char c : safe) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++width;
  }
  return width;
}

std::string format_double(double d) { return fmt::format("{}", d); }

}  // namespace ktel::text
