// RecordSession: the state of one recording, split out of Recorder::run() so
// each phase (prepare, start, wait, finish) is a small function.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "ktel/record_options.h"
#include "model/event_log.h"
#include "model/meta.h"
#include "sinks/sqlite/sqlite_sink.h"
#include "sources/registry.h"
#include "sys/signal_watch.h"
#include "sys/spawn.h"

namespace ktel {

struct RunningSource {
  std::unique_ptr<Source> source;
  bool started = false;
};

enum class StopReason { kWorkloadExited, kDuration, kSignal, kFailed };

class RecordSession {
 public:
  RecordSession(const SourceRegistry& registry, const RecordOptions& options,
                std::vector<std::string> sources);

  // Creates the directory, meta.json (running), episode.db and the event log.
  Status prepare();
  // Spawns (held) or attaches to the target.
  Status open_target();
  // Starts every source; a required one that cannot run fails the episode.
  Status start_sources();
  // Lets a held command exec.
  Status release_target();
  // Waits for the workload to end, --duration or signals.
  StopReason wait();
  // Stops sources, reaps, finalizes meta, done.marker, ownership. Returns the
  // exit code of `ktel record`.
  int finish(StopReason reason, const Status& failure);

  const std::string& dir() const { return dir_; }
  const EpisodeMeta& meta() const { return meta_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  Status open_signals();
  void stop_workload(bool immediately);
  void handle_signal(const ReceivedSignal& sig, int64_t& deadline_ns, bool& killed);
  void stop_sources();
  std::optional<ExitInfo> collect_exit();
  Status write_labels();

  const SourceRegistry& registry_;
  const RecordOptions& options_;
  std::vector<std::string> source_names_;
  EpisodeClock clock_;
  std::string dir_;
  EpisodeMeta meta_;
  std::unique_ptr<EventLog> events_;
  std::unique_ptr<SqliteSink> sink_;
  std::optional<SignalWatch> signals_;
  std::optional<HeldChild> child_;
  ScopedFd attach_pidfd_;
  pid_t target_pid_ = 0;
  std::vector<RunningSource> sources_;
  SourceContext ctx_;
  int signals_seen_ = 0;
  int first_signal_ = 0;
  std::optional<Credentials> run_as_;
  std::vector<std::string> warnings_;
};

}  // namespace ktel
