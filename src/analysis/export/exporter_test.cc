#include "analysis/export/exporter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "analysis/export/episode_fixture.h"
#include "base/file_util.h"

namespace ktel {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

std::vector<nlohmann::json> read_jsonl(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<nlohmann::json> out;
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << path << ": " << line;
    out.push_back(j);
  }
  return out;
}

// The independent oracle from the spec: Python's json module, line by line.
void python_parses_lines(const std::string& path) {
  std::string cmd = "python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' '" +
                    path + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << "python3 could not parse " << path;
}

TEST(ExporterTest, Cis490WritesMetaEventsAndTelemetryPerSource) {
  TempDir dir;
  std::string ep = dir.path() + "/ep";
  testing::build_episode(ep);
  std::string out = dir.path() + "/out";
  auto files = export_episode(ep, {.format = RowFormat::kJsonLines,
                                   .layout = ExportLayout::kCis490,
                                   .out_dir = out});
  ASSERT_TRUE(files.is_ok()) << files.status().to_string();
  EXPECT_EQ(*read_file(out + "/meta.json"), *read_file(ep + "/meta.json"));

  auto events = read_jsonl(out + "/events.jsonl");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["kind"], "proc_started");

  auto proc = read_jsonl(out + "/telemetry-proc.jsonl");
  ASSERT_EQ(proc.size(), testing::hostile_strings().size());
  for (const auto& row : proc) {
    EXPECT_EQ(row["table"], "proc_samples");
    for (const char* col : {"t_mono_ns", "t_wall_ns", "source", "available_in_deployment"}) {
      EXPECT_TRUE(row.contains(col)) << col;
    }
    EXPECT_EQ(row["source"], "host_proc");
    EXPECT_EQ(row["available_in_deployment"], 1);
  }
  EXPECT_EQ(proc[0]["comm"], "<script>alert(1)</script>");
  auto perf = read_jsonl(out + "/telemetry-perf.jsonl");
  ASSERT_EQ(perf.size(), 1u);
  EXPECT_EQ(perf[0]["table"], "proc_ticks");
  EXPECT_EQ(perf[0]["available_in_deployment"], 0);
  for (const char* f : {"/events.jsonl", "/telemetry-proc.jsonl", "/telemetry-perf.jsonl"}) {
    python_parses_lines(out + f);
  }
}

TEST(ExporterTest, Cis490RejectsCsv) {
  TempDir dir;
  testing::build_episode(dir.path() + "/ep");
  auto r = export_episode(dir.path() + "/ep", {.format = RowFormat::kCsv,
                                               .layout = ExportLayout::kCis490,
                                               .out_dir = dir.path() + "/out"});
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("jsonl"));
}

TEST(ExporterTest, PerTableWritesOneFilePerTableWithAllRows) {
  TempDir dir;
  std::string ep = dir.path() + "/ep";
  testing::build_episode(ep);
  for (RowFormat format : {RowFormat::kCsv, RowFormat::kJsonLines}) {
    std::string out = dir.path() + "/out-" + std::string(row_format_extension(format));
    auto files = export_episode(ep, {.format = format, .layout = ExportLayout::kPerTable, .out_dir = out});
    ASSERT_TRUE(files.is_ok()) << files.status().to_string();
    ASSERT_EQ(files->size(), 3u);  // events, proc_samples, proc_ticks
    std::string ext = std::string(row_format_extension(format));
    EXPECT_EQ((*files)[1].path, out + "/proc_samples." + ext);
    EXPECT_EQ((*files)[1].rows, testing::hostile_strings().size());
    if (format == RowFormat::kJsonLines) {
      python_parses_lines(out + "/proc_samples.jsonl");
      EXPECT_EQ(read_jsonl(out + "/events.jsonl").size(), 2u);
    } else {
      std::string csv = *read_file(out + "/proc_ticks.csv");
      EXPECT_EQ(csv.substr(0, csv.find("\r\n")),
                "t_mono_ns,t_wall_ns,source,available_in_deployment,tick,scheduled_mono_ns,"
                "lateness_ns,cost_ns,processes,threads,skipped_ticks");
    }
  }
}

TEST(ExporterTest, MissingEpisodeIsNotFound) {
  TempDir dir;
  auto r = export_episode(dir.path() + "/nope", {.format = RowFormat::kJsonLines,
                                                .layout = ExportLayout::kPerTable,
                                                .out_dir = dir.path() + "/out"});
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr(dir.path() + "/nope"));
}

TEST(ExporterTest, SourceStemsAreSafeFileNames) {
  EXPECT_EQ(cis490_source_stem("host_proc"), "proc");
  EXPECT_EQ(cis490_source_stem("guest_agent"), "guest_agent");
  EXPECT_EQ(cis490_source_stem("../../etc/passwd"), "______etc_passwd");
  EXPECT_EQ(cis490_source_stem(""), "_");
}

}  // namespace
}  // namespace ktel
