// Helpers shared by the writer (SqliteSink) and the reader (EpisodeDb): handle
// owners, SQLite result codes to Status, identifier quoting. Internal to
// src/sinks/sqlite: the only place sqlite3.h may be included.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace ktel::sqlite {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using StmtHandle = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// `name` as an SQL identifier: "a""b" for a"b, so hostile names cannot escape.
std::string quote_identifier(std::string_view name);

// Maps a failed SQLite call to a Status naming the database path, the
// operation and SQLite's own message. SQLITE_FULL and ENOSPC/EDQUOT I/O errors
// become kResourceExhausted with the fix (free space on that filesystem).
Status sqlite_status(sqlite3* db, int rc, std::string_view what, const std::string& path);

// Runs SQL that returns no rows.
Status exec(sqlite3* db, const std::string& sql, const std::string& path);

// Prepares one statement (persistent when it will be reused many times).
Result<StmtHandle> prepare(sqlite3* db, std::string_view sql, const std::string& path,
                           bool persistent = false);

}  // namespace ktel::sqlite
