// One CPU's pages: PageCursor per slot, EventDecoder per record, and the
// counters of everything that did not become an event.
#include "sources/sched/cpu_page_decoder.h"

namespace ktel::sched {

uint64_t CpuParseStats::malformed() const {
  uint64_t n = payload_too_short + bad_data_loc;
  for (uint64_t v : page_issues) n += v;
  return n;
}

std::vector<std::pair<std::string_view, uint64_t>> CpuParseStats::malformed_by_kind() const {
  std::vector<std::pair<std::string_view, uint64_t>> out;
  for (size_t i = 0; i < kPageIssueCount; ++i) {
    out.emplace_back(page_issue_name(static_cast<PageIssue>(i)), page_issues[i]);
  }
  out.emplace_back(decode_outcome_name(DecodeOutcome::kTooShort), payload_too_short);
  out.emplace_back(decode_outcome_name(DecodeOutcome::kBadDataLoc), bad_data_loc);
  return out;
}

void CpuParseStats::add(const CpuParseStats& o) {
  pages += o.pages;
  bytes += o.bytes;
  record_bytes += o.record_bytes;
  empty_pages += o.empty_pages;
  events += o.events;
  missed_pages += o.missed_pages;
  missed_events += o.missed_events;
  missed_pages_without_count += o.missed_pages_without_count;
  discarded += o.discarded;
  time_extends += o.time_extends;
  time_stamps += o.time_stamps;
  out_of_order += o.out_of_order;
  unknown_ids += o.unknown_ids;
  for (size_t i = 0; i < kPageIssueCount; ++i) page_issues[i] += o.page_issues[i];
  payload_too_short += o.payload_too_short;
  bad_data_loc += o.bad_data_loc;
}

CpuPageDecoder::CpuPageDecoder(const PageLayout& layout, const EventDecoder& decoder,
                               std::span<const uint8_t> pages, int32_t cpu)
    : layout_(&layout),
      decoder_(&decoder),
      pages_(pages),
      cursor_(layout, std::span<const uint8_t>()) {
  stats_.cpu = cpu;
  stats_.bytes = pages.size();
}

bool CpuPageDecoder::next(SchedEvent& out) {
  for (;;) {
    if (in_page_) {
      PageRecord rec;
      while (cursor_.next(rec)) {
        DecodeOutcome outcome = decoder_->decode({rec.payload, rec.size}, out);
        if (outcome != DecodeOutcome::kOk) {
          count(outcome);
          continue;
        }
        if (have_last_ && rec.ts < last_ts_) ++stats_.out_of_order;
        have_last_ = true;
        last_ts_ = rec.ts;
        out.ts_ns = static_cast<int64_t>(rec.ts);
        out.cpu = stats_.cpu;
        ++stats_.events;
        return true;
      }
      end_page();
    }
    if (!start_page()) return false;
  }
}

// Opens the next slot; false when none is left. A trailing slot shorter than
// a page is a truncated file: counted (short_page), not walked.
bool CpuPageDecoder::start_page() {
  while (next_page_ < pages_.size()) {
    const size_t left = pages_.size() - next_page_;
    std::span<const uint8_t> slot = pages_.subspan(next_page_, std::min<size_t>(left,
                                                                             layout_->page_size));
    next_page_ += slot.size();
    ++stats_.pages;
    if (slot.size() < layout_->page_size) {
      ++stats_.page_issues[static_cast<size_t>(PageIssue::kShortPage)];
      continue;
    }
    cursor_ = PageCursor(*layout_, slot);
    const PageHeader& h = cursor_.header();
    if (h.missed_events) {
      ++stats_.missed_pages;
      if (h.missed_stored) {
        stats_.missed_events += h.missed_count;
      } else {
        ++stats_.missed_pages_without_count;
      }
    }
    stats_.record_bytes += h.commit;
    if (h.commit == 0 && !cursor_.issue()) ++stats_.empty_pages;
    in_page_ = true;
    return true;
  }
  return false;
}

void CpuPageDecoder::end_page() {
  in_page_ = false;
  stats_.discarded += cursor_.discarded();
  stats_.time_extends += cursor_.time_extends();
  stats_.time_stamps += cursor_.time_stamps();
  if (std::optional<PageIssue> issue = cursor_.issue()) {
    ++stats_.page_issues[static_cast<size_t>(*issue)];
  }
}

void CpuPageDecoder::count(DecodeOutcome outcome) {
  switch (outcome) {
    case DecodeOutcome::kUnknownId: ++stats_.unknown_ids; break;
    case DecodeOutcome::kTooShort: ++stats_.payload_too_short; break;
    case DecodeOutcome::kBadDataLoc: ++stats_.bad_data_loc; break;
    case DecodeOutcome::kOk: break;
  }
}

}  // namespace ktel::sched
