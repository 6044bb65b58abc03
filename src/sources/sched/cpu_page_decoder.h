// Walk + decode of one CPU's page slots (raw/sched/cpu<N>.pages) into
// SchedEvents, in file order, counting everything that is not an event:
// kernel-reported loss, malformed pages and records, unknown ids. The single-
// threaded unit that raw_trace_reader runs once per CPU; also what the
// benchmark and the fuzzer drive.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "sources/sched/event_decoder.h"
#include "sources/sched/page_walker.h"
#include "sources/sched/sched_event.h"

namespace ktel::sched {

// What reading one CPU's pages found. The capture copies these into its
// capture_stats table and meta.json; the member names are the keys.
//   captured events = events; kernel-reported loss = missed_events (exact)
//   plus missed_pages_without_count pages of unknown loss.
struct CpuParseStats {
  int32_t cpu = -1;  // -1 for a total over CPUs
  uint64_t pages = 0;         // page slots read, a truncated trailing slot included
  uint64_t bytes = 0;         // bytes of cpu<N>.pages
  uint64_t record_bytes = 0;  // sum of the pages' commits: bytes of records the kernel wrote
  uint64_t empty_pages = 0;   // pages with commit 0 (nothing written)
  uint64_t events = 0;        // events decoded and delivered

  // Loss the kernel reported in page headers (ring_buffer_read_page sets
  // RB_MISSED_EVENTS on the first page read after overwritten events).
  uint64_t missed_pages = 0;                // pages with RB_MISSED_EVENTS
  uint64_t missed_events = 0;               // sum of the exact counts (RB_MISSED_STORED)
  uint64_t missed_pages_without_count = 0;  // flagged pages with no room for the count

  uint64_t discarded = 0;     // discarded records (padding with a delta): filtered, not lost
  uint64_t time_extends = 0;  // time-extend records (informational)
  uint64_t time_stamps = 0;   // absolute time-stamp records (informational)
  uint64_t out_of_order = 0;  // delivered events older than the one before them on this CPU
  uint64_t unknown_ids = 0;   // records whose common_type has no format (not delivered)

  // Malformations, each also skipping what it says (never delivered).
  std::array<uint64_t, kPageIssueCount> page_issues{};  // by PageIssue: rest of page skipped
  uint64_t payload_too_short = 0;  // record shorter than its event's format: record skipped
  uint64_t bad_data_loc = 0;       // __data_loc outside the record: record skipped

  uint64_t malformed() const;  // every page issue and malformed record
  // ("short_page", n), ... ("payload_too_short", n), ("bad_data_loc", n): every
  // kind, zero counts included, in a stable order.
  std::vector<std::pair<std::string_view, uint64_t>> malformed_by_kind() const;
  // Adds `o`'s counters to these (cpu stays).
  void add(const CpuParseStats& o);
};

class CpuPageDecoder {
 public:
  // `pages` is the concatenation of layout.page_size slots. `layout`,
  // `decoder` and `pages` must outlive this object.
  CpuPageDecoder(const PageLayout& layout, const EventDecoder& decoder,
                 std::span<const uint8_t> pages, int32_t cpu);

  // Decodes the next event into `out` (ts_ns, cpu, common_pid, payload) and
  // returns true; false once every page has been read. Not thread-safe; one
  // decoder per CPU.
  bool next(SchedEvent& out);

  const CpuParseStats& stats() const { return stats_; }

 private:
  bool start_page();
  void end_page();
  void count(DecodeOutcome outcome);

  const PageLayout* layout_;
  const EventDecoder* decoder_;
  std::span<const uint8_t> pages_;
  size_t next_page_ = 0;  // byte offset of the next slot
  PageCursor cursor_;
  bool in_page_ = false;
  bool have_last_ = false;
  uint64_t last_ts_ = 0;
  CpuParseStats stats_;
};

}  // namespace ktel::sched
