// The fields of an event the sched tables have no columns for (OtherEvent),
// from its text body "k1=v1 k2=v2 ..." to a JSON object text. Values are
// hostile (comms, paths): strings are JSON-escaped, invalid UTF-8 replaced.
#pragma once

#include <string>
#include <string_view>

namespace ktel::sched {

// {"k1":v1,"k2":"v2",...}. A key is [A-Za-z_][A-Za-z0-9_.]* followed by '=';
// a value runs to the next " <key>=" or the end, so values may hold spaces.
// Decimal integers that fit in int64 become JSON numbers ("003" → 3), all
// else strings. A repeated key gets a suffix ("pid", "pid#2"). A body that
// does not start with "<key>=" becomes {"text":"<body>"}; an empty one {}.
std::string text_fields_to_json(std::string_view body);

}  // namespace ktel::sched
