// SqliteSink: the default sink, writing episode.db (SQLite, WAL). A writer
// thread owns the connection; append() only queues.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "model/sink.h"

struct sqlite3;

namespace ktel {

namespace sqlite {
class TableWriter;
}

struct SqliteSinkOptions {
  int64_t commit_interval_ns = 100'000'000;  // commit at least this often...
  size_t commit_rows = 10'000;               // ...or after this many rows
  // Backpressure: append() blocks while the queue holds more than this many
  // rows or cells * sizeof(Value) bytes (text payloads beyond that not
  // counted). Rows are never dropped for being slow, only after a write error.
  // A single batch larger than the limit is accepted when the queue is empty.
  size_t max_queued_rows = 1'000'000;
  size_t max_queued_bytes = size_t{64} << 20;
  // SQLite page size for a new file (512..65536, a power of two). Every
  // commit rewrites at least one page per table it touches, so with commits
  // every 100 ms large pages multiply WAL writes (64 KiB pages: ~640 KiB/s per
  // table for a trickle of rows) and a small disk fills long before the data
  // does. bench/sqlite_sink_bench measured 4 KiB within the noise of 16 and
  // 64 KiB for 100- and 1,000-row batches, so the default stays SQLite's own.
  int page_size = 4096;
};

// Rows become visible to other connections (`sqlite3 episode.db`, EpisodeDb)
// at each commit: every commit_rows rows, and at most commit_interval_ns after
// the first uncommitted row even when nothing else arrives.
//
// Thread-safety: open_table(), append() and dropped_rows() may be called from
// any thread; finish() once, after the producers stopped.
class SqliteSink : public Sink {
 public:
  // Opens or creates the database at `path` (WAL, synchronous=NORMAL) and
  // starts the writer thread. Fails naming the path when it cannot be opened
  // or put in WAL mode.
  static Result<std::unique_ptr<SqliteSink>> open(const std::string& path,
                                                  SqliteSinkOptions options = {});
  ~SqliteSink() override;  // finishes (ignoring errors) when finish() was not called
  SqliteSink(const SqliteSink&) = delete;
  SqliteSink& operator=(const SqliteSink&) = delete;

  // Same table name and same columns → same id; same name with other columns
  // → kInvalidArgument. Blocks while the writer thread holds the connection.
  Result<TableId> open_table(const Schema& schema) override;
  // kInvalidArgument (naming the table) when the batch width differs from the
  // schema; the sticky write error once one happened (the batch is dropped and
  // counted); kFailedPrecondition after finish(). May block (backpressure).
  Status append(TableId table, Batch batch) override;
  uint64_t dropped_rows() const override;
  // Drains the queue, commits, checkpoints (TRUNCATE) and closes. Returns the
  // first error over the sink's life, e.g. kResourceExhausted on a full disk.
  Status finish() override;

  const std::string& path() const { return path_; }

 private:
  struct Item {
    TableId table;
    Batch batch;
  };
  struct TableInfo {
    std::string name;
    size_t width;
  };
  using SteadyTime = std::chrono::steady_clock::time_point;

  SqliteSink(std::string path, SqliteSinkOptions options, sqlite3* db);
  void writer_loop();
  void write_work(std::deque<Item>& work);
  void write_item(Item& item);
  void commit();
  void fail(const Status& status, uint64_t lost_rows);
  void drop(uint64_t rows);

  const std::string path_;
  const SqliteSinkOptions options_;

  // Guards the connection and tables_; taken by the writer thread per drain
  // round and by open_table(). Lock order: db_mu_ before mu_.
  std::mutex db_mu_;
  sqlite3* db_;
  std::vector<std::unique_ptr<sqlite::TableWriter>> tables_;
  // Writer-thread state (also read by finish() after the join).
  bool txn_open_ = false;
  bool failed_ = false;
  uint64_t txn_rows_ = 0;
  SteadyTime txn_deadline_{};

  // Guards the queue and everything below it.
  mutable std::mutex mu_;
  std::condition_variable data_cv_;
  std::condition_variable space_cv_;
  std::deque<Item> queue_;
  size_t queued_rows_ = 0;
  size_t queued_bytes_ = 0;
  std::vector<TableInfo> table_info_;
  bool stop_ = false;
  bool finished_ = false;
  Status error_;
  uint64_t dropped_ = 0;

  std::thread writer_;
};

}  // namespace ktel
