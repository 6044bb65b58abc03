// Renders the fields of a record the decoder has no typed struct for as a JSON
// object text ({"comm":"a","pid":12,"runtime":4000}), from its format: char
// arrays and __data_loc char[] as strings, integers signed or unsigned as the
// format says, other arrays as JSON arrays, anything else as a "0x.." hex
// string of its bytes. Strings are escaped by ktel::append_json_string (bytes
// that are not UTF-8 become U+FFFD), so the text is always valid JSON.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "sources/sched/ftrace_format.h"

namespace ktel::sched {

// Replaces `out` with the object of `format`'s non-common fields read from
// `payload`. Returns false (and `out` is unspecified) when the payload is
// shorter than format.min_payload_size() or a __data_loc/__rel_loc points
// outside it.
bool render_fields_json(const EventFormat& format, std::span<const uint8_t> payload,
                        std::string& out);

}  // namespace ktel::sched
