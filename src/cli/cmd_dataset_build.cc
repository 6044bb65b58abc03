// `ktel dataset build DIR`: the train / test_seen / test_unseen CSVs of a
// collection (docs/formats/dataset.md).
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "analysis/dataset/dataset_builder.h"
#include "cli/commands.h"
#include "sys/spawn.h"

namespace ktel::cli {

namespace {
struct BuildArgs {
  std::string dir;
  std::string raw_dir;
  double train_ratio = 0.8;
  uint64_t seed = 42;
  bool no_unseen_split = false;
  bool drop_lossy = false;
  bool quiet = false;
};

void print_summary(const dataset::BuildResult& r, const std::string& dir) {
  fmt::print("dataset in {}: {} events from {} traces, split by {}\n", dir, r.total_events,
             r.traces.size(), r.event_level ? "EVENT (leaks, see warnings)" : "trace");
  fmt::print("  train.csv        {:>12} events\n", r.split_events[0]);
  fmt::print("  test_seen.csv    {:>12} events\n", r.split_events[1]);
  fmt::print("  test_unseen.csv  {:>12} events{}\n", r.split_events[2],
             r.plan.unseen_category ? " (category " + *r.plan.unseen_category + ")"
                                    : std::string(" (no unseen split)"));
  fmt::print("  all.csv          {:>12} events\n", r.total_events);
  fmt::print("  {}\n", r.meta_path);
}
}  // namespace

void add_dataset_build_command(CLI::App& dataset, CliState& state) {
  auto args = std::make_shared<BuildArgs>();
  auto* cmd = dataset.add_subcommand(
      "build", "Turn a collection's scheduler traces into train / test_seen / test_unseen CSVs");
  cmd->add_option("DIR", args->dir, "collection directory (ktel collect -o DIR); outputs go here")
      ->required();
  cmd->add_option("--raw-dir", args->raw_dir,
                  "where the runs are (default DIR/raw): <run>.json beside an episode <run>/ or "
                  "a text trace <run>.txt");
  cmd->add_option("--train-ratio", args->train_ratio,
                  "share of each seen category's traces that go to train")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--seed", args->seed,
                  "seed of the split (the same as Python's random.Random(seed))")
      ->capture_default_str();
  cmd->add_flag("--no-unseen-split", args->no_unseen_split,
                "never hold a whole category out as test_unseen");
  cmd->add_flag("--drop-lossy", args->drop_lossy,
                "leave out traces whose capture lost events (default: keep and flag them)");
  cmd->add_flag("-q,--quiet", args->quiet, "no progress or summary; warnings still go to stderr");
  cmd->footer(
      "Traces are split whole, never by event: with >= 3 categories one category (drawn by\n"
      "the seeded generator) goes to test_unseen; each other category's traces are shuffled\n"
      "and the first max(1, floor(n * ratio)) go to train, the rest to test_seen. When that\n"
      "leaves test_seen empty, train's events are split at floor(len * ratio) instead, and\n"
      "dataset_meta.json says split_level: event (that split leaks). Same seed, same bytes.\n\n"
      "Examples:\n"
      "  ktel collect -o data -w cpu_bound_4p,hackbench_pipe_small,io_mixed --runs 3\n"
      "  ktel dataset build data --seed 7\n"
      "  ktel dataset build old --raw-dir old/raw --no-unseen-split");
  cmd->callback([&state, args] {
    dataset::BuildOptions options;
    options.out_dir = args->dir;
    options.raw_dir = args->raw_dir;
    options.split = {.train_ratio = args->train_ratio,
                     .seed = args->seed,
                     .unseen_split = !args->no_unseen_split};
    options.drop_lossy = args->drop_lossy;
    bool tty = ::isatty(STDERR_FILENO) != 0;
    if (!args->quiet) {
      options.on_trace = [tty](size_t i, size_t n, const dataset::TraceInput& t) {
        fmt::print(stderr, "{}[{}/{}] {} ({}){}", tty ? "\r\033[K" : "", i, n, t.run, t.category,
                   tty ? "" : "\n");
      };
    }
    options.on_warning = [tty, quiet = args->quiet](const std::string& w) {
      fmt::print(stderr, "{}warning: {}\n", tty && !quiet ? "\r\033[K" : "", w);
    };
    auto built = dataset::build_dataset(options);
    if (tty && !args->quiet) fmt::print(stderr, "\r\033[K");
    if (!built.is_ok()) {
      state.exit_code = report_error("dataset build", built.status());
      return;
    }
    // Under sudo the dataset belongs to the user who asked for it.
    if (auto invoker = sudo_invoker()) {
      for (const char* f : {"all.csv", "train.csv", "test_seen.csv", "test_unseen.csv",
                            "dataset_meta.json"}) {
        std::string path = args->dir + "/" + f;
        if (::chown(path.c_str(), invoker->uid, invoker->gid) != 0) {
          fmt::print(stderr, "warning: cannot hand {} to uid {}: {}\n", path, invoker->uid,
                     std::strerror(errno));
        }
      }
    }
    if (!args->quiet) print_summary(*built, args->dir);
  });
}

void add_dataset_command(CLI::App& app, CliState& state) {
  auto* dataset = app.add_subcommand(
      "dataset", "ML datasets from scheduler traces: build, baseline, split-by-workload, "
                 "sequences, eval");
  dataset->require_subcommand(1);
  add_dataset_build_command(*dataset, state);
  add_dataset_tool_commands(*dataset, state);
}

}  // namespace ktel::cli
