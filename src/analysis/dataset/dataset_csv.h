// TEMPORARY (lead's placeholder until the h-dsout branch lands its version).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ktel::dataset {
inline constexpr std::string_view kCsvHeader =
    "timestamp,time_diff,task_name,pid,cpu,prev_state,prev_comm,workload_type,trace_id";
struct SwitchRow {
  int64_t ts_ns = 0;
  int64_t time_diff_ns = 0;
  std::string task_name;
  int64_t pid = 0;
  int64_t cpu = 0;
  std::string prev_state;
  std::string prev_comm;
  std::string workload_type;
  std::string trace_id;
};
void append_csv_row(std::string& out, const SwitchRow& row);
}  // namespace ktel::dataset
