// The chunked, multi-threaded text trace import: same events and accounting
// whatever the chunk size and thread count, malformed lines with their line
// numbers, LOST markers, oversized lines, errors naming file and line.
#include "sources/sched/text_trace_import.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include "sources/sched/sched_event_format.h"

namespace ktel::sched {
namespace {

std::string testdata_path(const std::string& name) {
  return std::string(KTEL_SOURCE_DIR) + "/testdata/ftrace_text/" + name;
}

std::string read_all(const std::string& name) {
  std::ifstream in(testdata_path(name), std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Imported {
  std::vector<std::string> events;  // "<line>: <format_sched_event>"
  TextTraceStats stats;
};

Imported run(const std::string& text, TextTraceOptions opt) {
  Imported r;
  std::istringstream in(text);
  auto res = import_text_trace(in, "mem.txt", opt, [&](const SchedEvent& e, uint64_t line) {
    r.events.push_back(std::to_string(line) + ": " + format_sched_event(e));
    return Status::ok();
  });
  EXPECT_TRUE(res.is_ok()) << res.status().to_string();
  if (res.is_ok()) r.stats = std::move(*res);
  return r;
}

// Everything but the wall time must agree between two runs.
void expect_same(const Imported& a, const Imported& b, const std::string& what) {
  ASSERT_EQ(a.events, b.events) << what;
  const TextTraceStats &x = a.stats, &y = b.stats;
  EXPECT_EQ(x.bytes, y.bytes) << what;
  EXPECT_EQ(x.lines, y.lines) << what;
  EXPECT_EQ(x.events, y.events) << what;
  EXPECT_EQ(x.events_by_type, y.events_by_type) << what;
  EXPECT_EQ(x.blank_lines, y.blank_lines) << what;
  EXPECT_EQ(x.comment_lines, y.comment_lines) << what;
  EXPECT_EQ(x.malformed_count, y.malformed_count) << what;
  ASSERT_EQ(x.malformed.size(), y.malformed.size()) << what;
  for (size_t i = 0; i < x.malformed.size(); ++i) {
    EXPECT_EQ(x.malformed[i].line, y.malformed[i].line) << what;
    EXPECT_EQ(x.malformed[i].reason, y.malformed[i].reason) << what;
    EXPECT_EQ(x.malformed[i].excerpt, y.malformed[i].excerpt) << what;
  }
  ASSERT_EQ(x.lost.size(), y.lost.size()) << what;
  for (const auto& [cpu, l] : x.lost) {
    const TextLostOnCpu& m = y.lost.at(cpu);
    EXPECT_EQ(l.events, m.events) << what;
    EXPECT_EQ(l.markers, m.markers) << what;
    EXPECT_EQ(l.first_line, m.first_line) << what;
    EXPECT_EQ(l.first_after_ts_ns, m.first_after_ts_ns) << what;
  }
  EXPECT_EQ(x.buffer_started, y.buffer_started) << what;
  EXPECT_EQ(x.overwritten, y.overwritten) << what;
  EXPECT_EQ(x.truncated_text, y.truncated_text) << what;
  EXPECT_EQ(x.tgid_events, y.tgid_events) << what;
  EXPECT_EQ(x.first_ts_ns, y.first_ts_ns) << what;
  EXPECT_EQ(x.last_ts_ns, y.last_ts_ns) << what;
  EXPECT_EQ(x.min_ts_ns, y.min_ts_ns) << what;
  EXPECT_EQ(x.max_ts_ns, y.max_ts_ns) << what;
}

const char* const kCaptures[] = {
    "sched_local.txt",   "sched_tgid.txt",           "sched_mono.txt",     "sched_noirq.txt",
    "sched_counter.txt", "sched_tiny_overwrite.txt", "sched_lost_pipe.txt"};

TEST(TextTraceImport, ParallelEqualsSequentialForAnyChunkSize) {
  for (const char* file : kCaptures) {
    std::string text = read_all(file);
    Imported reference = run(text, {.threads = 1, .chunk_bytes = size_t{1} << 20});
    ASSERT_FALSE(reference.events.empty()) << file;
    // 1 and 7 bytes: chunks far smaller than a line.
    for (size_t chunk : {size_t{1}, size_t{7}, size_t{100}, size_t{4096}, size_t{1} << 16}) {
      for (int threads : {1, 2, 3}) {
        expect_same(reference, run(text, {.threads = threads, .chunk_bytes = chunk}),
                    std::string(file) + " chunk " + std::to_string(chunk) + " threads " +
                        std::to_string(threads));
      }
    }
  }
}

TEST(TextTraceImport, CountsOfTheCaptures) {
  Imported local = run(read_all("sched_local.txt"), {});
  EXPECT_EQ(local.stats.lines, 356u);
  EXPECT_EQ(local.stats.events, 344u);
  EXPECT_EQ(local.stats.comment_lines, 12u);
  EXPECT_EQ(local.stats.malformed_count, 0u);
  EXPECT_EQ(local.stats.headers, 1u);
  EXPECT_EQ(local.stats.overwritten, 0u);
  EXPECT_EQ(local.stats.header_cpus, 2);
  EXPECT_EQ(local.stats.events_by_type[static_cast<size_t>(EventKind::kSwitch)], 154u);
  EXPECT_EQ(local.stats.events_by_type[static_cast<size_t>(EventKind::kExec)], 7u);
  EXPECT_EQ(local.stats.first_ts_ns, 10906'162455'000);
  EXPECT_EQ(local.stats.last_ts_ns, 10906'311989'000);
  EXPECT_EQ(local.events.front().substr(0, 3), "13:");

  Imported tgid = run(read_all("sched_tgid.txt"), {});
  EXPECT_EQ(tgid.stats.tgid_events, 200u);  // the rest are "(-------)": idle, kernel threads

  Imported tiny = run(read_all("sched_tiny_overwrite.txt"), {});
  EXPECT_EQ(tiny.stats.overwritten, 275u - 203u);
  EXPECT_EQ(tiny.stats.buffer_started, (std::map<int32_t, uint64_t>{{0, 1}}));

  Imported counter = run(read_all("sched_counter.txt"), {});
  EXPECT_EQ(counter.stats.timestamp_formats[static_cast<size_t>(TimestampFormat::kCounter)], 258u);
}

TEST(TextTraceImport, LostMarkersPerCpuAndDamagedLinesOfTheTracePipeCapture) {
  Imported pipe = run(read_all("sched_lost_pipe.txt"), {.max_kept_malformed = 5});
  const TextTraceStats& s = pipe.stats;
  ASSERT_EQ(s.lost.size(), 2u);
  EXPECT_EQ(s.lost.at(1).events, 316u);
  EXPECT_EQ(s.lost.at(1).first_line, 142u);
  EXPECT_EQ(s.lost.at(1).first_after_ts_ns, 10907'597619'000);  // the event on line 141
  EXPECT_EQ(s.lost.at(0).events, 520u);
  EXPECT_EQ(s.lost.at(0).first_line, 199u);
  EXPECT_EQ(s.lost_events(), 836u);
  EXPECT_EQ(s.lost_markers_without_count(), 0u);
  // Lines cut by the capture's separate 2 KiB reads of trace_pipe (README).
  EXPECT_EQ(s.malformed_count, 7u);
  ASSERT_EQ(s.malformed.size(), 5u);  // kept: the first five
  std::vector<uint64_t> lines;
  for (const auto& m : s.malformed) lines.push_back(m.line);
  EXPECT_EQ(lines, (std::vector<uint64_t>{14, 112, 125, 153, 167}));
  EXPECT_NE(s.malformed[0].reason.find("sched_wakeup_new"), std::string::npos);
  EXPECT_EQ(s.malformed[0].excerpt.substr(0, 28), "      capture.sh-29827   [00");
}

TEST(TextTraceImport, MalformedLinesAreCountedWithTheirLineNumbers) {
  const std::string good =
      "      capture.sh-29674   [000] d..2. 10906.162461: sched_wakeup_new: comm=capture.sh "
      "pid=29677 prio=120 target_cpu=000\n";
  std::string text = "# tracer: nop\n";                                   // 1
  text += good;                                                           // 2
  text += good.substr(0, 60) + "\n";                                      // 3 truncated
  text += "      capture.sh-29674   [000] d..2. 10906.1x2461: a: b=1\n";  // 4 bad number
  text += good;                                                           // 5
  text += "      capture.sh-29674   [000] d..2. 10906.162461: sched_wakeup: comm=a\n";  // 6
  text += std::string(3000, 'x') + "\n";                                                // 7 huge
  text += std::string("\x00\xff\xfe\x01garbage\x7f", 12) + "\n";                        // 8 binary
  text += "\n";                                                                         // 9 blank
  text += "CPU:1 [LOST 12 EVENTS]\nCPU:1 [LOST EVENTS]\n";                              // 10, 11
  text += good.substr(0, good.size() - 1);  // 12, no '\n'
  for (size_t chunk : {size_t{1}, size_t{50}, size_t{1} << 20}) {
    for (int threads : {1, 2}) {
      Imported r = run(text, {.threads = threads, .chunk_bytes = chunk, .max_line_bytes = 1000});
      const TextTraceStats& s = r.stats;
      EXPECT_EQ(s.lines, 12u);
      EXPECT_EQ(s.events, 3u);
      EXPECT_EQ(s.blank_lines, 1u);
      EXPECT_EQ(s.comment_lines, 1u);
      EXPECT_EQ(s.malformed_count, 5u);
      std::vector<uint64_t> lines;
      for (const auto& m : s.malformed) lines.push_back(m.line);
      EXPECT_EQ(lines, (std::vector<uint64_t>{3, 4, 6, 7, 8})) << "chunk " << chunk;
      ASSERT_EQ(s.malformed.size(), 5u);
      EXPECT_NE(s.malformed[3].reason.find("longer than"), std::string::npos);
      EXPECT_EQ(s.malformed[3].excerpt, std::string(60, 'x') + "...");
      EXPECT_EQ(s.malformed[4].excerpt.substr(0, 12), "\\x00\\xff\\xfe");
      EXPECT_EQ(s.lost.at(1).events, 12u);
      EXPECT_EQ(s.lost.at(1).markers, 2u);
      EXPECT_EQ(s.lost.at(1).markers_without_count, 1u);
      EXPECT_EQ(s.lost.at(1).first_line, 10u);
      ASSERT_EQ(r.events.size(), 3u);
      EXPECT_EQ(r.events[2].substr(0, 4), "12: ");
    }
  }
}

TEST(TextTraceImport, EmptyInputIsNoLinesAndNoEvents) {
  for (int threads : {1, 2}) {
    Imported r = run("", {.threads = threads});
    EXPECT_EQ(r.stats.lines, 0u);
    EXPECT_EQ(r.stats.bytes, 0u);
    EXPECT_TRUE(r.events.empty());
    EXPECT_FALSE(r.stats.first_ts_ns);
  }
}

TEST(TextTraceImport, ALineLongerThanEverythingIsSkippedWithoutBuffering) {
  std::string line = "  a-1 [000] ..... 1.0: sched_process_exit: comm=a pid=1 prio=1\n";
  std::string text = line + std::string(5 << 20, 'y') + "\n" + line;
  for (size_t chunk : {size_t{4096}, size_t{8} << 20}) {
    Imported r = run(text, {.threads = 2, .chunk_bytes = chunk, .max_line_bytes = 1 << 20});
    EXPECT_EQ(r.stats.lines, 3u);
    EXPECT_EQ(r.stats.events, 2u);
    ASSERT_EQ(r.stats.malformed.size(), 1u);
    EXPECT_EQ(r.stats.malformed[0].line, 2u);
    EXPECT_EQ(r.events[1].substr(0, 3), "3: ");
  }
}

// Found by fuzz/ftrace_text_fuzz.cc (corpus regress_long_lines_after_skip):
// after skipping a long line, the bytes read past it may hold whole lines.
TEST(TextTraceImport, LongLinesSeparatedByShortOnes) {
  const std::string event = "  a-1 [000] ..... 1.0: sched_process_exit: comm=a pid=1 prio=1\n";
  const std::string text =
      std::string(300, 'a') + "\nshort\n" + std::string(300, 'c') + "\n" + event + "#\n";
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{64}, size_t{150}, size_t{1} << 20}) {
    Imported r = run(text, {.threads = 2, .chunk_bytes = chunk, .max_line_bytes = 100});
    EXPECT_EQ(r.stats.lines, 5u) << chunk;
    EXPECT_EQ(r.stats.malformed_count, 3u) << chunk;
    std::vector<uint64_t> lines;
    for (const auto& m : r.stats.malformed) lines.push_back(m.line);
    EXPECT_EQ(lines, (std::vector<uint64_t>{1, 2, 3})) << chunk;
    ASSERT_EQ(r.events.size(), 1u) << chunk;
    EXPECT_EQ(r.events[0].substr(0, 3), "4: ");
  }
}

TEST(TextTraceImport, ConsumerErrorsNameFileAndLine) {
  std::istringstream in(read_all("sched_local.txt"));
  int seen = 0;
  auto res = import_text_trace(
      in, "trace.txt", {.threads = 2, .chunk_bytes = 512}, [&](const SchedEvent&, uint64_t) {
        return ++seen == 3 ? Status(Code::kResourceExhausted, "disk full") : Status::ok();
      });
  ASSERT_FALSE(res.is_ok());
  EXPECT_EQ(res.status().code(), Code::kResourceExhausted);
  EXPECT_EQ(res.status().message(), "trace.txt:15: disk full");
  EXPECT_EQ(seen, 3);
}

// A stream whose reads fail part way, like an I/O error on a disk.
class FailingBuf : public std::streambuf {
 protected:
  int_type underflow() override { throw std::ios_base::failure("EIO"); }
};

TEST(TextTraceImport, ReadErrorsAndMissingFilesNameTheFile) {
  FailingBuf buf;
  std::istream in(&buf);
  auto res = import_text_trace(in, "broken.txt", {},
                               [](const SchedEvent&, uint64_t) { return Status::ok(); });
  ASSERT_FALSE(res.is_ok());
  EXPECT_NE(res.status().message().find("broken.txt"), std::string::npos);

  auto missing = import_text_trace_file("/nonexistent/trace.txt", {},
                                        [](const SchedEvent&, uint64_t) { return Status::ok(); });
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_NE(missing.status().message().find("/nonexistent/trace.txt"), std::string::npos);
}

TEST(TextTraceImport, BoundsFromHeadAndTail) {
  for (const char* file : kCaptures) {
    Imported r = run(read_all(file), {});
    auto b = scan_text_trace_bounds(testdata_path(file));
    ASSERT_TRUE(b.is_ok()) << b.status().to_string();
    EXPECT_EQ(b->first_ts_ns, r.stats.first_ts_ns) << file;
    EXPECT_EQ(b->last_ts_ns, r.stats.last_ts_ns) << file;
  }
  auto counter = scan_text_trace_bounds(testdata_path("sched_counter.txt"));
  ASSERT_TRUE(counter.is_ok());
  EXPECT_EQ(counter->format, TimestampFormat::kCounter);
  auto none = scan_text_trace_bounds(std::string(KTEL_SOURCE_DIR) + "/testdata/perf/README.md");
  ASSERT_TRUE(none.is_ok());
  EXPECT_FALSE(none->first_ts_ns);
  EXPECT_FALSE(none->last_ts_ns);
}

}  // namespace
}  // namespace ktel::sched
