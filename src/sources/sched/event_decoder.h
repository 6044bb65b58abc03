// Decodes one ring-buffer record payload into a SchedEvent, driven by the
// capture's format files: each field's offset, size, signedness and
// __data_loc/__rel_loc form is resolved once per event type at construction,
// never per event. sched_switch, sched_wakeup(_new), sched_migrate_task,
// sched_process_{fork,exec,exit} become their typed payloads; any other event
// an OtherEvent with its fields as JSON text.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "sources/sched/ftrace_format.h"
#include "sources/sched/prev_state_flags.h"
#include "sources/sched/sched_event.h"

namespace ktel::sched {

enum class DecodeOutcome : uint8_t {
  kOk,
  kUnknownId,   // common_type names no event in the format set
  kTooShort,    // payload shorter than the event's format needs (a malformed record)
  kBadDataLoc,  // a __data_loc/__rel_loc descriptor points outside the payload (malformed)
};
// "ok", "unknown_id", "payload_too_short", "bad_data_loc" (stable: stats keys).
std::string_view decode_outcome_name(DecodeOutcome outcome);

namespace decoder_detail {
// One resolved field: where it is and how to read it.
struct FieldRef {
  uint16_t offset = 0;
  uint16_t size = 0;
  FieldLoc loc = FieldLoc::kInline;
  bool is_signed = false;
  bool present = false;
};
inline constexpr size_t kMaxFields = 7;
// How to decode one event type; f[] means what its kind says (event_decoder.cc).
struct Plan {
  EventKind kind = EventKind::kOther;
  uint32_t min_size = 0;
  const EventFormat* format = nullptr;
  FieldRef f[kMaxFields];
};
}  // namespace decoder_detail

class EventDecoder {
 public:
  // Shares `formats` (a cheap copy: the event formats are reference-counted).
  // The prev_state letters come from sched_switch's print fmt (PrevStateFlags).
  explicit EventDecoder(const FormatSet& formats);

  // Fills out.common_pid and out.payload from `payload` (one record, common
  // fields first); out.ts_ns and out.cpu are left to the caller. On anything
  // but kOk `out` holds no meaningful event. Reuses out's strings, so typed
  // events decode without allocating (an exec filename longer than the
  // string's capacity and OtherEvent's JSON do allocate). Thread-safe (const).
  DecodeOutcome decode(std::span<const uint8_t> payload, SchedEvent& out) const;

  // The event id (common_type) of a payload; nullopt when it is too short.
  std::optional<uint32_t> event_id(std::span<const uint8_t> payload) const;
  // kOther for ids without a format too.
  EventKind kind(uint32_t id) const;
  const PrevStateFlags& prev_state_flags() const { return prev_state_; }

 private:
  FormatSet formats_;
  PrevStateFlags prev_state_;
  decoder_detail::FieldRef common_type_;
  decoder_detail::FieldRef common_pid_;
  std::vector<decoder_detail::Plan> plans_;
  std::vector<int32_t> plan_by_id_;
};

}  // namespace ktel::sched
