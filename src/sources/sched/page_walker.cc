// Page header parsing and layout checks for page_walker.h. The flag bits are
// kernel/trace/ring_buffer.c's RB_MISSED_EVENTS (1 << 31) and RB_MISSED_STORED
// (1 << 30), set in the commit word by ring_buffer_read_page(); the stored
// count is an unsigned long written at data[commit].
#include "sources/sched/page_walker.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

namespace ktel::sched {
namespace {

static_assert(std::endian::native == std::endian::little,
              "ring-buffer pages are read in host order; only little-endian hosts are tested");

constexpr uint64_t kMissedEvents = 1ull << 31;
constexpr uint64_t kMissedStored = 1ull << 30;

uint64_t load(const uint8_t* p, uint32_t size) {
  if (size == 8) {
    uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

std::string_view page_issue_name(PageIssue issue) {
  switch (issue) {
    case PageIssue::kShortPage: return "short_page";
    case PageIssue::kCommitBeyondPage: return "commit_beyond_page";
    case PageIssue::kMissedCountBeyondPage: return "missed_count_beyond_page";
    case PageIssue::kEventBeyondCommit: return "event_beyond_commit";
    case PageIssue::kBadPadding: return "bad_padding";
    case PageIssue::kZeroLength: return "zero_length";
    case PageIssue::kUnknownRecordType: return "unknown_record_type";
  }
  return "unknown";
}

Result<PageLayout> PageLayout::from_formats(const PageHeaderFormat& page,
                                            const EventHeaderFormat& header) {
  auto bad = [](std::string what) {
    return data_loss("unsupported ring-buffer layout: " + what);
  };
  if (page.timestamp_size != 8) {
    return bad(fmt::format("page timestamp is {} bytes, expected 8", page.timestamp_size));
  }
  if (page.commit_size != 4 && page.commit_size != 8) {
    return bad(fmt::format("page commit is {} bytes, expected 4 or 8", page.commit_size));
  }
  if (page.data_offset < page.timestamp_offset + 8 ||
      page.data_offset < page.commit_offset + page.commit_size) {
    return bad(fmt::format("page data at offset {} overlaps the header", page.data_offset));
  }
  if (page.data_size < 8 || page.page_size() > (1u << 24)) {
    return bad(fmt::format("page data size {} out of range", page.data_size));
  }
  if (header.type_len_bits == 0 || header.type_len_bits > 8 ||
      header.type_len_bits + header.time_delta_bits != 32 || header.array_bits != 32) {
    return bad(fmt::format("record header {}+{}+{} bits, expected 5+27+32", header.type_len_bits,
                           header.time_delta_bits, header.array_bits));
  }
  const uint32_t types = 1u << header.type_len_bits;
  const uint32_t specials[] = {header.padding_type, header.time_extend_type,
                               header.time_stamp_type};
  for (uint32_t t : specials) {
    if (t >= types || t <= header.data_max_type_len) {
      return bad(fmt::format("special record type {} collides with data types 1..{}", t,
                             header.data_max_type_len));
    }
  }
  if (header.padding_type == header.time_extend_type ||
      header.padding_type == header.time_stamp_type ||
      header.time_extend_type == header.time_stamp_type || header.data_max_type_len == 0) {
    return bad("special record types are not distinct");
  }
  PageLayout l;
  l.page_size = page.page_size();
  l.timestamp_offset = page.timestamp_offset;
  l.commit_offset = page.commit_offset;
  l.commit_size = page.commit_size;
  l.data_offset = page.data_offset;
  l.type_len_bits = header.type_len_bits;
  l.type_len_mask = types - 1;
  l.time_delta_bits = header.time_delta_bits;
  l.data_max_type_len = header.data_max_type_len;
  l.padding_type = header.padding_type;
  l.time_extend_type = header.time_extend_type;
  l.time_stamp_type = header.time_stamp_type;
  l.abs_ts_msb = ~((uint64_t{1} << (32 + header.time_delta_bits)) - 1);
  return l;
}

PageCursor::PageCursor(const PageLayout& layout, std::span<const uint8_t> page)
    : layout_(&layout) {
  const size_t slot = std::min<size_t>(page.size(), layout.page_size);
  if (slot < layout.data_offset) {
    issue_ = PageIssue::kShortPage;
    return;
  }
  header_.timestamp = load(page.data() + layout.timestamp_offset, 8);
  // Only the low 32 bits carry meaning: the kernel adds RB_MISSED_EVENTS, an
  // int (1 << 31, negative), to a 64-bit local_t, which sets every upper bit.
  uint64_t commit = load(page.data() + layout.commit_offset, layout.commit_size) & 0xffffffffu;
  header_.missed_events = (commit & kMissedEvents) != 0;
  header_.missed_stored = header_.missed_events && (commit & kMissedStored) != 0;
  commit &= ~(kMissedEvents | kMissedStored);
  const size_t avail = slot - layout.data_offset;
  if (commit > avail) {
    issue_ = PageIssue::kCommitBeyondPage;
    return;
  }
  data_ = page.data() + layout.data_offset;
  header_.commit = static_cast<uint32_t>(commit);
  if (header_.missed_stored) {
    if (commit + layout.commit_size > avail) {
      issue_ = PageIssue::kMissedCountBeyondPage;
      return;
    }
    header_.missed_count = load(data_ + commit, layout.commit_size);
  }
  end_ = header_.commit;
  ts_ = header_.timestamp;
}

}  // namespace ktel::sched
