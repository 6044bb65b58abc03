// Walks one ftrace ring-buffer page (one read() of per_cpu/cpuN/trace_pipe_raw):
// the page header (timestamp, commit + missed-events flags) and the records
// (kernel/trace/ring_buffer.c: data, padding, time extend, absolute time
// stamp), yielding each data record's timestamp and payload span. Every read
// is bounds-checked against the page and the commit; a malformed page ends the
// walk with a PageIssue, never an out-of-bounds read. Pages are read in host
// byte order (the capture and the parse run on the machine that wrote them).
// Allocation-free; the hot loop is inline.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>

#include "base/status.h"
#include "sources/sched/ftrace_format.h"

namespace ktel::sched {

// The page and record-header layout, resolved once from header_page and
// header_event.
struct PageLayout {
  uint32_t page_size = 0;  // one page slot: header + data
  uint32_t timestamp_offset = 0;
  uint32_t commit_offset = 0;
  uint32_t commit_size = 0;  // 4 or 8 (the kernel's long); also the stored missed count's size
  uint32_t data_offset = 0;
  uint32_t type_len_bits = 0;
  uint32_t type_len_mask = 0;
  uint32_t time_delta_bits = 0;
  uint32_t data_max_type_len = 0;
  uint32_t padding_type = 0;
  uint32_t time_extend_type = 0;
  uint32_t time_stamp_type = 0;
  uint64_t abs_ts_msb = 0;  // bits an absolute time stamp record cannot hold (TS_MSB)

  // Fails (kDataLoss) on a layout this walker cannot read: a timestamp that is
  // not 8 bytes, a commit that is not 4 or 8, fields overlapping the data, or
  // a record header that is not 32 bits.
  static Result<PageLayout> from_formats(const PageHeaderFormat& page,
                                         const EventHeaderFormat& header);
};

// Why a page was abandoned. The records before the malformation were yielded;
// the rest of the page is skipped.
enum class PageIssue : uint8_t {
  kShortPage,              // the slot is shorter than the page header
  kCommitBeyondPage,       // commit (flags removed) exceeds the page's data area
  kMissedCountBeyondPage,  // RB_MISSED_STORED set but no room after the data for the count
  kEventBeyondCommit,      // a record header or body runs past commit
  kBadPadding,             // a padding (discarded) record shorter than its header or past commit
  kZeroLength,             // a type_len 0 record whose length leaves no payload
  kUnknownRecordType,      // a type_len with no meaning in header_event
};
inline constexpr size_t kPageIssueCount = 7;
// "short_page", "commit_beyond_page", ... (stable: used as stats keys).
std::string_view page_issue_name(PageIssue issue);

struct PageHeader {
  uint64_t timestamp = 0;     // time of the page's first record, before its delta
  uint32_t commit = 0;        // bytes of records after the header (flags removed)
  bool missed_events = false; // RB_MISSED_EVENTS: events were lost before this page
  bool missed_stored = false; // RB_MISSED_STORED: missed_count holds how many
  uint64_t missed_count = 0;  // the count stored right after the data, when missed_stored
};

struct PageRecord {
  uint64_t ts = 0;
  const uint8_t* payload = nullptr;  // the event: common_type first
  uint32_t size = 0;                 // payload bytes (a multiple of 4 except for type_len 0)
  uint32_t offset = 0;               // payload offset from the start of the page
};

// Reads one page. Cheap to construct (parses the header only).
class PageCursor {
 public:
  // `layout` and `page` must outlive the cursor.
  PageCursor(const PageLayout& layout, std::span<const uint8_t> page);

  const PageHeader& header() const { return header_; }
  // The next data record; false at the end of the page or when the page turned
  // out malformed (issue() is then set).
  inline bool next(PageRecord& out);
  std::optional<PageIssue> issue() const { return issue_; }

  uint32_t records() const { return records_; }          // data records yielded so far
  uint32_t discarded() const { return discarded_; }      // padding records with a delta
  uint32_t time_extends() const { return time_extends_; }
  uint32_t time_stamps() const { return time_stamps_; }  // absolute time stamp records

 private:
  bool fail(PageIssue issue) {
    issue_ = issue;
    pos_ = end_;
    return false;
  }
  static uint32_t load32(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  inline bool next_special(uint32_t type_len, uint32_t delta, PageRecord& out);

  const PageLayout* layout_;
  const uint8_t* data_ = nullptr;
  uint32_t pos_ = 0;
  uint32_t end_ = 0;
  uint64_t ts_ = 0;
  PageHeader header_;
  std::optional<PageIssue> issue_;
  uint32_t records_ = 0, discarded_ = 0, time_extends_ = 0, time_stamps_ = 0;
};

inline bool PageCursor::next(PageRecord& out) {
  while (pos_ < end_) {
    const uint32_t left = end_ - pos_;
    if (left < 4) return fail(PageIssue::kEventBeyondCommit);
    const uint8_t* p = data_ + pos_;
    const uint32_t word = load32(p);
    const uint32_t type_len = word & layout_->type_len_mask;
    const uint32_t delta = word >> layout_->type_len_bits;
    if (type_len - 1u < layout_->data_max_type_len) {  // 1..data_max: length in type_len
      const uint32_t len = type_len * 4;
      if (len > left - 4) return fail(PageIssue::kEventBeyondCommit);
      ts_ += delta;
      out.ts = ts_;
      out.payload = p + 4;
      out.size = len;
      out.offset = layout_->data_offset + pos_ + 4;
      pos_ += 4 + len;
      ++records_;
      return true;
    }
    if (next_special(type_len, delta, out)) return true;
  }
  return false;
}

// type_len 0 (length in array[0]), padding, time extend, time stamp. Returns
// true when `out` holds a record.
inline bool PageCursor::next_special(uint32_t type_len, uint32_t delta, PageRecord& out) {
  const uint32_t left = end_ - pos_;
  const uint8_t* p = data_ + pos_;
  if (type_len == layout_->padding_type && delta == 0) {
    pos_ = end_;  // the null padding: the rest of the page is empty
    return false;
  }
  if (left < 8) return fail(PageIssue::kEventBeyondCommit);
  const uint64_t array0 = load32(p + 4);
  if (type_len == 0) {
    if (array0 <= 4) return fail(PageIssue::kZeroLength);
    const uint64_t advance = 4 + ((array0 + 3) & ~uint64_t{3});
    if (advance > left) return fail(PageIssue::kEventBeyondCommit);
    ts_ += delta;
    out.ts = ts_;
    out.payload = p + 8;
    out.size = static_cast<uint32_t>(array0 - 4);
    out.offset = layout_->data_offset + pos_ + 8;
    pos_ += static_cast<uint32_t>(advance);
    ++records_;
    return true;
  }
  if (type_len == layout_->padding_type) {
    // A discarded event. Like the kernel's reader (rb_update_read_stamp), its
    // delta is not added; libtraceevent's kbuffer adds it.
    if (array0 < 4 || array0 > left - 4) return fail(PageIssue::kBadPadding);
    pos_ += static_cast<uint32_t>(4 + array0);
    ++discarded_;
    return false;
  }
  if (type_len == layout_->time_extend_type) {
    ts_ += (array0 << layout_->time_delta_bits) | delta;
    ++time_extends_;
  } else if (type_len == layout_->time_stamp_type) {
    // The record holds 59 bits; the top ones come from the previous time
    // (rb_fix_abs_ts), carrying over when the low part wrapped.
    uint64_t abs = (array0 << layout_->time_delta_bits) | delta;
    if ((ts_ & layout_->abs_ts_msb) != 0) {
      abs |= ts_ & layout_->abs_ts_msb;
      if (abs < ts_) abs += ~layout_->abs_ts_msb + 1;
    }
    ts_ = abs;
    ++time_stamps_;
  } else {
    return fail(PageIssue::kUnknownRecordType);
  }
  pos_ += 8;
  return false;
}

}  // namespace ktel::sched
