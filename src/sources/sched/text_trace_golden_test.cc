// Golden test of the text trace import: a committed Linux 6.18 capture
// (testdata/ftrace_text/sched_local.txt) imported with two threads and small
// chunks, dumped event by event with format_sched_event plus the accounting,
// must equal tests/golden/ftrace_text_import/expected.txt byte for byte.
// Regenerate (after a deliberate change, reviewing the diff):
//   KTEL_UPDATE_GOLDEN=1 build/<dir>/src/sources/sched/sources_sched_text_golden_test
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "sources/sched/sched_event_format.h"
#include "sources/sched/text_trace_import.h"

namespace ktel::sched {
namespace {

const std::string kInput = "testdata/ftrace_text/sched_local.txt";
const std::string kExpected = "tests/golden/ftrace_text_import/expected.txt";

std::string source_path(const std::string& rel) { return std::string(KTEL_SOURCE_DIR) + "/" + rel; }

std::string dump_stats(const TextTraceStats& s) {
  std::string out = fmt::format("lines {}\nevents {}\n", s.lines, s.events);
  for (size_t t = 0; t < kEventKindCount; ++t) {
    out += fmt::format("events.{} {}\n", event_kind_name(static_cast<EventKind>(t)),
                       s.events_by_type[t]);
  }
  out += fmt::format("blank {}\ncomments {}\nheaders {}\noverwritten {}\nheader_cpus {}\n",
                     s.blank_lines, s.comment_lines, s.headers, s.overwritten, s.header_cpus);
  out += fmt::format("malformed {}\n", s.malformed_count);
  for (const auto& m : s.malformed) out += fmt::format("malformed.line {} {}\n", m.line, m.reason);
  for (const auto& [cpu, l] : s.lost) {
    out += fmt::format("lost.cpu{} events={} markers={} first_line={}\n", cpu, l.events, l.markers,
                       l.first_line);
  }
  for (const auto& [cpu, n] : s.buffer_started)
    out += fmt::format("buffer_started.cpu{} {}\n", cpu, n);
  out += fmt::format("truncated_text {}\ntgid_events {}\n", s.truncated_text, s.tgid_events);
  out += fmt::format("first_ts_ns {}\nlast_ts_ns {}\n", s.first_ts_ns.value_or(-1),
                     s.last_ts_ns.value_or(-1));
  return out;
}

TEST(TextTraceGolden, CaptureDumpMatchesExpected) {
  std::string events;
  auto stats = import_text_trace_file(source_path(kInput), {.threads = 2, .chunk_bytes = 4096},
                                      [&](const SchedEvent& e, uint64_t line) {
                                        events +=
                                            fmt::format("{}: {}\n", line, format_sched_event(e));
                                        return Status::ok();
                                      });
  ASSERT_TRUE(stats.is_ok()) << stats.status().to_string();
  std::string actual = "# " + kInput + " through import_text_trace (2 threads, 4 KiB chunks)\n" +
                       dump_stats(*stats) + events;
  if (const char* update = std::getenv("KTEL_UPDATE_GOLDEN");
      update && std::string(update) == "1") {
    std::ofstream(source_path(kExpected), std::ios::binary) << actual;
    GTEST_SKIP() << "rewrote " << kExpected << "; review the diff before committing";
  }
  std::ifstream in(source_path(kExpected), std::ios::binary);
  ASSERT_TRUE(in.good()) << kExpected << " missing; create it with KTEL_UPDATE_GOLDEN=1";
  std::stringstream ss;
  ss << in.rdbuf();
  std::string expected = ss.str();
  if (actual == expected) return;
  std::istringstream a(actual), e(expected);
  std::string la, le;
  for (int n = 1;; ++n) {
    bool more_a = static_cast<bool>(std::getline(a, la));
    bool more_e = static_cast<bool>(std::getline(e, le));
    if (!more_a && !more_e) break;
    if (la != le || more_a != more_e) {
      FAIL() << kExpected << " differs at line " << n << ":\n  expected: " << le
             << "\n  actual:   " << la;
    }
  }
  FAIL() << kExpected << " differs (line endings?)";
}

}  // namespace
}  // namespace ktel::sched
