// FormatSet: the formats of one capture, loaded from raw/sched/formats (copies
// of tracefs events/header_page, events/header_event and
// events/<system>/<event>/format, written by the capture).
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "base/file_util.h"
#include "sources/sched/ftrace_format.h"

namespace ktel::sched {
namespace {

// common_type is an unsigned short on every kernel; a table indexed by id
// stays small. Anything larger is a broken file, not a kernel.
constexpr uint32_t kMaxEventId = 1u << 20;

Status check_common_field(const EventFormat& ev, std::string_view name, const FormatField& ref,
                          bool have_ref) {
  const FormatField* f = ev.field(name);
  if (f == nullptr) {
    return data_loss(fmt::format("event {}/{} (id {}) has no {} field", ev.system, ev.name,
                                 ev.id, name));
  }
  if (f->loc != FieldLoc::kInline || f->is_array || f->size == 0 || f->size > 8) {
    return data_loss(fmt::format("event {}/{}: {} is not a plain integer", ev.system, ev.name,
                                 name));
  }
  if (have_ref && (f->offset != ref.offset || f->size != ref.size)) {
    return data_loss(fmt::format("event {}/{}: {} at offset {} size {}, others at {} size {}",
                                 ev.system, ev.name, name, f->offset, f->size, ref.offset,
                                 ref.size));
  }
  return Status::ok();
}

}  // namespace

Result<FormatSet> FormatSet::create(PageHeaderFormat page, EventHeaderFormat header,
                                    std::vector<EventFormat> events) {
  if (events.empty()) return data_loss("no event formats");
  FormatSet set;
  set.page_ = page;
  set.header_ = header;
  uint32_t max_id = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    const EventFormat& ev = events[i];
    if (ev.id >= kMaxEventId) {
      return data_loss(fmt::format("event {}/{}: id {} out of range", ev.system, ev.name, ev.id));
    }
    KTEL_TRY(check_common_field(ev, "common_type", set.common_type_, i > 0));
    KTEL_TRY(check_common_field(ev, "common_pid", set.common_pid_, i > 0));
    if (i == 0) {
      set.common_type_ = *ev.field("common_type");
      set.common_pid_ = *ev.field("common_pid");
    }
    max_id = std::max(max_id, ev.id);
  }
  set.by_id_.assign(max_id + 1, -1);
  for (size_t i = 0; i < events.size(); ++i) {
    int32_t& slot = set.by_id_[events[i].id];
    if (slot >= 0) {
      const EventFormat& a = events[static_cast<size_t>(slot)];
      return data_loss(fmt::format("event id {} used by both {}/{} and {}/{}", events[i].id,
                                   a.system, a.name, events[i].system, events[i].name));
    }
    slot = static_cast<int32_t>(i);
  }
  set.events_ = std::make_shared<const std::vector<EventFormat>>(std::move(events));
  return set;
}

const EventFormat* FormatSet::find(std::string_view system, std::string_view name) const {
  for (const EventFormat& ev : *events_) {
    if (ev.name == name && (system.empty() || ev.system == system)) return &ev;
  }
  return nullptr;
}

Result<FormatSet> load_formats(const std::string& dir) {
  namespace fs = std::filesystem;
  const std::string hp_path = dir + "/header_page";
  const std::string he_path = dir + "/header_event";
  KTEL_ASSIGN_OR_RETURN(std::string hp_text, read_file(hp_path));
  KTEL_ASSIGN_OR_RETURN(std::string he_text, read_file(he_path));
  KTEL_ASSIGN_OR_RETURN(PageHeaderFormat page, parse_header_page(hp_text, hp_path));
  KTEL_ASSIGN_OR_RETURN(EventHeaderFormat header, parse_header_event(he_text, he_path));

  // <dir>/<system>/<event>/format, in sorted order so errors are repeatable.
  std::vector<std::pair<std::string, std::string>> files;  // (system, path)
  std::error_code ec;
  for (fs::directory_iterator sys_it(dir, ec), end; !ec && sys_it != end; sys_it.increment(ec)) {
    if (!sys_it->is_directory(ec)) continue;
    std::error_code ec2;
    for (fs::directory_iterator ev_it(sys_it->path(), ec2); !ec2 && ev_it != end;
         ev_it.increment(ec2)) {
      fs::path format = ev_it->path() / "format";
      if (fs::is_regular_file(format, ec2)) {
        files.emplace_back(sys_it->path().filename().string(), format.string());
      }
    }
    if (ec2) return errno_status(ec2.value(), "list " + sys_it->path().string());
  }
  if (ec) return errno_status(ec.value(), "list format directory " + dir);
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    return not_found(fmt::format("no event formats under {} (expected <system>/<event>/format)",
                                 dir));
  }
  std::vector<EventFormat> events;
  events.reserve(files.size());
  for (const auto& [system, path] : files) {
    KTEL_ASSIGN_OR_RETURN(std::string text, read_file(path));
    KTEL_ASSIGN_OR_RETURN(EventFormat ev, parse_event_format(text, path));
    ev.system = system;
    events.push_back(std::move(ev));
  }
  Result<FormatSet> set = FormatSet::create(page, header, std::move(events));
  if (!set.is_ok()) return set.status().with_context("formats in " + dir);
  return set;
}

}  // namespace ktel::sched
