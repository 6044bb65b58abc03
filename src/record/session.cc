#include "record/session.h"

#include <dirent.h>
#include <algorithm>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "base/file_util.h"
#include "base/ulid.h"
#include "ktel/build_info.h"
#include "model/episode_layout.h"
#include "model/tables.h"

namespace ktel {

namespace {

bool dir_is_nonempty(const std::string& path) {
  DIR* d = ::opendir(path.c_str());
  if (d == nullptr) return false;
  bool nonempty = false;
  while (dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") {
      nonempty = true;
      break;
    }
  }
  ::closedir(d);
  return nonempty;
}

// Kinds worth a line on the terminal while recording.
bool is_loud(std::string_view kind) {
  auto ends_with = [&](std::string_view suffix) {
    return kind.size() >= suffix.size() && kind.substr(kind.size() - suffix.size()) == suffix;
  };
  return ends_with("_unavailable") || ends_with("_no_data") || ends_with("_no_counters") ||
         ends_with("_lost") || ends_with("_user_only") || ends_with("_malformed") || ends_with("_error") ||
         kind == "signal_received" || kind == "duration_reached";
}

}  // namespace

RecordSession::RecordSession(const SourceRegistry& registry, const RecordOptions& options,
                             std::vector<std::string> sources)
    : registry_(registry),
      options_(options),
      source_names_(std::move(sources)),
      clock_(EpisodeClock::start_now()) {}

Status RecordSession::open_signals() {
  KTEL_ASSIGN_OR_RETURN(SignalWatch w, SignalWatch::open());
  signals_.emplace(std::move(w));
  return Status::ok();
}

Status RecordSession::open_target() {
  KTEL_TRY(open_signals());
  if (options_.attach_pid) {
    target_pid_ = *options_.attach_pid;
    KTEL_ASSIGN_OR_RETURN(attach_pidfd_, open_pidfd(target_pid_));
    return Status::ok();
  }
  if (options_.command.empty()) return invalid_argument("nothing to record: give -- CMD ARGS, --pid or --workload");
  KTEL_ASSIGN_OR_RETURN(std::string path, resolve_executable(options_.command[0]));
  if (!options_.as_root) run_as_ = sudo_invoker();
  KTEL_ASSIGN_OR_RETURN(HeldChild child,
                        HeldChild::spawn({.path = path, .argv = options_.command, .run_as = run_as_}));
  target_pid_ = child.pid();
  child_.emplace(std::move(child));
  return Status::ok();
}

Status RecordSession::prepare() {
  meta_.id = make_ulid();
  dir_ = options_.output_dir.empty() ? "episodes/" + meta_.id : options_.output_dir;
  if (dir_is_nonempty(dir_)) {
    return Status(Code::kAlreadyExists,
                  fmt::format("output directory {} is not empty; choose another --output", dir_));
  }
  KTEL_TRY(make_dirs(dir_));
  KTEL_TRY(make_dirs(layout::raw(dir_)));
  meta_.status = "running";
  meta_.ktel_version = KTEL_VERSION;
  meta_.host = read_host_meta();
  meta_.target.kind = options_.attach_pid ? "pid" : "command";
  meta_.target.argv = options_.command;
  meta_.target.pid = target_pid_;
  if (options_.attach_pid) meta_.target.comm = process_comm(target_pid_).value_or("");
  if (run_as_) {
    meta_.target.run_as_uid = run_as_->uid;
    meta_.target.run_as_gid = run_as_->gid;
  }
  meta_.origin_mono_ns = clock_.origin_mono_ns();
  meta_.origin_wall_ns = clock_.origin_wall_ns();
  meta_.start_wall_ns = clock_.origin_wall_ns();
  meta_.labels = options_.labels;
  meta_.options = {{"interval_ns", options_.interval_ns},
                   {"sources", source_names_},
                   {"required", options_.required},
                   {"threads", options_.threads},
                   {"duration_ns", options_.duration_ns ? nlohmann::json(*options_.duration_ns)
                                                        : nlohmann::json(nullptr)},
                   {"as_root", options_.as_root},
                   {"workload", options_.workload_name},
                   {"sched_buffer_kb", options_.sched_buffer_kb},
                   {"sched_events", options_.sched_events},
                   {"sched_scope", options_.sched_scope},
                   {"exec_scope", options_.exec_scope},
                   {"exec_exclude", options_.exec_exclude},
                   {"exec_ring_kb", options_.exec_ring_kb},
                   {"exec_backend", options_.exec_backend},
                   {"exec_argv_max", {options_.exec_argv_bytes, options_.exec_argv_args}},
                   {"exec_rss", options_.exec_rss}};
  for (const auto& info : registry_.all()) {
    meta_.sources[info.name] = {"not_requested", 0, 0, "not in --sources", {}};
  }
  KTEL_TRY(write_meta(dir_, meta_));

  KTEL_ASSIGN_OR_RETURN(sink_, SqliteSink::open(layout::db(dir_)));
  events_ = std::make_unique<EventLog>(clock_);
  events_->set_listener([quiet = options_.quiet](const Event& e) {
    if (quiet || !is_loud(e.kind)) return;
    fmt::print(stderr, "ktel: {} {}\n", e.kind, e.fields.dump(-1, ' ', false,
                                                             nlohmann::json::error_handler_t::replace));
  });
  KTEL_TRY(events_->attach_sink(sink_.get()));
  events_->emit("record", "episode_started",
                {{"id", meta_.id}, {"target", meta_.target.kind}, {"pid", target_pid_},
                 {"argv", options_.command}});
  return write_labels();
}

Status RecordSession::write_labels() {
  if (options_.labels.empty()) return Status::ok();
  KTEL_ASSIGN_OR_RETURN(TableId table, sink_->open_table(tables::labels()));
  Batch b(4);
  Stamp now = clock_.now();
  for (const auto& [k, v] : options_.labels) {
    b.add_text(k).add_text(v).add_int(now.mono_ns).add_int(now.wall_ns);
  }
  return sink_->append(table, std::move(b));
}

Status RecordSession::start_sources() {
  ctx_.clock = &clock_;
  ctx_.events = events_.get();
  ctx_.sink = sink_.get();
  ctx_.target_pid = target_pid_;
  ctx_.options.interval_ns = options_.interval_ns;
  ctx_.options.threads = options_.threads;
  ctx_.options.proc_backend = options_.proc_backend;
  ctx_.options.sched_buffer_kb = options_.sched_buffer_kb;
  ctx_.options.sched_events = options_.sched_events;
  ctx_.options.sched_scope = options_.sched_scope;
  ctx_.options.sched_drain_period_ns = options_.sched_drain_period_ns;
  ctx_.options.exec_scope = options_.exec_scope;
  ctx_.options.exec_exclude = options_.exec_exclude;
  ctx_.options.exec_ring_kb = options_.exec_ring_kb;
  ctx_.options.exec_poll_period_ns = options_.exec_poll_period_ns;
  ctx_.options.exec_backend = options_.exec_backend;
  ctx_.options.exec_argv_bytes = options_.exec_argv_bytes;
  ctx_.options.exec_argv_args = options_.exec_argv_args;
  ctx_.options.exec_rss = options_.exec_rss;
  ctx_.episode_dir = dir_;
  for (const std::string& name : source_names_) {
    const SourceInfo* info = registry_.find(name);
    RunningSource rs{info->make(), false};
    Status st = rs.source->start(ctx_);
    bool required = std::find(options_.required.begin(), options_.required.end(), name) !=
                    options_.required.end();
    if (!st.is_ok()) {
      std::string reason = st.to_string();
      if (info->needs_root && ::geteuid() != 0) reason += " (this source needs root: run with sudo)";
      events_->emit(name, name + "_unavailable", {{"reason", reason}, {"required", required}});
      meta_.sources[name] = {"unavailable", 0, 0, reason, {}};
      if (required) {
        return Status(Code::kFailedPrecondition,
                      fmt::format("required source '{}' is unavailable: {}", name, reason));
      }
      continue;
    }
    rs.started = true;
    meta_.sources[name] = {"running", 0, 0, "", {}};
    sources_.push_back(std::move(rs));
  }
  return write_meta(dir_, meta_);
}

Status RecordSession::release_target() {
  if (!child_) {
    events_->emit("record", "target_attached", {{"pid", target_pid_}, {"comm", meta_.target.comm}});
    return Status::ok();
  }
  KTEL_TRY(child_->release());
  events_->emit("record", "workload_started", {{"pid", target_pid_}, {"argv", options_.command}});
  return Status::ok();
}

}  // namespace ktel
