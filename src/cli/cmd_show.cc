#include "cli/commands.h"

namespace ktel::cli {
void add_show_command(CLI::App& app, CliState& state) {
  auto* cmd = app.add_subcommand("show", "(not built yet)");
  cmd->callback([&state] { state.exit_code = kExitError; });
}
}  // namespace ktel::cli
