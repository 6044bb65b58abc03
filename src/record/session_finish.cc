// The closing phase of a recording: stop sources (while the workload is still
// an unreaped zombie), reap, finalize meta.json, then done.marker last.
#include <unistd.h>

#include <fmt/format.h>

#include "base/file_util.h"
#include "ktel/record_options.h"
#include "model/episode_layout.h"
#include "record/session.h"

namespace ktel {

void RecordSession::stop_sources() {
  for (auto it = sources_.rbegin(); it != sources_.rend(); ++it) {
    Source& src = *it->source;
    std::string name(src.name());
    Status st = src.stop();
    SourceReport r = src.report();
    SourceMeta sm{r.status, r.rows, r.lost, r.reason, r.details};
    if (!st.is_ok()) {
      sm.status = "failed";
      sm.reason = st.to_string();
      events_->emit(name, name + "_error", {{"error", sm.reason}});
    }
    meta_.sources[name] = std::move(sm);
  }
}

std::optional<ExitInfo> RecordSession::collect_exit() {
  if (!child_) return std::nullopt;
  auto info = child_->reap();
  if (!info.is_ok()) {
    warnings_.push_back(info.status().to_string());
    return std::nullopt;
  }
  return *info;
}

int RecordSession::finish(StopReason reason, const Status& failure) {
  stop_sources();
  int exit_code = kRecordExitKtelFailed;
  std::optional<ExitInfo> exit_info;
  if (child_ && failure.is_ok()) exit_info = collect_exit();
  if (exit_info) {
    meta_.exit.code = exit_info->code;
    meta_.exit.signal = exit_info->signal;
    events_->emit("record", "workload_exited",
                  {{"pid", target_pid_},
                   {"code", exit_info->code ? nlohmann::json(*exit_info->code) : nlohmann::json()},
                   {"signal", exit_info->signal ? nlohmann::json(*exit_info->signal) : nlohmann::json()},
                   {"core_dumped", exit_info->core_dumped}});
    exit_code = exit_info->shell_code();
  } else if (!child_ && failure.is_ok()) {
    events_->emit("record", reason == StopReason::kWorkloadExited ? "target_exited" : "target_detached",
                  {{"pid", target_pid_}});
    exit_code = 0;
  }

  if (!failure.is_ok() || reason == StopReason::kFailed) {
    meta_.status = "failed";
    meta_.error = failure.is_ok() ? "recording loop failed; see events" : failure.to_string();
    exit_code = kRecordExitKtelFailed;
  } else if (reason == StopReason::kSignal) {
    meta_.status = "interrupted";
    if (!exit_info) exit_code = 128 + first_signal_;
  } else {
    meta_.status = "complete";
    if (reason == StopReason::kDuration && child_) exit_code = kRecordExitDurationReached;
  }
  events_->emit("record", "episode_finished", {{"status", meta_.status}});

  Status sink_status = sink_ ? sink_->finish() : Status::ok();
  if (sink_) meta_.sink_dropped_rows = sink_->dropped_rows();
  if (!sink_status.is_ok()) {
    meta_.status = "failed";
    meta_.error = "episode.db: " + sink_status.to_string();
    warnings_.push_back(meta_.error);
    exit_code = kRecordExitKtelFailed;
  }
  int64_t end_wall = realtime_now_ns();
  meta_.end_wall_ns = end_wall;
  meta_.duration_ns = end_wall - meta_.start_wall_ns;
  meta_.exit.ktel_exit_code = exit_code;
  Status meta_status = write_meta(dir_, meta_);
  if (!meta_status.is_ok()) {
    warnings_.push_back("meta.json not finalized: " + meta_status.to_string());
    exit_code = kRecordExitKtelFailed;
  } else {
    Status marker = write_file_atomic(layout::done_marker(dir_), meta_.id + "\n");
    if (!marker.is_ok()) {
      warnings_.push_back("done.marker not written: " + marker.to_string());
      exit_code = kRecordExitKtelFailed;
    }
  }
  if (auto who = sudo_invoker()) {
    Status st = chown_tree(dir_, who->uid, who->gid);
    if (!st.is_ok()) warnings_.push_back("could not hand the episode to the sudo user: " + st.to_string());
  }
  return exit_code;
}

}  // namespace ktel
