#include "cli/commands.h"

namespace ktel::cli {
void add_doctor_command(CLI::App& app, CliState& state) {
  auto* cmd = app.add_subcommand("doctor", "(not built yet)");
  cmd->callback([&state] { state.exit_code = kExitError; });
}
}  // namespace ktel::cli
