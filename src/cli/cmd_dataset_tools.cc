// `ktel dataset baseline | split-by-workload | sequences | eval`: what is made
// from a built dataset (docs/formats/dataset.md, dataset-sequences.md,
// dataset-eval.md).
#include <memory>

#include <fmt/format.h>

#include "analysis/dataset/dataset_outputs.h"
#include "analysis/dataset/sequences.h"
#include "analysis/dataset/trivial_eval.h"
#include "cli/commands.h"

namespace ktel::cli {

namespace {

void add_baseline(CLI::App& dataset, CliState& state) {
  auto paths = std::make_shared<std::pair<std::string, std::string>>();
  auto* cmd = dataset.add_subcommand(
      "baseline", "Write the older single-workload format task_code,time,name,pid");
  cmd->add_option("IN", paths->first, "a dataset CSV (all.csv, train.csv, ...)")->required();
  cmd->add_option("OUT", paths->second, "the CSV to write")->required();
  cmd->footer("task_code numbers task names from 0 in order of first appearance; time is\n"
              "time_diff.\n\nExample:\n  ktel dataset baseline data/train.csv data/train_baseline.csv");
  cmd->callback([&state, paths] {
    auto r = dataset::write_baseline(paths->first, paths->second);
    if (!r.is_ok()) {
      state.exit_code = report_error("dataset baseline", r.status());
      return;
    }
    fmt::print("{}: {} rows, {} task codes\n", paths->second, r->rows, r->task_codes);
  });
}

void add_split(CLI::App& dataset, CliState& state) {
  auto args = std::make_shared<std::pair<std::string, std::string>>();
  auto* cmd = dataset.add_subcommand("split-by-workload", "One CSV per workload_type");
  cmd->add_option("IN", args->first, "a dataset CSV")->required();
  cmd->add_option("-o,--output", args->second, "directory for <workload_type>.csv")->required();
  cmd->footer("Example:\n  ktel dataset split-by-workload data/all.csv -o data/by-workload");
  cmd->callback([&state, args] {
    auto r = dataset::split_by_workload(args->first, args->second);
    if (!r.is_ok()) {
      state.exit_code = report_error("dataset split-by-workload", r.status());
      return;
    }
    for (const auto& [w, n] : *r) fmt::print("{}/{}.csv: {} rows\n", args->second, w, n);
  });
}

void add_sequences(CLI::App& dataset, CliState& state) {
  auto o = std::make_shared<dataset::SequenceOptions>();
  auto* cmd = dataset.add_subcommand(
      "sequences", "Sliding windows as int32 .npy arrays per split, vocabularies from train");
  cmd->add_option("DIR", o->dataset_dir, "a built dataset (ktel dataset build)")->required();
  cmd->add_option("--seq-len", o->seq_len, "events per window")->capture_default_str();
  cmd->add_option("--stride", o->stride, "events between window starts")->capture_default_str();
  cmd->add_option("-o,--output", o->out_dir, "output directory (default DIR/sequences)");
  cmd->footer(
      "Windows never cross a trace. Ids: 0 PAD, 1 UNKNOWN (never the idle task's), then train's\n"
      "values by count. numpy.load reads every array (docs/formats/dataset-sequences.md).\n\n"
      "Example:\n  ktel dataset sequences data --seq-len 64 --stride 4");
  cmd->callback([&state, o] {
    auto r = dataset::build_sequences(*o);
    if (!r.is_ok()) {
      state.exit_code = report_error("dataset sequences", r.status());
      return;
    }
    const char* names[3] = {"train", "test_seen", "test_unseen"};
    for (int s = 0; s < 3; ++s) {
      const auto& w = r->splits[s];
      fmt::print("{:<12} {:>10} windows from {} events in {} traces ({} shorter than {})\n",
                 names[s], w.windows, w.events, w.traces, w.traces_too_short, o->seq_len + 1);
    }
    fmt::print("vocabularies: {} task names, {} pids, {} states (with PAD and UNKNOWN); {}\n",
               r->vocab_task, r->vocab_pid, r->vocab_state, r->out_dir);
  });
}

void add_eval(CLI::App& dataset, CliState& state) {
  auto args = std::make_shared<std::pair<std::string, std::string>>("", "table");
  auto* cmd = dataset.add_subcommand(
      "eval", "Next-task accuracy of trivial predictors fitted on train: the floor to beat");
  cmd->add_option("DIR", args->first, "a built dataset")->required();
  cmd->add_option("--format,-f", args->second, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  cmd->footer(
      "Predictors: most frequent task; the task switched in last on the same CPU; Markov order 1\n"
      "and 2 over the trace's switches (backing off to lower orders). On task_name and on pid,\n"
      "overall and per workload (docs/formats/dataset-eval.md).\n\n"
      "Example:\n  ktel dataset eval data --format json");
  cmd->callback([&state, args] {
    auto r = dataset::evaluate_trivial_predictors(args->first);
    if (!r.is_ok()) {
      state.exit_code = report_error("dataset eval", r.status());
      return;
    }
    fmt::print("{}", args->second == "json" ? dataset::format_eval_json(*r)
                                            : dataset::format_eval_table(*r));
  });
}

}  // namespace

void add_dataset_tool_commands(CLI::App& dataset, CliState& state) {
  add_baseline(dataset, state);
  add_split(dataset, state);
  add_sequences(dataset, state);
  add_eval(dataset, state);
}

}  // namespace ktel::cli
