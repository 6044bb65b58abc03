// SqliteSink: queue + writer thread in front of one SQLite connection.
#include "sinks/sqlite/sqlite_sink.h"

#include "sinks/sqlite/sqlite_util.h"
#include "sinks/sqlite/table_writer.h"

namespace ktel {

using sqlite::DbHandle;

namespace {

Status set_pragmas(sqlite3* db, const std::string& path, int page_size) {
  sqlite3_extended_result_codes(db, 1);
  // A reader holding a snapshot briefly blocks checkpoints; wait rather than fail.
  sqlite3_busy_timeout(db, 5000);
  // Large pages: WAL frames and checkpoint copies cost a syscall per page, and
  // append-only telemetry tables are scanned, not point-read. Measured with
  // bench/sqlite_sink_bench on an idle 2-core VM: ~0.5M rows/s at 4 KiB pages,
  // ~1.2M at 64 KiB. Only takes effect when the file is created.
  KTEL_TRY(sqlite::exec(db, "PRAGMA page_size=" + std::to_string(page_size), path));
  KTEL_ASSIGN_OR_RETURN(sqlite::StmtHandle wal,
                        sqlite::prepare(db, "PRAGMA journal_mode=WAL", path));
  int rc = sqlite3_step(wal.get());
  if (rc != SQLITE_ROW) return sqlite::sqlite_status(db, rc, "PRAGMA journal_mode=WAL", path);
  std::string mode = reinterpret_cast<const char*>(sqlite3_column_text(wal.get(), 0));
  if (mode != "wal") {
    return unavailable(path + ": SQLite could not switch to WAL journal mode (got '" + mode +
                       "'); record onto a local filesystem that supports shared memory");
  }
  // NORMAL: no fsync per commit in WAL mode; a power cut may lose the last
  // commits but never corrupts the file.
  KTEL_TRY(sqlite::exec(db, "PRAGMA synchronous=NORMAL", path));
  KTEL_TRY(sqlite::exec(db, "PRAGMA cache_size=-32768", path));  // 32 MiB
  KTEL_TRY(sqlite::exec(db, "PRAGMA temp_store=MEMORY", path));
  return Status::ok();
}

}  // namespace

Result<std::unique_ptr<SqliteSink>> SqliteSink::open(const std::string& path,
                                                     SqliteSinkOptions options) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  DbHandle db(raw);
  if (rc != SQLITE_OK) {
    return sqlite::sqlite_status(raw, rc, "open for writing", path)
        .with_context("check that the directory exists and is writable");
  }
  KTEL_TRY(set_pragmas(db.get(), path, options.page_size));
  if (options.commit_rows == 0) options.commit_rows = 1;
  std::unique_ptr<SqliteSink> sink(new SqliteSink(path, options, db.release()));
  sink->writer_ = std::thread(&SqliteSink::writer_loop, sink.get());
  return sink;
}

SqliteSink::SqliteSink(std::string path, SqliteSinkOptions options, sqlite3* db)
    : path_(std::move(path)), options_(options), db_(db) {}

SqliteSink::~SqliteSink() {
  bool finished;
  {
    std::lock_guard lock(mu_);
    finished = finished_;
  }
  if (!finished) (void)finish();
}

Result<TableId> SqliteSink::open_table(const Schema& schema) {
  std::lock_guard db_lock(db_mu_);
  if (db_ == nullptr) {
    return Status(Code::kFailedPrecondition,
                  path_ + ": open_table('" + schema.table + "') after finish()");
  }
  for (size_t i = 0; i < tables_.size(); ++i) {
    const Schema& have = tables_[i]->schema();
    if (have.table != schema.table) continue;
    bool same = have.columns.size() == schema.columns.size();
    for (size_t c = 0; same && c < have.columns.size(); ++c) {
      same = have.columns[c].name == schema.columns[c].name &&
             have.columns[c].type == schema.columns[c].type;
    }
    if (!same) {
      return invalid_argument(path_ + ": table '" + schema.table +
                              "' was already opened with different columns; give the new "
                              "schema another table name");
    }
    return static_cast<TableId>(i);
  }
  KTEL_ASSIGN_OR_RETURN(auto writer, sqlite::TableWriter::create(db_, schema, path_));
  tables_.push_back(std::move(writer));
  std::lock_guard lock(mu_);
  table_info_.push_back({schema.table, schema.columns.size()});
  return static_cast<TableId>(tables_.size() - 1);
}

Status SqliteSink::append(TableId table, Batch batch) {
  std::unique_lock lock(mu_);
  if (finished_) {
    return Status(Code::kFailedPrecondition, path_ + ": append() after finish()");
  }
  if (table < 0 || static_cast<size_t>(table) >= table_info_.size()) {
    return invalid_argument(path_ + ": append() to unknown table id " + std::to_string(table) +
                            "; call open_table() first");
  }
  const TableInfo& info = table_info_[static_cast<size_t>(table)];
  if (batch.width() != info.width || (!batch.empty() && !batch.well_formed())) {
    return invalid_argument(path_ + ": batch for table '" + info.name + "' has width " +
                            std::to_string(batch.width()) + " and " +
                            std::to_string(batch.cells().size()) + " cells, but the table has " +
                            std::to_string(info.width) + " columns");
  }
  if (batch.empty()) return error_;
  auto fits = [&] {
    return queue_.empty() || (queued_rows_ < options_.max_queued_rows &&
                              queued_bytes_ < options_.max_queued_bytes);
  };
  if (!fits()) space_cv_.wait(lock, fits);
  if (!error_.is_ok()) {
    dropped_ += batch.rows();
    return error_;
  }
  queued_rows_ += batch.rows();
  queued_bytes_ += batch.cells().size() * sizeof(Value);
  bool was_empty = queue_.empty();
  queue_.push_back(Item{table, std::move(batch)});
  lock.unlock();
  if (was_empty) data_cv_.notify_one();
  return Status::ok();
}

uint64_t SqliteSink::dropped_rows() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

void SqliteSink::writer_loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (queue_.empty() && !stop_) {
      // With a transaction open, wake at its deadline to commit even when no
      // rows arrive, so readers see rows within commit_interval_ns.
      if (txn_open_) {
        data_cv_.wait_until(lock, txn_deadline_);
      } else {
        data_cv_.wait(lock);
      }
    }
    std::deque<Item> work;
    work.swap(queue_);
    queued_rows_ = 0;
    queued_bytes_ = 0;
    bool stopping = stop_;
    lock.unlock();
    space_cv_.notify_all();
    write_work(work);
    work.clear();  // free batches outside the lock
    lock.lock();
    if (stopping && queue_.empty()) return;
  }
}

void SqliteSink::write_work(std::deque<Item>& work) {
  std::lock_guard db_lock(db_mu_);
  for (Item& item : work) {
    if (failed_) {
      drop(item.batch.rows());
    } else {
      write_item(item);
    }
  }
  if (txn_open_ && !failed_ && std::chrono::steady_clock::now() >= txn_deadline_) commit();
}

void SqliteSink::write_item(Item& item) {
  if (!txn_open_) {
    Status st = sqlite::exec(db_, "BEGIN", path_);
    if (!st.is_ok()) return fail(st, item.batch.rows());
    txn_open_ = true;
    txn_rows_ = 0;
    txn_deadline_ = std::chrono::steady_clock::now() +
                    std::chrono::nanoseconds(options_.commit_interval_ns);
  }
  Status st = tables_[static_cast<size_t>(item.table)]->write(item.batch);
  // The whole open transaction is rolled back, so its earlier rows are lost too.
  if (!st.is_ok()) return fail(st, txn_rows_ + item.batch.rows());
  txn_rows_ += item.batch.rows();
  if (txn_rows_ >= options_.commit_rows) commit();
}

void SqliteSink::commit() {
  Status st = sqlite::exec(db_, "COMMIT", path_);
  if (!st.is_ok()) return fail(st, txn_rows_);
  txn_open_ = false;
  txn_rows_ = 0;
}

void SqliteSink::fail(const Status& status, uint64_t lost_rows) {
  // SQLite may already have rolled back (SQLITE_FULL does); make sure.
  if (sqlite3_get_autocommit(db_) == 0) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  txn_open_ = false;
  txn_rows_ = 0;
  failed_ = true;
  std::lock_guard lock(mu_);
  if (error_.is_ok()) error_ = status;
  dropped_ += lost_rows;
}

void SqliteSink::drop(uint64_t rows) {
  std::lock_guard lock(mu_);
  dropped_ += rows;
}

Status SqliteSink::finish() {
  {
    std::lock_guard lock(mu_);
    if (finished_) return Status(Code::kFailedPrecondition, path_ + ": finish() called twice");
    finished_ = true;
    stop_ = true;
  }
  data_cv_.notify_all();
  space_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  std::lock_guard db_lock(db_mu_);
  if (txn_open_ && !failed_) commit();
  tables_.clear();  // finalize statements before closing
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  // BUSY means a reader still holds a snapshot: the rows are safe in the WAL
  // and the next connection checkpoints them, so that is not an error.
  if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) {
    Status st = sqlite::sqlite_status(db_, rc, "checkpoint", path_);
    std::lock_guard lock(mu_);
    if (error_.is_ok()) error_ = st;
  }
  rc = sqlite3_close(db_);
  Status close_st = rc == SQLITE_OK ? Status::ok()
                                    : sqlite::sqlite_status(db_, rc, "close", path_);
  if (rc != SQLITE_OK) sqlite3_close_v2(db_);
  db_ = nullptr;
  std::lock_guard lock(mu_);
  if (error_.is_ok() && !close_st.is_ok()) error_ = close_st;
  return error_;
}

}  // namespace ktel
