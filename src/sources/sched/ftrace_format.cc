// Text parsers for tracefs format, header_page and header_event files. The
// layout is the one kernel/trace/trace_events.c (f_show) and ring_buffer.c
// (ring_buffer_print_page_header / _entry_header) have printed since 2.6.3x;
// `signed:` appeared later (2.6.31) and is inferred from the type when absent.
#include "sources/sched/ftrace_format.h"

#include <fmt/format.h>

#include <optional>

#include "base/strings.h"

namespace ktel::sched {
namespace {

Status line_error(std::string_view origin, size_t line_no, std::string_view what) {
  return data_loss(fmt::format("{}:{}: {}", origin, line_no, what));
}

bool is_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool type_is_unsigned(std::string_view type) {
  for (std::string_view p : {"unsigned", "u8", "u16", "u32", "u64", "__u", "bool", "size_t",
                             "gfp_t", "dma_addr_t", "uintptr_t"}) {
    if (type.find(p) != std::string_view::npos) return true;
  }
  return type.find('*') != std::string_view::npos;
}

// "char prev_comm[16]" / "__data_loc char[] comm" / "unsigned long args[]".
Status parse_declaration(std::string_view decl, FormatField& f, std::string_view origin,
                         size_t line_no) {
  decl = trim(decl);
  for (auto [prefix, loc] : {std::pair{std::string_view("__data_loc"), FieldLoc::kDataLoc},
                             std::pair{std::string_view("__rel_loc"), FieldLoc::kRelLoc}}) {
    if (starts_with(decl, prefix) && decl.size() > prefix.size() &&
        !is_ident_char(decl[prefix.size()])) {
      f.loc = loc;
      f.is_array = true;
    }
  }
  std::string_view array_spec;
  bool has_array_suffix = false;
  if (!decl.empty() && decl.back() == ']') {
    size_t open = decl.rfind('[');
    if (open == std::string_view::npos) {
      return line_error(origin, line_no, fmt::format("unbalanced ']' in field '{}'", decl));
    }
    array_spec = trim(decl.substr(open + 1, decl.size() - open - 2));
    decl = trim(decl.substr(0, open));
    has_array_suffix = true;
  }
  size_t name_start = decl.size();
  while (name_start > 0 && is_ident_char(decl[name_start - 1])) --name_start;
  if (name_start == decl.size()) {
    return line_error(origin, line_no, fmt::format("no field name in '{}'", decl));
  }
  f.name = std::string(decl.substr(name_start));
  f.type = std::string(trim(decl.substr(0, name_start)));
  if (f.type.empty()) {
    return line_error(origin, line_no, fmt::format("no type for field '{}'", f.name));
  }
  if (has_array_suffix) {
    f.is_array = true;
    if (auto n = parse_uint64(array_spec); n && *n <= UINT32_MAX) {
      f.array_len = static_cast<uint32_t>(*n);
    }
  }
  return Status::ok();
}

std::optional<uint32_t> parse_u32(std::string_view s) {
  auto v = parse_uint64(trim(s));
  if (!v || *v > UINT32_MAX) return std::nullopt;
  return static_cast<uint32_t>(*v);
}

// "\tfield:TYPE NAME;\toffset:N;\tsize:N;\tsigned:N;" (also header_page's
// "field: u64 timestamp;" with a space).
Result<FormatField> parse_field_line(std::string_view line, std::string_view origin,
                                     size_t line_no) {
  FormatField f;
  bool have_decl = false, have_offset = false, have_size = false, have_signed = false;
  for (std::string_view item : split(line, ';')) {
    item = trim(item);
    if (item.empty()) continue;
    size_t colon = item.find(':');
    if (colon == std::string_view::npos) {
      return line_error(origin, line_no, fmt::format("expected 'key:value', got '{}'", item));
    }
    std::string_view key = trim(item.substr(0, colon));
    std::string_view value = item.substr(colon + 1);
    if (key == "field") {
      KTEL_TRY(parse_declaration(value, f, origin, line_no));
      have_decl = true;
    } else if (key == "offset" || key == "size" || key == "signed") {
      std::optional<uint32_t> n = parse_u32(value);
      if (!n) {
        return line_error(origin, line_no,
                          fmt::format("{} is not a number: '{}'", key, trim(value)));
      }
      if (key == "offset") f.offset = *n, have_offset = true;
      if (key == "size") f.size = *n, have_size = true;
      if (key == "signed") f.is_signed = *n != 0, have_signed = true;
    }  // other keys: newer kernels may add some; ignored
  }
  if (!have_decl || !have_offset || !have_size) {
    return line_error(origin, line_no, "field line needs field:, offset: and size:");
  }
  if (f.offset > UINT16_MAX || f.size > UINT16_MAX) {
    return line_error(origin, line_no,
                      fmt::format("field '{}' offset/size beyond 65535", f.name));
  }
  if (!have_signed) f.is_signed = !type_is_unsigned(f.type);
  if (f.is_array && f.array_len == 0 && f.loc == FieldLoc::kInline && f.size > 0 &&
      f.is_string()) {
    f.array_len = f.size;  // char comm[TASK_COMM_LEN] printed unexpanded
  }
  return f;
}

}  // namespace

std::string_view FormatField::base_type() const {
  std::string_view t = type;
  for (std::string_view p : {"__data_loc", "__rel_loc", "const", "volatile"}) {
    if (starts_with(t, p)) t = trim(t.substr(p.size()));
  }
  if (size_t b = t.find('['); b != std::string_view::npos) t = trim(t.substr(0, b));
  return t;
}

bool FormatField::is_string() const {
  // Only plain char: u8/unsigned char arrays hold addresses and hashes as often
  // as text, and stay lossless as integer arrays.
  return is_array && base_type() == "char";
}

const FormatField* EventFormat::field(std::string_view field_name) const {
  for (const FormatField& f : fields) {
    if (f.name == field_name) return &f;
  }
  return nullptr;
}

uint32_t EventFormat::min_payload_size() const {
  uint32_t end = 0;
  for (const FormatField& f : fields) end = std::max(end, f.offset + f.size);
  return end;
}

Result<EventFormat> parse_event_format(std::string_view text, std::string_view origin) {
  EventFormat ev;
  bool have_name = false, have_id = false, in_format = false;
  size_t line_no = 0;
  for (std::string_view raw : split(text, '\n')) {
    ++line_no;
    std::string_view line = trim(raw);
    if (line.empty()) continue;
    if (starts_with(line, "name:")) {
      ev.name = std::string(trim(line.substr(5)));
      have_name = !ev.name.empty();
    } else if (starts_with(line, "ID:")) {
      std::optional<uint32_t> id = parse_u32(line.substr(3));
      if (!id) {
        return line_error(origin, line_no, fmt::format("bad ID '{}'", trim(line.substr(3))));
      }
      ev.id = *id;
      have_id = true;
    } else if (line == "format:") {
      in_format = true;
    } else if (starts_with(line, "field:")) {
      if (!in_format) return line_error(origin, line_no, "field line before 'format:'");
      KTEL_ASSIGN_OR_RETURN(FormatField f, parse_field_line(line, origin, line_no));
      ev.fields.push_back(std::move(f));
    } else if (starts_with(line, "print fmt:")) {
      ev.print_fmt = std::string(trim(line.substr(10)));
    }  // anything else: tolerated, for formats newer than this parser
  }
  if (!have_name) return data_loss(fmt::format("{}: no 'name:' line", origin));
  if (!have_id) return data_loss(fmt::format("{}: no 'ID:' line", origin));
  if (ev.fields.empty()) return data_loss(fmt::format("{}: no field lines", origin));
  return ev;
}

Result<PageHeaderFormat> parse_header_page(std::string_view text, std::string_view origin) {
  PageHeaderFormat h;
  bool have_ts = false, have_commit = false, have_data = false;
  size_t line_no = 0;
  for (std::string_view raw : split(text, '\n')) {
    ++line_no;
    std::string_view line = trim(raw);
    if (line.empty()) continue;
    if (!starts_with(line, "field:")) {
      return line_error(origin, line_no, fmt::format("expected a field line, got '{}'", line));
    }
    KTEL_ASSIGN_OR_RETURN(FormatField f, parse_field_line(line, origin, line_no));
    if (f.name == "timestamp") {
      h.timestamp_offset = f.offset, h.timestamp_size = f.size, have_ts = true;
    } else if (f.name == "commit") {
      h.commit_offset = f.offset, h.commit_size = f.size, have_commit = true;
    } else if (f.name == "data") {
      h.data_offset = f.offset, h.data_size = f.size, have_data = true;
    }  // "overwrite" shares commit's first byte; not needed to read pages
  }
  if (!have_ts || !have_commit || !have_data) {
    return data_loss(fmt::format("{}: needs timestamp, commit and data fields", origin));
  }
  return h;
}

Result<EventHeaderFormat> parse_header_event(std::string_view text, std::string_view origin) {
  EventHeaderFormat h;
  uint32_t* const slots[] = {&h.type_len_bits,   &h.time_delta_bits,  &h.array_bits,
                             &h.padding_type,    &h.time_extend_type, &h.time_stamp_type,
                             &h.data_max_type_len};
  const std::string_view keys[] = {"type_len",    "time_delta", "array",   "padding",
                                   "time_extend", "time_stamp", "data max type_len"};
  bool seen[std::size(keys)] = {};
  size_t line_no = 0;
  for (std::string_view raw : split(text, '\n')) {
    ++line_no;
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    // "type_len : 5 bits", "padding : type == 29", "data max type_len == 28"
    size_t sep = line.find("==");
    bool bits = false;
    if (sep == std::string_view::npos) {
      sep = line.find(':');
      bits = true;
    }
    if (sep == std::string_view::npos) {
      return line_error(origin, line_no, fmt::format("unexpected line '{}'", line));
    }
    std::string_view key = trim(line.substr(0, sep));
    std::string_view value = trim(line.substr(sep + (bits ? 1 : 2)));
    if (bits) {
      if (!value.ends_with("bits")) {
        return line_error(origin, line_no, fmt::format("expected 'N bits' in '{}'", line));
      }
      value = trim(value.substr(0, value.size() - 4));
    } else if (size_t colon = key.find(':'); colon != std::string_view::npos) {
      key = trim(key.substr(0, colon));  // "padding : type"
    }
    std::optional<uint32_t> n = parse_u32(value);
    if (!n) return line_error(origin, line_no, fmt::format("not a number in '{}'", line));
    for (size_t i = 0; i < std::size(keys); ++i) {
      if (key == keys[i]) *slots[i] = *n, seen[i] = true;
    }
  }
  for (size_t i = 0; i < std::size(keys); ++i) {
    if (!seen[i]) return data_loss(fmt::format("{}: no '{}' line", origin, keys[i]));
  }
  return h;
}

}  // namespace ktel::sched
