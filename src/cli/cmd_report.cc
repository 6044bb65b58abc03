// `ktel report EP`: what an episode shows, section by section (sched, ...),
// as a terminal table, CSV or JSON (docs/formats/report.md).
#include <memory>

#include "analysis/report/report.h"
#include "analysis/report/report_writer.h"
#include "cli/commands.h"

namespace ktel::cli {

namespace {
struct ReportArgs {
  std::string episode;
  std::string format = "table";
  size_t top = 20;
  std::vector<std::string> sections;
};
}  // namespace

void add_report_command(CLI::App& app, CliState& state) {
  auto registry = std::make_shared<report::SectionRegistry>();
  report::register_builtin_sections(*registry);
  std::vector<std::string> names;
  std::string section_help = "only these sections, in report order (repeat or comma-separate):";
  for (const auto& s : registry->all()) {
    names.push_back(s.name);
    section_help += "\n  " + s.name + ": " + s.description;
  }

  auto* cmd = app.add_subcommand(
      "report", "Report what an episode shows: per-task CPU time, switches, wakeup latency, "
                "runqueue wait, per-CPU busy %, ...");
  auto args = std::make_shared<ReportArgs>();
  cmd->add_option("EP", args->episode, "episode directory")->required();
  cmd->add_option("--format,-f", args->format,
                  "table: for terminals (durations as 1.5ms, NULL as -); "
                  "csv: one RFC 4180 block per table, rows start with section,table; "
                  "json: one object (see docs/formats/report.md)")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  cmd->add_option("--top", args->top, "tasks listed, by CPU time (0 = all)")
      ->capture_default_str();
  cmd->add_option("--section", args->sections, section_help)
      ->delimiter(',')
      ->check(CLI::IsMember(names));
  cmd->footer(
      "A section whose data the episode lacks says so and why (from meta.json).\n"
      "Wakeup latency percentiles are exact (nearest rank).\n\n"
      "Examples:\n"
      "  ktel report episodes/01J2Z3K4M5N6P7Q8R9S0T1V2W3\n"
      "  ktel report episodes/01J2Z3K4M5N6P7Q8R9S0T1V2W3 --section sched --top 5 --format json");
  cmd->callback([&state, args, registry] {
    auto format = report::parse_report_format(args->format);
    if (!format.is_ok()) {
      state.exit_code = report_error("report", format.status());
      return;
    }
    report::ReportOptions options{.top = args->top, .sections = args->sections};
    auto built = report::build_report(args->episode, *registry, options);
    if (!built.is_ok()) {
      state.exit_code = report_error("report", built.status());
      return;
    }
    auto out = FileOutput::standard_output();
    Status st = report::write_report(*built, *format, *out);
    Status closed = out->close();
    if (st.is_ok()) st = closed;
    if (!st.is_ok()) state.exit_code = report_error("report", st);
  });
}

}  // namespace ktel::cli
