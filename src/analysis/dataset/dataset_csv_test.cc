#include "analysis/dataset/dataset_csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "base/testing/temp_dir.h"

namespace ktel::dataset {
namespace {

using ::testing::HasSubstr;

SwitchRow row(int64_t ts, std::string name, int64_t pid) {
  return {.ts_ns = ts, .time_diff_ns = 127'000, .task_name = std::move(name), .pid = pid, .cpu = 1,
          .prev_state = "R+", .prev_comm = "swapper/1", .workload_type = "hackbench",
          .trace_id = "t1"};
}

std::string csv(const std::vector<SwitchRow>& rows) {
  std::string out = std::string(kCsvHeader) + "\n";
  for (const auto& r : rows) append_csv_row(out, r);
  return out;
}

TEST(DatasetCsv, ExactDecimals) {
  std::string out;
  append_csv_row(out, row(10906'164042'999, "a", 7));
  EXPECT_EQ(out, "10906.164042,0.000127000,a,7,1,R+,swapper/1,hackbench,t1\n");
  EXPECT_EQ(parse_seconds_ns("10906.164042"), 10906'164042'000);
  EXPECT_EQ(parse_seconds_ns("0.000000001"), 1);
  EXPECT_EQ(parse_seconds_ns("-0.5"), -500'000'000);
  EXPECT_EQ(parse_seconds_ns("12"), 12'000'000'000);
  for (const char* bad : {"", ".5", "1.", "1.0000000001", "1e3", "x", "1.2.3", "--1"}) {
    EXPECT_FALSE(parse_seconds_ns(bad)) << bad;
  }
  std::string neg;
  append_seconds(neg, -1'500, 9);
  EXPECT_EQ(neg, "-0.000001500");
}

TEST(DatasetCsv, HostileNamesRoundTripByteExact) {
  std::vector<std::string> names = {"a,b\"c", "line\nbreak", "<script>", "'; DROP TABLE x",
                                    std::string("bad\xff\xfe", 5), "", " spaced ", "cr\r\nlf"};
  std::vector<SwitchRow> rows;
  for (size_t i = 0; i < names.size(); ++i) rows.push_back(row(1'000'000 * (i + 1), names[i], i));
  auto reader = CsvRowReader::from_string(csv(rows), "mem.csv");
  ASSERT_TRUE(reader.is_ok()) << reader.status().to_string();
  SwitchRow got;
  for (size_t i = 0; i < names.size(); ++i) {
    auto more = reader->next(got);
    ASSERT_TRUE(more.is_ok()) << more.status().to_string();
    ASSERT_TRUE(*more);
    EXPECT_EQ(got.task_name, names[i]);
    EXPECT_EQ(got.ts_ns, rows[i].ts_ns);
    EXPECT_EQ(got.pid, static_cast<int64_t>(i));
  }
  auto end = reader->next(got);
  ASSERT_TRUE(end.is_ok());
  EXPECT_FALSE(*end);
}

TEST(DatasetCsv, StreamsAFileLargerThanItsBufferWithCrlf) {
  testing::TempDir tmp;
  std::string path = tmp.path() + "/big.csv";
  std::string text = std::string(kCsvHeader) + "\r\n";
  const int n = 40000;  // ~2.5 MiB: several reads
  for (int i = 0; i < n; ++i) {
    std::string line;
    append_csv_row(line, row(i, i % 7 == 0 ? "x,\"y\"\nz" : "hackbench", i));
    line.insert(line.size() - 1, "\r");
    text += line;
  }
  std::ofstream(path, std::ios::binary) << text;
  auto reader = CsvRowReader::open(path);
  ASSERT_TRUE(reader.is_ok());
  SwitchRow got;
  int rows = 0;
  while (true) {
    auto more = reader->next(got);
    ASSERT_TRUE(more.is_ok()) << more.status().to_string();
    if (!*more) break;
    ASSERT_EQ(got.pid, rows);
    ASSERT_EQ(got.trace_id, "t1");
    ASSERT_EQ(got.task_name, rows % 7 == 0 ? "x,\"y\"\nz" : "hackbench");
    ++rows;
  }
  EXPECT_EQ(rows, n);
}

TEST(DatasetCsv, ErrorsNameFileLineAndColumn) {
  std::string header = std::string(kCsvHeader) + "\n";
  struct Case { std::string text; const char* expected; };
  std::vector<Case> cases = {
      {"", "mem.csv: empty file"},
      {"a,b\n", "mem.csv:1: header is not"},
      {header + "1.0,0.0,a,x1,0,S,b,w,t\n", "mem.csv:2: pid: 'x1' is not an integer"},
      {header + "1.0,0.0,a,1,zero,S,b,w,t\n", "mem.csv:2: cpu: 'zero' is not an integer"},
      {header + "1.0,0.0,a,1,0,S,b,w,t\n1e5,0.0,a,1,0,S,b,w,t\n", "mem.csv:3: timestamp"},
      {header + "1.0,0.0,a,1,0,S,b,w\n", "mem.csv:2: 8 columns, expected 9"},
      {header + "1.0,0.0,\"a,1,0,S,b,w,t\n", "mem.csv:2: a quoted field is not closed"},
      {header + "1.0,0.0,\"a\"x,1,0,S,b,w,t\n", "mem.csv:2: task_name: text after a closing quote"},
  };
  std::string huge = header + "1.0,0.0," + std::string((1 << 20) + 10, 'x') + ",1,0,S,b,w,t\n";
  cases.push_back({huge, "mem.csv:2: a row longer than 1048576 bytes"});
  for (const auto& c : cases) {
    auto reader = CsvRowReader::from_string(c.text, "mem.csv");
    Status st = reader.status();
    if (reader.is_ok()) {
      SwitchRow r;
      while (true) {
        auto more = reader->next(r);
        if (!more.is_ok()) {
          st = more.status();
          break;
        }
        if (!*more) break;
      }
    }
    EXPECT_FALSE(st.is_ok()) << c.text;
    EXPECT_THAT(st.message(), HasSubstr(c.expected)) << c.text;
  }
}

}  // namespace
}  // namespace ktel::dataset
