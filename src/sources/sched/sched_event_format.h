// A canonical one-line text of a SchedEvent, for golden files, test failure
// messages and the fuzzer's chunked == whole comparison. Not a storage format.
#pragma once

#include <string>

#include "sources/sched/sched_event.h"

namespace ktel::sched {

// "<ts_ns> cpu=<n> pid=<n> <event> <field>=<value> ..." with every field of
// the payload in declaration order; text values as JSON strings (so hostile
// comms stay on one line), OtherEvent's fields_json verbatim.
std::string format_sched_event(const SchedEvent& event);

}  // namespace ktel::sched
