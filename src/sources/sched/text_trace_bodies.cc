// Sched event bodies in the text trace, matched against the kernel's print
// formats (include/trace/events/sched.h): "prev_comm=%s prev_pid=%d ...".
// Comms and filenames are printed raw with %s, so they can contain " pid=",
// "==>" and anything else; the matcher takes, for each text value, the first
// end at which the rest of the line matches the remaining keys exactly.
#include "sources/sched/text_trace_bodies.h"

#include <array>
#include <cstdint>
#include <cstring>

#include "sources/sched/text_trace_fields.h"

namespace ktel::sched {

namespace {

// kComm: a task name, which the kernel prints from a char[16] (TASK_COMM_LEN);
// up to kMaxComm bytes are accepted (and cut to 16), so a damaged line whose
// "comm" swallowed half of the next line is malformed rather than an event.
// kPath: an exec filename, at most PATH_MAX.
enum class Kind : uint8_t { kComm, kPath, kInt, kToken, kBool };

bool is_text(Kind k) { return k == Kind::kComm || k == Kind::kPath; }

struct Field {
  std::string_view key;  // with its '='
  Kind kind;
};

constexpr size_t kMaxFields = 8;
// Non-text values (numbers, prev_state, booleans) hold no spaces and are short.
constexpr size_t kMaxFixedValue = 64;
constexpr size_t kMaxKey = 16;
constexpr size_t kMaxComm = 64;
constexpr size_t kMaxPath = 4096;
// A match: each field's text, and its value for numbers and booleans.
struct Values {
  std::array<std::string_view, kMaxFields> text;
  std::array<int32_t, kMaxFields> num;
};

bool valid_value(Kind kind, std::string_view v, int32_t& num) {
  switch (kind) {
    case Kind::kInt:
      return parse_text_int32(v, num);
    case Kind::kToken:
      return !v.empty() && v.size() <= kMaxFixedValue;
    case Kind::kBool:
      num = v == "true" || v == "1" ? 1 : 0;
      return v == "true" || v == "false" || v == "1" || v == "0";
    case Kind::kComm:
      return v.size() <= kMaxComm;
    case Kind::kPath:
      return v.size() <= kMaxPath;
  }
  return false;
}

uint64_t load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
uint32_t load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

// Keys and event names are 4 to 16 bytes: two overlapping word compares
// instead of a call to memcmp.
bool starts_with(std::string_view s, std::string_view p) {
  const size_t n = p.size();
  if (s.size() < n) return false;
  const char* a = s.data();
  const char* b = p.data();
  if (n >= 8) {
    return n <= 16 ? load64(a) == load64(b) && load64(a + n - 8) == load64(b + n - 8)
                   : std::memcmp(a, b, n) == 0;
  }
  if (n >= 4) return load32(a) == load32(b) && load32(a + n - 4) == load32(b + n - 4);
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}
bool equals(std::string_view s, std::string_view p) {
  return s.size() == p.size() && starts_with(s, p);
}

// Values are short: a plain loop beats a call to memchr.
size_t find_space(std::string_view s, size_t from = 0) {
  for (size_t i = from; i < s.size(); ++i) {
    if (s[i] == ' ') return i;
  }
  return std::string_view::npos;
}

// The payload alternative T, reusing the one already there (its strings keep
// their capacity); every parser below assigns every field.
template <typename T>
T& reuse(SchedPayload& payload) {
  if (T* t = std::get_if<T>(&payload)) return *t;
  return payload.emplace<T>();
}

// Where the text value at the start of `body` must end when every later field
// is fixed: before the (n-1)-th space from the right. npos when there is none
// within reach.
size_t fixed_tail_start(std::string_view body, size_t later_fields) {
  size_t pos = body.size();
  for (size_t k = 0; k < later_fields; ++k) {
    size_t floor = pos > kMaxFixedValue + kMaxKey ? pos - kMaxFixedValue - kMaxKey : 0;
    size_t space = std::string_view::npos;
    for (size_t i = pos; i > floor; --i) {
      if (body[i - 1] == ' ') {
        space = i - 1;
        break;
      }
    }
    if (space == std::string_view::npos) return space;
    pos = space;
  }
  return pos;
}

bool only_fixed(const Field* fields, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (is_text(fields[i].kind)) return false;
  }
  return true;
}

// Matches `body` against fields[0..n): body starts with fields[0].key; values
// are separated by one space. A text value ends at the first space after
// which the rest matches the remaining fields exactly; when only fixed
// fields follow, that end is found from the right in constant time, so even
// sched_switch's two comms cost O(size of the line).
bool match(std::string_view body, const Field* fields, size_t n, Values& v, size_t i) {
  if (!starts_with(body, fields[i].key)) return false;
  body.remove_prefix(fields[i].key.size());
  if (fields[i].kind == Kind::kInt) {  // digits read as they are scanned
    size_t end = 0;
    bool neg = !body.empty() && body[0] == '-';
    int64_t num = 0;
    for (end = neg ? 1 : 0; end < body.size() && body[end] >= '0' && body[end] <= '9'; ++end) {
      num = num * 10 + (body[end] - '0');
      if (num > (int64_t{1} << 31)) return false;
    }
    if (end == (neg ? 1u : 0u)) return false;
    num = neg ? -num : num;
    if (num > INT32_MAX || num < INT32_MIN) return false;
    v.num[i] = static_cast<int32_t>(num);
    v.text[i] = body.substr(0, end);
    if (i + 1 == n) return end == body.size();
    return end < body.size() && body[end] == ' ' &&
           match(body.substr(end + 1), fields, n, v, i + 1);
  }
  if (!is_text(fields[i].kind)) {
    size_t end = find_space(body);
    if (end == std::string_view::npos) end = body.size();
    v.text[i] = body.substr(0, end);
    if (!valid_value(fields[i].kind, v.text[i], v.num[i])) return false;
    if (i + 1 == n) return end == body.size();
    return end < body.size() && match(body.substr(end + 1), fields, n, v, i + 1);
  }
  if (i + 1 == n) {
    v.text[i] = body;
    return valid_value(fields[i].kind, body, v.num[i]);
  }
  const std::string_view next = fields[i + 1].key;
  const size_t max_len = fields[i].kind == Kind::kComm ? kMaxComm : kMaxPath;
  auto try_end = [&](size_t end) {
    if (end > max_len) return false;
    std::string_view rest = body.substr(end + 1);
    if (!starts_with(rest, next) || !match(rest, fields, n, v, i + 1)) return false;
    v.text[i] = body.substr(0, end);
    return true;
  };
  if (only_fixed(fields + i + 1, n - i - 1)) {
    size_t end = fixed_tail_start(body, n - i - 1);
    return end != std::string_view::npos && try_end(end);
  }
  for (size_t end = find_space(body); end != std::string_view::npos && end <= max_len;
       end = find_space(body, end + 1)) {
    if (try_end(end)) return true;
  }
  return false;
}

template <size_t N>
bool match(std::string_view body, const std::array<Field, N>& fields, Values& out) {
  static_assert(N <= kMaxFields);
  return match(body, fields.data(), N, out, 0);
}

template <typename Text>
void assign(Text& t, std::string_view v, bool& truncated) {
  t.assign(v);
  if (t.view().size() < v.size()) truncated = true;
}

constexpr std::array<Field, 7> kSwitch{{{"prev_comm=", Kind::kComm},
                                        {"prev_pid=", Kind::kInt},
                                        {"prev_prio=", Kind::kInt},
                                        {"prev_state=", Kind::kToken},
                                        {"==> next_comm=", Kind::kComm},
                                        {"next_pid=", Kind::kInt},
                                        {"next_prio=", Kind::kInt}}};
constexpr std::array<Field, 4> kWakeup{{{"comm=", Kind::kComm},
                                        {"pid=", Kind::kInt},
                                        {"prio=", Kind::kInt},
                                        {"target_cpu=", Kind::kInt}}};
// Before Linux 3.15 sched_wakeup also printed success=%d.
constexpr std::array<Field, 5> kWakeupOld{{{"comm=", Kind::kComm},
                                           {"pid=", Kind::kInt},
                                           {"prio=", Kind::kInt},
                                           {"success=", Kind::kInt},
                                           {"target_cpu=", Kind::kInt}}};
constexpr std::array<Field, 5> kMigrate{{{"comm=", Kind::kComm},
                                         {"pid=", Kind::kInt},
                                         {"prio=", Kind::kInt},
                                         {"orig_cpu=", Kind::kInt},
                                         {"dest_cpu=", Kind::kInt}}};
constexpr std::array<Field, 4> kFork{{{"comm=", Kind::kComm},
                                      {"pid=", Kind::kInt},
                                      {"child_comm=", Kind::kComm},
                                      {"child_pid=", Kind::kInt}}};
constexpr std::array<Field, 3> kExec{
    {{"filename=", Kind::kPath}, {"pid=", Kind::kInt}, {"old_pid=", Kind::kInt}}};
// group_dead= since Linux 6.10.
constexpr std::array<Field, 4> kExit{{{"comm=", Kind::kComm},
                                      {"pid=", Kind::kInt},
                                      {"prio=", Kind::kInt},
                                      {"group_dead=", Kind::kBool}}};
constexpr std::array<Field, 3> kExitOld{
    {{"comm=", Kind::kComm}, {"pid=", Kind::kInt}, {"prio=", Kind::kInt}}};

std::string_view parse_switch(std::string_view body, SchedPayload& payload, bool& truncated) {
  Values v;
  if (!match(body, kSwitch, v)) {
    return "sched_switch: fields do not match \"prev_comm=C prev_pid=N prev_prio=N "
           "prev_state=S ==> next_comm=C next_pid=N next_prio=N\"";
  }
  if (v.text[3].size() > 16) return "sched_switch: prev_state longer than 16 bytes";
  SwitchEvent& e = reuse<SwitchEvent>(payload);
  assign(e.prev_comm, v.text[0], truncated);
  e.prev_pid = v.num[1];
  e.prev_prio = v.num[2];
  e.prev_state.assign(v.text[3]);
  assign(e.next_comm, v.text[4], truncated);
  e.next_pid = v.num[5];
  e.next_prio = v.num[6];
  return {};
}

std::string_view parse_wakeup(std::string_view body, bool is_new, SchedPayload& payload,
                              bool& truncated) {
  Values v;
  size_t target = 3;
  if (!match(body, kWakeup, v)) {
    if (!match(body, kWakeupOld, v)) {
      return is_new ? "sched_wakeup_new: fields do not match \"comm=C pid=N prio=N target_cpu=N\""
                    : "sched_wakeup: fields do not match \"comm=C pid=N prio=N target_cpu=N\"";
    }
    target = 4;
  }
  WakeupEvent& e = reuse<WakeupEvent>(payload);
  assign(e.comm, v.text[0], truncated);
  e.pid = v.num[1];
  e.prio = v.num[2];
  e.target_cpu = v.num[target];
  e.is_new = is_new;
  return {};
}

std::string_view parse_migrate(std::string_view body, SchedPayload& payload, bool& truncated) {
  Values v;
  if (!match(body, kMigrate, v)) {
    return "sched_migrate_task: fields do not match \"comm=C pid=N prio=N orig_cpu=N dest_cpu=N\"";
  }
  MigrateEvent& e = reuse<MigrateEvent>(payload);
  assign(e.comm, v.text[0], truncated);
  e.pid = v.num[1];
  e.prio = v.num[2];
  e.orig_cpu = v.num[3];
  e.dest_cpu = v.num[4];
  return {};
}

std::string_view parse_fork(std::string_view body, SchedPayload& payload, bool& truncated) {
  Values v;
  if (!match(body, kFork, v)) {
    return "sched_process_fork: fields do not match \"comm=C pid=N child_comm=C child_pid=N\"";
  }
  ForkEvent& e = reuse<ForkEvent>(payload);
  assign(e.parent_comm, v.text[0], truncated);
  e.parent_pid = v.num[1];
  assign(e.child_comm, v.text[2], truncated);
  e.child_pid = v.num[3];
  return {};
}

std::string_view parse_exec(std::string_view body, SchedPayload& payload) {
  Values v;
  if (!match(body, kExec, v)) {
    return "sched_process_exec: fields do not match \"filename=F pid=N old_pid=N\"";
  }
  ExecEvent& e = reuse<ExecEvent>(payload);
  e.filename.assign(v.text[0]);
  e.pid = v.num[1];
  e.old_pid = v.num[2];
  return {};
}

std::string_view parse_exit(std::string_view body, SchedPayload& payload, bool& truncated) {
  Values v;
  int8_t group_dead = -1;
  if (match(body, kExit, v)) {
    group_dead = static_cast<int8_t>(v.num[3]);
  } else if (!match(body, kExitOld, v)) {
    return "sched_process_exit: fields do not match \"comm=C pid=N prio=N [group_dead=B]\"";
  }
  ExitEvent& e = reuse<ExitEvent>(payload);
  assign(e.comm, v.text[0], truncated);
  e.pid = v.num[1];
  e.prio = v.num[2];
  e.group_dead = group_dead;
  return {};
}

}  // namespace

bool parse_text_int32(std::string_view s, int32_t& out) {
  size_t i = 0;
  bool neg = false;
  if (!s.empty() && s[0] == '-') {
    neg = true;
    i = 1;
  }
  if (i == s.size() || s.size() - i > 32) return false;
  int64_t v = 0;
  for (; i < s.size(); ++i) {
    unsigned d = static_cast<unsigned char>(s[i]) - unsigned{'0'};
    if (d > 9) return false;
    v = v * 10 + d;
    if (v > int64_t{1} << 31) return false;
  }
  if (neg) v = -v;
  if (v > INT32_MAX || v < INT32_MIN) return false;
  out = static_cast<int32_t>(v);
  return true;
}

std::string_view parse_sched_event_body(std::string_view name, std::string_view body,
                                        SchedPayload& payload, bool& truncated) {
  if (equals(name, "sched_switch")) return parse_switch(body, payload, truncated);
  if (equals(name, "sched_wakeup")) return parse_wakeup(body, false, payload, truncated);
  if (equals(name, "sched_wakeup_new")) return parse_wakeup(body, true, payload, truncated);
  if (equals(name, "sched_migrate_task")) return parse_migrate(body, payload, truncated);
  if (equals(name, "sched_process_fork")) return parse_fork(body, payload, truncated);
  if (equals(name, "sched_process_exec")) return parse_exec(body, payload);
  if (equals(name, "sched_process_exit")) return parse_exit(body, payload, truncated);
  OtherEvent& e = reuse<OtherEvent>(payload);
  e.system.clear();
  e.name.assign(name);
  e.fields_json = text_fields_to_json(body);
  return {};
}

}  // namespace ktel::sched
