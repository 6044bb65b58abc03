#include "analysis/export/row_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "analysis/export/episode_fixture.h"
#include "analysis/export/testing/csv_reader.h"
#include "analysis/export/text_escape.h"

namespace ktel {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::TempDir;

std::string run(const EpisodeDb& db, RowFormat format, const std::string& sql) {
  StringOutput out;
  auto writer = make_row_writer(format, out);
  Status st = write_query(db, sql, *writer);
  EXPECT_TRUE(st.is_ok()) << st.to_string();
  return out.str();
}

class RowWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::build_episode(dir_.path() + "/ep");
    auto db = EpisodeDb::open(dir_.path() + "/ep");
    ASSERT_TRUE(db.is_ok()) << db.status().to_string();
    db_.emplace(std::move(db).value());
  }
  TempDir dir_;
  std::optional<EpisodeDb> db_;
};

TEST_F(RowWriterTest, CsvGivesHostileTextBackByteExact) {
  std::string csv = run(*db_, RowFormat::kCsv,
                        "SELECT pid, comm, read_bytes FROM proc_samples ORDER BY pid");
  auto records = testing::parse_csv(csv);
  auto hostile = testing::hostile_strings();
  ASSERT_EQ(records.size(), hostile.size() + 1);
  EXPECT_EQ(records[0][0].text, "pid");
  EXPECT_EQ(records[0][1].text, "comm");
  for (size_t i = 0; i < hostile.size(); ++i) {
    ASSERT_EQ(records[i + 1].size(), 3u) << "row " << i;
    EXPECT_EQ(records[i + 1][0].text, std::to_string(100 + i));
    EXPECT_EQ(records[i + 1][1].text, hostile[i]) << "row " << i;
    // NULL is an empty unquoted field; empty text is "" (quoted).
    EXPECT_TRUE(records[i + 1][2].text.empty());
    EXPECT_FALSE(records[i + 1][2].quoted);
    EXPECT_EQ(records[i + 1][1].quoted, hostile[i].empty() || hostile[i].find_first_of(",\"\r\n") != std::string::npos);
  }
}

TEST_F(RowWriterTest, JsonIsOneValidArrayWithNullsAndReplacedBytes) {
  std::string text = run(*db_, RowFormat::kJson,
                         "SELECT pid, comm, read_bytes, 0.5 AS half FROM proc_samples ORDER BY pid");
  auto j = nlohmann::json::parse(text, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << text;
  ASSERT_TRUE(j.is_array());
  auto hostile = testing::hostile_strings();
  ASSERT_EQ(j.size(), hostile.size());
  for (size_t i = 0; i < hostile.size(); ++i) {
    std::string want;
    text::append_json_string(want, hostile[i]);
    EXPECT_EQ(j[i]["comm"].dump(), nlohmann::json::parse(want).dump());
    EXPECT_TRUE(j[i]["read_bytes"].is_null());
    EXPECT_EQ(j[i]["pid"], 100 + static_cast<int>(i));
    EXPECT_EQ(j[i]["half"], 0.5);
  }
  EXPECT_EQ(j[0]["comm"], "<script>alert(1)</script>");
  EXPECT_EQ(j[3]["comm"], std::string("bad\xEF\xBF\xBD\xEF\xBF\xBDutf8\0nul", 17));
}

TEST_F(RowWriterTest, EmptyResultIsAnEmptyArrayAndHeaderOnlyCsv) {
  EXPECT_EQ(run(*db_, RowFormat::kJson, "SELECT pid FROM proc_samples WHERE 0"), "[]\n");
  EXPECT_EQ(run(*db_, RowFormat::kCsv, "SELECT pid, comm FROM proc_samples WHERE 0"),
            "pid,comm\r\n");
  EXPECT_EQ(run(*db_, RowFormat::kJsonLines, "SELECT pid FROM proc_samples WHERE 0"), "");
}

TEST_F(RowWriterTest, JsonLinesParseLineByLine) {
  std::string text = run(*db_, RowFormat::kJsonLines, "SELECT * FROM proc_samples");
  size_t lines = 0, start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1, ++lines) {
    auto j = nlohmann::json::parse(text.substr(start, nl - start), nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "line " << lines;
    EXPECT_EQ(j["source"], "host_proc");
  }
  EXPECT_EQ(lines, testing::hostile_strings().size());
}

TEST_F(RowWriterTest, TableAlignsAndNeutralizesTerminalEscapes) {
  std::string t = run(*db_, RowFormat::kTable,
                      "SELECT pid, comm, read_bytes FROM proc_samples ORDER BY pid");
  EXPECT_THAT(t, HasSubstr("NULL"));
  EXPECT_THAT(t, HasSubstr("\\x1b[31mred"));
  EXPECT_THAT(t, Not(HasSubstr("\x1b")));
  EXPECT_THAT(t, HasSubstr("(7 rows)"));
  // Header, rule and rows all start the comm column at the same offset.
  auto first = t.substr(0, t.find('\n'));
  EXPECT_EQ(first.find("comm"), 5u);
}

TEST_F(RowWriterTest, TableStreamsRowsPastTheSample) {
  StringOutput out;
  auto writer = make_row_writer(RowFormat::kTable, out, {.leading_fields = {}, .table_sample_rows = 2});
  ASSERT_TRUE(write_query(*db_, "SELECT pid FROM proc_samples ORDER BY pid", *writer).is_ok());
  EXPECT_THAT(out.str(), HasSubstr("106\n"));
  EXPECT_THAT(out.str(), HasSubstr("(7 rows)"));
}

TEST(RowFormatTest, ParsesNamesAndRejectsOthers) {
  EXPECT_EQ(*parse_row_format("csv"), RowFormat::kCsv);
  EXPECT_EQ(*parse_row_format("jsonl"), RowFormat::kJsonLines);
  auto bad = parse_row_format("xml");
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("table, csv, json or jsonl"));
}

}  // namespace
}  // namespace ktel
