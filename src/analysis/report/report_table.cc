// The terminal form of a report: readable units (1.5ms, 12.3%), aligned
// columns, every text from the episode made terminal-safe.
#include <fmt/format.h>

#include <algorithm>

#include "analysis/export/episode_list.h"
#include "analysis/export/text_escape.h"
#include "analysis/report/report_formats.h"
#include "base/strings.h"

namespace ktel::report::internal {

namespace {

using text::terminal_safe;

struct Rendered {
  std::string text;
  bool right = false;  // numbers align right
};

Rendered render(const Value& v, std::string_view unit) {
  if (std::holds_alternative<int64_t>(v)) {
    int64_t i = std::get<int64_t>(v);
    if (unit == "ns") return {format_duration_ns(i), true};
    if (unit == "bytes" && i >= 0) return {format_bytes(static_cast<uint64_t>(i)), true};
    return {std::to_string(i), true};
  }
  if (std::holds_alternative<double>(v)) {
    double d = std::get<double>(v);
    if (unit == "pct") return {fmt::format("{:.1f}%", d), true};
    if (unit == "s") return {fmt::format("{:.3f}", d), true};
    return {text::format_double(d), true};
  }
  if (std::holds_alternative<std::string>(v)) return {terminal_safe(std::get<std::string>(v))};
  return {"-", true};
}

std::string heading(const ReportColumn& c) {
  return terminal_safe(c.label.empty() ? c.name : c.label);
}

void pad_to(std::string& out, const Rendered& cell, size_t width, bool last) {
  size_t w = text::display_width(cell.text);
  size_t pad = width > w ? width - w : 0;
  if (cell.right) out.append(pad, ' ');
  out += cell.text;
  if (!cell.right && !last) out.append(pad, ' ');
}

// A one-row table reads better as "name  value" lines.
void vertical(std::string& out, const ReportTable& t) {
  size_t width = 0;
  for (const auto& c : t.columns) width = std::max(width, text::display_width(heading(c)));
  for (size_t c = 0; c < t.columns.size() && c < t.rows[0].size(); ++c) {
    out += "    ";
    pad_to(out, {heading(t.columns[c])}, width, false);
    out += "  " + render(t.rows[0][c], t.columns[c].unit).text + "\n";
  }
}

void horizontal(std::string& out, const ReportTable& t) {
  std::vector<std::vector<Rendered>> lines;
  std::vector<Rendered> header;
  for (const auto& c : t.columns) header.push_back({heading(c)});
  lines.push_back(std::move(header));
  for (const auto& row : t.rows) {
    std::vector<Rendered> cells;
    for (size_t c = 0; c < t.columns.size(); ++c) {
      cells.push_back(c < row.size() ? render(row[c], t.columns[c].unit) : Rendered{"-"});
    }
    lines.push_back(std::move(cells));
  }
  std::vector<size_t> widths(t.columns.size(), 0);
  for (const auto& line : lines) {
    for (size_t c = 0; c < line.size(); ++c) {
      widths[c] = std::max(widths[c], text::display_width(line[c].text));
    }
  }
  for (size_t l = 0; l < lines.size(); ++l) {
    out += "    ";
    for (size_t c = 0; c < lines[l].size(); ++c) {
      if (c > 0) out += "  ";
      Rendered cell = lines[l][c];
      if (l == 0) cell.right = lines.size() > 1 && lines[1][c].right;  // header follows its column
      pad_to(out, cell, widths[c], c + 1 == lines[l].size());
    }
    out += "\n";
  }
}

void header_block(std::string& out, const ReportHeader& h) {
  out += fmt::format("episode   {}\n", terminal_safe(h.id));
  out += fmt::format("status    {}{}\n", terminal_safe(h.status),
                     h.complete ? "" : "  INCOMPLETE (no done.marker: still recording or crashed)");
  out += fmt::format("command   {}\n", h.command.empty() ? "-" : terminal_safe(h.command));
  out += fmt::format("start     {}\n", format_local_time(h.start_wall_ns));
  out += fmt::format("duration  {}\n", h.duration_ns ? format_duration_ns(*h.duration_ns) : "-");
  out += "sources\n";
  ReportTable t{.name = "sources", .title = "", .columns = {}, .rows = {}, .note = ""};
  t.columns = {{"name", "text"}, {"status", "text"}, {"rows", "count"}, {"lost", "count"},
               {"reason", "text"}};
  for (const auto& s : h.sources) {
    t.rows.push_back({Value(std::in_place_type<std::string>, s.name),
                      Value(std::in_place_type<std::string>, s.status),
                      Value(std::in_place_type<int64_t>, static_cast<int64_t>(s.rows)),
                      Value(std::in_place_type<int64_t>, static_cast<int64_t>(s.lost)),
                      Value(std::in_place_type<std::string>, s.reason)});
  }
  if (t.rows.empty()) {
    out += "    (none)\n";
  } else {
    horizontal(out, t);
  }
  if (h.sink_dropped_rows > 0) {
    out += fmt::format("sink      {} rows dropped (database write errors)\n", h.sink_dropped_rows);
  }
}

}  // namespace

std::string render_table(const Report& report) {
  std::string out;
  header_block(out, report.header);
  for (const auto& s : report.sections) {
    out += fmt::format("\n== {} [{}] ==\n", terminal_safe(s.title), terminal_safe(s.name));
    if (!s.note.empty()) out += "  " + terminal_safe(s.note) + "\n";
    for (const auto& t : s.tables) {
      out += "\n  " + terminal_safe(t.title);
      if (!t.note.empty()) out += " (" + terminal_safe(t.note) + ")";
      out += "\n";
      if (t.rows.empty()) {
        out += "    (none)\n";
      } else if (t.rows.size() == 1 && t.columns.size() > 6) {
        vertical(out, t);
      } else {
        horizontal(out, t);
      }
    }
  }
  return out;
}

}  // namespace ktel::report::internal
