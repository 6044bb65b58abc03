// PageCursor on hand-built pages (every record type, every malformation) and
// on the real pages of testdata/ftrace.
#include "sources/sched/page_walker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "sources/sched/pages_test_support.h"

namespace ktel::sched {
namespace {

using testing::PageBuilder;

class PageWalkerTest : public ::testing::Test {
 protected:
  FormatSet formats_ = testing::load_testdata_formats();
  PageLayout layout_ = testing::layout_of(formats_);

  std::vector<PageRecord> walk(const std::vector<uint8_t>& page, PageCursor* out = nullptr) {
    PageCursor c(layout_, page);
    std::vector<PageRecord> recs;
    for (PageRecord r; c.next(r);) recs.push_back(r);
    if (out != nullptr) *out = c;
    return recs;
  }
  static std::vector<uint8_t> payload(size_t n, uint8_t fill = 0xab) {
    return std::vector<uint8_t>(n, fill);
  }
};

TEST_F(PageWalkerTest, LayoutFromRealHeaders) {
  EXPECT_EQ(layout_.page_size, 4096u);
  EXPECT_EQ(layout_.data_offset, 16u);
  EXPECT_EQ(layout_.commit_size, 8u);
  EXPECT_EQ(layout_.type_len_mask, 31u);
  EXPECT_EQ(layout_.abs_ts_msb, 0xf8ull << 56);
}

TEST_F(PageWalkerTest, LayoutRejectsWhatItCannotRead) {
  PageHeaderFormat page = formats_.page_header();
  EventHeaderFormat header = formats_.event_header();
  PageHeaderFormat p = page;
  p.timestamp_size = 4;
  EXPECT_FALSE(PageLayout::from_formats(p, header).is_ok());
  p = page;
  p.commit_size = 2;
  EXPECT_FALSE(PageLayout::from_formats(p, header).is_ok());
  p = page;
  p.data_offset = 12;
  EXPECT_FALSE(PageLayout::from_formats(p, header).is_ok());
  EventHeaderFormat h = header;
  h.type_len_bits = 6;
  EXPECT_FALSE(PageLayout::from_formats(page, h).is_ok());
  h = header;
  h.padding_type = 28;  // collides with data
  EXPECT_FALSE(PageLayout::from_formats(page, h).is_ok());
  h = header;
  h.time_stamp_type = 30;
  EXPECT_FALSE(PageLayout::from_formats(page, h).is_ok());
}

TEST_F(PageWalkerTest, EmptyPage) {
  PageCursor c(layout_, PageBuilder(1000).build());
  PageRecord r;
  EXPECT_FALSE(c.next(r));
  EXPECT_FALSE(c.issue());
  EXPECT_EQ(c.header().timestamp, 1000u);
  EXPECT_EQ(c.header().commit, 0u);
}

TEST_F(PageWalkerTest, DataRecordsAccumulateDeltas) {
  auto page = PageBuilder(1000).data(5, payload(64)).data(0, payload(8)).data(7, payload(112))
                  .build();
  std::vector<PageRecord> recs = walk(page);
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[0].ts, 1005u);
  EXPECT_EQ(recs[0].size, 64u);
  EXPECT_EQ(recs[0].offset, 16u + 4);
  EXPECT_EQ(recs[0].payload, page.data() + 20);
  EXPECT_EQ(recs[1].ts, 1005u);
  EXPECT_EQ(recs[1].size, 8u);
  EXPECT_EQ(recs[2].ts, 1012u);
  EXPECT_EQ(recs[2].size, 112u);
}

TEST_F(PageWalkerTest, TypeLenZeroCarriesLengthInArray0) {
  auto page = PageBuilder(0).data(1, payload(200), true).data(1, payload(9)).data(1, payload(4))
                  .build();
  std::vector<PageRecord> recs = walk(page);
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[0].size, 200u);
  EXPECT_EQ(recs[0].offset, 16u + 8);
  EXPECT_EQ(recs[1].size, 9u);  // unaligned length: advance rounds up to 12
  EXPECT_EQ(recs[2].offset, 16u + 8 + 200 + 8 + 12 + 4);
  EXPECT_EQ(recs[2].ts, 3u);
}

TEST_F(PageWalkerTest, TimeExtendAddsFullDelta) {
  const uint64_t big = (uint64_t{5} << 27) | 12345;
  PageCursor c(layout_, std::span<const uint8_t>());
  auto page = PageBuilder(100).extend(big).data(3, payload(8)).build();
  std::vector<PageRecord> recs = walk(page, &c);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].ts, 100 + big + 3);
  EXPECT_EQ(c.time_extends(), 1u);
}

TEST_F(PageWalkerTest, AbsoluteTimeStampReplacesTime) {
  auto page = PageBuilder(100).data(1, payload(8)).abs_stamp(5'000'000'000).data(2, payload(8))
                  .build();
  PageCursor c(layout_, std::span<const uint8_t>());
  std::vector<PageRecord> recs = walk(page, &c);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].ts, 101u);
  EXPECT_EQ(recs[1].ts, 5'000'000'002u);
  EXPECT_EQ(c.time_stamps(), 1u);
}

TEST_F(PageWalkerTest, AbsoluteTimeStampTakesTopBitsFromPreviousTime) {
  // The record holds 59 bits; rb_fix_abs_ts restores the top 5 and carries
  // when the low part wrapped past the previous time.
  const uint64_t top = uint64_t{1} << 60;
  const uint64_t low_mask = (uint64_t{1} << 59) - 1;
  auto same = PageBuilder(top | 1000).abs_stamp(2000).data(0, payload(8)).build();
  ASSERT_EQ(walk(same).size(), 1u);
  EXPECT_EQ(walk(same)[0].ts, top | 2000);
  auto wrapped = PageBuilder(top | (low_mask - 10)).abs_stamp(5).data(0, payload(8)).build();
  ASSERT_EQ(walk(wrapped).size(), 1u);
  EXPECT_EQ(walk(wrapped)[0].ts, (top | 5) + (uint64_t{1} << 59));
}

TEST_F(PageWalkerTest, DiscardedEventIsSkippedWithoutItsDelta) {
  auto page = PageBuilder(0).data(1, payload(8)).discarded(50, 36).data(2, payload(8)).build();
  PageCursor c(layout_, std::span<const uint8_t>());
  std::vector<PageRecord> recs = walk(page, &c);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[1].ts, 3u);  // the kernel's reader ignores a discarded event's delta
  EXPECT_EQ(c.discarded(), 1u);
  EXPECT_FALSE(c.issue());
}

TEST_F(PageWalkerTest, NullPaddingEndsThePage) {
  PageBuilder b(0);
  b.data(1, payload(8)).null_padding().data(1, payload(8));
  auto page = b.build();
  PageCursor c(layout_, std::span<const uint8_t>());
  EXPECT_EQ(walk(page, &c).size(), 1u);
  EXPECT_FALSE(c.issue());
}

TEST_F(PageWalkerTest, MissedEventsWithAndWithoutCount) {
  auto stored = PageBuilder(0).data(1, payload(8)).missed(4242).build();
  PageCursor c(layout_, stored);
  EXPECT_TRUE(c.header().missed_events);
  EXPECT_TRUE(c.header().missed_stored);
  EXPECT_EQ(c.header().missed_count, 4242u);
  EXPECT_EQ(c.header().commit, 12u);  // flags removed
  EXPECT_EQ(walk(stored).size(), 1u);

  auto flagged = PageBuilder(0).data(1, payload(8)).missed(std::nullopt).build();
  PageCursor f(layout_, flagged);
  EXPECT_TRUE(f.header().missed_events);
  EXPECT_FALSE(f.header().missed_stored);
  EXPECT_EQ(f.header().commit, 12u);
  EXPECT_EQ(walk(flagged).size(), 1u);
}

TEST_F(PageWalkerTest, MalformedPagesStopWithAnIssue) {
  struct Case {
    const char* what;
    std::vector<uint8_t> page;
    PageIssue issue;
    size_t records_before;
  };
  const Case cases[] = {
      {"short slot", std::vector<uint8_t>(12, 0), PageIssue::kShortPage, 0},
      {"commit past page", PageBuilder(0).data(1, payload(8)).commit(4081).build(),
       PageIssue::kCommitBeyondPage, 0},
      {"count with no room", PageBuilder(0).commit(4076).missed(1).build(),
       PageIssue::kMissedCountBeyondPage, 0},
      {"record past commit", PageBuilder(0).data(1, payload(8)).data(1, payload(64)).commit(40)
                                 .build(),
       PageIssue::kEventBeyondCommit, 1},
      {"header word cut", PageBuilder(0).data(1, payload(8)).commit(14).build(),
       PageIssue::kEventBeyondCommit, 1},
      {"type 0 cut", PageBuilder(0).data(1, payload(200), true).commit(100).build(),
       PageIssue::kEventBeyondCommit, 0},
      {"array0 cut", PageBuilder(0).extend(1).commit(4).build(), PageIssue::kEventBeyondCommit,
       0},
      {"padding too short", PageBuilder(0).word(PageBuilder::header(29, 1)).word(2).build(),
       PageIssue::kBadPadding, 0},
      {"padding past commit",
       PageBuilder(0).word(PageBuilder::header(29, 1)).word(0xfffffff0).build(),
       PageIssue::kBadPadding, 0},
      {"type 0 without payload", PageBuilder(0).word(PageBuilder::header(0, 1)).word(4).build(),
       PageIssue::kZeroLength, 0},
      {"type 0 huge", PageBuilder(0).word(PageBuilder::header(0, 1)).word(0xffffffff).build(),
       PageIssue::kEventBeyondCommit, 0},
  };
  for (const Case& c : cases) {
    PageCursor cur(layout_, std::span<const uint8_t>());
    std::vector<PageRecord> recs = walk(c.page, &cur);
    EXPECT_EQ(recs.size(), c.records_before) << c.what;
    ASSERT_TRUE(cur.issue()) << c.what;
    EXPECT_EQ(*cur.issue(), c.issue) << c.what << ": " << page_issue_name(*cur.issue());
  }
}

TEST_F(PageWalkerTest, UnknownRecordTypeUnderAnotherLayout) {
  PageLayout l = layout_;
  l.data_max_type_len = 27;  // a kernel where 28 means nothing
  auto page = PageBuilder(0).data(1, payload(8)).data(1, payload(112)).build();
  PageCursor c(l, page);
  PageRecord r;
  EXPECT_TRUE(c.next(r));
  EXPECT_FALSE(c.next(r));
  ASSERT_TRUE(c.issue());
  EXPECT_EQ(*c.issue(), PageIssue::kUnknownRecordType);
}

TEST_F(PageWalkerTest, IssueNamesAreStable) {
  std::vector<std::string> names;
  for (size_t i = 0; i < kPageIssueCount; ++i) {
    names.emplace_back(page_issue_name(static_cast<PageIssue>(i)));
  }
  EXPECT_THAT(names, ::testing::ElementsAre("short_page", "commit_beyond_page",
                                            "missed_count_beyond_page", "event_beyond_commit",
                                            "bad_padding", "zero_length", "unknown_record_type"));
}

// Every real page walks cleanly, records lie inside the commit, time only
// moves forward, and the odd record types the capture provoked are there.
TEST_F(PageWalkerTest, RealPages) {
  size_t records = 0, long_records = 0, extends = 0;
  for (const char* file : {"basic/cpu0.pages", "basic/cpu1.pages"}) {
    std::vector<uint8_t> bytes = testing::read_bytes(testing::ftrace_testdata(file));
    ASSERT_EQ(bytes.size() % 4096, 0u);
    uint64_t last = 0;
    for (size_t at = 0; at < bytes.size(); at += 4096) {
      std::span<const uint8_t> page(bytes.data() + at, 4096);
      PageCursor c(layout_, page);
      EXPECT_FALSE(c.header().missed_events);
      for (PageRecord r; c.next(r);) {
        ++records;
        EXPECT_GE(r.ts, last) << file << " page " << at / 4096;
        last = r.ts;
        EXPECT_GE(r.offset, 16u);
        EXPECT_LE(r.offset + r.size, 16u + c.header().commit);
        EXPECT_GE(r.size, 8u);
        if (r.size > 112) ++long_records;
      }
      EXPECT_FALSE(c.issue()) << file << " page " << at / 4096;
      extends += c.time_extends();
    }
  }
  EXPECT_GT(records, 1000u);
  EXPECT_GE(long_records, 1u);  // the exec through a 150-byte path
  EXPECT_GE(extends, 1u);
}

// The overwritten capture: the first page read on each CPU says how many
// events were lost, and that is what the kernel's per-CPU stats call overrun.
TEST_F(PageWalkerTest, RealLostEventsMatchKernelOverrun) {
  for (int cpu : {0, 1}) {
    const std::string n = std::to_string(cpu);
    std::vector<uint8_t> bytes =
        testing::read_bytes(testing::ftrace_testdata("lost/cpu" + n + ".pages"));
    auto kstats = testing::read_cpu_stats(testing::ftrace_testdata("lost/stats/cpu" + n));
    ASSERT_GE(bytes.size(), 4096u);
    PageCursor first(layout_, std::span<const uint8_t>(bytes.data(), 4096));
    EXPECT_TRUE(first.header().missed_events);
    ASSERT_TRUE(first.header().missed_stored);
    EXPECT_EQ(std::to_string(first.header().missed_count), kstats["overrun"]);
    for (size_t at = 4096; at < bytes.size(); at += 4096) {
      PageCursor c(layout_, std::span<const uint8_t>(bytes.data() + at, 4096));
      EXPECT_FALSE(c.header().missed_events);
    }
  }
}

}  // namespace
}  // namespace ktel::sched
