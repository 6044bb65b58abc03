#include "analysis/dataset/trivial_eval.h"

#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "analysis/dataset/dataset_csv.h"
#include "analysis/export/text_escape.h"

namespace ktel::dataset {

namespace {

constexpr int32_t kNone = -1;     // no history
constexpr int32_t kUnseen = -2;   // a value train never had: no prediction equals it

// One target (task_name or pid): ids from train, and the fitted predictors.
class Model {
 public:
  int32_t fit_id(const std::string& v) {
    auto [it, added] = ids_.try_emplace(v, static_cast<int32_t>(counts_.size()));
    if (added) counts_.push_back(0);
    return it->second;
  }
  int32_t id(const std::string& v) const {
    auto it = ids_.find(v);
    return it == ids_.end() ? kUnseen : it->second;
  }
  void observe(int32_t prev2, int32_t prev1, int32_t next) {
    ++counts_[static_cast<size_t>(next)];
    if (prev1 >= 0) ++m1_[prev1][next];
    if (prev1 >= 0 && prev2 >= 0) ++m2_[key(prev2, prev1)][next];
  }
  void freeze() {
    for (size_t i = 0; i < counts_.size(); ++i) {
      if (best_ < 0 || counts_[i] > counts_[static_cast<size_t>(best_)]) best_ = static_cast<int32_t>(i);
    }
    for (const auto& [ctx, nexts] : m1_) best1_[ctx] = argmax(nexts);
    for (const auto& [ctx, nexts] : m2_) best2_[ctx] = argmax(nexts);
    m1_.clear();
    m2_.clear();
  }
  int32_t most_frequent() const { return best_; }
  int32_t markov1(int32_t prev1) const {
    auto it = prev1 >= 0 ? best1_.find(prev1) : best1_.end();
    return it == best1_.end() ? best_ : it->second;
  }
  int32_t markov2(int32_t prev2, int32_t prev1) const {
    auto it = (prev1 >= 0 && prev2 >= 0) ? best2_.find(key(prev2, prev1)) : best2_.end();
    return it == best2_.end() ? markov1(prev1) : it->second;
  }

 private:
  static uint64_t key(int32_t a, int32_t b) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
  }
  // Most counts; ties to the smaller id (the value train saw first).
  template <typename Map>
  static int32_t argmax(const Map& nexts) {
    int32_t best = kNone;
    uint64_t n = 0;
    for (const auto& [next, c] : nexts) {
      if (c > n || (c == n && next < best)) best = next, n = c;
    }
    return best;
  }
  std::unordered_map<std::string, int32_t> ids_;
  std::vector<uint64_t> counts_;
  std::unordered_map<int32_t, std::unordered_map<int32_t, uint64_t>> m1_;
  std::unordered_map<uint64_t, std::unordered_map<int32_t, uint64_t>> m2_;
  std::unordered_map<int32_t, int32_t> best1_;
  std::unordered_map<uint64_t, int32_t> best2_;
  int32_t best_ = kNone;
};

// History within one trace, per target.
struct History {
  int32_t prev1[kTargetCount] = {kNone, kNone};
  int32_t prev2[kTargetCount] = {kNone, kNone};
  std::unordered_map<int64_t, std::array<int32_t, kTargetCount>> last_on_cpu;
};

template <typename Fn>
Status for_each_trace_row(const std::string& path, Fn&& fn) {
  KTEL_ASSIGN_OR_RETURN(CsvRowReader reader, CsvRowReader::open(path));
  SwitchRow row;
  std::string trace;
  bool first = true;
  while (true) {
    KTEL_ASSIGN_OR_RETURN(bool more, reader.next(row));
    if (!more) return Status::ok();
    bool starts = first || row.trace_id != trace;
    if (starts) trace = row.trace_id;
    first = false;
    KTEL_TRY(fn(row, starts));
  }
}

Result<std::array<Model, kTargetCount>> fit(const std::string& train, uint64_t& events) {
  std::array<Model, kTargetCount> models;
  History h;
  KTEL_TRY(for_each_trace_row(train, [&](const SwitchRow& row, bool starts) {
    if (starts) h = History{};
    std::string pid = std::to_string(row.pid);
    int32_t ids[kTargetCount] = {models[0].fit_id(row.task_name), models[1].fit_id(pid)};
    for (int t = 0; t < kTargetCount; ++t) {
      models[t].observe(h.prev2[t], h.prev1[t], ids[t]);
      h.prev2[t] = h.prev1[t];
      h.prev1[t] = ids[t];
    }
    ++events;
    return Status::ok();
  }));
  for (auto& m : models) m.freeze();
  return models;
}

Result<SplitEval> evaluate(const std::string& path, const std::array<Model, kTargetCount>& models) {
  SplitEval out;
  History h;
  KTEL_TRY(for_each_trace_row(path, [&](const SwitchRow& row, bool starts) {
    if (starts) h = History{}, ++out.traces;
    std::string pid = std::to_string(row.pid);
    int32_t actual[kTargetCount] = {models[0].id(row.task_name), models[1].id(pid)};
    if (!starts) {
      Accuracy& w = out.by_workload[row.workload_type];
      ++out.overall.events;
      ++w.events;
      auto cpu = h.last_on_cpu.find(row.cpu);
      for (int t = 0; t < kTargetCount; ++t) {
        const Model& m = models[t];
        int32_t guess[kPredictorCount] = {
            m.most_frequent(), cpu == h.last_on_cpu.end() ? m.most_frequent() : cpu->second[t],
            m.markov1(h.prev1[t]), m.markov2(h.prev2[t], h.prev1[t])};
        for (int p = 0; p < kPredictorCount; ++p) {
          bool hit = actual[t] >= 0 && guess[p] == actual[t];
          out.overall.correct[t][p] += hit;
          w.correct[t][p] += hit;
        }
      }
    }
    for (int t = 0; t < kTargetCount; ++t) {
      h.prev2[t] = h.prev1[t];
      h.prev1[t] = actual[t] >= 0 ? actual[t] : kNone;
    }
    h.last_on_cpu[row.cpu] = {actual[0], actual[1]};
    return Status::ok();
  }));
  return out;
}

void table_rows(std::string& out, const char* split, const SplitEval& s) {
  auto line = [&](const std::string& workload, const Accuracy& a) {
    out += fmt::format("{:<12} {:<20} {:>10}", split, text::terminal_safe(workload), a.events);
    for (int t = 0; t < kTargetCount; ++t) {
      for (int p = 0; p < kPredictorCount; ++p) out += fmt::format(" {:>7.2f}%", 100 * a.rate(t, p));
    }
    out += '\n';
  };
  line("(all)", s.overall);
  for (const auto& [w, a] : s.by_workload) line(w, a);
}

nlohmann::ordered_json accuracy_json(const Accuracy& a) {
  nlohmann::ordered_json j;
  j["events"] = a.events;
  for (int t = 0; t < kTargetCount; ++t) {
    for (int p = 0; p < kPredictorCount; ++p) {
      j[kTargetNames[t]][kPredictorNames[p]] = {{"correct", a.correct[t][p]},
                                                {"accuracy", a.rate(t, p)}};
    }
  }
  return j;
}

nlohmann::ordered_json split_json(const SplitEval& s) {
  nlohmann::ordered_json j;
  j["traces"] = s.traces;
  j["overall"] = accuracy_json(s.overall);
  j["by_workload"] = nlohmann::ordered_json::object();
  for (const auto& [w, a] : s.by_workload) j["by_workload"][w] = accuracy_json(a);
  return j;
}

}  // namespace

Result<EvalResult> evaluate_trivial_predictors(const std::string& dir) {
  EvalResult r;
  KTEL_ASSIGN_OR_RETURN(auto models, fit(dir + "/train.csv", r.train_events));
  if (r.train_events == 0) return invalid_argument(fmt::format("{}/train.csv has no rows", dir));
  KTEL_ASSIGN_OR_RETURN(r.test_seen, evaluate(dir + "/test_seen.csv", models));
  KTEL_ASSIGN_OR_RETURN(r.test_unseen, evaluate(dir + "/test_unseen.csv", models));
  return r;
}

std::string format_eval_table(const EvalResult& r) {
  std::string out = fmt::format(
      "next-task accuracy of trivial predictors fitted on train ({} events); the first event of "
      "each trace is not predicted\n",
      r.train_events);
  out += fmt::format("{:<12} {:<20} {:>10} | {:^35} | {:^35}\n", "", "", "", "task_name", "pid");
  out += fmt::format("{:<12} {:<20} {:>10}", "split", "workload", "events");
  for (int t = 0; t < kTargetCount; ++t) {
    for (const char* p : {"freq", "cpu-prev", "markov1", "markov2"}) out += fmt::format(" {:>8}", p);
  }
  out += '\n';
  table_rows(out, "test_seen", r.test_seen);
  table_rows(out, "test_unseen", r.test_unseen);
  return out;
}

std::string format_eval_json(const EvalResult& r) {
  nlohmann::ordered_json j;
  j["format"] = "ktel-dataset-eval";
  j["format_version"] = 1;
  j["predictors"] = kPredictorNames;
  j["targets"] = kTargetNames;
  j["train_events"] = r.train_events;
  j["test_seen"] = split_json(r.test_seen);
  j["test_unseen"] = split_json(r.test_unseen);
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace ktel::dataset
