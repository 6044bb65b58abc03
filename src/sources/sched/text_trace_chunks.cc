// Chunking, per-chunk parsing and the in-order merge of the text trace import.
// Every decision about a line (including "too long") depends on the line
// alone, so any chunk size and thread count give the same result.
#include "sources/sched/text_trace_chunks.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ktel::sched {

namespace {

constexpr std::string_view kTooLong = "line longer than the maximum line length; skipped";
constexpr size_t kExcerptBytes = 60;

void note_event(const SchedEvent& e, const TextLineInfo& info, TextTraceStats& s) {
  ++s.events;
  ++s.events_by_type[static_cast<size_t>(event_kind(e))];
  ++s.timestamp_formats[static_cast<size_t>(info.ts_format)];
  if (info.tgid >= 0) ++s.tgid_events;
  if (info.truncated) ++s.truncated_text;
  if (!s.min_ts_ns || e.ts_ns < *s.min_ts_ns) s.min_ts_ns = e.ts_ns;
  if (!s.max_ts_ns || e.ts_ns > *s.max_ts_ns) s.max_ts_ns = e.ts_ns;
}

void note_malformed(std::string_view line, std::string_view reason, uint32_t index, size_t max_kept,
                    TextChunkResult& out) {
  ++out.stats.malformed_count;
  if (out.malformed.size() < max_kept) {
    out.malformed.push_back({index, reason, text_line_excerpt(line, kExcerptBytes)});
  }
}

// Accounts for a line that is not an event.
void note_line(TextLineKind kind, const TextLineInfo& info, std::string_view line, uint32_t index,
               size_t max_kept, TextChunkResult& out) {
  TextTraceStats& s = out.stats;
  switch (kind) {
    case TextLineKind::kBlank:
      ++s.blank_lines;
      break;
    case TextLineKind::kComment:
      ++s.comment_lines;
      break;
    case TextLineKind::kEntriesHeader:
      ++s.comment_lines;
      ++s.headers;
      if (info.entries_written > info.entries_in_buffer) {
        s.overwritten += info.entries_written - info.entries_in_buffer;
      }
      if (info.header_cpus >= 0) s.header_cpus = info.header_cpus;
      break;
    case TextLineKind::kBufferStarted:
      ++s.comment_lines;
      ++s.buffer_started[info.cpu];
      break;
    case TextLineKind::kLostEvents:
      out.lost.push_back({index, static_cast<uint32_t>(out.event_count), info.cpu, info.lost});
      break;
    case TextLineKind::kMalformed:
      note_malformed(line, info.reason, index, max_kept, out);
      break;
    case TextLineKind::kEvent:
      break;
  }
}

}  // namespace

std::string text_line_excerpt(std::string_view line, size_t max_bytes) {
  std::string out;
  for (size_t i = 0; i < line.size() && i < max_bytes; ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  if (line.size() > max_bytes) out += "...";
  return out;
}

void TextChunk::assign(std::string_view s) {
  size_ = 0;
  if (s.empty()) return;  // no storage yet: memcpy must not see a null pointer
  std::memcpy(grow(s.size()), s.data(), s.size());
  size_ = s.size();
}

char* TextChunk::grow(size_t n) {
  if (capacity_ - size_ < n) {
    size_t cap = std::max(capacity_ * 2, size_ + n);
    std::unique_ptr<char[]> bigger(new char[cap]);  // uninitialised: reads fill it
    if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = cap;
  }
  return data_.get() + size_;
}

TextChunkReader::TextChunkReader(std::istream& in, size_t chunk_bytes, size_t max_line_bytes)
    : in_(in),
      // Lines are numbered within a chunk in 32 bits.
      chunk_bytes_(std::clamp<size_t>(chunk_bytes, 1, size_t{1} << 30)),
      max_line_bytes_(max_line_bytes) {}

Result<size_t> TextChunkReader::fill(TextChunk& buf, size_t n, std::string_view name) {
  in_.read(buf.grow(n), static_cast<std::streamsize>(n));
  size_t got = static_cast<size_t>(in_.gcount());
  if (in_.bad()) return errno_status(errno, fmt::format("read {}", name));
  buf.commit(got);
  bytes_ += got;
  return got;
}

Result<bool> TextChunkReader::skip_rest_of_line(std::string_view name) {
  TextChunk scratch;
  while (true) {
    scratch.truncate(0);
    KTEL_ASSIGN_OR_RETURN(size_t got, fill(scratch, chunk_bytes_, name));
    if (got == 0) {
      eof_ = true;
      return false;
    }
    std::string_view text = scratch.text();
    size_t nl = text.find('\n');
    if (nl != std::string_view::npos) {
      pending_.assign(text.substr(nl + 1));
      pending_whole_lines_ = true;
      return true;
    }
  }
}

Result<bool> TextChunkReader::next(TextChunk& out, std::string_view name) {
  out.oversized = false;
  out.assign(pending_);
  pending_.clear();
  // The tail of a chunk holds no '\n'; what follows a skipped long line may.
  size_t scanned = pending_whole_lines_ ? 0 : out.size();
  pending_whole_lines_ = false;
  while (true) {
    std::string_view text = out.text();
    if (scanned < text.size()) {
      const void* nl = ::memrchr(text.data() + scanned, '\n', text.size() - scanned);
      if (nl != nullptr) {
        size_t cut = static_cast<size_t>(static_cast<const char*>(nl) - text.data()) + 1;
        pending_.assign(text.substr(cut));
        out.truncate(cut);
        return true;
      }
      scanned = text.size();
    }
    if (text.size() > max_line_bytes_) {
      // One line already longer than allowed: keep its head for the message
      // and drop the rest without buffering it.
      out.truncate(kExcerptBytes + 4);
      out.oversized = true;
      KTEL_TRY(skip_rest_of_line(name));
      return true;
    }
    if (eof_) break;
    KTEL_ASSIGN_OR_RETURN(size_t got, fill(out, chunk_bytes_, name));
    if (got == 0) eof_ = true;
  }
  return out.size() > 0;
}

void parse_text_chunk(const TextChunk& chunk, size_t max_line_bytes, size_t max_kept_malformed,
                      TextChunkResult& out) {
  out.lines = 0;
  out.event_count = 0;
  out.event_lines.clear();
  out.lost.clear();
  out.malformed.clear();
  out.stats = TextTraceStats{};
  if (chunk.oversized) {
    out.lines = 1;
    note_malformed(chunk.text(), kTooLong, 0, max_kept_malformed, out);
    return;
  }
  std::string_view data = chunk.text();
  // Kernel lines are 100-200 bytes: room for all events of a chunk up front.
  out.events.reserve(data.size() / 100);
  out.event_lines.reserve(data.size() / 100);
  TextLineInfo info;
  uint32_t index = 0;
  for (size_t pos = 0; pos < data.size(); ++index) {
    const void* nl = std::memchr(data.data() + pos, '\n', data.size() - pos);
    size_t end = nl != nullptr ? static_cast<size_t>(static_cast<const char*>(nl) - data.data())
                               : data.size();
    std::string_view line = data.substr(pos, end - pos);
    pos = end + 1;
    if (line.size() > max_line_bytes) {
      note_malformed(line, kTooLong, index, max_kept_malformed, out);
      continue;
    }
    if (out.event_count == out.events.size()) out.events.emplace_back();
    SchedEvent& ev = out.events[out.event_count];
    TextLineKind kind = parse_text_trace_line(line, ev, info);
    if (kind == TextLineKind::kEvent) {
      ++out.event_count;
      out.event_lines.push_back(index);
      note_event(ev, info, out.stats);
      continue;
    }
    note_line(kind, info, line, index, max_kept_malformed, out);
  }
  out.lines = index;
}

void TextChunkMerger::add_counts(const TextTraceStats& s) {
  stats_.events += s.events;
  for (size_t i = 0; i < kEventKindCount; ++i) stats_.events_by_type[i] += s.events_by_type[i];
  for (size_t i = 0; i < kTimestampFormatCount; ++i) {
    stats_.timestamp_formats[i] += s.timestamp_formats[i];
  }
  stats_.blank_lines += s.blank_lines;
  stats_.comment_lines += s.comment_lines;
  stats_.malformed_count += s.malformed_count;
  for (const auto& [cpu, n] : s.buffer_started) stats_.buffer_started[cpu] += n;
  stats_.headers += s.headers;
  stats_.overwritten += s.overwritten;
  if (s.header_cpus >= 0) stats_.header_cpus = s.header_cpus;
  stats_.truncated_text += s.truncated_text;
  stats_.tgid_events += s.tgid_events;
  if (s.min_ts_ns && (!stats_.min_ts_ns || *s.min_ts_ns < *stats_.min_ts_ns)) {
    stats_.min_ts_ns = s.min_ts_ns;
  }
  if (s.max_ts_ns && (!stats_.max_ts_ns || *s.max_ts_ns > *stats_.max_ts_ns)) {
    stats_.max_ts_ns = s.max_ts_ns;
  }
}

void TextChunkMerger::add_lost(const TextLostMark& mark) {
  TextLostOnCpu& l = stats_.lost[mark.cpu];
  if (l.markers == 0) {
    l.first_line = base_line_ + mark.line + 1;
    l.first_after_ts_ns = last_ts_;
  }
  ++l.markers;
  if (mark.count < 0) {
    ++l.markers_without_count;
  } else {
    l.events += static_cast<uint64_t>(mark.count);
  }
}

Status TextChunkMerger::add(const TextChunkResult& chunk) {
  add_counts(chunk.stats);
  size_t mark = 0;
  for (size_t i = 0; i < chunk.event_count; ++i) {
    while (mark < chunk.lost.size() && chunk.lost[mark].events_before <= i) {
      add_lost(chunk.lost[mark++]);
    }
    const SchedEvent& e = chunk.events[i];
    if (!stats_.first_ts_ns) stats_.first_ts_ns = e.ts_ns;
    last_ts_ = e.ts_ns;
    stats_.last_ts_ns = e.ts_ns;
    uint64_t line = base_line_ + chunk.event_lines[i] + 1;
    Status st = consume_(e, line);
    if (!st.is_ok()) {
      return Status(st.code(), fmt::format("{}:{}: {}", name_, line, st.message()), st.sys_errno());
    }
  }
  while (mark < chunk.lost.size()) add_lost(chunk.lost[mark++]);
  for (const TextMalformedMark& m : chunk.malformed) {
    if (stats_.malformed.size() >= max_kept_) break;
    stats_.malformed.push_back({base_line_ + m.line + 1, std::string(m.reason), m.excerpt});
  }
  base_line_ += chunk.lines;
  stats_.lines = base_line_;
  return Status::ok();
}

}  // namespace ktel::sched
