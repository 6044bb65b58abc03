// Escaping of untrusted text (process names, argv, event fields) for the
// formats we print: CSV (byte-exact), JSON (always valid) and terminals.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/json_text.h"

namespace ktel::text {

// RFC 4180 field: quoted when it holds a comma, quote, CR or LF (quotes
// doubled); every byte kept, so a CSV reader gets the exact bytes back.
void append_csv_field(std::string& out, std::string_view field);

// JSON string literal with quotes (base/json_text.h): invalid UTF-8 bytes each
// become U+FFFD, control characters are escaped.
using ::ktel::append_json_string;

// For terminals: control characters and invalid UTF-8 bytes become \xNN, so
// hostile names cannot move the cursor or recolor. Backslashes are kept (JSON
// event fields stay readable), so this is for eyes only; CSV is byte-exact.
std::string terminal_safe(std::string_view s);

// Number of code points after terminal_safe(), for column alignment.
size_t display_width(std::string_view safe);

// Shortest round-trip form ("0.5", "1e+300"); "nan"/"inf"/"-inf" as is.
std::string format_double(double d);

// Length of the valid UTF-8 sequence at s[i], or 0 when the byte is invalid.
using ::ktel::utf8_sequence_length;

}  // namespace ktel::text
