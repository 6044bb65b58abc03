// Fuzzes the binary ftrace page path (sources/sched/page_walker.h,
// event_decoder.h, cpu_page_decoder.h) with the real 6.18 formats of
// testdata/ftrace/mixed: the input is one page as read from trace_pipe_raw
// (walked as is, possibly short), and also, zero-padded, a cpu<N>.pages file
// of one or more page slots. Pages are written by the kernel, but an episode's
// raw/ directory is a file anyone may hand us.
#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "sources/sched/cpu_page_decoder.h"
#include "sources/sched/event_decoder.h"
#include "sources/sched/ftrace_format.h"
#include "sources/sched/page_walker.h"

namespace {

using namespace ktel::sched;

struct Setup {
  FormatSet formats;
  PageLayout layout;
  EventDecoder decoder;
};

const Setup& setup() {
  static const Setup* s = [] {
    const char* root = std::getenv("KTEL_SOURCE_DIR");
    const std::string dir =
        std::string(root != nullptr ? root : KTEL_SOURCE_DIR) + "/testdata/ftrace/mixed/formats";
    auto formats = load_formats(dir);
    if (!formats.is_ok()) {
      std::fprintf(stderr, "ftrace_pages fuzz: %s\n", formats.status().to_string().c_str());
      std::abort();
    }
    auto layout = PageLayout::from_formats(formats->page_header(), formats->event_header());
    KTEL_FUZZ_CHECK(layout.is_ok());
    return new Setup{*formats, *layout, EventDecoder(*formats)};
  }();
  return *s;
}

// The input as one (possibly short) page: every record lies inside the page
// and inside the commit, in order, and decodes without reading outside it.
size_t walk_one_page(const Setup& s, std::span<const uint8_t> page, uint64_t& records) {
  PageCursor cursor(s.layout, page);
  const PageHeader& h = cursor.header();
  size_t decoded = 0;
  uint64_t here = 0;
  uint32_t last_end = s.layout.data_offset;
  SchedEvent ev;
  for (PageRecord r; cursor.next(r);) {
    ++here;
    KTEL_FUZZ_CHECK(r.payload == page.data() + r.offset);
    KTEL_FUZZ_CHECK(r.offset >= last_end);
    KTEL_FUZZ_CHECK(r.size > 0);
    KTEL_FUZZ_CHECK(static_cast<size_t>(r.offset) + r.size <= s.layout.data_offset + h.commit);
    KTEL_FUZZ_CHECK(static_cast<size_t>(r.offset) + r.size <= page.size());
    last_end = r.offset + r.size;
    if (s.decoder.decode({r.payload, r.size}, ev) == DecodeOutcome::kOk) ++decoded;
  }
  KTEL_FUZZ_CHECK(cursor.records() == here);
  records += here;
  KTEL_FUZZ_CHECK(!h.missed_stored || h.missed_events);
  if (!cursor.issue()) {
    KTEL_FUZZ_CHECK(page.size() >= s.layout.data_offset + h.commit);
  }
  return decoded;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Setup& s = setup();
  const std::span<const uint8_t> input(data, size);
  uint64_t records = 0;
  walk_one_page(s, input.first(std::min<size_t>(size, s.layout.page_size)), records);

  // As a pages file: slots of page_size, the last one zero-padded.
  const size_t slots = (size + s.layout.page_size - 1) / s.layout.page_size;
  std::vector<uint8_t> file(slots * s.layout.page_size, 0);
  if (size > 0) std::copy(data, data + size, file.begin());
  uint64_t walked = 0;
  for (size_t i = 0; i < slots; ++i) {
    std::span<const uint8_t> page(file.data() + i * s.layout.page_size, s.layout.page_size);
    walk_one_page(s, page, walked);
  }
  CpuPageDecoder cpu(s.layout, s.decoder, file, 3);
  uint64_t events = 0, backwards = 0, last_ts = 0;
  for (SchedEvent ev; cpu.next(ev);) {
    const uint64_t ts = static_cast<uint64_t>(ev.ts_ns);
    backwards += events > 0 && ts < last_ts;
    last_ts = ts;
    ++events;
    KTEL_FUZZ_CHECK(ev.cpu == 3);
  }
  // Every record the walker yields is an event, an unknown id or a malformed
  // record; the counters add up.
  const CpuParseStats& st = cpu.stats();
  KTEL_FUZZ_CHECK(st.events == events);
  KTEL_FUZZ_CHECK(st.events + st.unknown_ids + st.payload_too_short + st.bad_data_loc == walked);
  KTEL_FUZZ_CHECK(st.pages == slots);
  KTEL_FUZZ_CHECK(st.bytes == file.size());
  KTEL_FUZZ_CHECK(st.empty_pages + st.malformed() - st.payload_too_short - st.bad_data_loc <=
                  st.pages);
  KTEL_FUZZ_CHECK(st.missed_pages_without_count <= st.missed_pages);
  KTEL_FUZZ_CHECK(st.record_bytes <= slots * (s.layout.page_size - s.layout.data_offset));
  KTEL_FUZZ_CHECK(st.out_of_order == backwards);
  return 0;
}
