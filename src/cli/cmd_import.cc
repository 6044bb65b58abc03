// `ktel import perf-stat FILE --into EP`: loads `perf stat -I <ms> -j` output
// into an existing episode's perf_samples, with the live perf source's meaning.
// `ktel import ftrace-text FILE [--into EP]`: loads a kernel text trace (a
// saved `trace` / `trace_pipe`) into the sched tables of an existing or a new
// episode (docs/formats/ftrace-text-import.md).
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "base/file_util.h"
#include "base/strings.h"
#include "base/ulid.h"
#include "cli/commands.h"
#include "ktel/build_info.h"
#include "model/episode_layout.h"
#include "model/event_log.h"
#include "model/meta.h"
#include "sinks/sqlite/sqlite_sink.h"
#include "sources/perf/perf_stat_import.h"
#include "sources/sched/text_trace_tables.h"

namespace ktel::cli {

namespace {

// "warning: N malformed lines skipped (lines a, b, ...); first: <first>",
// listing at most 20 line numbers, "..." when more were malformed.
template <typename Malformed>
void warn_malformed(uint64_t count, const std::vector<Malformed>& kept, std::string_view first) {
  const size_t shown = std::min<size_t>(kept.size(), 20);
  std::string nums;
  for (size_t i = 0; i < shown; ++i) nums += (i ? ", " : "") + std::to_string(kept[i].line);
  if (count > shown) nums += ", ...";
  fmt::print(stderr, "warning: {} malformed lines skipped (lines {}); first: {}\n", count, nums,
             first);
}

struct PerfStatArgs {
  std::string file;
  std::string into;
};

void print_import_report(const PerfStatArgs& args, const perf::PerfStatImportReport& rep) {
  fmt::print("imported {} perf_samples rows from {} ({} lines) into {}\n", rep.rows, args.file,
             rep.lines, layout::db(args.into));
  if (rep.malformed_count > 0) {
    warn_malformed(rep.malformed_count, rep.malformed,
                   fmt::format("line {}: {}", rep.malformed.front().line,
                               rep.malformed.front().reason));
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

struct FtraceTextArgs {
  std::string file;
  std::string into;
  std::string output;
  int threads = 0;
};

constexpr std::string_view kFtraceTextHint =
    "expected the kernel's text trace, e.g. `cat /sys/kernel/tracing/instances/NAME/trace > FILE` "
    "with the sched events enabled in that instance";

// The first and last event times, or an error saying what the lines were.
Result<sched::TextTraceBounds> trace_bounds(const std::string& file) {
  KTEL_ASSIGN_OR_RETURN(sched::TextTraceBounds b, sched::scan_text_trace_bounds(file));
  if (b.first_ts_ns) {
    if (!b.last_ts_ns) b.last_ts_ns = b.first_ts_ns;
    return b;
  }
  KTEL_ASSIGN_OR_RETURN(
      sched::TextTraceStats s,
      sched::import_text_trace_file(
          file, {.threads = 1}, [](const sched::SchedEvent&, uint64_t) { return Status::ok(); }));
  std::string what = fmt::format("{} lines", s.lines);
  if (s.malformed_count > 0 && !s.malformed.empty()) {
    what += fmt::format(", {} malformed; first: line {}: {}", s.malformed_count,
                        s.malformed.front().line, s.malformed.front().reason);
  }
  return invalid_argument(
      fmt::format("{} holds no parsable ftrace event ({}); {}", file, what, kFtraceTextHint));
}

Result<int64_t> mtime_ns(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return last_errno_status("stat " + path);
  return int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
}

void print_ftrace_warnings(const sched::TextTraceTablesReport& r) {
  const sched::TextTraceStats& s = r.trace;
  if (s.malformed_count > 0 && !s.malformed.empty()) {
    warn_malformed(s.malformed_count, s.malformed,
                   fmt::format("line {}: {}: {}", s.malformed.front().line,
                               s.malformed.front().reason, s.malformed.front().excerpt));
  }
  if (!s.lost.empty()) {
    std::string per_cpu;
    for (const auto& [cpu, l] : s.lost) {
      per_cpu += fmt::format("{}CPU{} {}{}", per_cpu.empty() ? "" : ", ", cpu, l.events,
                             l.markers_without_count ? " + uncounted" : "");
    }
    fmt::print(stderr, "warning: the kernel reported {} lost events (LOST markers: {})\n",
               s.lost_events(), per_cpu);
  }
  if (s.overwritten > 0) {
    fmt::print(stderr,
               "warning: {} events were overwritten before the trace was read (header "
               "entries-written minus entries-in-buffer); enlarge buffer_size_kb or read "
               "trace_pipe while tracing\n",
               s.overwritten);
  }
  if (r.tables.out_of_order > 0) {
    fmt::print(stderr, "note: {} events older than the one before them (kept, counted)\n",
               r.tables.out_of_order);
  }
}

void print_ftrace_report(const FtraceTextArgs& args, const std::string& dir,
                         const sched::TextTraceTablesReport& r, std::string_view clock_note) {
  const std::string& file = args.file;
  const int threads = args.threads;
  const sched::TextTraceStats& s = r.trace;
  const sched::SchedTableCounts& t = r.tables;
  fmt::print("imported {} events ({} lines, {}, {:.2f} s on {} threads) from {} into {}\n",
             s.events, s.lines, format_bytes(s.bytes), s.seconds, threads, file, dir);
  fmt::print(
      "  rows: sched_switch {}, sched_wakeup {}, sched_migrate {}, sched_process {}, "
      "sched_other {}\n",
      t.switches, t.wakeups, t.migrations, t.process_events, t.other);
  fmt::print("  derived: sched_slice {}, wakeup_latency {}, thread_summary {}, thread_comm {}\n",
             t.slices, t.wakeup_latencies, t.threads, t.thread_comms);
  fmt::print("  clock: {}\n", clock_note);
  print_ftrace_warnings(r);
}

// Runs the import into the episode at `dir` whose clock is `clock`; the sink
// is finished whatever happens, so rows accepted before an error are kept.
Result<sched::TextTraceTablesReport> import_into_db(const FtraceTextArgs& args,
                                                    const std::string& dir,
                                                    const EpisodeClock& clock,
                                                    uint64_t& dropped_rows) {
  KTEL_ASSIGN_OR_RETURN(std::unique_ptr<SqliteSink> sink, SqliteSink::open(layout::db(dir)));
  EventLog events(clock);
  Status st = events.attach_sink(sink.get());
  Result<sched::TextTraceTablesReport> rep =
      st.is_ok() ? sched::import_text_trace_tables(
                       args.file, clock, {.parse = {.threads = args.threads}}, *sink, events)
                 : Result<sched::TextTraceTablesReport>(st);
  Status finished = sink->finish();
  dropped_rows = sink->dropped_rows();
  KTEL_TRY(rep);
  KTEL_TRY(finished);
  KTEL_TRY(events.sink_status());
  return rep;
}

// A new episode's meta.json for a trace spanning [first, last] whose file was
// last written at `end_wall_ns`.
EpisodeMeta new_import_meta(const FtraceTextArgs& args, const sched::TextTraceBounds& b,
                            int64_t end_wall_ns) {
  const int64_t span = std::max<int64_t>(0, *b.last_ts_ns - *b.first_ts_ns);
  EpisodeMeta meta;
  meta.id = make_ulid();
  meta.status = "running";
  meta.ktel_version = KTEL_VERSION;
  meta.target.kind = "import";
  meta.target.argv = {"ktel", "import", "ftrace-text", args.file};
  // The text trace has only its own clock: its first event is the origin,
  // and the file's mtime (when `cat` finished writing it) stands in for the
  // wall time of its last event.
  meta.origin_mono_ns = *b.first_ts_ns;
  meta.origin_wall_ns = std::max<int64_t>(0, end_wall_ns - span);
  meta.start_wall_ns = meta.origin_wall_ns;
  meta.options = {
      {"import",
       {{"format", "ftrace-text"},
        {"file", args.file},
        {"threads", args.threads},
        {"clock",
         {{"origin_mono_ns", "timestamp of the trace's first event (trace clock)"},
          {"origin_wall_ns",
           "file mtime minus the trace's span: the mtime is taken as the wall time "
           "of the last event (an estimate, late by however long the file was "
           "written after the trace ended)"},
          {"trace_clock", b.format == sched::TimestampFormat::kCounter
                              ? "a counter clock: timestamps are ticks, not ns"
                              : "not named by text traces (local, global, mono, ...)"}}}}}};
  meta.sources["sched"] = {"running", 0, 0, "", nlohmann::json::object()};
  return meta;
}

Status run_ftrace_text_new(const FtraceTextArgs& args, int& exit_code) {
  KTEL_ASSIGN_OR_RETURN(sched::TextTraceBounds bounds, trace_bounds(args.file));
  KTEL_ASSIGN_OR_RETURN(int64_t end_wall, mtime_ns(args.file));
  EpisodeMeta meta = new_import_meta(args, bounds, end_wall);
  const std::string dir = args.output.empty() ? "episodes/" + meta.id : args.output;
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_empty(dir, ec)) {
    return Status(Code::kAlreadyExists,
                  fmt::format("output directory {} is not empty; choose another --output", dir));
  }
  KTEL_TRY(make_dirs(dir));
  KTEL_TRY(make_dirs(layout::raw(dir)));
  KTEL_TRY(write_meta(dir, meta));
  EpisodeClock clock(meta.origin_mono_ns, meta.origin_wall_ns);
  Result<sched::TextTraceTablesReport> rep =
      import_into_db(args, dir, clock, meta.sink_dropped_rows);
  meta.end_wall_ns =
      meta.origin_wall_ns + std::max<int64_t>(0, *bounds.last_ts_ns - *bounds.first_ts_ns);
  meta.duration_ns = *meta.end_wall_ns - meta.start_wall_ns;
  if (rep.is_ok()) {
    meta.status = "complete";
    meta.sources["sched"] = sched::text_trace_source_meta(args.file, *rep);
    if (meta.host.cpus == 0 && rep->trace.header_cpus > 0) meta.host.cpus = rep->trace.header_cpus;
  } else {
    meta.status = "failed";
    meta.error = rep.status().to_string();
    meta.exit.ktel_exit_code = kExitError;
    meta.sources["sched"] = {"failed", 0, 0, meta.error, nlohmann::json::object()};
  }
  KTEL_TRY(write_meta(dir, meta));
  KTEL_TRY(write_file_atomic(layout::done_marker(dir), meta.id + "\n"));
  KTEL_TRY(rep);
  print_ftrace_report(args, dir, *rep,
                      "t_mono_ns = trace time - the first event's; t_wall_ns from the file's "
                      "mtime taken as the last event's wall time (an estimate)");
  exit_code = kExitOk;
  return Status::ok();
}

Status run_ftrace_text_into(const FtraceTextArgs& args, int& exit_code) {
  KTEL_ASSIGN_OR_RETURN(EpisodeMeta meta, read_meta(args.into));
  if (auto it = meta.sources.find("sched"); it != meta.sources.end() && it->second.rows > 0) {
    return Status(Code::kFailedPrecondition,
                  fmt::format("{} already holds {} sched rows; importing {} as well would mix "
                              "two captures: import it into a new episode (omit --into)",
                              args.into, it->second.rows, args.file));
  }
  KTEL_ASSIGN_OR_RETURN(sched::TextTraceBounds bounds, trace_bounds(args.file));
  if (bounds.format == sched::TimestampFormat::kCounter) {
    return invalid_argument(fmt::format(
        "{} was traced with a counter clock (timestamps are ticks), which cannot be placed on "
        "{}'s clock: import it into a new episode (omit --into), or trace with trace_clock=mono",
        args.file, args.into));
  }
  // Traces taken with trace_clock=mono during the episode fall inside it.
  const double first_s = static_cast<double>(*bounds.first_ts_ns - meta.origin_mono_ns) / 1e9;
  const double last_s = static_cast<double>(*bounds.last_ts_ns - meta.origin_mono_ns) / 1e9;
  const double episode_s = static_cast<double>(meta.duration_ns.value_or(0)) / 1e9;
  if (last_s < -1.0 || (meta.duration_ns && first_s > episode_s + 1.0)) {
    fmt::print(stderr,
               "warning: the trace spans {:.3f}..{:.3f} s of {}'s clock but the episode lasted "
               "{:.3f} s: was it traced with trace_clock=mono during this episode?\n",
               first_s, last_s, args.into, episode_s);
  }
  EpisodeClock clock(meta.origin_mono_ns, meta.origin_wall_ns);
  uint64_t dropped = 0;
  KTEL_ASSIGN_OR_RETURN(sched::TextTraceTablesReport rep,
                        import_into_db(args, args.into, clock, dropped));
  SourceMeta sm = sched::text_trace_source_meta(args.file, rep);
  sm.details["clock"] =
      "trace timestamps taken as the episode's CLOCK_MONOTONIC (trace_clock=mono)";
  meta.sources["sched"] = std::move(sm);
  meta.sink_dropped_rows += dropped;
  KTEL_TRY(write_meta(args.into, meta));
  print_ftrace_report(args, layout::db(args.into), rep,
                      "trace timestamps taken as this episode's CLOCK_MONOTONIC "
                      "(trace_clock=mono on the recording machine)");
  exit_code = kExitOk;
  return Status::ok();
}

void add_ftrace_text_command(CLI::App& import, CliState& state) {
  auto args = std::make_shared<FtraceTextArgs>();
  auto* ft = import.add_subcommand(
      "ftrace-text",
      "Load a kernel text trace (a saved `trace` or `trace_pipe` of a tracefs instance with the\n"
      "sched events on) into the sched tables: sched_switch, sched_wakeup, sched_migrate,\n"
      "sched_process, sched_other and the derived ones. Without --into, a new episode is made\n"
      "whose clock starts at the first event. Malformed lines are skipped, counted and reported\n"
      "with their line numbers; LOST markers and overwritten events are counted in meta.json.");
  ft->footer(
      "Example:\n"
      "  cd /sys/kernel/tracing && mkdir instances/mine\n"
      "  echo 1 > instances/mine/events/sched/sched_switch/enable   # and sched_wakeup, ...\n"
      "  make -j8; cat instances/mine/trace > /tmp/sched.txt; rmdir instances/mine\n"
      "  ktel import ftrace-text /tmp/sched.txt                  # new episode in ./episodes/\n"
      "  ktel import ftrace-text /tmp/sched.txt --into episodes/<id>  # traced with "
      "trace_clock=mono");
  ft->add_option("FILE", args->file, "text trace file")->required();
  auto* into = ft->add_option("--into", args->into,
                              "add the tables to this episode (its clock must be the trace's: "
                              "trace_clock=mono, same boot)");
  ft->add_option("--output,-o", args->output, "new episode directory (default episodes/<id>)")
      ->excludes(into);
  ft->add_option("--threads", args->threads, "parsing threads (default: one per CPU)")
      ->check(CLI::NonNegativeNumber);
  ft->callback([&state, args] {
    if (args->threads == 0) {
      args->threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    }
    int code = kExitError;
    Status st =
        args->into.empty() ? run_ftrace_text_new(*args, code) : run_ftrace_text_into(*args, code);
    state.exit_code = st.is_ok() ? code : report_error("import ftrace-text", st);
  });
}

}  // namespace

void add_import_command(CLI::App& app, CliState& state) {
  auto* cmd =
      app.add_subcommand("import", "Import telemetry captured by other tools into an episode");
  cmd->require_subcommand(1);
  cmd->footer(
      "Example:\n"
      "  perf stat -I 100 -j -o stat.jsonl -e task-clock,page-faults -- make\n"
      "  ktel import perf-stat stat.jsonl --into episodes/<id>\n"
      "  ktel import ftrace-text sched-trace.txt");
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
  add_ftrace_text_command(*cmd, state);
}

}  // namespace ktel::cli
