#include "cli/commands.h"

namespace ktel::cli {
void add_export_command(CLI::App& app, CliState& state) {
  auto* cmd = app.add_subcommand("export", "(not built yet)");
  cmd->callback([&state] { state.exit_code = kExitError; });
}
}  // namespace ktel::cli
