// baseline, split-by-workload, sequences and eval on tiny hand-made datasets
// whose answers are worked out by hand.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "analysis/dataset/dataset_csv.h"
#include "analysis/dataset/dataset_outputs.h"
#include "analysis/dataset/npy_writer.h"
#include "analysis/dataset/sequences.h"
#include "analysis/dataset/trivial_eval.h"
#include "base/file_util.h"
#include "base/testing/temp_dir.h"

namespace ktel::dataset {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Ev {
  const char* trace;
  const char* task;
  int64_t pid;
  int64_t cpu = 0;
  const char* workload = "w";
};

void write_csv(const std::string& path, const std::vector<Ev>& events) {
  std::string out = std::string(kCsvHeader) + "\n";
  int64_t ts = 1'000'000'000;
  for (const Ev& e : events) {
    ts += 1000;
    append_csv_row(out, {.ts_ns = ts, .time_diff_ns = 1000, .task_name = e.task, .pid = e.pid,
                         .cpu = e.cpu, .prev_state = "S", .prev_comm = "p",
                         .workload_type = e.workload, .trace_id = e.trace});
  }
  std::ofstream(path, std::ios::binary) << out;
}

std::vector<int32_t> load_npy(const std::string& path, std::vector<uint64_t> shape) {
  auto bytes = read_file(path);
  EXPECT_TRUE(bytes.is_ok());
  std::string header = npy_header_int32(shape);
  EXPECT_EQ(bytes->compare(0, header.size(), header), 0) << path;
  std::vector<int32_t> v((bytes->size() - header.size()) / 4);
  if (!v.empty()) std::memcpy(v.data(), bytes->data() + header.size(), v.size() * 4);
  return v;
}

TEST(NpyHeader, IsVersion1WithA64ByteAlignedDataStart) {
  std::string h = npy_header_int32({3, 2, 4});
  EXPECT_EQ(h.size() % 64, 0u);
  EXPECT_EQ(h.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  EXPECT_THAT(h, HasSubstr("'descr': '<i4', 'fortran_order': False, 'shape': (3, 2, 4), }"));
  EXPECT_THAT(npy_header_int32({5}), HasSubstr("'shape': (5,), }"));
  EXPECT_EQ(h.back(), '\n');
}

TEST(DatasetBaseline, CodesInOrderOfFirstAppearance) {
  testing::TempDir tmp;
  write_csv(tmp.path() + "/in.csv", {{"t", "b", 2}, {"t", "a,x", 1}, {"t", "b", 3}});
  auto r = write_baseline(tmp.path() + "/in.csv", tmp.path() + "/out.csv");
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->task_codes, 2u);
  EXPECT_EQ(*read_file(tmp.path() + "/out.csv"),
            "task_code,time,name,pid\n0,0.000001000,b,2\n1,0.000001000,\"a,x\",1\n0,0.000001000,b,3\n");
}

TEST(DatasetSplitByWorkload, OneFilePerWorkloadAndHostileNamesRefused) {
  testing::TempDir tmp;
  write_csv(tmp.path() + "/in.csv", {{"t1", "a", 1, 0, "hackbench"}, {"t2", "b", 2, 0, "io_mixed"},
                                     {"t1", "c", 3, 0, "hackbench"}});
  auto r = split_by_workload(tmp.path() + "/in.csv", tmp.path() + "/out");
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->at("hackbench"), 2u);
  EXPECT_EQ(r->at("io_mixed"), 1u);
  EXPECT_THAT(*read_file(tmp.path() + "/out/io_mixed.csv"), HasSubstr(",b,2,0,S,p,io_mixed,t2\n"));
  write_csv(tmp.path() + "/bad.csv", {{"t1", "a", 1, 0, "ok"}, {"t1", "a", 1, 0, "../../etc/x"}});
  auto bad = split_by_workload(tmp.path() + "/bad.csv", tmp.path() + "/out2");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("bad.csv:3: workload_type"));
  EXPECT_FALSE(std::filesystem::exists(tmp.path() + "/out2/ok.csv"));  // nothing half-done
}

// train: a b a b a (pids 10 20 10 20 10) and c c c (pid 0, the idle task);
// test_seen: a b z (z unseen); test_unseen: empty.
void tiny_dataset(const std::string& dir) {
  std::filesystem::create_directories(dir);
  write_csv(dir + "/train.csv", {{"A", "a", 10}, {"A", "b", 20}, {"A", "a", 10}, {"A", "b", 20},
                                 {"A", "a", 10}, {"B", "c", 0}, {"B", "c", 0}, {"B", "c", 0}});
  write_csv(dir + "/test_seen.csv", {{"C", "a", 10}, {"C", "b", 20}, {"C", "z", 99}});
  write_csv(dir + "/test_unseen.csv", {});
}

TEST(DatasetSequences, WindowsStayInsideTracesAndIdsComeFromTrain) {
  testing::TempDir tmp;
  tiny_dataset(tmp.path());
  auto r = build_sequences({.dataset_dir = tmp.path(), .out_dir = "", .seq_len = 2, .stride = 1});
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  // Trace A (5 events): windows ending before events 2, 3, 4; trace B (3): one.
  EXPECT_EQ(r->splits[0].windows, 4u);
  EXPECT_EQ(r->splits[1].windows, 1u);
  EXPECT_EQ(r->splits[2].windows, 0u);
  std::string out = tmp.path() + "/sequences";
  // Counts in train: a 3, c 3, b 2 -> a=2, c=3 (ties by value), b=4. pids: 0 3, 10 3, 20 2.
  auto vocab = nlohmann::json::parse(*read_file(out + "/vocab.json"));
  EXPECT_EQ(vocab["task_name"], nlohmann::json({nullptr, nullptr, "a", "c", "b"}));
  EXPECT_EQ(vocab["pid"], nlohmann::json({nullptr, nullptr, 0, 10, 20}));
  std::vector<int32_t> targets = load_npy(out + "/train_target_task.npy", {4});
  EXPECT_THAT(targets, ElementsAre(2, 4, 2, 3));  // a, b, a | c
  std::vector<int32_t> inputs = load_npy(out + "/train_inputs.npy", {4, 2, 4});
  // Last window (trace B): c c with pid 0 -> id 2 (the idle task is a real id, not UNKNOWN).
  EXPECT_THAT(std::vector<int32_t>(inputs.end() - 8, inputs.end()),
              ElementsAre(3, 2, 2, 0, 3, 2, 2, 0));
  EXPECT_THAT(load_npy(out + "/test_seen_target_task.npy", {1}), ElementsAre(1));  // z: UNKNOWN
  EXPECT_THAT(load_npy(out + "/test_seen_target_pid.npy", {1}), ElementsAre(1));
  EXPECT_TRUE(load_npy(out + "/test_unseen_inputs.npy", {0, 2, 4}).empty());
  auto meta = nlohmann::json::parse(*read_file(out + "/sequences_meta.json"));
  EXPECT_EQ(meta["splits"]["train"]["traces"], 2);
  auto strided = build_sequences({.dataset_dir = tmp.path(), .out_dir = tmp.path() + "/s3",
                                  .seq_len = 2, .stride = 2});
  ASSERT_TRUE(strided.is_ok());
  EXPECT_EQ(strided->splits[0].windows, 3u);  // A: starts 0, 2; B: start 0
}

TEST(DatasetEval, MarkovLearnsAnAlternationAndUnseenTasksAreMisses) {
  testing::TempDir tmp;
  tiny_dataset(tmp.path());
  write_csv(tmp.path() + "/test_unseen.csv", {{"D", "b", 20, 0, "other"}, {"D", "a", 10, 1, "other"},
                                              {"D", "b", 20, 0, "other"}, {"D", "a", 10, 1, "other"}});
  auto r = evaluate_trivial_predictors(tmp.path());
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->train_events, 8u);
  const Accuracy& seen = r->test_seen.overall;
  ASSERT_EQ(seen.events, 2u);  // b, z (a is the trace's first)
  EXPECT_EQ(seen.correct[0][2], 1u);  // markov1: after a comes b; z is never right
  EXPECT_EQ(seen.correct[0][0], 0u);  // most frequent (a, first seen of the tied a/c) is wrong
  const Accuracy& unseen = r->test_unseen.overall;
  ASSERT_EQ(unseen.events, 3u);
  EXPECT_EQ(unseen.correct[0][2], 3u);  // a->b, b->a alternate as in train
  EXPECT_EQ(unseen.correct[1][2], 3u);  // same on pids
  // Same CPU's previous: cpu0 b..b, cpu1 a..a; cpu1's first falls back to the most
  // frequent task, a (tied with c, seen first), which is right here.
  EXPECT_EQ(unseen.correct[0][1], 3u);
  EXPECT_EQ(r->test_unseen.by_workload.at("other").events, 3u);
  auto j = nlohmann::json::parse(format_eval_json(*r));
  EXPECT_EQ(j["test_unseen"]["overall"]["task_name"]["markov1"]["accuracy"], 1.0);
  EXPECT_THAT(format_eval_table(*r), HasSubstr("test_unseen  other"));
}

}  // namespace
}  // namespace ktel::dataset
