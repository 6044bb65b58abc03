#include "model/event_log.h"

#include <chrono>

namespace ktel {

Schema events_schema() {
  return Schema{"events",
                {
                    {"t_mono_ns", ColumnType::kInt64, "ns", "time since the episode origin"},
                    {"t_wall_ns", ColumnType::kInt64, "ns", "CLOCK_REALTIME, Unix epoch"},
                    {"source", ColumnType::kText, "", "emitter: proc, perf, record, ..."},
                    {"kind", ColumnType::kText, "", "event name, e.g. proc_started"},
                    {"fields", ColumnType::kText, "json", "event fields as a JSON object"},
                }};
}

Status EventLog::attach_sink(Sink* sink) {
  std::lock_guard lock(mu_);
  KTEL_ASSIGN_OR_RETURN(table_, sink->open_table(events_schema()));
  sink_ = sink;
  for (const Event& e : events_) {
    Status st = write_locked(e);
    if (!st.is_ok()) return st;
  }
  return Status::ok();
}

void EventLog::set_listener(Listener listener) {
  std::lock_guard lock(mu_);
  listener_ = std::move(listener);
}

void EventLog::emit(std::string_view source, std::string_view kind, nlohmann::json fields) {
  emit_at(clock_.now(), source, kind, std::move(fields));
}

void EventLog::emit_at(Stamp t, std::string_view source, std::string_view kind,
                       nlohmann::json fields) {
  Event e{t, std::string(source), std::string(kind), std::move(fields)};
  Listener listener;
  {
    std::lock_guard lock(mu_);
    if (sink_ != nullptr) {
      Status st = write_locked(e);
      if (!st.is_ok() && sink_status_.is_ok()) sink_status_ = st;
    }
    events_.push_back(e);
    listener = listener_;
  }
  cv_.notify_all();
  if (listener) listener(e);
}

Status EventLog::write_locked(const Event& e) {
  Batch b(5);
  b.add_int(e.t.mono_ns).add_int(e.t.wall_ns).add_text(e.source).add_text(e.kind);
  // Replacement keeps hostile bytes (process names) from aborting the dump.
  b.add_text(e.fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  return sink_->append(table_, std::move(b));
}

bool EventLog::wait_for(std::string_view kind, int64_t timeout_ns) {
  std::unique_lock lock(mu_);
  auto seen = [&] {
    for (const Event& e : events_) {
      if (e.kind == kind) return true;
    }
    return false;
  };
  return cv_.wait_for(lock, std::chrono::nanoseconds(timeout_ns), seen);
}

std::vector<Event> EventLog::snapshot() const {
  std::lock_guard lock(mu_);
  return events_;
}

std::vector<Event> EventLog::of_kind(std::string_view kind) const {
  std::vector<Event> out;
  for (Event& e : snapshot()) {
    if (e.kind == kind) out.push_back(std::move(e));
  }
  return out;
}

Status EventLog::sink_status() const {
  std::lock_guard lock(mu_);
  return sink_status_;
}

}  // namespace ktel
