// `ktel workloads`: the workload catalog and what this machine can run.
#include <memory>

#include "cli/commands.h"
#include "cli/workload_selection.h"

namespace ktel::cli {

void add_workloads_command(CLI::App& app, CliState& state) {
  struct Args {
    std::string workloads_file;
    std::string format = "table";
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "workloads", "List the workloads record --workload and collect can run, and their status");
  cmd->add_option("--workloads-file", args->workloads_file,
                  "also list the custom workloads of this TOML file (docs/formats/workloads-toml.md)");
  cmd->add_option("--format,-f", args->format, "table (for terminals) or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  cmd->footer(
      "status: built-in (part of ktel), installed (the program is in PATH) or missing (with the\n"
      "package to install; ktel collect skips it and says why).\n\n"
      "Examples:\n"
      "  ktel workloads\n"
      "  ktel workloads --workloads-file my-workloads.toml --format json");
  cmd->callback([&state, args] {
    state.exit_code = print_workload_list({.names = {}, .duration = "",
                                           .workloads_file = args->workloads_file},
                                          args->format);
  });
}

}  // namespace ktel::cli
