#include "sinks/sqlite/episode_db.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "sinks/sqlite/sqlite_sink.h"
#include "sinks/sqlite/test_util.h"

namespace ktel {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TempDir;

// An episode directory with one table `t(n INTEGER, s TEXT)` of three rows.
void make_db(const std::string& dir) {
  auto sink = SqliteSink::open(dir + "/episode.db");
  ASSERT_TRUE(sink.is_ok());
  auto t = (*sink)->open_table(
      Schema{"t", {{"n", ColumnType::kInt64, "", ""}, {"s", ColumnType::kText, "", ""}}});
  ASSERT_TRUE(t.is_ok());
  Batch b(2);
  b.add_int(1).add_text("a").add_int(2).add_null().add_int(3).add_text("c");
  ASSERT_TRUE((*sink)->append(*t, std::move(b)).is_ok());
  ASSERT_TRUE((*sink)->finish().is_ok());
}

TEST(EpisodeDbTest, MissingDirectoryIsNotFoundNamingIt) {
  auto db = EpisodeDb::open("/nonexistent/ktel-episode");
  EXPECT_EQ(db.status().code(), Code::kNotFound);
  EXPECT_THAT(db.status().message(), HasSubstr("/nonexistent/ktel-episode"));
}

TEST(EpisodeDbTest, DirectoryWithoutDatabaseIsNotFoundNamingTheFile) {
  TempDir dir;
  auto db = EpisodeDb::open(dir.path());
  EXPECT_EQ(db.status().code(), Code::kNotFound);
  EXPECT_THAT(db.status().message(), HasSubstr(dir.path() + "/episode.db"));
}

TEST(EpisodeDbTest, NotADatabaseIsDataLoss) {
  TempDir dir;
  std::ofstream(dir.path() + "/episode.db") << "this is not sqlite, just some text padding it out"
                                            << std::string(200, 'x');
  auto db = EpisodeDb::open(dir.path());
  EXPECT_EQ(db.status().code(), Code::kDataLoss) << db.status().to_string();
}

TEST(EpisodeDbTest, StreamsColumnsAndRows) {
  TempDir dir;
  make_db(dir.path());
  auto db = EpisodeDb::open(dir.path());
  ASSERT_TRUE(db.is_ok()) << db.status().to_string();
  std::vector<std::string> names, types, cells;
  Status st = db->query(
      "SELECT n, s, n * 2 AS twice FROM t ORDER BY n;  -- trailing comment",
      [&](const std::vector<ResultColumn>& cols) {
        for (const auto& c : cols) {
          names.push_back(c.name);
          types.push_back(c.decl_type);
        }
        return Status::ok();
      },
      [&](const RowView& r) {
        Cell s = r[1];
        cells.push_back(std::to_string(r[0].i) + "|" +
                        (s.type == CellType::kNull ? "NULL" : std::string(s.bytes)));
        return Status::ok();
      });
  ASSERT_TRUE(st.is_ok()) << st.to_string();
  EXPECT_THAT(names, ElementsAre("n", "s", "twice"));
  EXPECT_THAT(types, ElementsAre("INTEGER", "TEXT", ""));
  EXPECT_THAT(cells, ElementsAre("1|a", "2|NULL", "3|c"));
}

TEST(EpisodeDbTest, RowCallbackErrorStopsTheQuery) {
  TempDir dir;
  make_db(dir.path());
  auto db = EpisodeDb::open(dir.path());
  ASSERT_TRUE(db.is_ok());
  int seen = 0;
  Status st = db->query("SELECT n FROM t", nullptr, [&](const RowView&) {
    ++seen;
    return Status(Code::kCancelled, "stop");
  });
  EXPECT_EQ(st.code(), Code::kCancelled);
  EXPECT_EQ(seen, 1);
}

TEST(EpisodeDbTest, SqlErrorsCarrySqliteMessageAndPath) {
  TempDir dir;
  make_db(dir.path());
  auto db = EpisodeDb::open(dir.path());
  ASSERT_TRUE(db.is_ok());
  Status st = db->query("SELEKT 1", nullptr, nullptr);
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("syntax error"));
  EXPECT_THAT(st.message(), HasSubstr(dir.path() + "/episode.db"));
  st = db->query("SELECT nope FROM t", nullptr, nullptr);
  EXPECT_THAT(st.message(), HasSubstr("no such column: nope"));
  st = db->query("SELECT 1; SELECT 2", nullptr, nullptr);
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("one SQL statement"));
}

TEST(EpisodeDbTest, ConnectionIsReadOnly) {
  TempDir dir;
  make_db(dir.path());
  auto db = EpisodeDb::open(dir.path());
  ASSERT_TRUE(db.is_ok());
  Status st = db->query("DELETE FROM t", nullptr, nullptr);
  EXPECT_FALSE(st.is_ok());
  EXPECT_THAT(st.message(), HasSubstr("readonly"));
  EXPECT_EQ(*db->row_count("t"), 3);
}

TEST(EpisodeDbTest, ListsTablesColumnsAndCounts) {
  TempDir dir;
  make_db(dir.path());
  auto db = EpisodeDb::open(dir.path() + "/episode.db");
  ASSERT_TRUE(db.is_ok());
  auto tables = db->tables();
  ASSERT_TRUE(tables.is_ok());
  EXPECT_THAT(*tables, ElementsAre("t"));
  auto cols = db->columns("t");
  ASSERT_TRUE(cols.is_ok());
  EXPECT_THAT(*cols, ElementsAre("n", "s"));
  EXPECT_EQ(db->columns("x'); DROP TABLE t; --").status().code(), Code::kNotFound);
  EXPECT_EQ(*db->row_count("t"), 3);
  EXPECT_FALSE(db->row_count("missing").is_ok());
}

}  // namespace
}  // namespace ktel
