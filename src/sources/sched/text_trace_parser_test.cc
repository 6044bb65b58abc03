// parse_text_trace_line on real Linux 6.18 text traces (testdata/ftrace_text/,
// see its README) and on the older and damaged forms the kernel and
// collection scripts produce.
#include "sources/sched/text_trace_parser.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace ktel::sched {
namespace {

using namespace std::string_literals;

std::vector<std::string> read_lines(const std::string& name) {
  std::ifstream in(std::string(KTEL_SOURCE_DIR) + "/testdata/ftrace_text/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

struct Parsed {
  TextLineKind kind;
  SchedEvent event;
  TextLineInfo info;
};

Parsed parse(std::string_view line) {
  Parsed p;
  p.kind = parse_text_trace_line(line, p.event, p.info);
  return p;
}

// Line `n` (1-based) of a capture, parsed; fails unless it is an event.
Parsed event_at(const std::vector<std::string>& lines, size_t n) {
  Parsed p = parse(lines.at(n - 1));
  EXPECT_EQ(p.kind, TextLineKind::kEvent)
      << "line " << n << ": " << lines.at(n - 1) << " (" << p.info.reason << ")";
  return p;
}

// A copy: callers pass temporaries.
template <typename T>
T payload(const Parsed& p) {
  EXPECT_TRUE(std::holds_alternative<T>(p.event.payload));
  const T* t = std::get_if<T>(&p.event.payload);
  return t != nullptr ? *t : T{};
}

struct Counts {
  size_t events = 0, comments = 0, malformed = 0, other = 0;
};

Counts count_all(const std::vector<std::string>& lines) {
  Counts c;
  for (const std::string& l : lines) {
    Parsed p = parse(l);
    c.events += p.kind == TextLineKind::kEvent;
    c.comments += p.kind == TextLineKind::kComment || p.kind == TextLineKind::kEntriesHeader ||
                  p.kind == TextLineKind::kBufferStarted;
    c.malformed += p.kind == TextLineKind::kMalformed;
    c.other +=
        p.kind == TextLineKind::kEvent && std::holds_alternative<OtherEvent>(p.event.payload);
  }
  return c;
}

TEST(TextTraceParser, EveryLineOfTheCleanCapturesParses) {
  struct Case {
    const char* file;
    size_t lines, events, comments;
  };
  for (const Case& c :
       {Case{"sched_local.txt", 356, 344, 12}, Case{"sched_tgid.txt", 282, 270, 12},
        Case{"sched_mono.txt", 276, 264, 12}, Case{"sched_noirq.txt", 279, 273, 6},
        Case{"sched_counter.txt", 270, 258, 12}, Case{"sched_tiny_overwrite.txt", 216, 203, 13}}) {
    std::vector<std::string> lines = read_lines(c.file);
    Counts n = count_all(lines);
    EXPECT_EQ(lines.size(), c.lines) << c.file;
    EXPECT_EQ(n.events, c.events) << c.file;
    EXPECT_EQ(n.comments, c.comments) << c.file;
    EXPECT_EQ(n.malformed, 0u) << c.file;
    EXPECT_EQ(n.other, 0u) << c.file;
  }
}

TEST(TextTraceParser, SwitchWithIrqInfo) {
  auto lines = read_lines("sched_local.txt");
  Parsed p = event_at(lines, 356);
  EXPECT_EQ(p.event.ts_ns, 10906'311989'000);
  EXPECT_EQ(p.event.cpu, 0);
  EXPECT_EQ(p.event.common_pid, 0);
  EXPECT_EQ(p.info.tgid, -1);
  EXPECT_EQ(p.info.ts_format, TimestampFormat::kMicros);
  const auto& s = payload<SwitchEvent>(p);
  EXPECT_EQ(s.prev_comm.view(), "swapper/0");
  EXPECT_EQ(s.prev_pid, 0);
  EXPECT_EQ(s.prev_prio, 120);
  EXPECT_EQ(s.prev_state.view(), "R");
  EXPECT_EQ(s.next_comm.view(), "capture.sh");
  EXPECT_EQ(s.next_pid, 29674);
  EXPECT_EQ(s.next_prio, 120);
}

TEST(TextTraceParser, HostileCommsFromTheCapture) {
  auto lines = read_lines("sched_local.txt");
  struct Case {
    size_t line;
    std::string_view comm;
    int32_t pid;
  };
  for (const Case& c :
       {Case{189, "x ==> next_comm", 29684}, Case{206, "h\xc3\xa9llo w\xc3\xb6rld", 29686},
        Case{231, "-5", 29688}, Case{250, "", 29690}, Case{143, "a-12 [001] x", 29680},
        Case{165, "k=v prev_pid=1", 29682}, Case{123, "Web Content", 29678}}) {
    Parsed p = event_at(lines, c.line);
    EXPECT_EQ(p.event.common_pid, c.pid) << c.line;
    const auto& s = payload<SwitchEvent>(p);
    EXPECT_EQ(s.prev_comm.view(), c.comm) << c.line;
    EXPECT_EQ(s.prev_pid, c.pid) << c.line;
    EXPECT_EQ(s.prev_state.view(), "S") << c.line;
    EXPECT_EQ(s.next_comm.view(), c.line == 143 || c.line == 165 ? "swapper/0" : "swapper/1");
    EXPECT_FALSE(p.info.truncated);
  }
  // Both comms hostile: "x ==> next_comm" switching to its child of that name.
  Parsed p = event_at(lines, 193);
  const auto& s = payload<SwitchEvent>(p);
  EXPECT_EQ(s.prev_comm.view(), "x ==> next_comm");
  EXPECT_EQ(s.next_comm.view(), "x ==> next_comm");
  EXPECT_EQ(s.prev_pid, 29684);
  EXPECT_EQ(s.next_pid, 29685);
}

TEST(TextTraceParser, OtherSchedEventsFromTheCapture) {
  auto lines = read_lines("sched_local.txt");
  const auto& fork = payload<ForkEvent>(event_at(lines, 13));
  EXPECT_EQ(fork.parent_comm.view(), "capture.sh");
  EXPECT_EQ(fork.parent_pid, 29674);
  EXPECT_EQ(fork.child_comm.view(), "capture.sh");
  EXPECT_EQ(fork.child_pid, 29677);
  const auto& wn = payload<WakeupEvent>(event_at(lines, 14));
  EXPECT_TRUE(wn.is_new);
  EXPECT_EQ(wn.pid, 29677);
  EXPECT_EQ(wn.target_cpu, 0);  // printed "000"
  const auto& mig = payload<MigrateEvent>(event_at(lines, 18));
  EXPECT_EQ(mig.comm.view(), "capture.sh");
  EXPECT_EQ(mig.orig_cpu, 0);
  EXPECT_EQ(mig.dest_cpu, 1);
  const auto& exec = payload<ExecEvent>(event_at(lines, 37));
  EXPECT_EQ(exec.filename, "/usr/bin/python3");
  EXPECT_EQ(exec.pid, 29677);
  EXPECT_EQ(exec.old_pid, 29677);
  const auto& exit = payload<ExitEvent>(event_at(lines, 129));
  EXPECT_EQ(exit.comm.view(), "Web Content");
  EXPECT_EQ(exit.pid, 29679);
  EXPECT_EQ(exit.group_dead, 1);
}

TEST(TextTraceParser, RecordTgidColumn) {
  auto lines = read_lines("sched_tgid.txt");
  Parsed fork = event_at(lines, 13);
  EXPECT_EQ(fork.event.common_pid, 29674);
  EXPECT_EQ(fork.info.tgid, 29674);
  EXPECT_EQ(fork.event.cpu, 1);
  Parsed idle = event_at(lines, 16);  // "(-------)": the idle task has no tgid
  EXPECT_EQ(idle.event.common_pid, 0);
  EXPECT_EQ(idle.info.tgid, -1);
  EXPECT_EQ(payload<WakeupEvent>(idle).comm.view(), "kworker/0:2");
  EXPECT_EQ(payload<ExecEvent>(event_at(lines, 21)).filename, "/usr/bin/python3");
}

TEST(TextTraceParser, NoIrqInfoColumn) {
  auto lines = read_lines("sched_noirq.txt");
  Parsed p = event_at(lines, 8);
  EXPECT_EQ(p.event.ts_ns, 10906'729705'000);
  EXPECT_EQ(p.event.cpu, 0);
  EXPECT_EQ(p.event.common_pid, 29674);
  EXPECT_EQ(payload<SwitchEvent>(p).prev_state.view(), "R+");
}

TEST(TextTraceParser, MonoAndCounterClocks) {
  Parsed mono = event_at(read_lines("sched_mono.txt"), 13);
  EXPECT_EQ(mono.event.ts_ns, 10906'528124'000);
  EXPECT_EQ(mono.info.ts_format, TimestampFormat::kMicros);
  auto counter = read_lines("sched_counter.txt");
  Parsed first = event_at(counter, 13);
  EXPECT_EQ(first.event.ts_ns, 2);  // "%12llu": a raw count, not time
  EXPECT_EQ(first.info.ts_format, TimestampFormat::kCounter);
  EXPECT_EQ(event_at(counter, counter.size()).event.ts_ns, 261);
}

TEST(TextTraceParser, HeaderBufferStartedAndLostMarkers) {
  auto tiny = read_lines("sched_tiny_overwrite.txt");
  Parsed h = parse(tiny.at(2));
  ASSERT_EQ(h.kind, TextLineKind::kEntriesHeader);
  EXPECT_EQ(h.info.entries_in_buffer, 203u);
  EXPECT_EQ(h.info.entries_written, 275u);
  EXPECT_EQ(h.info.header_cpus, 2);
  Parsed started = parse(tiny.at(49));
  ASSERT_EQ(started.kind, TextLineKind::kBufferStarted);
  EXPECT_EQ(started.info.cpu, 0);

  auto pipe = read_lines("sched_lost_pipe.txt");
  Parsed lost = parse(pipe.at(141));
  ASSERT_EQ(lost.kind, TextLineKind::kLostEvents);
  EXPECT_EQ(lost.info.cpu, 1);
  EXPECT_EQ(lost.info.lost, 316);
  // The static `trace` file's form when it cannot count.
  Parsed unknown = parse("CPU:3 [LOST EVENTS]");
  ASSERT_EQ(unknown.kind, TextLineKind::kLostEvents);
  EXPECT_EQ(unknown.info.cpu, 3);
  EXPECT_EQ(unknown.info.lost, -1);
  EXPECT_EQ(parse("CPU:3 [LOST x EVENTS]").kind, TextLineKind::kMalformed);
  EXPECT_EQ(parse("").kind, TextLineKind::kBlank);
  EXPECT_EQ(parse("   \t\r").kind, TextLineKind::kBlank);
  EXPECT_EQ(parse("#           TASK-PID     CPU#").kind, TextLineKind::kComment);
}

TEST(TextTraceParser, OlderKernelForms) {
  // 4-letter irq flags and a 5-wide pid (before 5.17 / 5.x), success= (< 3.15).
  Parsed w = parse(
      "          <idle>-0     [001] d.h3  1234.567890: sched_wakeup: comm=sshd pid=812 "
      "prio=120 success=1 target_cpu=001");
  ASSERT_EQ(w.kind, TextLineKind::kEvent) << w.info.reason;
  EXPECT_EQ(payload<WakeupEvent>(w).pid, 812);
  EXPECT_EQ(payload<WakeupEvent>(w).target_cpu, 1);
  // sched_process_exit before group_dead= (< 6.10): group_dead unknown.
  Parsed e = parse(
      "            bash-4242  [000] ....   10.000001: sched_process_exit: comm=bash "
      "pid=4242 prio=120");
  ASSERT_EQ(e.kind, TextLineKind::kEvent) << e.info.reason;
  EXPECT_EQ(payload<ExitEvent>(e).group_dead, -1);
  EXPECT_EQ(e.event.ts_ns, 10'000'001'000);
  // Nine decimals (trace-cmd style) and the comm not cached ("<...>").
  Parsed n = parse(
      "           <...>-77      [000] ..... 5.123456789: sched_process_exit: comm=x "
      "pid=77 prio=120 group_dead=false");
  ASSERT_EQ(n.kind, TextLineKind::kEvent) << n.info.reason;
  EXPECT_EQ(n.event.ts_ns, 5'123'456'789);
  EXPECT_EQ(n.info.ts_format, TimestampFormat::kNanos);
  EXPECT_EQ(payload<ExitEvent>(n).group_dead, 0);
}

TEST(TextTraceParser, UnpaddedLinesAndLongCommsUseTheRightmostColumn) {
  // A script stripped the padding; the comm itself holds a fake column.
  Parsed p = parse(
      "a-12 [001] x-29680 [000] d..2. 10906.218713: sched_switch: prev_comm=a-12 [001] x "
      "prev_pid=29680 prev_prio=120 prev_state=S ==> next_comm=swapper/0 next_pid=0 "
      "next_prio=120");
  ASSERT_EQ(p.kind, TextLineKind::kEvent) << p.info.reason;
  EXPECT_EQ(p.event.common_pid, 29680);
  EXPECT_EQ(p.event.cpu, 0);
  // A comm longer than TASK_COMM_LEN (not from a kernel, but seen in edited
  // files) is cut to 16 bytes and flagged.
  Parsed l = parse(
      "a-very-long-task-name-1 [002] ..... 1.000000: sched_wakeup: "
      "comm=a-very-long-task-name pid=1 prio=120 target_cpu=002");
  ASSERT_EQ(l.kind, TextLineKind::kEvent) << l.info.reason;
  EXPECT_EQ(l.event.cpu, 2);
  EXPECT_EQ(payload<WakeupEvent>(l).comm.view(), "a-very-long-task");
  EXPECT_TRUE(l.info.truncated);
  // Windows line ends from a copied file.
  EXPECT_EQ(parse("  x-1 [000] ..... 1.0: sched_process_exit: comm=x pid=1 prio=1\r").kind,
            TextLineKind::kEvent);
}

TEST(TextTraceParser, UnknownEventsKeepTheirFieldsAsJson) {
  Parsed p = parse(
      "          python-9 [000] ..... 2.500000: sched_stat_runtime: comm=Web Content "
      "pid=9 runtime=4000 [ns] vruntime=00123 [ns]");
  ASSERT_EQ(p.kind, TextLineKind::kEvent) << p.info.reason;
  const auto& o = payload<OtherEvent>(p);
  EXPECT_EQ(o.name, "sched_stat_runtime");
  EXPECT_EQ(o.system, "");
  auto j = nlohmann::json::parse(o.fields_json);
  EXPECT_EQ(j["comm"], "Web Content");
  EXPECT_EQ(j["pid"], 9);
  EXPECT_EQ(j["runtime"], "4000 [ns]");
  EXPECT_EQ(j["vruntime"], "00123 [ns]");

  Parsed m = parse("  sh-1 [000] ..... 1.0: tracing_mark_write: hello \"world\"\\ \x01");
  ASSERT_EQ(m.kind, TextLineKind::kEvent) << m.info.reason;
  EXPECT_EQ(nlohmann::json::parse(payload<OtherEvent>(m).fields_json)["text"],
            "hello \"world\"\\ \x01");
  // Invalid UTF-8 and quotes in a comm: still one valid JSON object.
  Parsed u = parse("  sh-1 [000] ..... 1.0: foo_bar: comm=a\"\xff\xc3 pid=1 pid=2");
  ASSERT_EQ(u.kind, TextLineKind::kEvent) << u.info.reason;
  auto uj = nlohmann::json::parse(payload<OtherEvent>(u).fields_json);
  EXPECT_EQ(uj["comm"], "a\"\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(uj["pid"], 1);
  EXPECT_EQ(uj["pid#2"], 2);
  EXPECT_EQ(parse("  sh-1 [000] ..... 1.0: empty_event:").kind, TextLineKind::kEvent);
}

TEST(TextTraceParser, MalformedLinesSayWhy) {
  struct Case {
    std::string line;
    std::string_view reason_has;
  };
  const std::string good =
      "      capture.sh-29674   [000] d..2. 10906.162461: sched_wakeup_new: comm=capture.sh "
      "pid=29677 prio=120 target_cpu=000";
  ASSERT_EQ(parse(good).kind, TextLineKind::kEvent);
  for (const Case& c : std::vector<Case>{
           {"garbage", "column"},
           {"\x7f"
            "ELF\x02\x01\x01\x00\xff\xfe[1] 2.0: x: \x00"s,
            "column"},
           {"      capture.sh-29674   [0a0] d..2. 10906.162461: x: a=1", "column"},
           {"      capture.sh-99999999999 [000] d..2. 1.0: x: a=1", "column"},
           {"      capture.sh-29674   [000] d..2. 10906.16x461: sched_wakeup: comm=a", "timestamp"},
           {"      capture.sh-29674   [000] d..2. 99999999999.1: sched_wakeup: a=1", "timestamp"},
           {"      capture.sh-29674   [000] d..2. 1.0123456789: sched_wakeup: a=1", "timestamp"},
           {"      capture.sh-29674   [000] d..2. 10906.162461 sched_wakeup: a=1", "timestamp"},
           {"      capture.sh-29674   [000] d..2. 10906.162461: do_sys_open <-x", "event"},
           {good.substr(0, good.size() - 15), "sched_wakeup_new"},  // truncated
           {"      capture.sh-29674   [000] d..2. 10906.162461: sched_wakeup: comm=a pid=x "
            "prio=120 target_cpu=000",
            "sched_wakeup"},  // bad number
           {"      capture.sh-29674   [000] d..2. 10906.162461: sched_wakeup: comm=a pid=1 "
            "prio=99999999999 target_cpu=000",
            "sched_wakeup"},  // overflow
           {"      capture.sh-29674   [000] d..2. 10906.162461: sched_switch: prev_comm=a "
            "prev_pid=1 prev_prio=120 ==> next_comm=b next_pid=2 next_prio=120",
            "sched_switch"},  // missing prev_state
           {"      capture.sh-29674   [000] d..2. 10906.162461: sched_process_exec: pid=1 "
            "old_pid=1",
            "sched_process_exec"},
           {"      capture.sh-29674   [000] d..2. 10906.162461: sched_process_exit: comm=a pid=1 "
            "prio=1 group_dead=maybe",
            "sched_process_exit"},
           {"      capture.sh-29674   [000] d..2. 10906.162461: sched_wakeup: comm=" +
                std::string(100, 'a') + " pid=1 prio=1 target_cpu=000",
            "sched_wakeup"},  // a comm no kernel prints: a damaged line
       }) {
    Parsed p = parse(c.line);
    EXPECT_EQ(p.kind, TextLineKind::kMalformed) << c.line;
    EXPECT_NE(p.info.reason.find(c.reason_has), std::string_view::npos)
        << c.line << " -> " << p.info.reason;
  }
}

// Every prefix of a real line is malformed, or (cut inside the last number)
// the same event with that number cut.
TEST(TextTraceParser, EveryTruncationIsMalformedOrACutNumber) {
  const std::string line = read_lines("sched_local.txt").at(192);
  for (size_t n = 0; n < line.size(); ++n) {
    Parsed p = parse(std::string_view(line).substr(0, n));
    if (p.kind == TextLineKind::kEvent) {
      ASSERT_GE(n, line.size() - 2) << n;  // "next_prio=12", "next_prio=1"
      EXPECT_EQ(payload<SwitchEvent>(p).next_prio, n == line.size() - 1 ? 12 : 1);
    } else {
      EXPECT_TRUE(p.kind == TextLineKind::kMalformed || p.kind == TextLineKind::kBlank) << n;
    }
  }
}

TEST(TextTraceParser, HostileBodiesCostLinearTime) {
  // Many fake " prev_pid=" candidates: the matcher must not go quadratic.
  std::string fake;
  for (int i = 0; i < 20000; ++i) fake += " prev_pid=1 prev_prio=1 prev_state=S ==> next_comm=x";
  Parsed p = parse("  a-1 [000] ..... 1.0: sched_switch: prev_comm=a" + fake);
  EXPECT_EQ(p.kind, TextLineKind::kMalformed);
}

}  // namespace
}  // namespace ktel::sched
