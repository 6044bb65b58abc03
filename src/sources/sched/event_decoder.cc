// Format-driven decoding of sched records. The field names are those of
// include/trace/events/sched.h; where a kernel's format lacks one we need (or
// types it unexpectedly), the event falls back to OtherEvent rather than
// guessing, and optional fields (prio, target_cpu, group_dead) get defaults.
#include "sources/sched/event_decoder.h"

#include <array>

#include "sources/sched/field_json.h"
#include "sources/sched/record_fields.h"

namespace ktel::sched {
namespace {

using decoder_detail::FieldRef;
using decoder_detail::kMaxFields;
using decoder_detail::Plan;

struct FieldSpec {
  const char* name = nullptr;
  bool is_string = false;
  bool required = false;
};
struct KindSpec {
  const char* event;
  EventKind kind;
  std::array<FieldSpec, kMaxFields> fields;
};

// The slot order here is what decode_*() below read as plan.f[i].
const KindSpec kSpecs[] = {
    {"sched_switch",
     EventKind::kSwitch,
     {{{"prev_comm", true, true},
       {"prev_pid", false, true},
       {"prev_prio", false, false},
       {"prev_state", false, true},
       {"next_comm", true, true},
       {"next_pid", false, true},
       {"next_prio", false, false}}}},
    {"sched_wakeup",
     EventKind::kWakeup,
     {{{"comm", true, true}, {"pid", false, true}, {"prio", false, false},
       {"target_cpu", false, false}}}},
    {"sched_wakeup_new",
     EventKind::kWakeupNew,
     {{{"comm", true, true}, {"pid", false, true}, {"prio", false, false},
       {"target_cpu", false, false}}}},
    {"sched_migrate_task",
     EventKind::kMigrate,
     {{{"comm", true, true},
       {"pid", false, true},
       {"prio", false, false},
       {"orig_cpu", false, true},
       {"dest_cpu", false, true}}}},
    {"sched_process_fork",
     EventKind::kFork,
     {{{"parent_comm", true, true}, {"parent_pid", false, true}, {"child_comm", true, true},
       {"child_pid", false, true}}}},
    {"sched_process_exec",
     EventKind::kExec,
     {{{"filename", true, true}, {"pid", false, true}, {"old_pid", false, false}}}},
    {"sched_process_exit",
     EventKind::kExit,
     {{{"comm", true, true}, {"pid", false, true}, {"prio", false, false},
       {"group_dead", false, false}}}},
};

// A field usable as the spec says, or nullopt.
std::optional<FieldRef> resolve(const FormatField* f, bool is_string) {
  if (f == nullptr) return std::nullopt;
  FieldRef r{.offset = static_cast<uint16_t>(f->offset),
             .size = static_cast<uint16_t>(f->size),
             .loc = f->loc,
             .is_signed = f->is_signed,
             .present = true};
  if (is_string) {
    bool ok = f->is_string() && (f->loc == FieldLoc::kInline ? f->size > 0 : f->size == 4);
    return ok ? std::optional(r) : std::nullopt;
  }
  bool ok = f->loc == FieldLoc::kInline && !f->is_array &&
            (f->size == 1 || f->size == 2 || f->size == 4 || f->size == 8);
  return ok ? std::optional(r) : std::nullopt;
}

Plan make_plan(const EventFormat& ev) {
  Plan plan;
  plan.format = &ev;
  plan.min_size = ev.min_payload_size();
  if (ev.system != "sched") return plan;
  for (const KindSpec& spec : kSpecs) {
    if (ev.name != spec.event) continue;
    Plan typed = plan;
    typed.kind = spec.kind;
    for (size_t i = 0; i < kMaxFields && spec.fields[i].name != nullptr; ++i) {
      const FieldSpec& fs = spec.fields[i];
      std::optional<FieldRef> r = resolve(ev.field(fs.name), fs.is_string);
      if (r) typed.f[i] = *r;
      if (!r && fs.required) return plan;  // stays kOther: rendered as JSON
    }
    return typed;
  }
  return plan;
}

int64_t get_int(std::span<const uint8_t> p, const FieldRef& f, int64_t absent) {
  return f.present ? load_int(p.data() + f.offset, f.size, f.is_signed) : absent;
}
int32_t get_i32(std::span<const uint8_t> p, const FieldRef& f, int32_t absent = 0) {
  return static_cast<int32_t>(get_int(p, f, absent));
}

bool get_str(std::span<const uint8_t> p, const FieldRef& f, std::string_view& out) {
  if (f.loc == FieldLoc::kInline) {
    out = c_string(p.subspan(f.offset, f.size));
    return true;
  }
  std::span<const uint8_t> bytes;
  if (!resolve_loc(p, f.offset, f.size, f.loc, bytes)) return false;
  out = c_string(bytes);
  return true;
}

// The alternative T of `payload`, reused when it already holds one (keeps
// string capacity), else freshly constructed.
template <typename T>
T& reuse_as(SchedPayload& payload) {
  if (T* t = std::get_if<T>(&payload)) return *t;
  return payload.emplace<T>();
}


// One decode_<kind> per typed event; `f` is the plan's slots in kSpecs order.
using Bytes = std::span<const uint8_t>;

DecodeOutcome decode_switch(Bytes p, const FieldRef* f, const PrevStateFlags& states,
                            SchedPayload& payload) {
  std::string_view prev, next;
  if (!get_str(p, f[0], prev) || !get_str(p, f[4], next)) return DecodeOutcome::kBadDataLoc;
  SwitchEvent& e = reuse_as<SwitchEvent>(payload);
  e.prev_comm.assign(prev);
  e.prev_pid = get_i32(p, f[1]);
  e.prev_prio = get_i32(p, f[2]);
  states.render(get_int(p, f[3], 0), e.prev_state);
  e.next_comm.assign(next);
  e.next_pid = get_i32(p, f[5]);
  e.next_prio = get_i32(p, f[6]);
  return DecodeOutcome::kOk;
}

DecodeOutcome decode_wakeup(Bytes p, const Plan& plan, SchedPayload& payload) {
  const FieldRef* f = plan.f;
  std::string_view comm;
  if (!get_str(p, f[0], comm)) return DecodeOutcome::kBadDataLoc;
  WakeupEvent& e = reuse_as<WakeupEvent>(payload);
  e.comm.assign(comm);
  e.pid = get_i32(p, f[1]);
  e.prio = get_i32(p, f[2]);
  e.target_cpu = get_i32(p, f[3], -1);
  e.is_new = plan.kind == EventKind::kWakeupNew;
  return DecodeOutcome::kOk;
}

DecodeOutcome decode_migrate(Bytes p, const FieldRef* f, SchedPayload& payload) {
  std::string_view comm;
  if (!get_str(p, f[0], comm)) return DecodeOutcome::kBadDataLoc;
  MigrateEvent& e = reuse_as<MigrateEvent>(payload);
  e.comm.assign(comm);
  e.pid = get_i32(p, f[1]);
  e.prio = get_i32(p, f[2]);
  e.orig_cpu = get_i32(p, f[3], -1);
  e.dest_cpu = get_i32(p, f[4], -1);
  return DecodeOutcome::kOk;
}

DecodeOutcome decode_fork(Bytes p, const FieldRef* f, SchedPayload& payload) {
  std::string_view parent, child;
  if (!get_str(p, f[0], parent) || !get_str(p, f[2], child)) return DecodeOutcome::kBadDataLoc;
  ForkEvent& e = reuse_as<ForkEvent>(payload);
  e.parent_comm.assign(parent);
  e.parent_pid = get_i32(p, f[1]);
  e.child_comm.assign(child);
  e.child_pid = get_i32(p, f[3]);
  return DecodeOutcome::kOk;
}

DecodeOutcome decode_exec(Bytes p, const FieldRef* f, SchedPayload& payload) {
  std::string_view filename;
  if (!get_str(p, f[0], filename)) return DecodeOutcome::kBadDataLoc;
  ExecEvent& e = reuse_as<ExecEvent>(payload);
  e.filename.assign(filename);
  e.pid = get_i32(p, f[1]);
  e.old_pid = get_i32(p, f[2]);
  return DecodeOutcome::kOk;
}

DecodeOutcome decode_exit(Bytes p, const FieldRef* f, SchedPayload& payload) {
  std::string_view comm;
  if (!get_str(p, f[0], comm)) return DecodeOutcome::kBadDataLoc;
  ExitEvent& e = reuse_as<ExitEvent>(payload);
  e.comm.assign(comm);
  e.pid = get_i32(p, f[1]);
  e.prio = get_i32(p, f[2]);
  e.group_dead = f[3].present ? static_cast<int8_t>(get_int(p, f[3], 0) != 0) : int8_t{-1};
  return DecodeOutcome::kOk;
}

}  // namespace

std::string_view decode_outcome_name(DecodeOutcome outcome) {
  switch (outcome) {
    case DecodeOutcome::kOk: return "ok";
    case DecodeOutcome::kUnknownId: return "unknown_id";
    case DecodeOutcome::kTooShort: return "payload_too_short";
    case DecodeOutcome::kBadDataLoc: return "bad_data_loc";
  }
  return "unknown";
}

EventDecoder::EventDecoder(const FormatSet& formats) : formats_(formats) {
  auto field_ref = [](const FormatField& f) {
    return FieldRef{.offset = static_cast<uint16_t>(f.offset),
                    .size = static_cast<uint16_t>(f.size),
                    .loc = FieldLoc::kInline,
                    .is_signed = f.is_signed,
                    .present = true};
  };
  common_type_ = field_ref(formats_.common_type());
  common_type_.is_signed = false;
  common_pid_ = field_ref(formats_.common_pid());
  const EventFormat* sw = formats_.find("sched", "sched_switch");
  prev_state_ = sw != nullptr ? PrevStateFlags::from_print_fmt(sw->print_fmt)
                              : PrevStateFlags::fallback();
  uint32_t max_id = 0;
  for (const EventFormat& ev : formats_.events()) max_id = std::max(max_id, ev.id);
  plan_by_id_.assign(max_id + 1, -1);
  plans_.reserve(formats_.events().size());
  for (const EventFormat& ev : formats_.events()) {
    plan_by_id_[ev.id] = static_cast<int32_t>(plans_.size());
    plans_.push_back(make_plan(ev));
  }
}

std::optional<uint32_t> EventDecoder::event_id(std::span<const uint8_t> payload) const {
  if (payload.size() < static_cast<size_t>(common_type_.offset) + common_type_.size) {
    return std::nullopt;
  }
  return static_cast<uint32_t>(get_int(payload, common_type_, 0));
}

EventKind EventDecoder::kind(uint32_t id) const {
  return id < plan_by_id_.size() && plan_by_id_[id] >= 0 ? plans_[plan_by_id_[id]].kind
                                                         : EventKind::kOther;
}

DecodeOutcome EventDecoder::decode(std::span<const uint8_t> p, SchedEvent& out) const {
  std::optional<uint32_t> id = event_id(p);
  if (!id) return DecodeOutcome::kTooShort;
  if (*id >= plan_by_id_.size() || plan_by_id_[*id] < 0) return DecodeOutcome::kUnknownId;
  const Plan& plan = plans_[static_cast<size_t>(plan_by_id_[*id])];
  if (p.size() < plan.min_size) return DecodeOutcome::kTooShort;
  out.common_pid = get_i32(p, common_pid_);
  switch (plan.kind) {
    case EventKind::kSwitch: return decode_switch(p, plan.f, prev_state_, out.payload);
    case EventKind::kWakeup:
    case EventKind::kWakeupNew: return decode_wakeup(p, plan, out.payload);
    case EventKind::kMigrate: return decode_migrate(p, plan.f, out.payload);
    case EventKind::kFork: return decode_fork(p, plan.f, out.payload);
    case EventKind::kExec: return decode_exec(p, plan.f, out.payload);
    case EventKind::kExit: return decode_exit(p, plan.f, out.payload);
    case EventKind::kOther: {
      OtherEvent& e = reuse_as<OtherEvent>(out.payload);
      if (!render_fields_json(*plan.format, p, e.fields_json)) return DecodeOutcome::kBadDataLoc;
      e.system.assign(plan.format->system);
      e.name.assign(plan.format->name);
      return DecodeOutcome::kOk;
    }
  }
  return DecodeOutcome::kUnknownId;
}

}  // namespace ktel::sched
