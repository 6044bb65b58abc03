// Simple transformations of a dataset CSV, streamed: the older
// single-workload baseline format and one CSV per workload_type
// (docs/formats/dataset.md, "Other outputs").
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "base/status.h"

namespace ktel::dataset {

struct BaselineResult {
  uint64_t rows = 0;
  uint64_t task_codes = 0;  // distinct task names
};

// `ktel dataset baseline IN OUT`: header task_code,time,name,pid; task_code
// numbers task names from 0 in order of first appearance; time = time_diff.
Result<BaselineResult> write_baseline(const std::string& in_csv, const std::string& out_csv);

// `ktel dataset split-by-workload IN -o DIR`: DIR/<workload_type>.csv, same
// header. A workload_type that is not a safe file name (letters, digits, _ . -)
// is an error naming the line. Returns rows per workload_type.
Result<std::map<std::string, uint64_t>> split_by_workload(const std::string& in_csv,
                                                          const std::string& out_dir);

}  // namespace ktel::dataset
