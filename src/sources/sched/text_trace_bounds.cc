// scan_text_trace_bounds: the first and last event timestamps of a text trace
// file from its head and tail, so an importer can fix the episode clock
// before the rows are written.
#include <algorithm>
#include <cerrno>
#include <fstream>

#include "sources/sched/text_trace_chunks.h"
#include "sources/sched/text_trace_import.h"

namespace ktel::sched {

namespace {

constexpr size_t kWindow = size_t{1} << 20;
constexpr int64_t kMaxTailWindow = int64_t{64} << 20;

// The first (or last) event among the lines of `text`.
std::optional<SchedEvent> find_event(std::string_view text, bool last,
                                     TimestampFormat* format = nullptr) {
  std::optional<SchedEvent> found;
  SchedEvent ev;
  TextLineInfo info;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.size() > kWindow) continue;
    if (parse_text_trace_line(line, ev, info) == TextLineKind::kEvent) {
      found = ev;
      if (format != nullptr) *format = info.ts_format;
      if (!last) return found;
    }
  }
  return found;
}

}  // namespace

Result<TextTraceBounds> scan_text_trace_bounds(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return errno_status(errno, "open " + path);
  TextTraceBounds bounds;
  TextChunkReader reader(in, kWindow, kWindow);
  TextChunk chunk;
  while (true) {
    KTEL_ASSIGN_OR_RETURN(bool more, reader.next(chunk, path));
    if (!more) return bounds;  // no event at all
    if (chunk.oversized) continue;
    TimestampFormat format{};
    std::optional<SchedEvent> first = find_event(chunk.text(), false, &format);
    if (first) {
      bounds.first_ts_ns = first->ts_ns;
      bounds.format = format;
      break;
    }
  }
  in.clear();
  in.seekg(0, std::ios::end);
  const int64_t size = static_cast<int64_t>(in.tellg());
  if (size < 0) return errno_status(errno, "seek in " + path);
  // Bounded: a tail of more than kMaxTailWindow bytes without an event leaves
  // last_ts_ns unset rather than reading the whole file.
  for (int64_t window = kWindow; window <= kMaxTailWindow; window *= 4) {
    int64_t start = std::max<int64_t>(0, size - window);
    std::string tail(static_cast<size_t>(size - start), '\0');
    in.clear();
    in.seekg(start);
    in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
    if (in.bad()) return errno_status(errno, "read " + path);
    tail.resize(static_cast<size_t>(in.gcount()));
    std::string_view text = tail;
    if (start > 0) {  // the window's first line is probably cut
      size_t nl = text.find('\n');
      text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    }
    std::optional<SchedEvent> last = find_event(text, true);
    if (last) {
      bounds.last_ts_ns = last->ts_ns;
      return bounds;
    }
    if (start == 0) break;
  }
  return bounds;
}

}  // namespace ktel::sched
