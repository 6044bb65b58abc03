#include "analysis/dataset/dataset_outputs.h"

#include <memory>
#include <unordered_map>

#include <fmt/format.h>

#include "analysis/dataset/dataset_csv.h"
#include "analysis/export/text_escape.h"
#include "base/atomic_output_file.h"
#include "base/file_util.h"
#include "base/strings.h"

namespace ktel::dataset {

namespace {

constexpr size_t kMaxWorkloadFiles = 256;

}  // namespace

Result<BaselineResult> write_baseline(const std::string& in_csv, const std::string& out_csv) {
  KTEL_ASSIGN_OR_RETURN(CsvRowReader reader, CsvRowReader::open(in_csv));
  KTEL_ASSIGN_OR_RETURN(AtomicOutputFile out, AtomicOutputFile::create(out_csv));
  KTEL_TRY(out.append("task_code,time,name,pid\n"));
  std::unordered_map<std::string, uint64_t> codes;
  BaselineResult result;
  SwitchRow row;
  std::string line;
  while (true) {
    KTEL_ASSIGN_OR_RETURN(bool more, reader.next(row));
    if (!more) break;
    auto [it, added] = codes.try_emplace(row.task_name, codes.size());
    line.clear();
    line += std::to_string(it->second);
    line += ',';
    append_seconds(line, row.time_diff_ns, 9);
    line += ',';
    text::append_csv_field(line, row.task_name);
    line += ',';
    line += std::to_string(row.pid);
    line += '\n';
    KTEL_TRY(out.append(line));
    ++result.rows;
  }
  KTEL_TRY(out.finish());
  result.task_codes = codes.size();
  return result;
}

Result<std::map<std::string, uint64_t>> split_by_workload(const std::string& in_csv,
                                                          const std::string& out_dir) {
  KTEL_ASSIGN_OR_RETURN(CsvRowReader reader, CsvRowReader::open(in_csv));
  KTEL_TRY(make_dirs(out_dir));
  std::map<std::string, std::unique_ptr<AtomicOutputFile>> files;
  std::map<std::string, uint64_t> rows;
  SwitchRow row;
  std::string line;
  while (true) {
    KTEL_ASSIGN_OR_RETURN(bool more, reader.next(row));
    if (!more) break;
    auto it = files.find(row.workload_type);
    if (it == files.end()) {
      if (!is_safe_file_name(row.workload_type)) {
        return invalid_argument(fmt::format(
            "{}:{}: workload_type: '{}' is not usable as a file name (letters, digits, _ . - only)",
            in_csv, reader.line(), text::terminal_safe(row.workload_type)));
      }
      if (files.size() >= kMaxWorkloadFiles) {
        return invalid_argument(fmt::format("{}:{}: more than {} workload types", in_csv,
                                            reader.line(), kMaxWorkloadFiles));
      }
      KTEL_ASSIGN_OR_RETURN(AtomicOutputFile f,
                            AtomicOutputFile::create(out_dir + "/" + row.workload_type + ".csv"));
      KTEL_TRY(f.append(std::string(kCsvHeader) + "\n"));
      it = files.emplace(row.workload_type, std::make_unique<AtomicOutputFile>(std::move(f))).first;
    }
    line.clear();
    append_csv_row(line, row);
    KTEL_TRY(it->second->append(line));
    ++rows[row.workload_type];
  }
  for (auto& [name, f] : files) KTEL_TRY(f->finish());
  return rows;
}

}  // namespace ktel::dataset
