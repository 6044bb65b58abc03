// raw/exec/records.bin: the exec tracer's ring-buffer records as read, each
// framed by its length, after a header naming how to decode them
// (docs/formats/exec-raw.md). The writer runs on the capture's hot path and
// never parses; the parser is pure, incremental and bounds-checked (the file
// may be cut by a killed recorder or be hostile).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/scoped_fd.h"
#include "base/status.h"

namespace ktel::exec {

inline constexpr char kExecRawMagic[8] = {'K', 'T', 'E', 'L', 'E', 'X', 'E', 'C'};
inline constexpr uint32_t kExecRawFormatVersion = 1;
inline constexpr size_t kExecRawHeaderBytes = 32;
inline constexpr uint32_t kExecRawMaxFrame = 1u << 20;

struct ExecRawHeader {
  uint32_t record_version = 0;  // KTEL_EXEC_REC_VERSION of the records
  uint32_t page_size = 0;       // bytes per page (exit records count RSS in pages)
  uint32_t argv_max_args = 0;   // the recording's argument limit
  uint32_t argv_max_bytes = 0;  // the recording's argv byte limit
};

std::string encode_exec_raw_header(const ExecRawHeader& h);

// Appends frames to a new file. Not thread-safe; errors name the path.
class ExecRawWriter {
 public:
  // Creates `path` (O_EXCL) and writes the header.
  static Result<ExecRawWriter> create(const std::string& path, const ExecRawHeader& header);
  ExecRawWriter(ExecRawWriter&&) = default;
  ExecRawWriter& operator=(ExecRawWriter&&) = default;

  // Buffers one record; writes when the buffer is full.
  Status append(std::span<const std::byte> record);
  Status flush();
  // Flushes and closes; the only place a close error surfaces.
  Status finish();
  uint64_t frames() const { return frames_; }
  uint64_t bytes() const { return bytes_; }  // file size so far, header included

 private:
  ExecRawWriter(ScopedFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  ScopedFd fd_;
  std::string path_;
  std::vector<std::byte> buffer_;
  uint64_t frames_ = 0;
  uint64_t bytes_ = 0;
};

struct ExecRawSummary {
  ExecRawHeader header;
  uint64_t frames = 0;
  uint64_t bytes = 0;                 // consumed, header included
  uint64_t truncated_tail_bytes = 0;  // an incomplete last frame (recorder killed mid-write)
};

using ExecRawFrameFn = std::function<Status(std::span<const std::byte> record)>;
// Called once with the header, before any frame; its error stops the parse.
using ExecRawHeaderFn = std::function<Status(const ExecRawHeader& header)>;

// Incremental parser: the same frames whatever the chunking. Errors are
// kDataLoss naming the byte offset; after one, the parser stays failed.
class ExecRawParser {
 public:
  // `name` (the path) goes into error messages.
  ExecRawParser(std::string name, ExecRawHeaderFn on_header)
      : name_(std::move(name)), on_header_(std::move(on_header)) {}
  // The header once the first 32 bytes were fed.
  const std::optional<ExecRawHeader>& header() const { return header_; }
  // Calls fn for each complete frame; fn's error stops the parse and is returned.
  Status feed(std::span<const std::byte> chunk, const ExecRawFrameFn& fn);
  // End of input. kDataLoss when not even the header arrived.
  Result<ExecRawSummary> finish();

 private:
  Status parse_header();
  std::string name_;
  ExecRawHeaderFn on_header_;
  std::vector<std::byte> carry_;
  std::optional<ExecRawHeader> header_;
  uint64_t offset_ = 0;  // of carry_[0] in the stream
  uint64_t frames_ = 0;
  Status failed_;
};

// Streams a whole file through ExecRawParser.
Result<ExecRawSummary> read_exec_raw_file(const std::string& path, ExecRawHeaderFn on_header,
                                          const ExecRawFrameFn& on_frame);

}  // namespace ktel::exec
