// Renders a Report (report.h) in the formats of docs/formats/report.md:
//   table  for terminals: aligned, durations as 1.5ms, percentages as 12.3%,
//          NULL as "-", control bytes and invalid UTF-8 as \xNN.
//   csv    RFC 4180 blocks, one per table, separated by an empty line; every
//          row starts with its section and table names; raw numbers (ns);
//          NULL = empty field, empty text = "" ; names byte-exact.
//   json   one object: episode header and sections with their tables; rows
//          as objects keyed by column; raw numbers; invalid UTF-8 -> U+FFFD.
#pragma once

#include <string_view>

#include "analysis/export/output.h"
#include "analysis/report/report.h"

namespace ktel::report {

enum class ReportFormat { kTable, kCsv, kJson };

// "table" | "csv" | "json"; kInvalidArgument listing them otherwise.
Result<ReportFormat> parse_report_format(std::string_view name);

// Writes the whole report to `out`; errors are `out`'s write errors.
Status write_report(const Report& report, ReportFormat format, Output& out);

inline constexpr int kReportVersion = 1;  // "report_version" in JSON

}  // namespace ktel::report
