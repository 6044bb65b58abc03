// The pipeline section's process tree: processes rows linked child to parent
// by ppid, the parent being the process with that pid alive when the child
// started (pids are reused), printed depth first in start order.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "analysis/report/pipeline_section.h"
#include "analysis/report/report_values.h"

namespace ktel::report {

namespace {

struct Node {
  int64_t pid = 0;
  int64_t ppid = 0;
  int64_t start = 0;
  std::optional<int64_t> exit;
  std::string command;
  std::vector<Value> cells;  // duration, cpu, exit code, signal
  std::vector<size_t> children;
  bool has_parent = false;
};

std::optional<size_t> parent_of(const std::vector<Node>& nodes,
                                const std::multimap<int64_t, size_t>& by_pid, const Node& child) {
  std::optional<size_t> best;
  auto [lo, hi] = by_pid.equal_range(child.ppid);
  for (auto it = lo; it != hi; ++it) {
    const Node& p = nodes[it->second];
    if (&p == &child || p.start > child.start || (p.exit && *p.exit < child.start)) continue;
    if (!best || nodes[*best].start < p.start) best = it->second;
  }
  return best;
}

}  // namespace

Result<ReportTable> process_tree_table(const EpisodeDb& db, size_t limit) {
  ReportTable t{.name = "tree", .title = "Process tree", .columns = {}, .rows = {}, .note = ""};
  t.columns = {{"depth", "count"},        {"pid", "id"},           {"ppid", "id"},
               {"command", "text"},       {"duration_ns", "ns", "time"}, {"cpu_ns", "ns", "CPU"},
               {"exit_code", "count", "exit"}, {"signal", "count"}};
  std::vector<Node> nodes;
  KTEL_TRY(db.query(
      "SELECT pid, ppid, start_ns, exit_ns, argv, comm, duration_ns, cpu_ns, exit_code, signal "
      "FROM processes ORDER BY start_ns, pid",
      nullptr, [&](const RowView& r) {
        Node n{.pid = int_or(r[0], 0), .ppid = int_or(r[1], 0), .start = int_or(r[2], 0),
               .exit = r[3].type == CellType::kInt64 ? std::optional<int64_t>(r[3].i) : std::nullopt,
               .command = r[4].type == CellType::kText ? command_line(std::string(r[4].bytes))
                                                       : "[" + std::string(r[5].bytes) + "]",
               .cells = {to_value(r[6]), to_value(r[7]), to_value(r[8]), to_value(r[9])},
               .children = {}, .has_parent = false};
        nodes.push_back(std::move(n));
        return Status::ok();
      }));
  std::multimap<int64_t, size_t> by_pid;
  for (size_t i = 0; i < nodes.size(); ++i) by_pid.emplace(nodes[i].pid, i);
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (auto p = parent_of(nodes, by_pid, nodes[i])) {
      nodes[*p].children.push_back(i);  // i ascends in start order
      nodes[i].has_parent = true;
    }
  }
  std::vector<std::pair<size_t, int64_t>> stack;  // node, depth
  for (size_t i = nodes.size(); i-- > 0;) {
    if (!nodes[i].has_parent) stack.emplace_back(i, 0);
  }
  while (!stack.empty() && (limit == 0 || t.rows.size() < limit)) {
    auto [i, depth] = stack.back();
    stack.pop_back();
    const Node& n = nodes[i];
    std::vector<Value> row = {int_value(depth), int_value(n.pid), int_value(n.ppid),
                              text_value(std::string(static_cast<size_t>(depth) * 2, ' ') + n.command)};
    row.insert(row.end(), n.cells.begin(), n.cells.end());
    t.rows.push_back(std::move(row));
    for (auto c = n.children.rbegin(); c != n.children.rend(); ++c) stack.emplace_back(*c, depth + 1);
  }
  t.note = t.rows.size() < nodes.size()
               ? fmt::format("first {} of {} processes, depth first in start order (--top 0 for all)",
                             t.rows.size(), nodes.size())
               : fmt::format("{} processes, depth first in start order", nodes.size());
  return t;
}

}  // namespace ktel::report
