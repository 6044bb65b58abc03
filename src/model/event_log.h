// EventLog: lifecycle and orchestration events (`proc_started`,
// `perf_unavailable`, `process_gone`, ...). Events go to the `events` table,
// stay in memory for meta.json and the summary, can be printed as they happen,
// and can be waited for by kind.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "model/sink.h"

namespace ktel {

struct Event {
  Stamp t;
  std::string source;  // "proc", "perf", "record", ...
  std::string kind;    // "proc_started", ...
  nlohmann::json fields = nlohmann::json::object();
};

Schema events_schema();

class EventLog {
 public:
  using Listener = std::function<void(const Event&)>;

  explicit EventLog(const EpisodeClock& clock) : clock_(clock) {}

  // Starts writing to `sink`; events emitted before are written now. Thread-safe.
  Status attach_sink(Sink* sink);
  // Called for every event, under no lock of ours, from the emitting thread.
  void set_listener(Listener listener);

  // Records an event stamped now. Thread-safe. A sink error is kept and
  // returned by sink_status(); the event stays in memory either way.
  void emit(std::string_view source, std::string_view kind,
            nlohmann::json fields = nlohmann::json::object());
  void emit_at(Stamp t, std::string_view source, std::string_view kind, nlohmann::json fields);

  // Waits until an event of `kind` has been emitted (or already was).
  // Returns false on timeout.
  bool wait_for(std::string_view kind, int64_t timeout_ns);

  std::vector<Event> snapshot() const;
  // The events of one kind so far, in order (a snapshot filtered).
  std::vector<Event> of_kind(std::string_view kind) const;
  Status sink_status() const;

 private:
  Status write_locked(const Event& e);

  const EpisodeClock& clock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Event> events_;
  Sink* sink_ = nullptr;
  TableId table_ = -1;
  Status sink_status_;
  Listener listener_;
};

}  // namespace ktel
