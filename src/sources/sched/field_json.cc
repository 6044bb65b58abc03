// JSON text for OtherEvent. Task names and file names come from whoever runs
// the task (possibly hostile), so every byte is escaped or replaced here.
#include "sources/sched/field_json.h"

#include <charconv>

#include "base/json_text.h"
#include "sources/sched/record_fields.h"

namespace ktel::sched {
namespace {

// Element size of the scalar types found in x86_64 tracefs formats; 0 if unknown.
uint32_t scalar_size(std::string_view t) {
  for (std::string_view n : {"char", "signed char", "unsigned char", "u8", "s8", "__u8", "__s8",
                             "bool", "_Bool"}) {
    if (t == n) return 1;
  }
  for (std::string_view n : {"short", "unsigned short", "u16", "s16", "__u16", "__s16"}) {
    if (t == n) return 2;
  }
  for (std::string_view n :
       {"int", "unsigned int", "unsigned", "u32", "s32", "__u32", "__s32", "pid_t", "gfp_t"}) {
    if (t == n) return 4;
  }
  for (std::string_view n : {"long", "unsigned long", "long long", "unsigned long long", "u64",
                             "s64", "__u64", "__s64", "size_t", "ssize_t"}) {
    if (t == n) return 8;
  }
  return 0;
}

void append_int(int64_t v, bool is_signed, std::string& out) {
  char buf[24];
  auto res = is_signed ? std::to_chars(buf, buf + sizeof buf, v)
                       : std::to_chars(buf, buf + sizeof buf, static_cast<uint64_t>(v));
  out.append(buf, res.ptr);
}

void append_hex(std::span<const uint8_t> bytes, std::string& out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  out += "\"0x";
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  out.push_back('"');
}

bool append_value(const FormatField& f, std::span<const uint8_t> payload, std::string& out) {
  std::span<const uint8_t> bytes;
  if (f.loc != FieldLoc::kInline) {
    if (!resolve_loc(payload, f.offset, f.size, f.loc, bytes)) return false;
  } else if (f.is_array && f.size == 0) {  // flexible array: the rest of the record
    bytes = payload.subspan(std::min<size_t>(f.offset, payload.size()));
  } else {
    bytes = payload.subspan(f.offset, f.size);
  }
  if (f.is_string()) {
    append_json_string(out, c_string(bytes));
    return true;
  }
  const bool scalar_size_ok = f.size == 1 || f.size == 2 || f.size == 4 || f.size == 8;
  if (!f.is_array && f.loc == FieldLoc::kInline && scalar_size_ok) {
    append_int(load_int(bytes.data(), f.size, f.is_signed), f.is_signed, out);
    return true;
  }
  uint32_t elem = f.array_len > 0 && f.size % f.array_len == 0 ? f.size / f.array_len
                                                               : scalar_size(f.base_type());
  if (f.is_array && (elem == 1 || elem == 2 || elem == 4 || elem == 8)) {
    out.push_back('[');
    for (size_t at = 0; at + elem <= bytes.size(); at += elem) {
      if (at > 0) out.push_back(',');
      append_int(load_int(bytes.data() + at, elem, f.is_signed), f.is_signed, out);
    }
    out.push_back(']');
    return true;
  }
  append_hex(bytes, out);
  return true;
}

}  // namespace

bool render_fields_json(const EventFormat& format, std::span<const uint8_t> payload,
                        std::string& out) {
  out.clear();
  if (payload.size() < format.min_payload_size()) return false;
  out.push_back('{');
  bool first = true;
  for (const FormatField& f : format.fields) {
    if (f.name.starts_with("common_")) continue;
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, f.name);
    out.push_back(':');
    if (!append_value(f, payload, out)) return false;
  }
  out.push_back('}');
  return true;
}

}  // namespace ktel::sched
