#include "analysis/dataset/dataset_builder.h"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "analysis/dataset/dataset_csv.h"
#include "analysis/dataset/switch_stream.h"
#include "base/atomic_output_file.h"
#include "base/file_util.h"
#include "ktel/build_info.h"

namespace ktel::dataset {

namespace {

using Json = nlohmann::ordered_json;
constexpr std::string_view kSplitFiles[3] = {"train.csv", "test_seen.csv", "test_unseen.csv"};

struct Outputs {
  std::optional<AtomicOutputFile> all;
  std::optional<AtomicOutputFile> split[3];
};

Result<Outputs> open_outputs(const std::string& dir) {
  Outputs out;
  std::string header = std::string(kCsvHeader) + "\n";
  KTEL_ASSIGN_OR_RETURN(AtomicOutputFile all, AtomicOutputFile::create(dir + "/all.csv"));
  out.all.emplace(std::move(all));
  KTEL_TRY(out.all->append(header));
  for (int s = 0; s < 3; ++s) {
    KTEL_ASSIGN_OR_RETURN(AtomicOutputFile f,
                          AtomicOutputFile::create(dir + "/" + std::string(kSplitFiles[s])));
    out.split[s].emplace(std::move(f));
    KTEL_TRY(out.split[s]->append(header));
  }
  return out;
}

// The event-level fallback: train traces' events numbered in output order;
// those before `cut` stay train, the rest go to test_seen.
struct EventCut {
  uint64_t cut = 0;
  uint64_t next = 0;
};

Status write_trace(const TraceInput& trace, Split split, EventCut* event_cut, Outputs& out,
                   TraceOutcome& outcome, uint64_t (&split_events)[3]) {
  SwitchRow row;
  row.workload_type = trace.category;
  row.trace_id = trace.trace_id;
  std::string line;
  int64_t prev_ts = 0;
  bool first = true;
  bool seen_split[3] = {false, false, false};
  auto on_row = [&](SwitchRow& r) -> Status {
    r.time_diff_ns = first ? 0 : r.ts_ns - prev_ts;
    first = false;
    prev_ts = r.ts_ns;
    Split s = split;
    if (event_cut != nullptr) s = event_cut->next++ < event_cut->cut ? Split::kTrain : Split::kTestSeen;
    line.clear();
    append_csv_row(line, r);
    KTEL_TRY(out.all->append(line));
    KTEL_TRY(out.split[static_cast<int>(s)]->append(line));
    ++split_events[static_cast<int>(s)];
    seen_split[static_cast<int>(s)] = true;
    return Status::ok();
  };
  KTEL_ASSIGN_OR_RETURN(TraceReadStats stats, read_switches(trace, row, on_row));
  outcome.events = stats.switches;
  outcome.out_of_order = stats.out_of_order;
  if (trace.kind == TraceKind::kText) {
    outcome.lost_events = stats.lost_events;
    outcome.lost_unknown = stats.lost_unknown;
  }
  if (event_cut != nullptr && seen_split[0] && seen_split[1]) outcome.split = "train+test_seen";
  else if (event_cut != nullptr && seen_split[1]) outcome.split = "test_seen";
  return Status::ok();
}

// Learns the losses of text traces (a counting pass) when --drop-lossy
// needs them before the split, and drops lossy traces.
Result<std::vector<TraceInput>> drop_lossy(std::vector<TraceInput> traces, BuildResult& result) {
  std::vector<TraceInput> kept;
  for (auto& t : traces) {
    TraceOutcome outcome{.input = t, .split = "dropped"};
    outcome.lost_events = t.lost_events.value_or(0);
    if (!t.lost_events) {
      KTEL_ASSIGN_OR_RETURN(TraceReadStats stats, count_switches(t));
      outcome.lost_events = stats.lost_events;
      outcome.lost_unknown = stats.lost_unknown;
    }
    if (outcome.lossy()) {
      result.warnings.push_back(fmt::format(
          "{}: lost {} events{}; dropped (--drop-lossy)", t.run, outcome.lost_events,
          outcome.lost_unknown > 0 ? fmt::format(" (+{} LOST markers without a count)",
                                                 outcome.lost_unknown)
                                   : ""));
      result.traces.push_back(std::move(outcome));
    } else {
      kept.push_back(std::move(t));
    }
  }
  return kept;
}

std::string created_at() {
  // SOURCE_DATE_EPOCH (reproducible builds) pins it, so meta can be compared byte for byte.
  time_t now = ::time(nullptr);
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH")) now = std::strtoll(epoch, nullptr, 10);
  struct tm tm {};
  ::gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Json trace_json(const TraceOutcome& t) {
  Json j;
  j["trace_id"] = t.input.trace_id;
  j["run"] = t.input.run;
  j["workload"] = t.input.workload;
  j["category"] = t.input.category;
  j["split"] = t.split;
  j["format"] = t.input.kind == TraceKind::kEpisode ? "episode" : "text";
  j["events"] = t.events;
  j["lost_events"] = t.lost_events;
  j["lost_markers_without_count"] = t.lost_unknown;
  j["lossy"] = t.lossy();
  j["out_of_order"] = t.out_of_order;
  return j;
}

std::string meta_text(const BuildResult& r, const BuildOptions& options) {
  Json j;
  j["format"] = "ktel-dataset";
  j["format_version"] = 1;
  j["total_events"] = r.total_events;
  j["train_events"] = r.split_events[0];
  j["test_seen_events"] = r.split_events[1];
  j["test_unseen_events"] = r.split_events[2];
  j["train_ratio"] = options.split.train_ratio;
  j["seed"] = options.split.seed;
  j["unseen_category"] = r.plan.unseen_category ? Json(*r.plan.unseen_category) : Json(nullptr);
  j["categories"] = r.plan.categories;
  size_t used = 0;
  uint64_t lossy = 0;
  for (const auto& t : r.traces) {
    used += t.split != "dropped";
    lossy += t.split != "dropped" && t.lossy();
  }
  j["num_traces"] = used;
  j["num_traces_dropped"] = r.traces.size() - used;
  j["num_traces_lossy"] = lossy;
  j["csv_columns"] = Json::array();
  for (auto col : {"timestamp", "time_diff", "task_name", "pid", "cpu", "prev_state", "prev_comm",
                   "workload_type", "trace_id"}) {
    j["csv_columns"].push_back(col);
  }
  j["created_at"] = created_at();
  j["split_level"] = r.event_level ? "event" : "trace";
  j["drop_lossy"] = options.drop_lossy;
  j["unseen_split"] = options.split.unseen_split;
  j["ktel_version"] = KTEL_VERSION;
  j["traces"] = Json::array();
  for (const auto& t : r.traces) j["traces"].push_back(trace_json(t));
  j["warnings"] = r.warnings;
  return j.dump(2) + "\n";
}

// Traces in output order: by category, then run.
void sort_traces(std::vector<TraceInput>& traces) {
  std::stable_sort(traces.begin(), traces.end(), [](const TraceInput& a, const TraceInput& b) {
    return a.category != b.category ? a.category < b.category : a.run < b.run;
  });
}

Result<uint64_t> count_train_events(const std::vector<TraceInput>& traces, const SplitPlan& plan) {
  uint64_t n = 0;
  for (size_t i = 0; i < traces.size(); ++i) {
    if (plan.assignment[i] != Split::kTrain) continue;
    KTEL_ASSIGN_OR_RETURN(TraceReadStats stats, count_switches(traces[i]));
    n += stats.switches;
  }
  return n;
}

}  // namespace

Result<BuildResult> build_dataset(const BuildOptions& options) {
  const SplitOptions& split = options.split;
  if (!(split.train_ratio > 0 && split.train_ratio < 1)) {
    return invalid_argument(fmt::format("--train-ratio {} is not between 0 and 1", split.train_ratio));
  }
  std::string raw_dir = options.raw_dir.empty() ? options.out_dir + "/raw" : options.raw_dir;
  KTEL_ASSIGN_OR_RETURN(DiscoveredTraces found, discover_traces(raw_dir));
  BuildResult result;
  result.warnings = found.warnings;
  std::vector<TraceInput> traces = std::move(found.traces);
  if (options.drop_lossy) {
    KTEL_ASSIGN_OR_RETURN(traces, drop_lossy(std::move(traces), result));
  }
  if (traces.empty()) {
    return invalid_argument(fmt::format(
        "{}: no traces to build from (each run needs <run>.json beside <run>/ or <run>.txt)",
        raw_dir));
  }
  sort_traces(traces);
  std::vector<std::string> categories;
  for (const auto& t : traces) categories.push_back(t.category);
  result.plan = plan_split(categories, split);
  std::optional<EventCut> event_cut;
  if (result.plan.needs_event_split) {
    KTEL_ASSIGN_OR_RETURN(uint64_t train_events, count_train_events(traces, result.plan));
    event_cut = EventCut{.cut = event_split_cut(train_events, split.train_ratio)};
    result.event_level = true;
    result.warnings.push_back(fmt::format(
        "no trace left for test_seen (every category has one trace in train): split the {} "
        "train events at event {} instead; this split LEAKS (one trace is in both train and "
        "test_seen), dataset_meta.json says split_level: event",
        train_events, event_cut->cut));
  }
  KTEL_TRY(make_dirs(options.out_dir));
  KTEL_ASSIGN_OR_RETURN(Outputs out, open_outputs(options.out_dir));
  for (size_t i = 0; i < traces.size(); ++i) {
    if (options.on_trace) options.on_trace(i + 1, traces.size(), traces[i]);
    Split s = result.plan.assignment[i];
    TraceOutcome outcome{.input = traces[i], .split = std::string(split_name(s))};
    outcome.lost_events = traces[i].lost_events.value_or(0);
    EventCut* cut = (event_cut && s == Split::kTrain) ? &*event_cut : nullptr;
    KTEL_TRY(write_trace(traces[i], s, cut, out, outcome, result.split_events));
    result.total_events += outcome.events;
    if (outcome.lossy()) {
      result.warnings.push_back(fmt::format(
          "{}: lost {} events{} during capture; kept and flagged lossy (--drop-lossy leaves it out)",
          outcome.input.run, outcome.lost_events,
          outcome.lost_unknown > 0 ? fmt::format(" (+{} LOST markers without a count)",
                                                 outcome.lost_unknown) : ""));
    }
    if (outcome.events == 0) {
      result.warnings.push_back(fmt::format("{}: no sched_switch events", outcome.input.run));
    }
    result.traces.push_back(std::move(outcome));
  }
  KTEL_TRY(out.all->finish());
  for (auto& f : out.split) KTEL_TRY(f->finish());
  result.meta_path = options.out_dir + "/dataset_meta.json";
  KTEL_TRY(write_file_atomic(result.meta_path, meta_text(result, options)));
  if (options.on_warning) {
    for (const auto& w : result.warnings) options.on_warning(w);
  }
  return result;
}

}  // namespace ktel::dataset
