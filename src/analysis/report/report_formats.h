// Internal to report_writer: one function per format, each returning the
// whole document (a report is small: top-N tables and per-CPU rows).
#pragma once

#include <string>

#include "analysis/report/report.h"

namespace ktel::report::internal {

std::string render_table(const Report& report);
std::string render_csv(const Report& report);
std::string render_json(const Report& report);

}  // namespace ktel::report::internal
