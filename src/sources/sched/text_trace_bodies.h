// Event bodies of the text trace format (what follows "<event>: "), matched by
// the kernel's print formats: the keys in order, with text values (comms,
// filenames) that may hold spaces, '=' and even other keys. Pure.
#pragma once

#include <string_view>

#include "sources/sched/sched_event.h"

namespace ktel::sched {

// Fills `payload` from `body` for event `name`. The seven sched events get
// their typed payload (older kernels' variants accepted: sched_wakeup's
// `success=`, sched_process_exit without `group_dead=`); any other name gets
// an OtherEvent with its key=value fields as a JSON object. Returns an empty
// view on success, else a static reason (the body does not match the
// event's format). Sets `truncated` when a comm or prev_state was cut to its
// SmallText capacity.
std::string_view parse_sched_event_body(std::string_view name, std::string_view body,
                                        SchedPayload& payload, bool& truncated);

// Decimal int32 with optional '-' (leading zeros allowed: "target_cpu=003");
// false on anything else or overflow.
bool parse_text_int32(std::string_view s, int32_t& out);

}  // namespace ktel::sched
