// `ktel export EP -o DIR`: an episode's tables as JSON lines or CSV files.
#include <fmt/format.h>

#include <memory>

#include "analysis/export/exporter.h"
#include "cli/commands.h"

namespace ktel::cli {

namespace {
struct ExportArgs {
  std::string episode;
  std::string out_dir;
  std::string format = "jsonl";
  std::string layout = "tables";
};
}  // namespace

void add_export_command(CLI::App& app, CliState& state) {
  auto* cmd = app.add_subcommand("export", "Write an episode's tables as JSON lines or CSV files");
  auto args = std::make_shared<ExportArgs>();
  cmd->add_option("EP", args->episode, "episode directory")->required();
  cmd->add_option("-o,--out", args->out_dir, "output directory (created; files replaced)")
      ->required();
  cmd->add_option("--format,-f", args->format, "jsonl or csv (csv: RFC 4180 with a header)")
      ->check(CLI::IsMember({"jsonl", "csv", "json"}))
      ->capture_default_str();
  cmd->add_option("--layout", args->layout,
                  "tables: one <table>.<format> per table; cis490: meta.json, events.jsonl and "
                  "telemetry-<source>.jsonl (rows of every telemetry table whose source is "
                  "host_<source>, each with a \"table\" field; jsonl only)")
      ->check(CLI::IsMember({"tables", "cis490"}))
      ->capture_default_str();
  cmd->footer(
      "Example:\n"
      "  ktel export episodes/01J2Z3K4M5N6P7Q8R9S0T1V2W3 --format csv -o out/\n"
      "  ktel export episodes/01J2Z3K4M5N6P7Q8R9S0T1V2W3 --layout cis490 -o out/");
  cmd->callback([&state, args] {
    auto format = parse_row_format(args->format);
    if (!format.is_ok()) {
      state.exit_code = report_error("export", format.status());
      return;
    }
    ExportOptions options{
        .format = *format,
        .layout = args->layout == "cis490" ? ExportLayout::kCis490 : ExportLayout::kPerTable,
        .out_dir = args->out_dir};
    auto files = export_episode(args->episode, options);
    if (!files.is_ok()) {
      state.exit_code = report_error("export", files.status());
      return;
    }
    for (const auto& f : *files) fmt::print("{:>10} rows  {}\n", f.rows, f.path);
  });
}

}  // namespace ktel::cli
