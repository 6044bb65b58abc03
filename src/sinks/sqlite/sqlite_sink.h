// SqliteSink: the default sink, writing episode.db (SQLite, WAL). A writer
// thread owns the connection; append() only queues.
#pragma once

#include <memory>
#include <string>

#include "model/sink.h"

namespace ktel {

struct SqliteSinkOptions {
  int64_t commit_interval_ns = 100'000'000;  // commit at least this often...
  size_t commit_rows = 10'000;               // ...or after this many rows
};

class SqliteSink : public Sink {
 public:
  // Opens or creates the database at `path` (WAL, synchronous=NORMAL).
  static Result<std::unique_ptr<SqliteSink>> open(const std::string& path,
                                                  SqliteSinkOptions options = {});
};

}  // namespace ktel
