#include "record/recorder.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "model/meta.h"
#include "record/session.h"

namespace ktel {

Result<std::vector<std::string>> select_sources(const SourceRegistry& registry,
                                                const RecordOptions& options) {
  std::vector<std::string> wanted = options.sources;
  if (wanted.empty()) wanted = registry.names();
  for (const auto& r : options.required) {
    if (std::find(wanted.begin(), wanted.end(), r) == wanted.end()) wanted.push_back(r);
  }
  for (const auto& name : wanted) {
    if (registry.find(name) == nullptr) {
      return invalid_argument(fmt::format("unknown source '{}' (this build has: {})", name,
                                          fmt::join(registry.names(), ", ")));
    }
  }
  std::vector<std::string> ordered;  // registry order, so output is stable
  for (const auto& name : registry.names()) {
    if (std::find(wanted.begin(), wanted.end(), name) != wanted.end()) ordered.push_back(name);
  }
  return ordered;
}

namespace {

int exit_code_for_target_error(const Status& st) {
  if (st.code() == Code::kNotFound && st.sys_errno() == ENOENT) return kRecordExitNotFound;
  if (st.code() == Code::kPermissionDenied || st.code() == Code::kUnavailable) {
    return kRecordExitNotExecutable;
  }
  return kRecordExitKtelFailed;
}

}  // namespace

RecordOutcome Recorder::run() {
  RecordOutcome out;
  auto names = select_sources(registry_, options_);
  if (!names.is_ok()) {
    out.error = names.status().to_string();
    return out;
  }
  RecordSession session(registry_, options_, *names);
  Status st = session.open_target();
  if (!st.is_ok()) {
    out.error = st.to_string();
    out.exit_code = options_.attach_pid ? kRecordExitKtelFailed : exit_code_for_target_error(st);
    return out;
  }
  st = session.prepare();
  if (!st.is_ok()) {
    out.error = st.to_string();
    out.episode_dir = session.dir();
    if (!session.meta().start_wall_ns) out.episode_dir.clear();
    return out;
  }
  out.episode_dir = session.dir();
  st = session.start_sources();
  if (st.is_ok()) {
    st = session.release_target();
    if (!st.is_ok()) {
      out.exit_code = exit_code_for_target_error(st);
      out.error = st.to_string();
      (void)session.finish(StopReason::kFailed, st);
      out.meta = session.meta();
      return out;
    }
  }
  if (!st.is_ok()) {
    out.error = st.to_string();
    out.exit_code = session.finish(StopReason::kFailed, st);
    out.meta = session.meta();
    return out;
  }
  StopReason reason = session.wait();
  out.exit_code = session.finish(reason, Status::ok());
  out.meta = session.meta();
  for (const auto& w : session.warnings()) {
    if (!out.error.empty()) out.error += "; ";
    out.error += w;
  }
  return out;
}

}  // namespace ktel
