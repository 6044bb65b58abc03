#include "collect/run_metadata.h"

#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "model/episode_layout.h"

namespace ktel::collect {

namespace {

using Json = nlohmann::ordered_json;

template <typename T>
T value_at(const nlohmann::json& j, std::initializer_list<const char*> path, T fallback) {
  const nlohmann::json* node = &j;
  for (const char* key : path) {
    if (!node->is_object() || !node->contains(key)) return fallback;
    node = &(*node)[key];
  }
  if (node->is_null()) return fallback;
  try {
    return node->get<T>();
  } catch (const nlohmann::json::exception&) {
    return fallback;
  }
}

Json exit_json(const nlohmann::json& meta, const RunFacts& facts) {
  Json e;
  const auto& exit = meta.value("exit", nlohmann::json::object());
  e["code"] = exit.contains("code") ? Json(exit["code"]) : Json(nullptr);
  e["signal"] = exit.contains("signal") ? Json(exit["signal"]) : Json(nullptr);
  e["ktel_exit_code"] = facts.ktel_exit_code;
  e["timed_out"] = facts.status == "timed_out";
  return e;
}

}  // namespace

std::string iso_utc(int64_t wall_ns) {
  time_t secs = static_cast<time_t>(wall_ns / 1'000'000'000);
  struct tm tm {};
  ::gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03}Z", buf, (wall_ns / 1'000'000) % 1000);
}

Result<RunSummary> run_metadata(const RunFacts& facts) {
  std::string meta_path = layout::meta(facts.episode_dir);
  KTEL_ASSIGN_OR_RETURN(std::string text, read_file(meta_path));
  nlohmann::json meta = nlohmann::json::parse(text, nullptr, false);
  if (meta.is_discarded() || !meta.is_object()) {
    return data_loss(fmt::format("{}: not a JSON object", meta_path));
  }
  const CollectWorkload& w = *facts.workload;
  RunSummary out;
  out.sched_switch = value_at<uint64_t>(meta, {"sources", "sched", "details", "tables", "sched_switch"}, 0);
  out.lost_events = value_at<uint64_t>(meta, {"sources", "sched", "lost"}, 0);
  int64_t start = value_at<int64_t>(meta, {"start_wall_ns"}, 0);
  int64_t end = value_at<int64_t>(meta, {"end_wall_ns"}, start);
  Json j;
  j["format"] = "ktel-collect-run";
  j["format_version"] = 1;
  j["trace_id"] = value_at<std::string>(meta, {"id"}, "");
  j["workload"] = w.name;
  j["category"] = w.category;
  j["description"] = w.description;
  j["argv"] = w.argv;
  j["run"] = facts.run;
  j["status"] = facts.status;
  j["episode"] = facts.run_name;
  j["log"] = "../logs/" + facts.run_name + ".log";
  j["start"] = iso_utc(start);
  j["end"] = iso_utc(end);
  j["start_wall_ns"] = start;
  j["end_wall_ns"] = end;
  j["duration_s"] = static_cast<double>(value_at<int64_t>(meta, {"duration_ns"}, 0)) / 1e9;
  j["sched_switch"] = out.sched_switch;
  j["lost_events"] = out.lost_events;
  j["buffer_size_kb"] = value_at<uint64_t>(meta, {"sources", "sched", "details", "buffer_kb_granted"}, 0);
  j["buffer_size_kb_requested"] =
      value_at<uint64_t>(meta, {"sources", "sched", "details", "buffer_kb_requested"},
                         facts.buffer_kb_requested);
  j["host"] = value_at<std::string>(meta, {"host", "hostname"}, "");
  j["kernel"] = value_at<std::string>(meta, {"host", "kernel_release"}, "");
  j["cpus"] = value_at<int>(meta, {"host", "cpus"}, 0);
  j["exit"] = exit_json(meta, facts);
  out.json = j.dump(2) + "\n";
  return out;
}

}  // namespace ktel::collect
