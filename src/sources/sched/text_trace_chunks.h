// The pieces of the text trace import: a reader that cuts a stream into
// chunks of whole lines, the pure per-chunk parse, and the in-order merge of
// chunk results. Split out of text_trace_import.cc so each is testable.
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "sources/sched/text_trace_import.h"

namespace ktel::sched {

// A buffer of whole lines. Its storage is reused from chunk to chunk and
// never zero-filled (reads land in it directly).
class TextChunk {
 public:
  TextChunk() = default;
  explicit TextChunk(std::string_view text) { assign(text); }

  std::string_view text() const { return {data_.get(), size_}; }
  size_t size() const { return size_; }
  bool oversized = false;  // text() is the head of one line longer than max_line_bytes

  void assign(std::string_view s);
  // Room for `n` more bytes at the end; commit(k) adds the k written there.
  char* grow(size_t n);
  void commit(size_t k) { size_ += k; }
  void truncate(size_t n) { size_ = n < size_ ? n : size_; }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

// Not thread-safe; used by the importing thread only.
class TextChunkReader {
 public:
  TextChunkReader(std::istream& in, size_t chunk_bytes, size_t max_line_bytes);
  // The next chunk (replacing `out`), or false at the end of input. A read
  // error is kDataLoss/errno naming `name`.
  Result<bool> next(TextChunk& out, std::string_view name);
  uint64_t bytes() const { return bytes_; }

 private:
  // Reads up to `n` bytes appended to `buf`; returns how many (0 at the end).
  Result<size_t> fill(TextChunk& buf, size_t n, std::string_view name);
  Result<bool> skip_rest_of_line(std::string_view name);

  std::istream& in_;
  size_t chunk_bytes_;
  size_t max_line_bytes_;
  std::string pending_;               // the start of a line not complete yet...
  bool pending_whole_lines_ = false;  // ...or, after a skipped line, maybe more lines
  bool eof_ = false;
  uint64_t bytes_ = 0;
};

struct TextLostMark {
  uint32_t line = 0;           // 0-based within the chunk
  uint32_t events_before = 0;  // events of the chunk before it
  int32_t cpu = -1;
  int64_t count = 0;  // -1: not given
};

struct TextMalformedMark {
  uint32_t line = 0;  // 0-based within the chunk
  std::string_view reason;
  std::string excerpt;
};

// What one chunk holds; lines are numbered from 0 within it.
struct TextChunkResult {
  uint64_t lines = 0;
  // The chunk's events are events[0..event_count); the slots beyond are kept
  // from earlier chunks so their storage is reused, not rebuilt per line.
  std::vector<SchedEvent> events;
  size_t event_count = 0;
  std::vector<uint32_t> event_lines;  // event_count entries
  std::vector<TextLostMark> lost;
  std::vector<TextMalformedMark> malformed;  // at most max_kept_malformed
  TextTraceStats stats;                      // counts only: no line numbers, lost, first/last ts

  std::span<const SchedEvent> parsed() const { return {events.data(), event_count}; }
};

// Pure: parses every line of `chunk` into `out` (cleared first, capacity
// kept). A line longer than `max_line_bytes` is malformed, as the reader's
// oversized chunks are, so the outcome never depends on where chunks end.
void parse_text_chunk(const TextChunk& chunk, size_t max_line_bytes, size_t max_kept_malformed,
                      TextChunkResult& out);

// Folds chunk results into the final stats in file order and feeds the
// consumer. Not thread-safe.
class TextChunkMerger {
 public:
  TextChunkMerger(std::string_view name, size_t max_kept_malformed,
                  const TextEventConsumer& consume)
      : name_(name), max_kept_(max_kept_malformed), consume_(consume) {}
  // The consumer's error, as "<name>:<line>: ...".
  Status add(const TextChunkResult& chunk);
  TextTraceStats& stats() { return stats_; }

 private:
  void add_lost(const TextLostMark& mark);
  void add_counts(const TextTraceStats& s);

  std::string name_;
  size_t max_kept_;
  const TextEventConsumer& consume_;
  TextTraceStats stats_;
  uint64_t base_line_ = 0;  // lines before the current chunk
  std::optional<int64_t> last_ts_;
};

// `line`'s first bytes for a message: printable ASCII kept, others as \xNN.
std::string text_line_excerpt(std::string_view line, size_t max_bytes = 60);

}  // namespace ktel::sched
