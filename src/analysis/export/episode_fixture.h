// Test fixture: builds a small real episode directory (meta.json via
// write_meta, episode.db via SqliteSink) with hostile text in it.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "base/testing/temp_dir.h"
#include "model/event_log.h"
#include "model/meta.h"
#include "model/tables.h"
#include "sinks/sqlite/sqlite_sink.h"

namespace ktel::testing {

// Process names a hostile workload could choose.
inline std::vector<std::string> hostile_strings() {
  return {"<script>alert(1)</script>", "'; DROP TABLE proc_samples; --", "a,b\"c",
          std::string("bad\xff\xfeutf8\0nul", 13), "line\r\nbreak", "", "\x1b[31mred"};
}

inline EpisodeMeta sample_meta(const std::string& id) {
  EpisodeMeta m;
  m.id = id;
  m.status = "complete";
  m.target.kind = "command";
  m.target.argv = {"make", "test"};
  m.start_wall_ns = 1'700'000'000'000'000'000;
  m.end_wall_ns = m.start_wall_ns + 1'500'000'000;
  m.duration_ns = 1'500'000'000;
  m.exit.code = 0;
  m.host.hostname = "box";
  m.host.cpus = 2;
  m.sources["proc"] = SourceMeta{"ok", 10, 2, "", nlohmann::json::object()};
  m.sources["perf"] = SourceMeta{"unavailable", 0, 0, "no PMU", nlohmann::json::object()};
  m.sink_dropped_rows = 1;
  m.labels["phase"] = "attack";
  return m;
}

// Episode with events, proc_samples (host_proc, one row per hostile comm),
// cpu_samples (host_proc) and a host_perf-sourced proc_ticks row.
inline void build_episode(const std::string& dir, bool with_done_marker = true) {
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(write_meta(dir, sample_meta(std::filesystem::path(dir).filename())).is_ok());
  auto sink = SqliteSink::open(dir + "/episode.db");
  ASSERT_TRUE(sink.is_ok()) << sink.status().to_string();
  EpisodeClock clock(0, 1'700'000'000'000'000'000);
  EventLog events(clock);
  ASSERT_TRUE(events.attach_sink(sink->get()).is_ok());
  events.emit_at({1'000'000, clock.origin_wall_ns() + 1'000'000}, "proc", "proc_started",
                 {{"interval_ms", 100}});
  events.emit_at({2'000'000, clock.origin_wall_ns() + 2'000'000}, "proc", "process_gone",
                 {{"comm", "<script>"}});
  Schema ps = tables::proc_samples();
  auto t = (*sink)->open_table(ps);
  ASSERT_TRUE(t.is_ok());
  Batch b(ps.columns.size());
  int64_t pid = 100;
  for (const auto& comm : hostile_strings()) {
    b.add_common(pid * 10, 1'700'000'000'000'000'000 + pid, "host_proc", true);
    for (size_t c = 4; c < ps.columns.size(); ++c) {
      if (ps.columns[c].name == "comm") {
        b.add_text(comm);
      } else if (ps.columns[c].type == ColumnType::kText) {
        b.add_text("S");
      } else if (ps.columns[c].name == "read_bytes") {
        b.add_null();
      } else {
        b.add_int(pid);
      }
    }
    ++pid;
  }
  ASSERT_TRUE((*sink)->append(*t, std::move(b)).is_ok());
  Schema ticks = tables::proc_ticks();
  auto tt = (*sink)->open_table(ticks);
  ASSERT_TRUE(tt.is_ok());
  Batch tb(ticks.columns.size());
  tb.add_common(5, 6, "host_perf", false);
  for (size_t c = 4; c < ticks.columns.size(); ++c) tb.add_int(static_cast<int64_t>(c));
  ASSERT_TRUE((*sink)->append(*tt, std::move(tb)).is_ok());
  ASSERT_TRUE((*sink)->finish().is_ok());
  if (with_done_marker) std::ofstream(dir + "/done.marker") << "done\n";
}

}  // namespace ktel::testing
