// JSON string literals from untrusted bytes (task names, paths, event fields):
// the one escaper every JSON writer in ktel uses, so all our JSON is valid.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ktel {

// Appends `s` as a JSON string literal, quotes included. '"' and '\\' are
// escaped; \n, \r, \t as such; other C0 controls and DEL (0x7F) as \u00XX.
// Valid UTF-8 is kept as is; each byte of an invalid sequence (overlong form,
// surrogate, > U+10FFFF, cut short, stray continuation) becomes U+FFFD, so the
// result is always valid UTF-8 JSON. Never fails.
void append_json_string(std::string& out, std::string_view s);

// Length (1-4) of the valid UTF-8 sequence at s[i], or 0 when it is invalid.
// Requires i < s.size().
size_t utf8_sequence_length(std::string_view s, size_t i);

}  // namespace ktel
