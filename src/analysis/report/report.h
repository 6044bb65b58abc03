// `ktel report`: an episode's answers in one document — a header from
// meta.json, then sections (sched, later pipeline, ...) that each compute
// tables from SQL over episode.db. Sections only compute; report_writer.h
// renders the same Report as a terminal table, CSV or JSON
// (docs/formats/report.md).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "model/meta.h"
#include "model/schema.h"
#include "sinks/sqlite/episode_db.h"

namespace ktel::report {

// A report column; `unit` tells renderers how to show it: "ns", "pct",
// "count", "id", "cpu", "text", "bool".
struct ReportColumn {
  ReportColumn(std::string name_, std::string unit_, std::string label_ = "")
      : name(std::move(name_)), unit(std::move(unit_)), label(std::move(label_)) {}
  std::string name;   // stable key in CSV and JSON
  std::string unit;
  std::string label;  // short heading for terminals; empty = name
};

struct ReportTable {
  std::string name;   // stable key: "tasks", "cpus", ...
  std::string title;  // for terminals
  std::vector<ReportColumn> columns;
  std::vector<std::vector<Value>> rows;  // each as wide as `columns`
  std::string note;                      // e.g. "top 20 of 153 threads"; may be empty
};

struct ReportSection {
  std::string name;   // as given to --section
  std::string title;  // for terminals
  // false when the episode holds no data for it; `note` then says why (which
  // source was missing, and the reason meta.json gives).
  bool available = false;
  std::string note;
  std::vector<ReportTable> tables;
};

struct ReportSource {
  std::string name;
  std::string status;
  uint64_t rows = 0;
  uint64_t lost = 0;
  std::string reason;
};

struct ReportHeader {
  std::string id;
  std::string status;        // meta.json status
  bool complete = false;     // done.marker present
  std::string command;       // argv joined by spaces, or "pid N (comm)"; raw bytes
  int64_t start_wall_ns = 0;
  std::optional<int64_t> duration_ns;
  std::vector<ReportSource> sources;  // sorted by name
  uint64_t sink_dropped_rows = 0;
};

struct Report {
  ReportHeader header;
  std::vector<ReportSection> sections;
};

struct ReportOptions {
  size_t top = 20;                    // rows of per-task tables; 0 = all
  std::vector<std::string> sections;  // empty = every registered section
};

// What a section reads. `db` is null when episode.db cannot be opened
// (`db_error` says why); a section then reports itself unavailable.
struct SectionContext {
  const EpisodeMeta& meta;
  const EpisodeDb* db = nullptr;
  Status db_error;
  const ReportOptions& options;
};

// Computes one section. A missing table or source is an unavailable section,
// not an error; errors are SQL or I/O failures.
using SectionBuilder = std::function<Result<ReportSection>(const SectionContext&)>;

struct SectionSpec {
  std::string name;
  std::string description;  // one line, for --help
  SectionBuilder build;
};

// The sections `ktel report` knows, in report order. Registration is explicit
// (register_builtin_sections). Not thread-safe.
class SectionRegistry {
 public:
  // kAlreadyExists when a section of that name is registered.
  Status add(SectionSpec spec);
  const SectionSpec* find(std::string_view name) const;
  const std::vector<SectionSpec>& all() const { return specs_; }

 private:
  std::vector<SectionSpec> specs_;
};

// Adds sched (and, as they are written, further sections).
void register_builtin_sections(SectionRegistry& registry);

// Reads <episode_dir>/meta.json (its errors are returned) and episode.db, and
// builds the header and the selected sections in registry order.
// kInvalidArgument naming the known sections when one in options.sections is
// unknown.
Result<Report> build_report(const std::string& episode_dir, const SectionRegistry& registry,
                            const ReportOptions& options);

// The header alone, from meta.json facts.
ReportHeader make_header(const EpisodeMeta& meta, bool complete);

// "sched: not requested (--sources)"-style sentence for a section whose data
// is absent: which source, its meta.json status and reason.
std::string missing_source_note(const EpisodeMeta& meta, std::string_view source);

}  // namespace ktel::report
