#include "model/schema.h"

namespace ktel {

std::string_view column_type_sql(ColumnType type) {
  switch (type) {
    case ColumnType::kInt64: return "INTEGER";
    case ColumnType::kDouble: return "REAL";
    case ColumnType::kText: return "TEXT";
  }
  return "BLOB";
}

int Schema::index_of(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::vector<Column> common_columns() {
  return {
      {"t_mono_ns", ColumnType::kInt64, "ns", "CLOCK_MONOTONIC time since the episode origin"},
      {"t_wall_ns", ColumnType::kInt64, "ns", "CLOCK_REALTIME, Unix epoch"},
      {"source", ColumnType::kText, "", "producer: host_proc, host_perf, host_sched, ..."},
      {"available_in_deployment", ColumnType::kInt64, "bool",
       "1 = a feature a deployed detector could see; 0 = oracle-only"},
  };
}

Schema telemetry_schema(std::string table, std::vector<Column> specific) {
  Schema s{std::move(table), common_columns()};
  for (auto& c : specific) s.columns.push_back(std::move(c));
  return s;
}

}  // namespace ktel
