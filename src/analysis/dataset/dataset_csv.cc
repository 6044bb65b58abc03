#include "analysis/dataset/dataset_csv.h"

#include <fmt/format.h>

#include "analysis/export/text_escape.h"

namespace ktel::dataset {
namespace {
void append_seconds(std::string& out, int64_t ns, int decimals) {
  if (ns < 0) { out += '-'; ns = -ns; }
  int64_t div = decimals == 6 ? 1000 : 1;
  fmt::format_to(std::back_inserter(out), "{}.{:0{}}", ns / 1'000'000'000,
                 (ns % 1'000'000'000) / div, decimals);
}
}  // namespace
void append_csv_row(std::string& out, const SwitchRow& row) {
  append_seconds(out, row.ts_ns, 6);
  out += ',';
  append_seconds(out, row.time_diff_ns, 9);
  out += ',';
  text::append_csv_field(out, row.task_name);
  fmt::format_to(std::back_inserter(out), ",{},{},", row.pid, row.cpu);
  text::append_csv_field(out, row.prev_state);
  out += ',';
  text::append_csv_field(out, row.prev_comm);
  out += ',';
  text::append_csv_field(out, row.workload_type);
  out += ',';
  text::append_csv_field(out, row.trace_id);
  out += '\n';
}
}  // namespace ktel::dataset
