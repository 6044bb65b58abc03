#include "analysis/export/exporter.h"

#include <map>
#include <memory>

#include "base/file_util.h"
#include "model/episode_layout.h"
#include "model/schema.h"

namespace ktel {

namespace {

struct OpenFile {
  std::unique_ptr<FileOutput> out;
  uint64_t rows = 0;
};

std::string safe_file_stem(std::string_view name) {
  std::string out;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    out += ok ? c : '_';
  }
  return out.empty() ? "_" : out;
}

Status export_table(const EpisodeDb& db, const std::string& table, const ExportOptions& options,
                    std::vector<ExportedFile>& done) {
  // Table names come from the database file; never let one pick a path.
  std::string path = options.out_dir + "/" + safe_file_stem(table) + "." +
                     std::string(row_format_extension(options.format));
  KTEL_ASSIGN_OR_RETURN(auto out, FileOutput::create(path));
  auto writer = make_row_writer(options.format, *out);
  Status st = write_query(db, "SELECT * FROM " + quote_sql_identifier(table) + " ORDER BY rowid",
                          *writer);
  if (!st.is_ok()) return st.with_context("export table " + table + " to " + path);
  KTEL_TRY(out->close());
  done.push_back({path, writer->rows()});
  return Status::ok();
}

Result<bool> is_telemetry_table(const EpisodeDb& db, const std::string& table) {
  if (table == "events") return false;
  KTEL_ASSIGN_OR_RETURN(auto cols, db.columns(table));
  std::vector<Column> common = common_columns();
  if (cols.size() < common.size()) return false;
  for (size_t i = 0; i < common.size(); ++i) {
    if (cols[i] != common[i].name) return false;
  }
  return true;
}

// Appends the rows of `table` to telemetry-<stem>.jsonl files, one per source value.
Status export_telemetry_table(const EpisodeDb& db, const std::string& table,
                              const std::string& out_dir, std::map<std::string, OpenFile>& files) {
  std::vector<std::string> sources;
  KTEL_TRY(db.query("SELECT DISTINCT source FROM " + quote_sql_identifier(table) +
                        " WHERE source IS NOT NULL ORDER BY source",
                    nullptr, [&](const RowView& r) {
                      sources.emplace_back(r[0].bytes);
                      return Status::ok();
                    }));
  for (const std::string& source : sources) {
    std::string stem = cis490_source_stem(source);
    auto it = files.find(stem);
    if (it == files.end()) {
      KTEL_ASSIGN_OR_RETURN(auto out, FileOutput::create(out_dir + "/telemetry-" + stem + ".jsonl"));
      it = files.emplace(stem, OpenFile{std::move(out), 0}).first;
    }
    OpenFile& f = it->second;
    // A fresh writer per table (its columns differ) on the same file.
    auto writer = make_row_writer(RowFormat::kJsonLines, *f.out,
                                  RowWriterOptions{.leading_fields = {{"table", table}}});
    Status st = write_query(db,
                            "SELECT * FROM " + quote_sql_identifier(table) + " WHERE source = " +
                                quote_sql_string(source) + " ORDER BY rowid",
                            *writer);
    if (!st.is_ok()) return st.with_context("export " + table + " to " + f.out->name());
    f.rows += writer->rows();
  }
  return Status::ok();
}

Status export_cis490(const std::string& episode_dir, const EpisodeDb& db,
                     const std::vector<std::string>& tables, const ExportOptions& options,
                     std::vector<ExportedFile>& done) {
  KTEL_ASSIGN_OR_RETURN(std::string meta, read_file(layout::meta(episode_dir)));
  KTEL_TRY(write_file_atomic(options.out_dir + "/meta.json", meta));
  done.push_back({options.out_dir + "/meta.json", 0});
  {
    KTEL_ASSIGN_OR_RETURN(auto out, FileOutput::create(options.out_dir + "/events.jsonl"));
    auto writer = make_row_writer(RowFormat::kJsonLines, *out);
    bool has_events = false;
    for (const auto& t : tables) has_events = has_events || t == "events";
    if (has_events) {
      KTEL_TRY(write_query(db, "SELECT * FROM events ORDER BY rowid", *writer));
    }
    KTEL_TRY(out->close());
    done.push_back({out->name(), writer->rows()});
  }
  std::map<std::string, OpenFile> files;
  for (const auto& table : tables) {
    KTEL_ASSIGN_OR_RETURN(bool telemetry, is_telemetry_table(db, table));
    if (telemetry) KTEL_TRY(export_telemetry_table(db, table, options.out_dir, files));
  }
  for (auto& [stem, f] : files) {
    KTEL_TRY(f.out->close());
    done.push_back({f.out->name(), f.rows});
  }
  return Status::ok();
}

}  // namespace

std::string cis490_source_stem(std::string_view source) {
  std::string_view s = source;
  if (s.substr(0, 5) == "host_" && s.size() > 5) s.remove_prefix(5);
  return safe_file_stem(s);
}

Result<std::vector<ExportedFile>> export_episode(const std::string& episode_dir,
                                                 const ExportOptions& options) {
  if (options.out_dir.empty()) return invalid_argument("export needs an output directory (-o DIR)");
  if (options.format == RowFormat::kTable) {
    return invalid_argument("export writes csv, json or jsonl, not table");
  }
  if (options.layout == ExportLayout::kCis490 && options.format != RowFormat::kJsonLines) {
    return invalid_argument("the cis490 layout is JSON lines only; use --format jsonl");
  }
  KTEL_ASSIGN_OR_RETURN(EpisodeDb db, EpisodeDb::open(episode_dir));
  KTEL_ASSIGN_OR_RETURN(std::vector<std::string> tables, db.tables());
  KTEL_TRY(make_dirs(options.out_dir));
  std::vector<ExportedFile> done;
  if (options.layout == ExportLayout::kCis490) {
    KTEL_TRY(export_cis490(episode_dir, db, tables, options, done));
  } else {
    for (const auto& table : tables) KTEL_TRY(export_table(db, table, options, done));
  }
  return done;
}

}  // namespace ktel
