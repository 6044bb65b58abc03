// `ktel schema`: the tables an episode holds, column by column (the same text
// as docs/formats/episode.md).
#include <fmt/format.h>

#include "cli/commands.h"
#include "model/tables.h"

namespace ktel::cli {

void add_schema_command(CLI::App& app, CliState& state) {
  auto table = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("schema", "Print the tables of an episode and their columns (with units)");
  cmd->add_option("table", *table, "Only this table");
  cmd->footer("Examples:\n  ktel schema\n  ktel schema proc_samples");
  cmd->callback([table, &state] {
    bool found = false;
    for (const Schema& s : tables::all_schemas()) {
      if (!table->empty() && s.table != *table) continue;
      found = true;
      fmt::print("### `{}`\n\n| column | type | unit | meaning |\n|---|---|---|---|\n", s.table);
      for (const Column& c : s.columns) {
        fmt::print("| `{}` | {} | {} | {} |\n", c.name, column_type_sql(c.type), c.unit, c.description);
      }
      fmt::print("\n");
    }
    if (!found) {
      fmt::print(stderr, "ktel schema: no table '{}' (try `ktel schema`)\n", *table);
      state.exit_code = kExitError;
    }
  });
}

}  // namespace ktel::cli
