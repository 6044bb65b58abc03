// Sink: where rows go. Implementations live in src/sinks/<x>/; sources see only
// this interface.
#pragma once

#include "base/status.h"
#include "model/schema.h"

namespace ktel {

using TableId = int;

class Sink {
 public:
  virtual ~Sink() = default;

  // Creates the table if it does not exist and returns its handle. Opening the
  // same schema twice returns the same handle. Thread-safe.
  virtual Result<TableId> open_table(const Schema& schema) = 0;

  // Queues a batch for `table`; its width must match the schema. Thread-safe.
  // A non-ok result is the sink's first write error (disk full, connection
  // lost): rows already committed stay readable, later rows are dropped and
  // counted in dropped_rows().
  virtual Status append(TableId table, Batch batch) = 0;

  // Rows accepted by append() but never stored because of an earlier error.
  virtual uint64_t dropped_rows() const = 0;

  // Writes everything queued, commits and closes. Returns the first error seen
  // over the sink's life. Further appends fail. Call once.
  virtual Status finish() = 0;
};

}  // namespace ktel
