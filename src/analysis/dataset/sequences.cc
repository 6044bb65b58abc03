#include "analysis/dataset/sequences.h"

#include <algorithm>
#include <array>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "analysis/dataset/dataset_csv.h"
#include "analysis/dataset/npy_writer.h"
#include "base/file_util.h"

namespace ktel::dataset {

namespace {

using Json = nlohmann::ordered_json;
constexpr const char* kSplits[3] = {"train", "test_seen", "test_unseen"};
constexpr int32_t kPad = 0;
constexpr int32_t kUnknown = 1;
constexpr size_t kFeatures = 4;  // task, pid, prev_state, cpu

class Vocab {
 public:
  void count(const std::string& v) { ++counts_[v]; }
  // numeric: order ties by integer value (pids), else by bytes.
  void freeze(bool numeric) {
    std::vector<std::pair<std::string, uint64_t>> all(counts_.begin(), counts_.end());
    std::sort(all.begin(), all.end(), [numeric](const auto& a, const auto& b) {
      if (a.second != b.second) return a.second > b.second;
      if (numeric) return std::stoll(a.first) < std::stoll(b.first);
      return a.first < b.first;
    });
    counts_.clear();
    for (auto& [v, n] : all) {
      ids_.emplace(v, static_cast<int32_t>(values_.size() + 2));
      values_.push_back(std::move(v));
    }
  }
  int32_t id(const std::string& v) const {
    auto it = ids_.find(v);
    return it == ids_.end() ? kUnknown : it->second;
  }
  size_t size() const { return values_.size() + 2; }
  Json to_json(bool numeric) const {
    Json a = Json::array({nullptr, nullptr});
    for (const auto& v : values_) {
      if (numeric) a.push_back(std::stoll(v));
      else a.push_back(v);
    }
    return a;
  }

 private:
  std::unordered_map<std::string, uint64_t> counts_;
  std::unordered_map<std::string, int32_t> ids_;
  std::vector<std::string> values_;
};

struct Vocabs {
  Vocab task, pid, state;
};

std::string split_csv(const SequenceOptions& o, int s) {
  return o.dataset_dir + "/" + kSplits[s] + ".csv";
}

Result<Vocabs> fit_vocabs(const SequenceOptions& o) {
  Vocabs v;
  KTEL_ASSIGN_OR_RETURN(CsvRowReader reader, CsvRowReader::open(split_csv(o, 0)));
  SwitchRow row;
  while (true) {
    KTEL_ASSIGN_OR_RETURN(bool more, reader.next(row));
    if (!more) break;
    v.task.count(row.task_name);
    v.pid.count(std::to_string(row.pid));
    v.state.count(row.prev_state);
  }
  v.task.freeze(false);
  v.pid.freeze(true);
  v.state.freeze(false);
  return v;
}

// Calls on_trace_event(row, index_in_trace) for each row; trace boundaries
// are where trace_id changes.
template <typename Fn>
Status for_each_row(const std::string& path, Fn&& fn) {
  KTEL_ASSIGN_OR_RETURN(CsvRowReader reader, CsvRowReader::open(path));
  SwitchRow row;
  std::string trace;
  uint64_t index = 0;
  bool first = true;
  while (true) {
    KTEL_ASSIGN_OR_RETURN(bool more, reader.next(row));
    if (!more) return Status::ok();
    if (first || row.trace_id != trace) {
      trace = row.trace_id;
      index = 0;
      first = false;
    }
    KTEL_TRY(fn(row, index++));
  }
}

Result<SplitWindows> count_windows(const std::string& path, uint64_t len, uint64_t stride) {
  SplitWindows w;
  uint64_t n = 0;
  auto close_trace = [&] {
    if (n == 0) return;
    ++w.traces;
    if (n < len + 1) ++w.traces_too_short;
    else w.windows += (n - len - 1) / stride + 1;
  };
  KTEL_TRY(for_each_row(path, [&](const SwitchRow&, uint64_t index) {
    if (index == 0) close_trace(), n = 0;
    ++n;
    ++w.events;
    return Status::ok();
  }));
  close_trace();
  return w;
}

Status write_windows(const SequenceOptions& o, int s, const Vocabs& v, uint64_t windows,
                     const std::string& out) {
  const uint64_t len = o.seq_len;
  std::string base = out + "/" + kSplits[s];
  KTEL_ASSIGN_OR_RETURN(NpyInt32Writer inputs,
                        NpyInt32Writer::create(base + "_inputs.npy", {windows, len, kFeatures}));
  KTEL_ASSIGN_OR_RETURN(NpyInt32Writer target_task,
                        NpyInt32Writer::create(base + "_target_task.npy", {windows}));
  KTEL_ASSIGN_OR_RETURN(NpyInt32Writer target_pid,
                        NpyInt32Writer::create(base + "_target_pid.npy", {windows}));
  std::deque<std::array<int32_t, kFeatures>> recent;
  auto on_row = [&](const SwitchRow& row, uint64_t index) -> Status {
    if (index == 0) recent.clear();
    std::array<int32_t, kFeatures> e = {v.task.id(row.task_name), v.pid.id(std::to_string(row.pid)),
                                        v.state.id(row.prev_state),
                                        static_cast<int32_t>(row.cpu)};
    if (index >= len && (index - len) % o.stride == 0) {
      for (const auto& past : recent) {
        for (int32_t x : past) inputs.append(x);
      }
      target_task.append(e[0]);
      target_pid.append(e[1]);
      KTEL_TRY(inputs.maybe_flush());
      KTEL_TRY(target_task.maybe_flush());
      KTEL_TRY(target_pid.maybe_flush());
    }
    recent.push_back(e);
    if (recent.size() > len) recent.pop_front();
    return Status::ok();
  };
  KTEL_TRY(for_each_row(split_csv(o, s), on_row));
  KTEL_TRY(inputs.finish());
  KTEL_TRY(target_task.finish());
  return target_pid.finish();
}

std::string meta_text(const SequenceOptions& o, const SequenceResult& r) {
  Json j;
  j["format"] = "ktel-sequences";
  j["format_version"] = 1;
  j["seq_len"] = o.seq_len;
  j["stride"] = o.stride;
  j["features"] = {"task_name", "pid", "prev_state", "cpu"};
  j["pad_id"] = kPad;
  j["unknown_id"] = kUnknown;
  j["vocab_sizes"] = {{"task_name", r.vocab_task}, {"pid", r.vocab_pid}, {"prev_state", r.vocab_state}};
  for (int s = 0; s < 3; ++s) {
    const SplitWindows& w = r.splits[s];
    j["splits"][kSplits[s]] = {{"events", w.events},
                               {"traces", w.traces},
                               {"traces_too_short", w.traces_too_short},
                               {"windows", w.windows},
                               {"inputs", fmt::format("{}_inputs.npy", kSplits[s])},
                               {"inputs_shape", {w.windows, o.seq_len, kFeatures}},
                               {"target_task", fmt::format("{}_target_task.npy", kSplits[s])},
                               {"target_pid", fmt::format("{}_target_pid.npy", kSplits[s])}};
  }
  return j.dump(2) + "\n";
}

}  // namespace

Result<SequenceResult> build_sequences(const SequenceOptions& options) {
  if (options.seq_len < 1 || options.seq_len > 100000) {
    return invalid_argument("--seq-len must be between 1 and 100000");
  }
  if (options.stride < 1) return invalid_argument("--stride must be at least 1");
  SequenceResult r;
  r.out_dir = options.out_dir.empty() ? options.dataset_dir + "/sequences" : options.out_dir;
  KTEL_ASSIGN_OR_RETURN(Vocabs v, fit_vocabs(options));
  r.vocab_task = v.task.size();
  r.vocab_pid = v.pid.size();
  r.vocab_state = v.state.size();
  for (int s = 0; s < 3; ++s) {
    KTEL_ASSIGN_OR_RETURN(r.splits[s], count_windows(split_csv(options, s), options.seq_len,
                                                    options.stride));
  }
  KTEL_TRY(make_dirs(r.out_dir));
  for (int s = 0; s < 3; ++s) KTEL_TRY(write_windows(options, s, v, r.splits[s].windows, r.out_dir));
  Json vocab;
  vocab["pad_id"] = kPad;
  vocab["unknown_id"] = kUnknown;
  vocab["fitted_on"] = "train";
  vocab["task_name"] = v.task.to_json(false);
  vocab["pid"] = v.pid.to_json(true);
  vocab["prev_state"] = v.state.to_json(false);
  KTEL_TRY(write_file_atomic(r.out_dir + "/vocab.json",
                             vocab.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"));
  KTEL_TRY(write_file_atomic(r.out_dir + "/sequences_meta.json", meta_text(options, r)));
  return r;
}

}  // namespace ktel::dataset
