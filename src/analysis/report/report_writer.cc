// Report formats: JSON and CSV here (machine formats, raw numbers); the
// terminal table is in report_table.cc.
#include "analysis/report/report_writer.h"

#include <cmath>

#include "analysis/export/text_escape.h"
#include "analysis/report/report_formats.h"

namespace ktel::report {

namespace internal {
namespace {

// ---- JSON ----

void json_key(std::string& out, std::string_view key) {
  text::append_json_string(out, key);
  out += ':';
}

void json_value(std::string& out, const Value& v) {
  if (std::holds_alternative<int64_t>(v)) {
    out += std::to_string(std::get<int64_t>(v));
  } else if (std::holds_alternative<double>(v)) {
    double d = std::get<double>(v);
    out += std::isfinite(d) ? text::format_double(d) : "null";
  } else if (std::holds_alternative<std::string>(v)) {
    text::append_json_string(out, std::get<std::string>(v));
  } else {
    out += "null";
  }
}

void json_header(std::string& out, const ReportHeader& h) {
  out += "\"episode\":{";
  json_key(out, "id");
  text::append_json_string(out, h.id);
  out += ",";
  json_key(out, "status");
  text::append_json_string(out, h.status);
  out += h.complete ? ",\"complete\":true," : ",\"complete\":false,";
  json_key(out, "command");
  text::append_json_string(out, h.command);
  out += ",\"start_wall_ns\":" + std::to_string(h.start_wall_ns);
  out += ",\"duration_ns\":" + (h.duration_ns ? std::to_string(*h.duration_ns) : "null");
  out += ",\"sink_dropped_rows\":" + std::to_string(h.sink_dropped_rows);
  out += ",\"sources\":[";
  for (size_t i = 0; i < h.sources.size(); ++i) {
    const ReportSource& s = h.sources[i];
    out += i == 0 ? "\n    {" : ",\n    {";
    json_key(out, "name");
    text::append_json_string(out, s.name);
    out += ",";
    json_key(out, "status");
    text::append_json_string(out, s.status);
    out += ",\"rows\":" + std::to_string(s.rows) + ",\"lost\":" + std::to_string(s.lost) + ",";
    json_key(out, "reason");
    text::append_json_string(out, s.reason);
    out += "}";
  }
  out += h.sources.empty() ? "]}" : "\n  ]}";
}

void json_table(std::string& out, const ReportTable& t) {
  out += "{";
  json_key(out, "name");
  text::append_json_string(out, t.name);
  out += ",";
  json_key(out, "title");
  text::append_json_string(out, t.title);
  out += ",";
  json_key(out, "note");
  text::append_json_string(out, t.note);
  out += ",\"columns\":[";
  for (size_t c = 0; c < t.columns.size(); ++c) {
    out += c == 0 ? "{" : ",{";
    json_key(out, "name");
    text::append_json_string(out, t.columns[c].name);
    out += ",";
    json_key(out, "unit");
    text::append_json_string(out, t.columns[c].unit);
    out += "}";
  }
  out += "],\"rows\":[";
  for (size_t r = 0; r < t.rows.size(); ++r) {
    out += r == 0 ? "\n        {" : ",\n        {";
    for (size_t c = 0; c < t.columns.size() && c < t.rows[r].size(); ++c) {
      if (c > 0) out += ",";
      json_key(out, t.columns[c].name);
      json_value(out, t.rows[r][c]);
    }
    out += "}";
  }
  out += t.rows.empty() ? "]}" : "\n      ]}";
}

// ---- CSV ----

void csv_cell(std::string& out, const Value& v) {
  if (std::holds_alternative<int64_t>(v)) {
    out += std::to_string(std::get<int64_t>(v));
  } else if (std::holds_alternative<double>(v)) {
    out += text::format_double(std::get<double>(v));
  } else if (std::holds_alternative<std::string>(v)) {
    const auto& s = std::get<std::string>(v);
    if (s.empty()) {
      out += "\"\"";  // empty text, told apart from NULL (an empty field)
    } else {
      text::append_csv_field(out, s);
    }
  }
}

Value text_value(std::string s) { return Value(std::in_place_type<std::string>, std::move(s)); }
Value int_value(int64_t v) { return Value(std::in_place_type<int64_t>, v); }

// One block: header row, rows, then an empty line.
void csv_block(std::string& out, std::string_view section, const ReportTable& t) {
  out += "section,table";
  for (const auto& c : t.columns) {
    out += ',';
    text::append_csv_field(out, c.name);
  }
  out += "\r\n";
  for (const auto& row : t.rows) {
    text::append_csv_field(out, section);
    out += ',';
    text::append_csv_field(out, t.name);
    for (size_t c = 0; c < t.columns.size(); ++c) {
      out += ',';
      if (c < row.size()) csv_cell(out, row[c]);
    }
    out += "\r\n";
  }
  out += "\r\n";
}

ReportTable header_table(const ReportHeader& h) {
  ReportTable t{.name = "episode", .title = "", .columns = {}, .rows = {}, .note = ""};
  t.columns = {{"id", "text"},       {"status", "text"},      {"complete", "bool"},
               {"command", "text"},  {"start_wall_ns", "ns"}, {"duration_ns", "ns"},
               {"sink_dropped_rows", "count"}};
  t.rows.push_back({text_value(h.id), text_value(h.status), int_value(h.complete ? 1 : 0),
                    text_value(h.command), int_value(h.start_wall_ns),
                    h.duration_ns ? int_value(*h.duration_ns) : Value{},
                    int_value(static_cast<int64_t>(h.sink_dropped_rows))});
  return t;
}

ReportTable sources_table(const ReportHeader& h) {
  ReportTable t{.name = "sources", .title = "", .columns = {}, .rows = {}, .note = ""};
  t.columns = {{"name", "text"}, {"status", "text"}, {"rows", "count"}, {"lost", "count"},
               {"reason", "text"}};
  for (const auto& s : h.sources) {
    t.rows.push_back({text_value(s.name), text_value(s.status),
                      int_value(static_cast<int64_t>(s.rows)),
                      int_value(static_cast<int64_t>(s.lost)), text_value(s.reason)});
  }
  return t;
}

ReportTable section_status_table(const ReportSection& s) {
  ReportTable t{.name = "status", .title = "", .columns = {}, .rows = {}, .note = ""};
  t.columns = {{"available", "bool"}, {"note", "text"}};
  t.rows.push_back({int_value(s.available ? 1 : 0), text_value(s.note)});
  return t;
}

}  // namespace

std::string render_json(const Report& report) {
  std::string out = "{\"report_version\":" + std::to_string(kReportVersion) + ",\n  ";
  json_header(out, report.header);
  out += ",\n  \"sections\":[";
  for (size_t i = 0; i < report.sections.size(); ++i) {
    const ReportSection& s = report.sections[i];
    out += i == 0 ? "\n    {" : ",\n    {";
    json_key(out, "name");
    text::append_json_string(out, s.name);
    out += ",";
    json_key(out, "title");
    text::append_json_string(out, s.title);
    out += s.available ? ",\"available\":true," : ",\"available\":false,";
    json_key(out, "note");
    text::append_json_string(out, s.note);
    out += ",\"tables\":[";
    for (size_t t = 0; t < s.tables.size(); ++t) {
      out += t == 0 ? "\n      " : ",\n      ";
      json_table(out, s.tables[t]);
    }
    out += s.tables.empty() ? "]}" : "\n    ]}";
  }
  out += report.sections.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

std::string render_csv(const Report& report) {
  std::string out;
  csv_block(out, "report", header_table(report.header));
  csv_block(out, "report", sources_table(report.header));
  for (const auto& s : report.sections) {
    csv_block(out, s.name, section_status_table(s));
    for (const auto& t : s.tables) csv_block(out, s.name, t);
  }
  return out;
}

}  // namespace internal

Result<ReportFormat> parse_report_format(std::string_view name) {
  if (name == "table") return ReportFormat::kTable;
  if (name == "csv") return ReportFormat::kCsv;
  if (name == "json") return ReportFormat::kJson;
  return invalid_argument("unknown report format '" + std::string(name) +
                          "'; use table, csv or json");
}

Status write_report(const Report& report, ReportFormat format, Output& out) {
  switch (format) {
    case ReportFormat::kTable: return out.write(internal::render_table(report));
    case ReportFormat::kCsv: return out.write(internal::render_csv(report));
    case ReportFormat::kJson: return out.write(internal::render_json(report));
  }
  return internal_error("unknown report format");
}

}  // namespace ktel::report
