#include "cli/commands.h"

namespace ktel::cli {
void add_query_command(CLI::App& app, CliState& state) {
  auto* cmd = app.add_subcommand("query", "(not built yet)");
  cmd->callback([&state] { state.exit_code = kExitError; });
}
}  // namespace ktel::cli
