#include "sinks/sqlite/sqlite_util.h"

#include <cerrno>

namespace ktel::sqlite {

std::string quote_identifier(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out += '"';
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

namespace {
Code code_for(int rc, int sys_errno) {
  switch (rc & 0xff) {
    case SQLITE_FULL: return Code::kResourceExhausted;
    case SQLITE_IOERR:
      if (sys_errno == ENOSPC || sys_errno == EDQUOT) return Code::kResourceExhausted;
      return Code::kDataLoss;
    case SQLITE_NOMEM: return Code::kResourceExhausted;
    case SQLITE_CANTOPEN: return sys_errno == EACCES ? Code::kPermissionDenied : Code::kNotFound;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH: return Code::kPermissionDenied;
    case SQLITE_ERROR:
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
    case SQLITE_TOOBIG: return Code::kInvalidArgument;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return Code::kDataLoss;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return Code::kUnavailable;
    case SQLITE_INTERRUPT: return Code::kCancelled;
    default: return Code::kInternal;
  }
}
}  // namespace

Status sqlite_status(sqlite3* db, int rc, std::string_view what, const std::string& path) {
  int sys_errno = db != nullptr ? sqlite3_system_errno(db) : 0;
  std::string msg = path + ": " + std::string(what) + ": ";
  msg += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  Code code = code_for(rc, sys_errno);
  if (code == Code::kResourceExhausted && (rc & 0xff) != SQLITE_NOMEM) {
    msg += "; free space on the filesystem holding " + path +
           " (or record to another directory with more room)";
  }
  // errno is only meaningful for I/O and open failures; elsewhere it is stale.
  bool io = (rc & 0xff) == SQLITE_IOERR || (rc & 0xff) == SQLITE_CANTOPEN ||
            (rc & 0xff) == SQLITE_FULL;
  return Status(code, std::move(msg), io ? sys_errno : 0);
}

Status exec(sqlite3* db, const std::string& sql, const std::string& path) {
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_status(db, rc, sql, path);
  return Status::ok();
}

Result<StmtHandle> prepare(sqlite3* db, std::string_view sql, const std::string& path,
                           bool persistent) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                              persistent ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return sqlite_status(db, rc, "prepare " + std::string(sql.substr(0, 200)), path);
  }
  if (stmt == nullptr) return invalid_argument(path + ": empty SQL statement");
  return StmtHandle(stmt);
}

}  // namespace ktel::sqlite
