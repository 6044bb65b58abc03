// EpisodeDb: read-only access to an episode's episode.db, safe while the
// recorder is still writing it (WAL readers never block the writer). Rows are
// streamed to callbacks, never collected.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace ktel {

struct ResultColumn {
  std::string name;
  std::string decl_type;  // declared type (INTEGER, REAL, TEXT) or "" for expressions
};

enum class CellType { kNull, kInt64, kDouble, kText, kBlob };

// One cell of the current row. `bytes` (text or blob) is exact, may hold NUL
// and invalid UTF-8, and is valid only during the row callback.
struct Cell {
  CellType type = CellType::kNull;
  int64_t i = 0;
  double d = 0;
  std::string_view bytes;
};

// The current row; cheap to pass, valid only during the row callback.
class RowView {
 public:
  explicit RowView(sqlite3_stmt* stmt, int columns) : stmt_(stmt), columns_(columns) {}
  int size() const { return columns_; }
  Cell operator[](int column) const;

 private:
  sqlite3_stmt* stmt_;
  int columns_;
};

class EpisodeDb {
 public:
  using ColumnsFn = std::function<Status(const std::vector<ResultColumn>&)>;
  // Returning a non-ok Status stops the query; query() returns that Status.
  using RowFn = std::function<Status(const RowView&)>;

  // `path` is an episode directory (its episode.db is opened) or a .db file.
  // kNotFound naming the path when there is no database; the connection is
  // read-only, so a query can never change the episode.
  static Result<EpisodeDb> open(const std::string& path);
  EpisodeDb(EpisodeDb&& other) noexcept;
  EpisodeDb& operator=(EpisodeDb&& other) noexcept;
  EpisodeDb(const EpisodeDb&) = delete;
  EpisodeDb& operator=(const EpisodeDb&) = delete;
  ~EpisodeDb();

  // Runs one SQL statement (trailing ';', blanks and comments allowed): calls
  // on_columns once, then on_row per row. SQL errors are kInvalidArgument with
  // SQLite's message and the db path. Not thread-safe.
  Status query(std::string_view sql, const ColumnsFn& on_columns, const RowFn& on_row) const;

  // User tables (not sqlite_*), sorted by name.
  Result<std::vector<std::string>> tables() const;
  // Column names of `table` in order; kNotFound when the table is absent.
  Result<std::vector<std::string>> columns(std::string_view table) const;
  Result<int64_t> row_count(std::string_view table) const;

  const std::string& db_path() const { return path_; }

 private:
  EpisodeDb(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}
  std::string path_;
  sqlite3* db_ = nullptr;
};

// `name` quoted as an SQL identifier ("a""b"), for building SQL from table names.
std::string quote_sql_identifier(std::string_view name);
// `text` as an SQL string literal ('it''s').
std::string quote_sql_string(std::string_view text);

}  // namespace ktel
