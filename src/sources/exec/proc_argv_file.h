// raw/exec/proc_argv.jsonl: the ftrace fallback's /proc notes (one JSON
// object per line, docs/formats/exec-raw.md), written as the scanner takes
// them and read back after the run to give execs their arguments.
#pragma once

#include <functional>
#include <string>

#include "base/scoped_fd.h"
#include "base/status.h"
#include "sources/exec/proc_argv_scanner.h"

namespace ktel::exec {

// One note as its JSON line (no newline). Strings are JSON-escaped; invalid
// UTF-8 bytes become U+FFFD.
std::string proc_argv_note_json(const ProcArgvNote& note);

// Appends notes to a new file. Not thread-safe; errors name the path.
class ProcArgvWriter {
 public:
  static Result<ProcArgvWriter> create(const std::string& path);  // O_EXCL
  ProcArgvWriter(ProcArgvWriter&&) = default;
  ProcArgvWriter& operator=(ProcArgvWriter&&) = default;
  Status append(const ProcArgvNote& note);  // buffers; writes when full
  Status finish();  // flushes and closes; the only place a close error surfaces
  uint64_t notes() const { return notes_; }

 private:
  ProcArgvWriter(ScopedFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  Status flush();
  ScopedFd fd_;
  std::string path_;
  std::string buffer_;
  uint64_t notes_ = 0;
};

// Parses a whole notes file's text (`name` goes into errors), as
// read_proc_argv_file does. Pure; fuzzed.
Status parse_proc_argv_text(std::string_view text, std::string_view name,
                            const std::function<Status(ProcArgvNote&&)>& on_note,
                            uint64_t& cut_tail);

// Reads every note in file order. A line that is not a note is kDataLoss
// naming path:line and the field; a cut last line (no newline) is skipped
// and counted in `cut_tail`.
Status read_proc_argv_file(const std::string& path,
                           const std::function<Status(ProcArgvNote&&)>& on_note,
                           uint64_t& cut_tail);

}  // namespace ktel::exec
