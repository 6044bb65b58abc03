// export_episode(): writes an episode's tables as files (`ktel export`).
// Streaming: rows go from SQLite to the file one at a time; no table is ever
// held in memory. Layouts are specified in docs/formats/export.md:
//   per-table  <table>.jsonl | <table>.csv (with header), one file per table.
//   cis490     meta.json (copy), events.jsonl, and telemetry-<x>.jsonl with
//              every row of every telemetry table whose `source` is host_<x>
//              (any other source value s goes to telemetry-<s>.jsonl). Each
//              row carries "table" plus all its columns, common ones included;
//              rows are grouped by table, in insertion (time) order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/export/row_writer.h"

namespace ktel {

enum class ExportLayout { kPerTable, kCis490 };

struct ExportOptions {
  RowFormat format = RowFormat::kJsonLines;  // csv, json or jsonl (cis490: jsonl only)
  ExportLayout layout = ExportLayout::kPerTable;
  std::string out_dir;  // created when missing; existing files are replaced
};

struct ExportedFile {
  std::string path;
  uint64_t rows = 0;  // 0 for meta.json
};

// Errors name the episode, table or output file involved.
Result<std::vector<ExportedFile>> export_episode(const std::string& episode_dir,
                                                 const ExportOptions& options);

// "host_proc" → "proc"; other values kept; bytes outside [A-Za-z0-9_-] → '_'.
std::string cis490_source_stem(std::string_view source);

}  // namespace ktel
