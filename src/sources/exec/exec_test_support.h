// Shared by the exec source's real-kernel tests: an in-memory episode
// (clock, events, sink, directory), held targets and row lookups.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/testing/temp_dir.h"
#include "model/testing/memory_sink.h"
#include "sources/source.h"
#include "sys/spawn.h"

namespace ktel::exec {

using ktel::testing::is_null;
using ktel::testing::MemorySink;
using Row = std::map<std::string, Value>;

inline int64_t as_int(const Value& v) { return std::get<int64_t>(v); }
inline std::string as_text(const Value& v) { return std::get<std::string>(v); }

struct Harness {
  EpisodeClock clock = EpisodeClock::start_now();
  EventLog events{clock};
  MemorySink sink;
  testing::TempDir dir;
  SourceContext ctx(pid_t target, std::string scope = "tree") {
    SourceContext c;
    c.clock = &clock;
    c.events = &events;
    c.sink = &sink;
    c.target_pid = target;
    c.episode_dir = dir.path();
    c.options.exec_scope = std::move(scope);
    return c;
  }
  std::vector<Event> of_kind(const std::string& kind) const { return events.of_kind(kind); }
  // The processes row of `pid`, or nullptr.
  std::optional<Row> process(pid_t pid) const {
    for (auto& r : sink.rows("processes")) {
      if (as_int(r.at("pid")) == pid) return r;
    }
    return std::nullopt;
  }
  std::vector<Row> execs_of(pid_t pid) const {
    std::vector<Row> out;
    for (auto& r : sink.rows("exec_events")) {
      if (as_int(r.at("pid")) == pid) out.push_back(r);
    }
    return out;
  }
};

inline HeldChild held(std::vector<std::string> argv) {
  HeldChild::Options o;
  o.path = argv[0];
  o.argv = argv;
  auto c = HeldChild::spawn(o);
  EXPECT_TRUE(c.is_ok()) << c.status().to_string();
  return std::move(*c);
}

// Releases the target and waits (bounded) until it exited; reaps it.
inline ExitInfo run_to_exit(HeldChild& child) {
  EXPECT_TRUE(child.release().is_ok());
  auto readable = wait_readable(child.pidfd(), 20'000'000'000);
  EXPECT_TRUE(readable.is_ok() && *readable) << "target still running after 20 s";
  auto info = child.reap();
  EXPECT_TRUE(info.is_ok());
  return info.is_ok() ? *info : ExitInfo{};
}

inline pid_t run_outsider() {
  pid_t p = ::fork();
  if (p == 0) {
    ::execl("/bin/true", "true", "outsider", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int st = 0;
  ::waitpid(p, &st, 0);
  return p;
}

}  // namespace ktel::exec
