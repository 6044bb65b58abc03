// Parsers for the tracefs files that describe the binary ring buffer:
// events/<system>/<event>/format, events/header_page and events/header_event,
// and FormatSet, the formats of one capture loaded from its raw/sched/formats
// directory. Pure text in, struct out; a malformed file is a kDataLoss Status
// naming the file and line. Event ids always come from these files.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace ktel::sched {

// Where a field's bytes are: inline at `offset`, or behind a 32-bit
// descriptor at `offset` (low 16 bits: offset, high 16 bits: length).
enum class FieldLoc : uint8_t {
  kInline,
  kDataLoc,  // __data_loc: offset relative to the record start
  kRelLoc,   // __rel_loc: offset relative to the end of the descriptor field
};

struct FormatField {
  // Declared type minus the field name and its [N] suffix: "pid_t",
  // "unsigned short", "char" (for char prev_comm[16]), "__data_loc char[]".
  std::string type;
  std::string name;
  uint32_t offset = 0;
  uint32_t size = 0;
  bool is_signed = false;  // `signed:` when present, else inferred from the type
  bool is_array = false;   // name[N], name[] or a __data_loc/__rel_loc T[]
  uint32_t array_len = 0;  // N of name[N] (from size when N is not a number); 0 if dynamic
  FieldLoc loc = FieldLoc::kInline;

  // The element type without qualifiers, loc prefix or []: "char", "u64", "pid_t".
  std::string_view base_type() const;
  // char arrays and __data_loc char[]: NUL-terminated text.
  bool is_string() const;
};

struct EventFormat {
  std::string system;  // directory name; the format file itself does not say
  std::string name;
  uint32_t id = 0;
  std::vector<FormatField> fields;  // common_* first, in file order
  std::string print_fmt;            // text after "print fmt: "

  const FormatField* field(std::string_view field_name) const;
  // Bytes a record needs to hold every field (descriptors, not their data).
  uint32_t min_payload_size() const;
};

// `origin` names the file in error messages ("<dir>/sched/sched_switch/format").
Result<EventFormat> parse_event_format(std::string_view text, std::string_view origin);

// events/header_page: the layout of a ring-buffer page header.
struct PageHeaderFormat {
  uint32_t timestamp_offset = 0, timestamp_size = 0;
  uint32_t commit_offset = 0, commit_size = 0;  // commit is a local_t: the kernel's long
  uint32_t data_offset = 0, data_size = 0;
  // One page slot of cpu<N>.pages: header plus data.
  uint32_t page_size() const { return data_offset + data_size; }
};
Result<PageHeaderFormat> parse_header_page(std::string_view text, std::string_view origin);

// events/header_event: the bit layout of a record header and the type_len
// values with a special meaning.
struct EventHeaderFormat {
  uint32_t type_len_bits = 0;
  uint32_t time_delta_bits = 0;
  uint32_t array_bits = 0;
  uint32_t padding_type = 0;
  uint32_t time_extend_type = 0;
  uint32_t time_stamp_type = 0;
  uint32_t data_max_type_len = 0;
};
Result<EventHeaderFormat> parse_header_event(std::string_view text, std::string_view origin);

// The formats of one capture. Immutable once built; safe to share between
// threads. Lookup by id is a table index.
class FormatSet {
 public:
  // Checks that ids are unique and that every event has the same common_type
  // and common_pid fields (the record's id and task).
  static Result<FormatSet> create(PageHeaderFormat page, EventHeaderFormat header,
                                  std::vector<EventFormat> events);

  const PageHeaderFormat& page_header() const { return page_; }
  const EventHeaderFormat& event_header() const { return header_; }
  const std::vector<EventFormat>& events() const { return *events_; }
  // nullptr when the id has no format in this set.
  const EventFormat* find(uint32_t id) const {
    return id < by_id_.size() && by_id_[id] >= 0 ? &(*events_)[by_id_[id]] : nullptr;
  }
  const EventFormat* find(std::string_view system, std::string_view name) const;
  // Where every record keeps its event id and current pid.
  const FormatField& common_type() const { return common_type_; }
  const FormatField& common_pid() const { return common_pid_; }

 private:
  FormatSet() = default;
  PageHeaderFormat page_;
  EventHeaderFormat header_;
  // Behind a pointer so EventFormat addresses survive moves of the set.
  std::shared_ptr<const std::vector<EventFormat>> events_;
  std::vector<int32_t> by_id_;
  FormatField common_type_;
  FormatField common_pid_;
};

// Loads <dir>/header_page, <dir>/header_event and every <dir>/<system>/<event>/format
// (the raw/sched/formats directory of an episode). Fails on a missing header
// file, a malformed file (naming it and the line), duplicate ids or no events.
Result<FormatSet> load_formats(const std::string& dir);

}  // namespace ktel::sched
