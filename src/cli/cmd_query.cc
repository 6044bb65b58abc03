// `ktel query EP "SQL"`: runs one read-only SQL statement on episode.db.
#include <memory>

#include "analysis/export/row_writer.h"
#include "cli/commands.h"

namespace ktel::cli {

namespace {
struct QueryArgs {
  std::string episode;
  std::string sql;
  std::string format = "table";
};
}  // namespace

void add_query_command(CLI::App& app, CliState& state) {
  auto* cmd = app.add_subcommand("query", "Run one read-only SQL statement on an episode");
  auto args = std::make_shared<QueryArgs>();
  cmd->add_option("EP", args->episode, "episode directory (or an episode.db file)")->required();
  cmd->add_option("SQL", args->sql, "one SQL statement (SQLite dialect)")->required();
  cmd->add_option("--format,-f", args->format,
                  "table: aligned, for terminals (NULL shown as NULL, control bytes as \\xNN); "
                  "csv: RFC 4180, byte-exact, NULL = empty field; "
                  "json: one array of objects (invalid UTF-8 replaced by U+FFFD); "
                  "jsonl: one object per line")
      ->check(CLI::IsMember({"table", "csv", "json", "jsonl"}))
      ->capture_default_str();
  cmd->footer(
      "Tables: events, labels, proc_samples, proc_ticks, cpu_samples, perf_samples, ...\n"
      "(see `ktel schema`). Works while the episode is still recording.\n\n"
      "Example:\n"
      "  ktel query episodes/01J2Z3K4M5N6P7Q8R9S0T1V2W3 \\\n"
      "    \"SELECT comm, max(rss_bytes) FROM proc_samples GROUP BY comm\" --format csv");
  cmd->callback([&state, args] {
    auto format = parse_row_format(args->format);
    if (!format.is_ok()) {
      state.exit_code = report_error("query", format.status());
      return;
    }
    auto db = EpisodeDb::open(args->episode);
    if (!db.is_ok()) {
      state.exit_code = report_error("query", db.status());
      return;
    }
    auto out = FileOutput::standard_output();
    auto writer = make_row_writer(*format, *out);
    Status st = write_query(*db, args->sql, *writer);
    Status closed = out->close();
    if (st.is_ok()) st = closed;
    if (!st.is_ok()) state.exit_code = report_error("query", st);
  });
}

}  // namespace ktel::cli
