// One add_<name>_command() per file in src/cli/: each adds its subcommand to the
// app, with --help text and examples, and sets state.exit_code when it runs.
#pragma once

#include <CLI/CLI.hpp>

#include "base/status.h"

namespace ktel::cli {

// Exit codes of ktel's own commands (record passes the workload's code through;
// see docs/formats/exit-codes.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

struct CliState {
  int exit_code = kExitOk;
};

void add_record_command(CLI::App& app, CliState& state);
void add_workload_runner_command(CLI::App& app, CliState& state);
void add_ls_command(CLI::App& app, CliState& state);
void add_show_command(CLI::App& app, CliState& state);
void add_query_command(CLI::App& app, CliState& state);
void add_export_command(CLI::App& app, CliState& state);
void add_report_command(CLI::App& app, CliState& state);
void add_import_command(CLI::App& app, CliState& state);
void add_doctor_command(CLI::App& app, CliState& state);
void add_schema_command(CLI::App& app, CliState& state);
void add_dataset_command(CLI::App& app, CliState& state);
void add_collect_command(CLI::App& app, CliState& state);
void add_workloads_command(CLI::App& app, CliState& state);
// Subcommands of `ktel dataset`.
void add_dataset_build_command(CLI::App& dataset, CliState& state);
void add_dataset_tool_commands(CLI::App& dataset, CliState& state);  // baseline, split-by-workload, sequences, eval

// Prints "ktel <cmd>: <status>" to stderr and returns kExitError.
int report_error(std::string_view command, const Status& status);

}  // namespace ktel::cli
