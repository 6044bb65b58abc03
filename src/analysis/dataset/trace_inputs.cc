#include "analysis/dataset/trace_inputs.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "model/episode_layout.h"
#include "model/meta.h"

namespace ktel::dataset {

namespace {

namespace fs = std::filesystem;

bool is_dir(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Result<std::string> required_text(const nlohmann::json& j, const std::string& path,
                                  std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    auto it = j.find(key);
    if (it == j.end()) continue;
    if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
      return invalid_argument(fmt::format("{}: field '{}' must be a non-empty string", path, key));
    }
    return it->get<std::string>();
  }
  return invalid_argument(fmt::format("{}: field '{}' is missing", path, *keys.begin()));
}

// An episode must be whole: done.marker written and meta status complete.
Status attach_episode(TraceInput& t) {
  if (!is_file(layout::done_marker(t.trace_path))) {
    return invalid_argument(fmt::format(
        "{}: episode has no done.marker (still recording, or the recorder died); finish or "
        "remove it and its {}",
        t.trace_path, t.meta_path));
  }
  KTEL_ASSIGN_OR_RETURN(EpisodeMeta meta, read_meta(t.trace_path));
  if (meta.status != "complete") {
    return invalid_argument(fmt::format("{}: episode status is '{}', not complete; remove it and {}",
                                        layout::meta(t.trace_path), meta.status, t.meta_path));
  }
  auto sched = meta.sources.find("sched");
  if (sched == meta.sources.end() || (sched->second.status != "ok" &&
                                      sched->second.status != "no_data")) {
    return invalid_argument(fmt::format(
        "{}: the sched source did not record this episode ({}); it has no scheduler trace",
        layout::meta(t.trace_path),
        sched == meta.sources.end() ? "not in sources" : sched->second.status));
  }
  t.lost_events = sched->second.lost;
  return Status::ok();
}

}  // namespace

Result<TraceInput> parse_run_json(const std::string& path, const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return invalid_argument(fmt::format("{}: not a JSON object", path));
  }
  TraceInput t;
  t.meta_path = path;
  KTEL_ASSIGN_OR_RETURN(t.trace_id, required_text(j, path, {"trace_id"}));
  KTEL_ASSIGN_OR_RETURN(t.workload, required_text(j, path, {"workload", "workload_name"}));
  KTEL_ASSIGN_OR_RETURN(t.category, required_text(j, path, {"category"}));
  return t;
}

Result<DiscoveredTraces> discover_traces(const std::string& raw_dir) {
  if (!is_dir(raw_dir)) {
    return not_found(fmt::format("{}: no such directory (the collection's raw/)", raw_dir));
  }
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(raw_dir, ec)) {
    names.push_back(entry.path().filename().string());
  }
  if (ec) return errno_status(ec.value(), fmt::format("cannot list {}", raw_dir));
  std::sort(names.begin(), names.end());
  std::set<std::string> stems_with_json;
  DiscoveredTraces out;
  std::set<std::string> ids;
  for (const auto& name : names) {
    if (name.size() <= 5 || name.compare(name.size() - 5, 5, ".json") != 0) continue;
    std::string stem = name.substr(0, name.size() - 5);
    std::string path = raw_dir + "/" + name;
    KTEL_ASSIGN_OR_RETURN(std::string text, read_file(path));
    KTEL_ASSIGN_OR_RETURN(TraceInput t, parse_run_json(path, text));
    t.run = stem;
    std::string episode = raw_dir + "/" + stem;
    std::string txt = episode + ".txt";
    if (is_dir(episode)) {
      t.kind = TraceKind::kEpisode;
      t.trace_path = episode;
      KTEL_TRY(attach_episode(t));
    } else if (is_file(txt)) {
      t.kind = TraceKind::kText;
      t.trace_path = txt;
    } else {
      return not_found(fmt::format("{}: no trace beside it (expected the episode {}/ or {})",
                                   path, episode, txt));
    }
    if (!ids.insert(t.trace_id).second) {
      return invalid_argument(
          fmt::format("{}: trace_id '{}' is used by another run too", path, t.trace_id));
    }
    stems_with_json.insert(stem);
    out.traces.push_back(std::move(t));
  }
  for (const auto& name : names) {
    std::string path = raw_dir + "/" + name;
    if (stems_with_json.count(name) == 0 && is_file(layout::meta(path))) {
      out.warnings.push_back(fmt::format(
          "{}: episode without run metadata ({}.json), not in the dataset", path, name));
    }
  }
  return out;
}

}  // namespace ktel::dataset
