// Golden tests of `ktel dataset build` (build_dataset): committed inputs
// captured on Linux 6.18, built with seed 42, must give the committed CSVs and
// dataset_meta.json byte for byte (created_at pinned by SOURCE_DATE_EPOCH).
//   tests/golden/dataset_build/       episodes from ktel collect (trimmed, README)
//   tests/golden/dataset_build_text/  the older layout: <run>.txt + <run>.json,
//                                     the .txt files from testdata/ftrace_text/
// Regenerate after a deliberate change, reviewing the diff:
//   KTEL_UPDATE_GOLDEN=1 build/<dir>/src/analysis/dataset/analysis_dataset_golden_test
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "analysis/dataset/dataset_builder.h"
#include "base/file_util.h"
#include "base/testing/temp_dir.h"

namespace ktel::dataset {
namespace {

namespace fs = std::filesystem;
const char* const kOutputs[] = {"all.csv", "train.csv", "test_seen.csv", "test_unseen.csv",
                                "dataset_meta.json"};

std::string source(const std::string& rel) { return std::string(KTEL_SOURCE_DIR) + "/" + rel; }

bool updating() {
  const char* u = std::getenv("KTEL_UPDATE_GOLDEN");
  return u != nullptr && std::string(u) == "1";
}

void expect_matches_golden(const std::string& out_dir, const std::string& golden_dir) {
  for (const char* name : kOutputs) {
    auto actual = read_file(out_dir + "/" + name);
    ASSERT_TRUE(actual.is_ok()) << actual.status().to_string();
    std::string expected_path = golden_dir + "/expected/" + name;
    if (updating()) {
      fs::create_directories(golden_dir + "/expected");
      std::ofstream(expected_path, std::ios::binary) << *actual;
      continue;
    }
    auto expected = read_file(expected_path);
    ASSERT_TRUE(expected.is_ok()) << expected.status().to_string();
    if (*actual == *expected) continue;
    std::istringstream a(*actual), e(*expected);
    std::string la, le;
    int line = 0;
    while (true) {
      ++line;
      bool ga = static_cast<bool>(std::getline(a, la));
      bool ge = static_cast<bool>(std::getline(e, le));
      if (!ga && !ge) break;
      if (la != le || ga != ge) {
        ADD_FAILURE() << name << ":" << line << " differs\n  expected: " << le
                      << "\n  actual:   " << la;
        break;
      }
    }
  }
}

Result<BuildResult> build(const std::string& out, const std::string& raw, BuildOptions o = {}) {
  ::setenv("SOURCE_DATE_EPOCH", "1795000000", 1);
  o.out_dir = out;
  o.raw_dir = raw;
  return build_dataset(o);
}

TEST(DatasetBuildGolden, EpisodesFromCollect) {
  testing::TempDir out;
  std::string golden = source("tests/golden/dataset_build");
  auto r = build(out.path(), golden + "/raw");
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->plan.categories.size(), 3u);
  EXPECT_TRUE(r->plan.unseen_category);
  EXPECT_FALSE(r->event_level);
  expect_matches_golden(out.path(), golden);
}

// The older layout, with the .txt captures copied in from testdata/.
std::string text_raw_dir(const testing::TempDir& tmp) {
  std::string raw = tmp.path() + "/raw";
  fs::create_directories(raw);
  for (const auto& e : fs::directory_iterator(source("tests/golden/dataset_build_text/raw"))) {
    fs::copy_file(e.path(), raw + "/" + e.path().filename().string());
    auto meta = nlohmann::json::parse(*read_file(e.path().string()));
    std::string txt = e.path().stem().string() + ".txt";
    fs::copy_file(source(meta["source_capture"].get<std::string>()), raw + "/" + txt);
  }
  return raw;
}

TEST(DatasetBuildGolden, OlderTextLayoutWithLossyTracesFlagged) {
  testing::TempDir tmp;
  std::string raw = text_raw_dir(tmp);
  auto r = build(tmp.path() + "/out", raw);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  size_t lossy = 0;
  for (const auto& t : r->traces) lossy += t.lossy();
  EXPECT_EQ(lossy, 2u);  // sched_lost_pipe (LOST markers) and sched_tiny_overwrite (overwritten)
  expect_matches_golden(tmp.path() + "/out", source("tests/golden/dataset_build_text"));
}

TEST(DatasetBuild, DropLossyLeavesLossyTracesOut) {
  testing::TempDir tmp;
  std::string raw = text_raw_dir(tmp);
  BuildOptions o;
  o.drop_lossy = true;
  auto r = build(tmp.path() + "/out", raw, o);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  uint64_t kept_events = 0;
  for (const auto& t : r->traces) {
    if (t.lossy()) {
      EXPECT_EQ(t.split, "dropped") << t.input.run;
      EXPECT_EQ(t.events, 0u);
    } else {
      kept_events += t.events;
    }
  }
  EXPECT_EQ(r->total_events, kept_events);
  auto all = read_file(tmp.path() + "/out/all.csv");
  ASSERT_TRUE(all.is_ok());
  EXPECT_EQ(all->find("io_mixed_2_legacy"), std::string::npos);  // the lossy io_mixed run
}

TEST(DatasetBuild, SameSeedSameBytesOtherSeedOtherSplit) {
  testing::TempDir tmp;
  std::string raw = text_raw_dir(tmp);
  ASSERT_TRUE(build(tmp.path() + "/a", raw).is_ok());
  ASSERT_TRUE(build(tmp.path() + "/b", raw).is_ok());
  for (const char* name : kOutputs) {
    EXPECT_EQ(*read_file(tmp.path() + "/a/" + name), *read_file(tmp.path() + "/b/" + name)) << name;
  }
  bool any_differs = false;
  for (uint64_t seed = 1; seed < 6 && !any_differs; ++seed) {
    BuildOptions o;
    o.split.seed = seed;
    ASSERT_TRUE(build(tmp.path() + "/c", raw, o).is_ok());
    any_differs = *read_file(tmp.path() + "/a/train.csv") != *read_file(tmp.path() + "/c/train.csv");
  }
  EXPECT_TRUE(any_differs);
}

}  // namespace
}  // namespace ktel::dataset

namespace ktel::dataset {
namespace {

// One trace per category leaves test_seen empty: the flagged event-level
// split cuts train's events at floor(len * ratio).
TEST(DatasetBuild, OneTracePerCategoryFallsBackToAFlaggedEventSplit) {
  testing::TempDir tmp;
  std::string raw = text_raw_dir(tmp);
  for (const char* drop : {"hackbench_pipe_small_run2", "sysbench_cpu_4t_run2", "io_mixed_run1",
                           "io_mixed_run2", "cpu_bound_4p_run1"}) {
    std::filesystem::remove(raw + "/" + drop + ".json");
    std::filesystem::remove(raw + "/" + drop + ".txt");
  }
  BuildOptions o;
  o.split.train_ratio = 0.75;
  auto r = build(tmp.path() + "/out", raw, o);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r->traces.size(), 2u);  // hackbench run1 (109 switches), sysbench run1 (117)
  EXPECT_TRUE(r->event_level);
  EXPECT_FALSE(r->plan.unseen_category);
  uint64_t total = r->traces[0].events + r->traces[1].events;
  EXPECT_EQ(r->split_events[0], total * 3 / 4);
  EXPECT_EQ(r->split_events[1], total - total * 3 / 4);
  EXPECT_EQ(r->traces[0].split, "train");
  EXPECT_EQ(r->traces[1].split, "train+test_seen");
  auto meta = nlohmann::json::parse(*read_file(tmp.path() + "/out/dataset_meta.json"));
  EXPECT_EQ(meta["split_level"], "event");
  bool warned = false;
  for (const auto& w : meta["warnings"]) warned = warned || w.get<std::string>().find("LEAKS") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST(DatasetBuild, BadRunMetadataIsAnErrorNamingFileAndField) {
  testing::TempDir tmp;
  std::string raw = text_raw_dir(tmp);
  std::ofstream(raw + "/io_mixed_run1.json") << R"({"trace_id": "x", "workload_name": "io_mixed"})";
  auto r = build(tmp.path() + "/out", raw);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("io_mixed_run1.json: field 'category' is missing"),
            std::string::npos) << r.status().to_string();
  std::ofstream(raw + "/io_mixed_run1.json") << R"({"trace_id": "hackbench_pipe_small_1_legacy", "workload_name": "io_mixed", "category": "io"})";
  r = build(tmp.path() + "/out", raw);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("is used by another run too"), std::string::npos);
  std::filesystem::remove(raw + "/io_mixed_run1.txt");
  r = build(tmp.path() + "/out", raw);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("no trace beside it"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(tmp.path() + "/out/all.csv"));  // nothing written
}

}  // namespace
}  // namespace ktel::dataset
