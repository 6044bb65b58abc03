// `ktel ls [DIR]`: one line per episode directory under DIR.
#include <fmt/format.h>

#include <memory>

#include "analysis/export/episode_list.h"
#include "cli/commands.h"

namespace ktel::cli {

void add_ls_command(CLI::App& app, CliState& state) {
  auto* cmd = app.add_subcommand(
      "ls", "List episodes: id, start time, status, rows, losses, INCOMPLETE, target");
  auto dir = std::make_shared<std::string>("episodes");
  cmd->add_option("DIR", *dir, "directory holding episode directories")
      ->capture_default_str();
  cmd->footer(
      "An episode without done.marker is marked INCOMPLETE (still recording, or crashed).\n"
      "A broken meta.json is listed as '<dir>/meta.json: <error>'.\n\n"
      "Example:\n  ktel ls\n  ktel ls /data/episodes");
  cmd->callback([&state, dir] {
    auto list = list_episodes(*dir);
    if (!list.is_ok()) {
      state.exit_code = report_error("ls", list.status());
      return;
    }
    if (list->empty()) {
      fmt::print("no episodes in {}\n", *dir);
      return;
    }
    fmt::print("{}\n", format_listing_header());
    for (const auto& l : *list) fmt::print("{}\n", format_listing(l));
  });
}

}  // namespace ktel::cli
