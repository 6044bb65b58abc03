// `ktel import perf-stat FILE --into EP`: loads `perf stat -I <ms> -j` output
// into an existing episode's perf_samples, with the live perf source's meaning.
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "model/episode_layout.h"
#include "model/event_log.h"
#include "model/meta.h"
#include "sinks/sqlite/sqlite_sink.h"
#include "sources/perf/perf_stat_import.h"

namespace ktel::cli {

namespace {

struct PerfStatArgs {
  std::string file;
  std::string into;
};

void print_import_report(const PerfStatArgs& args, const perf::PerfStatImportReport& rep) {
  fmt::print("imported {} perf_samples rows from {} ({} lines) into {}\n", rep.rows, args.file,
             rep.lines, layout::db(args.into));
  if (rep.malformed_count > 0) {
    std::string nums;
    for (size_t i = 0; i < rep.malformed.size() && i < 20; ++i) {
      nums += (i ? ", " : "") + std::to_string(rep.malformed[i].line);
    }
    if (rep.malformed_count > 20) nums += ", ...";
    fmt::print(stderr, "warning: {} malformed lines skipped (lines {}); first: line {}: {}\n",
               rep.malformed_count, nums, rep.malformed.front().line, rep.malformed.front().reason);
  }
  for (const auto& [event, count] : rep.ignored_events) {
    fmt::print(stderr, "note: event '{}' ({} lines) is not a perf_samples column; ignored\n", event,
               count);
  }
}

Status run_perf_stat_import(const PerfStatArgs& args, int& exit_code) {
  KTEL_ASSIGN_OR_RETURN(EpisodeMeta meta, read_meta(args.into));
  std::ifstream in(args.file);
  if (!in) {
    return errno_status(errno,
                        "open " + args.file + " (the `perf stat -I <ms> -j -o FILE` output)");
  }
  KTEL_ASSIGN_OR_RETURN(std::unique_ptr<SqliteSink> sink, SqliteSink::open(layout::db(args.into)));
  EpisodeClock clock(meta.origin_mono_ns, meta.origin_wall_ns);
  EventLog events(clock);
  Status st = events.attach_sink(sink.get());
  Result<perf::PerfStatImportReport> rep =
      st.is_ok() ? perf::import_perf_stat(in, args.file, meta.origin_wall_ns, *sink, events)
                 : Result<perf::PerfStatImportReport>(st);
  if (in.bad()) rep = errno_status(errno, "read " + args.file);
  // finish() even after an error: rows already accepted must reach the file.
  Status finished = sink->finish();
  KTEL_TRY(rep);
  KTEL_TRY(finished);
  KTEL_TRY(events.sink_status());
  print_import_report(args, *rep);
  if (rep->rows == 0) {
    return invalid_argument(args.file +
                            " holds no `perf stat -I <ms> -j` intervals; record it with "
                            "`perf stat -I 100 -j -o FILE -e ... -- CMD`");
  }
  exit_code = kExitOk;
  return Status::ok();
}

}  // namespace

void add_import_command(CLI::App& app, CliState& state) {
  auto* cmd =
      app.add_subcommand("import", "Import telemetry captured by other tools into an episode");
  cmd->require_subcommand(1);
  cmd->footer(
      "Example:\n"
      "  perf stat -I 100 -j -o stat.jsonl -e task-clock,page-faults -- make\n"
      "  ktel import perf-stat stat.jsonl --into episodes/<id>");
  auto args = std::make_shared<PerfStatArgs>();
  auto* ps = cmd->add_subcommand(
      "perf-stat",
      "Load `perf stat -I <ms> -j` output (one JSON object per line) into EP's perf_samples:\n"
      "one row per interval, `:u`/`:k` suffixes stripped, <not counted>/<not supported> as\n"
      "NULL, task-clock in ns. Malformed lines are skipped, counted and reported.");
  ps->footer(
      "Example:\n"
      "  perf stat -I 100 -j -o stat.jsonl -e task-clock,page-faults -- make\n"
      "  ktel import perf-stat stat.jsonl --into episodes/<id>");
  ps->add_option("FILE", args->file, "perf stat -j output")->required();
  ps->add_option("--into", args->into, "episode directory (must hold meta.json)")->required();
  ps->callback([&state, args] {
    int code = kExitError;
    Status st = run_perf_stat_import(*args, code);
    state.exit_code = st.is_ok() ? code : report_error("import perf-stat", st);
  });
}

}  // namespace ktel::cli
