// ktel: record what the kernel sees while a workload runs, then query it.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "ktel/build_info.h"

namespace ktel::cli {

int report_error(std::string_view command, const Status& status) {
  fmt::print(stderr, "ktel {}: {}\n", command, status.to_string());
  return kExitError;
}

namespace {
std::string version_text() {
  std::string features = "sources: proc perf sched exec; sink: sqlite; ";
  features += KTEL_BUILD_HAS_BPF ? std::string("ebpf: on (proc task iterator, exec source)")
                                 : std::string("ebpf: off (") + KTEL_BPF_OFF_REASON_TEXT + ")";
  return fmt::format("ktel {} ({}, {})\nfeatures: {}", KTEL_VERSION, KTEL_BUILD_TYPE,
                     KTEL_COMPILER, features);
}
}  // namespace

}  // namespace ktel::cli

int main(int argc, char** argv) {
  using namespace ktel::cli;
  CLI::App app{
      "ktel records what the Linux kernel sees while a workload runs (per-process /proc\n"
      "samples, perf counters, ...) into one episode directory, and answers questions\n"
      "about it with SQL, exports and reports.\n\n"
      "  ktel record -- make test          record an episode of a command\n"
      "  ktel show episodes/<id>           what was recorded\n"
      "  ktel query episodes/<id> \"SELECT ...\"\n"
      "  ktel report episodes/<id>         per-task and per-CPU scheduling, ...\n"};
  app.name("ktel");
  app.set_version_flag("--version", ktel::cli::version_text());
  app.require_subcommand(1);
  app.fallthrough(false);
  CliState state;
  add_record_command(app, state);
  add_workload_runner_command(app, state);
  add_ls_command(app, state);
  add_show_command(app, state);
  add_query_command(app, state);
  add_export_command(app, state);
  add_report_command(app, state);
  add_import_command(app, state);
  add_doctor_command(app, state);
  add_schema_command(app, state);
  add_workloads_command(app, state);
  add_collect_command(app, state);
  add_dataset_command(app, state);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  }
  return state.exit_code;
}
