// `ktel show EP`: what an episode holds (meta, sources, events, losses, tables).
#include <memory>

#include "analysis/export/episode_summary.h"
#include "cli/commands.h"

namespace ktel::cli {

void add_show_command(CLI::App& app, CliState& state) {
  auto* cmd = app.add_subcommand(
      "show", "Summarize one episode: meta, per-source status, lifecycle events, losses, tables");
  auto ep = std::make_shared<std::string>();
  cmd->add_option("EP", *ep, "episode directory")->required();
  cmd->footer("Example:\n  ktel show episodes/01J2Z3K4M5N6P7Q8R9S0T1V2W3");
  cmd->callback([&state, ep] {
    auto out = FileOutput::standard_output();
    Status st = write_episode_summary(*ep, *out);
    if (st.is_ok()) st = out->close();
    if (!st.is_ok()) state.exit_code = report_error("show", st);
  });
}

}  // namespace ktel::cli
