#include "analysis/report/pipeline_section.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <vector>

#include "analysis/report/report_values.h"

namespace ktel::report {

namespace {

std::string shell_quote(const std::string& arg) {
  bool plain = !arg.empty() && std::all_of(arg.begin(), arg.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("-_./=:,+@%^").find(c) != std::string_view::npos ||
           static_cast<unsigned char>(c) >= 0x80;
  });
  if (plain) return arg;
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The command of a processes row: its argv, or its comm in brackets when it
// never exec'd while traced (a forked subshell, a process seen only at exit).
std::string command_of(const Cell& argv, const Cell& comm) {
  if (argv.type == CellType::kText) return command_line(std::string(argv.bytes));
  return "[" + std::string(comm.bytes) + "]";
}

// Runs `sql`, keeps the first `top` rows (0 = all) made by `make_row`, and
// notes how many there were: "top 20 of 153 <what>".
Status fill_top(const EpisodeDb& db, std::string_view sql, size_t top, std::string_view what,
                const std::function<std::vector<Value>(const RowView&)>& make_row,
                ReportTable& t) {
  size_t total = 0;
  KTEL_TRY(db.query(sql, nullptr, [&](const RowView& r) {
    if (top == 0 || total < top) t.rows.push_back(make_row(r));
    ++total;
    return Status::ok();
  }));
  t.note = top > 0 && total > top ? fmt::format("top {} of {} {}", top, total, what)
                                  : fmt::format("{} {}", total, what);
  return Status::ok();
}

Result<ReportTable> commands_table(const EpisodeDb& db, size_t top) {
  ReportTable t{.name = "commands", .title = "Execution time per command", .columns = {},
                .rows = {}, .note = ""};
  t.columns = {{"command", "text"}, {"runs", "count"},         {"mean_ns", "ns", "mean"},
               {"min_ns", "ns", "min"}, {"max_ns", "ns", "max"}, {"total_ns", "ns", "total"}};
  KTEL_TRY(fill_top(
      db,
      "SELECT argv, comm, COUNT(*), CAST(AVG(duration_ns) AS INTEGER), MIN(duration_ns), "
      "MAX(duration_ns), SUM(duration_ns) FROM processes "
      "WHERE argv IS NOT NULL AND duration_ns IS NOT NULL GROUP BY argv "
      "ORDER BY SUM(duration_ns) DESC, argv",
      top, "distinct command lines that exec'd and exited, by total time",
      [](const RowView& r) -> std::vector<Value> {
        return {text_value(command_of(r[0], r[1])), to_value(r[2]), to_value(r[3]),
                to_value(r[4]), to_value(r[5]), to_value(r[6])};
      },
      t));
  return t;
}

Result<ReportTable> binaries_table(const EpisodeDb& db, size_t top) {
  ReportTable t{.name = "binaries", .title = "CPU time per binary", .columns = {}, .rows = {},
                .note = ""};
  t.columns = {{"binary", "text"},
               {"runs", "count"},
               {"cpu_s", "s", "CPU s"},
               {"mean_cpu_s", "s", "mean CPU s"},
               {"max_cpu_s", "s", "max CPU s"}};
  KTEL_TRY(fill_top(
      db,
      "SELECT filename, COUNT(*), SUM(cpu_ns) / 1e9, AVG(cpu_ns) / 1e9, MAX(cpu_ns) / 1e9 "
      "FROM processes WHERE filename IS NOT NULL AND cpu_ns IS NOT NULL GROUP BY filename "
      "ORDER BY SUM(cpu_ns) DESC, filename",
      top,
      "binaries, by CPU time summed over their runs (exact sched runtime of every thread; a "
      "process counts for the binary it exec'd last)",
      [](const RowView& r) -> std::vector<Value> {
        return {to_value(r[0]), to_value(r[1]), to_value(r[2]), to_value(r[3]), to_value(r[4])};
      },
      t));
  return t;
}

Result<ReportTable> failed_table(const EpisodeDb& db) {
  ReportTable t{.name = "failed", .title = "Failed commands", .columns = {}, .rows = {},
                .note = ""};
  t.columns = {{"pid", "id"},         {"command", "text"},         {"exit_code", "count", "exit"},
               {"signal", "count"},   {"duration_ns", "ns", "time"}, {"start_ns", "ns", "started at"}};
  KTEL_TRY(fill_top(
      db,
      "SELECT pid, argv, comm, exit_code, signal, duration_ns, start_ns FROM processes "
      "WHERE (exit_code IS NOT NULL AND exit_code != 0) OR (signal IS NOT NULL AND signal != 0) "
      "ORDER BY start_ns, pid",
      0, "processes that exited non-zero or were killed, in start order",
      [](const RowView& r) -> std::vector<Value> {
        return {to_value(r[0]), text_value(command_of(r[1], r[2])), to_value(r[3]),
                to_value(r[4]), to_value(r[5]), to_value(r[6])};
      },
      t));
  return t;
}

Result<ReportTable> memory_table(const EpisodeDb& db, size_t top) {
  ReportTable t{.name = "memory", .title = "Top memory", .columns = {}, .rows = {}, .note = ""};
  t.columns = {{"pid", "id"},
               {"command", "text"},
               {"maxrss_bytes", "bytes", "peak RSS"},
               {"duration_ns", "ns", "time"}};
  KTEL_TRY(fill_top(
      db,
      "SELECT pid, argv, comm, maxrss_bytes, duration_ns FROM processes "
      "WHERE maxrss_bytes IS NOT NULL ORDER BY maxrss_bytes DESC, start_ns, pid",
      top, "processes, by peak resident set size",
      [](const RowView& r) -> std::vector<Value> {
        return {to_value(r[0]), text_value(command_of(r[1], r[2])), to_value(r[3]),
                to_value(r[4])};
      },
      t));
  return t;
}

}  // namespace

std::string command_line(const std::string& argv_json) {
  nlohmann::json j = nlohmann::json::parse(argv_json, nullptr, false);
  if (j.is_discarded() || !j.is_array()) return argv_json;
  std::string out;
  for (const auto& a : j) {
    if (!a.is_string()) return argv_json;
    if (!out.empty()) out += ' ';
    out += shell_quote(a.get<std::string>());
  }
  return out;
}

Result<ReportSection> build_pipeline_section(const SectionContext& ctx) {
  ReportSection s{.name = "pipeline", .title = "Pipeline", .available = false, .note = "",
                  .tables = {}};
  if (ctx.db == nullptr) {
    s.note = missing_source_note(ctx.meta, "exec") + "; episode.db: " + ctx.db_error.to_string();
    return s;
  }
  KTEL_ASSIGN_OR_RETURN(std::vector<std::string> tables, ctx.db->tables());
  if (std::find(tables.begin(), tables.end(), "processes") == tables.end()) {
    s.note = missing_source_note(ctx.meta, "exec");
    return s;
  }
  s.available = true;
  size_t top = ctx.options.top;
  KTEL_ASSIGN_OR_RETURN(ReportTable commands, commands_table(*ctx.db, top));
  KTEL_ASSIGN_OR_RETURN(ReportTable binaries, binaries_table(*ctx.db, top));
  KTEL_ASSIGN_OR_RETURN(ReportTable failed, failed_table(*ctx.db));
  KTEL_ASSIGN_OR_RETURN(ReportTable memory, memory_table(*ctx.db, top));
  KTEL_ASSIGN_OR_RETURN(ReportTable tree, process_tree_table(*ctx.db, top * 5));
  s.tables = {std::move(commands), std::move(binaries), std::move(failed), std::move(memory),
              std::move(tree)};
  auto src = ctx.meta.sources.find("exec");
  if (src != ctx.meta.sources.end() && src->second.lost > 0) {
    s.note = fmt::format("the exec source lost {} events (meta.json): some processes are missing "
                         "or incomplete",
                         src->second.lost);
  }
  return s;
}

}  // namespace ktel::report
