#include "sinks/sqlite/sqlite_sink.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <limits>
#include <thread>

#include "sinks/sqlite/episode_db.h"
#include "sinks/sqlite/test_util.h"

namespace ktel {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

Schema mixed_schema() {
  return Schema{"mixed",
                {{"i", ColumnType::kInt64, "", ""},
                 {"d", ColumnType::kDouble, "", ""},
                 {"s", ColumnType::kText, "", ""}}};
}

// Rows of `table` as printable strings, via a separate read-only connection.
std::vector<std::vector<std::string>> read_rows(const std::string& db, const std::string& sql) {
  std::vector<std::vector<std::string>> out;
  auto edb = EpisodeDb::open(db);
  EXPECT_TRUE(edb.is_ok()) << edb.status().to_string();
  if (!edb.is_ok()) return out;
  Status st = edb->query(sql, nullptr, [&](const RowView& r) {
    std::vector<std::string> row;
    for (int c = 0; c < r.size(); ++c) {
      Cell cell = r[c];
      switch (cell.type) {
        case CellType::kNull: row.push_back("NULL"); break;
        case CellType::kInt64: row.push_back("i:" + std::to_string(cell.i)); break;
        case CellType::kDouble: row.push_back("d:" + std::to_string(cell.d)); break;
        default: row.push_back("t:" + std::string(cell.bytes)); break;
      }
    }
    out.push_back(row);
    return Status::ok();
  });
  EXPECT_TRUE(st.is_ok()) << st.to_string();
  return out;
}

int64_t count_rows(const std::string& db, const std::string& table) {
  auto edb = EpisodeDb::open(db);
  if (!edb.is_ok()) return -1;
  auto n = edb->row_count(table);
  return n.is_ok() ? *n : -1;
}

// Polls until `table` has at least `want` rows; bounded so a broken sink fails.
bool wait_for_rows(const std::string& db, const std::string& table, int64_t want) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (count_rows(db, table) >= want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(SqliteSinkTest, TypesNullsAndHostileTextRoundTrip) {
  TempDir dir;
  std::string db = dir.path() + "/episode.db";
  auto sink = SqliteSink::open(db);
  ASSERT_TRUE(sink.is_ok()) << sink.status().to_string();
  auto table = (*sink)->open_table(mixed_schema());
  ASSERT_TRUE(table.is_ok()) << table.status().to_string();
  std::string hostile("'; DROP TABLE mixed; --\0<script>\xff\xfe a,b\"c\n", 42);
  Batch b(3);
  b.add_int(std::numeric_limits<int64_t>::min()).add_double(-1.5).add_text(hostile);
  b.add_int(std::numeric_limits<int64_t>::max()).add_null().add_text("");
  b.add_null().add_double(1e300).add_null();
  ASSERT_TRUE((*sink)->append(*table, std::move(b)).is_ok());
  ASSERT_TRUE((*sink)->finish().is_ok());

  auto rows = read_rows(db, "SELECT i, d, s FROM mixed ORDER BY rowid");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][0], "i:" + std::to_string(std::numeric_limits<int64_t>::min()));
  EXPECT_EQ(rows[0][1], "d:-1.500000");
  EXPECT_EQ(rows[0][2], "t:" + hostile);  // byte-exact, NUL and invalid UTF-8 included
  EXPECT_EQ(rows[1][0], "i:" + std::to_string(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(rows[1][1], "NULL");
  EXPECT_EQ(rows[1][2], "t:");
  EXPECT_EQ(rows[2][0], "NULL");
  EXPECT_EQ(rows[2][2], "NULL");
  EXPECT_EQ((*sink)->dropped_rows(), 0u);
}

TEST(SqliteSinkTest, DeclaredColumnTypesFollowSchema) {
  TempDir dir;
  std::string db = dir.path() + "/episode.db";
  auto sink = SqliteSink::open(db);
  ASSERT_TRUE(sink.is_ok());
  ASSERT_TRUE((*sink)->open_table(mixed_schema()).is_ok());
  ASSERT_TRUE((*sink)->finish().is_ok());
  auto rows = read_rows(db, "SELECT name, type FROM pragma_table_info('mixed') ORDER BY cid");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][1], "t:INTEGER");
  EXPECT_EQ(rows[1][1], "t:REAL");
  EXPECT_EQ(rows[2][1], "t:TEXT");
}

TEST(SqliteSinkTest, HostileTableAndColumnNamesAreQuoted) {
  TempDir dir;
  std::string db = dir.path() + "/episode.db";
  auto sink = SqliteSink::open(db);
  ASSERT_TRUE(sink.is_ok());
  Schema s{"we\"ird; table", {{"select", ColumnType::kInt64, "", ""},
                              {"a\"b", ColumnType::kText, "", ""}}};
  auto t = (*sink)->open_table(s);
  ASSERT_TRUE(t.is_ok()) << t.status().to_string();
  Batch b(2);
  b.add_int(7).add_text("x");
  ASSERT_TRUE((*sink)->append(*t, std::move(b)).is_ok());
  ASSERT_TRUE((*sink)->finish().is_ok());
  auto rows = read_rows(db, "SELECT \"select\", \"a\"\"b\" FROM \"we\"\"ird; table\"");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "i:7");
  EXPECT_EQ(rows[0][1], "t:x");
}

TEST(SqliteSinkTest, WrongWidthIsRejectedNamingTheTable) {
  TempDir dir;
  auto sink = SqliteSink::open(dir.path() + "/episode.db");
  ASSERT_TRUE(sink.is_ok());
  auto t = (*sink)->open_table(mixed_schema());
  ASSERT_TRUE(t.is_ok());
  Batch narrow(2);
  narrow.add_int(1).add_int(2);
  Status st = (*sink)->append(*t, std::move(narrow));
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("mixed"));
  Batch ragged(3);
  ragged.add_int(1).add_int(2).add_int(3).add_int(4);
  EXPECT_EQ((*sink)->append(*t, std::move(ragged)).code(), Code::kInvalidArgument);
  Batch b(3);
  b.add_int(1).add_double(2).add_text("3");
  EXPECT_EQ((*sink)->append(99, std::move(b)).code(), Code::kInvalidArgument);
  EXPECT_TRUE((*sink)->finish().is_ok());  // a rejected batch is not a write error
}

TEST(SqliteSinkTest, SameSchemaSameIdOtherColumnsIsAnError) {
  TempDir dir;
  auto sink = SqliteSink::open(dir.path() + "/episode.db");
  ASSERT_TRUE(sink.is_ok());
  auto a = (*sink)->open_table(mixed_schema());
  auto b = (*sink)->open_table(mixed_schema());
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_EQ(*a, *b);
  Schema other{"mixed", {{"i", ColumnType::kInt64, "", ""}}};
  auto c = (*sink)->open_table(other);
  EXPECT_EQ(c.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(c.status().message(), HasSubstr("mixed"));
  Schema second{"second", {{"x", ColumnType::kInt64, "", ""}}};
  auto d = (*sink)->open_table(second);
  ASSERT_TRUE(d.is_ok());
  EXPECT_NE(*d, *a);
  EXPECT_TRUE((*sink)->finish().is_ok());
}

TEST(SqliteSinkTest, ReopenedDatabaseKeepsRowsAndChecksColumns) {
  TempDir dir;
  std::string db = dir.path() + "/episode.db";
  for (int round = 0; round < 2; ++round) {
    auto sink = SqliteSink::open(db);
    ASSERT_TRUE(sink.is_ok());
    auto t = (*sink)->open_table(mixed_schema());
    ASSERT_TRUE(t.is_ok()) << t.status().to_string();
    Batch b(3);
    b.add_int(round).add_double(0).add_text("r");
    ASSERT_TRUE((*sink)->append(*t, std::move(b)).is_ok());
    ASSERT_TRUE((*sink)->finish().is_ok());
  }
  EXPECT_EQ(count_rows(db, "mixed"), 2);
  auto sink = SqliteSink::open(db);
  ASSERT_TRUE(sink.is_ok());
  auto bad = (*sink)->open_table(Schema{"mixed", {{"zzz", ColumnType::kText, "", ""}}});
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("already exists"));
}

TEST(SqliteSinkTest, TimerCommitMakesRowsVisibleToAConcurrentReader) {
  TempDir dir;
  std::string db = dir.path() + "/episode.db";
  // Row-count commits can never trigger here; only the 100 ms timer can.
  auto sink = SqliteSink::open(db, {.commit_interval_ns = 100'000'000, .commit_rows = 1'000'000});
  ASSERT_TRUE(sink.is_ok());
  auto t = (*sink)->open_table(mixed_schema());
  ASSERT_TRUE(t.is_ok());
  Batch b(3);
  for (int i = 0; i < 5; ++i) b.add_int(i).add_double(i).add_text("row");
  ASSERT_TRUE((*sink)->append(*t, std::move(b)).is_ok());
  EXPECT_TRUE(wait_for_rows(db, "mixed", 5)) << "rows never committed while recording";
  EXPECT_EQ(count_rows(db, "mixed"), 5);
  EXPECT_TRUE((*sink)->finish().is_ok());
}

TEST(SqliteSinkTest, RowCountCommitMakesRowsVisibleWithoutTheTimer) {
  TempDir dir;
  std::string db = dir.path() + "/episode.db";
  auto sink = SqliteSink::open(
      db, {.commit_interval_ns = int64_t{3600} * 1'000'000'000, .commit_rows = 10});
  ASSERT_TRUE(sink.is_ok());
  auto t = (*sink)->open_table(mixed_schema());
  ASSERT_TRUE(t.is_ok());
  for (int i = 0; i < 10; ++i) {
    Batch b(3);
    b.add_int(i).add_double(i).add_text("row");
    ASSERT_TRUE((*sink)->append(*t, std::move(b)).is_ok());
  }
  EXPECT_TRUE(wait_for_rows(db, "mixed", 10));
  EXPECT_TRUE((*sink)->finish().is_ok());
}

TEST(SqliteSinkTest, ConcurrentAppendsUnderBackpressureAreAllStored) {
  TempDir dir;
  std::string db = dir.path() + "/episode.db";
  // A tiny queue limit forces producers to block on backpressure.
  auto sink = SqliteSink::open(
      db, {.commit_interval_ns = 100'000'000, .commit_rows = 10'000, .max_queued_rows = 200});
  ASSERT_TRUE(sink.is_ok());
  auto t = (*sink)->open_table(mixed_schema());
  ASSERT_TRUE(t.is_ok());
  constexpr int kThreads = 4, kBatches = 200, kRows = 50;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int th = 0; th < kThreads; ++th) {
    threads.emplace_back([&, th] {
      for (int b = 0; b < kBatches; ++b) {
        Batch batch(3);
        for (int r = 0; r < kRows; ++r) {
          batch.add_int(th).add_double(b * kRows + r).add_text("t" + std::to_string(th));
        }
        if (!(*sink)->append(*t, std::move(batch)).is_ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_TRUE((*sink)->finish().is_ok());
  auto rows = read_rows(db, "SELECT i, count(*), count(DISTINCT d) FROM mixed GROUP BY i ORDER BY i");
  ASSERT_EQ(rows.size(), static_cast<size_t>(kThreads));
  for (int th = 0; th < kThreads; ++th) {
    EXPECT_EQ(rows[th][0], "i:" + std::to_string(th));
    EXPECT_EQ(rows[th][1], "i:" + std::to_string(kBatches * kRows));
    EXPECT_EQ(rows[th][2], "i:" + std::to_string(kBatches * kRows));
  }
}

TEST(SqliteSinkTest, AppendAndFinishAfterFinishFail) {
  TempDir dir;
  auto sink = SqliteSink::open(dir.path() + "/episode.db");
  ASSERT_TRUE(sink.is_ok());
  auto t = (*sink)->open_table(mixed_schema());
  ASSERT_TRUE(t.is_ok());
  ASSERT_TRUE((*sink)->finish().is_ok());
  Batch b(3);
  b.add_int(1).add_double(1).add_text("x");
  EXPECT_EQ((*sink)->append(*t, std::move(b)).code(), Code::kFailedPrecondition);
  EXPECT_EQ((*sink)->finish().code(), Code::kFailedPrecondition);
}

TEST(SqliteSinkTest, OpenInMissingDirectoryNamesThePath) {
  auto sink = SqliteSink::open("/nonexistent-ktel-dir/episode.db");
  ASSERT_FALSE(sink.is_ok());
  EXPECT_THAT(sink.status().message(), HasSubstr("/nonexistent-ktel-dir/episode.db"));
}

// A tmpfs of 256 KiB, unmounted on scope exit.
class TinyTmpfs {
 public:
  explicit TinyTmpfs(const std::string& dir) : dir_(dir) {
    mounted_ = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=256k") == 0;
    if (!mounted_) error_ = std::strerror(errno);
  }
  ~TinyTmpfs() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::string dir_;
  bool mounted_ = false;
  std::string error_;
};

TEST(SqliteSinkTest, FullDiskKeepsCommittedRowsAndReportsResourceExhausted) {
  if (::geteuid() != 0) KTEL_SKIP_OR_FAIL("needs root to mount a tmpfs; run the test as root");
  TempDir dir;
  TinyTmpfs fs(dir.path());
  if (!fs.mounted()) KTEL_SKIP_OR_FAIL("mount -t tmpfs failed: " + fs.error());
  std::string db = dir.path() + "/episode.db";
  // 4 KiB pages so that the tables and 20 one-row commits fit in 256 KiB.
  auto sink = SqliteSink::open(db, {.commit_interval_ns = 100'000'000,
                                    .commit_rows = 1,
                                    .max_queued_rows = 1'000'000,
                                    .max_queued_bytes = size_t{64} << 20,
                                    .page_size = 4096});
  ASSERT_TRUE(sink.is_ok()) << sink.status().to_string();
  auto small = (*sink)->open_table(Schema{"small", {{"n", ColumnType::kInt64, "", ""}}});
  auto big = (*sink)->open_table(Schema{"big", {{"blob", ColumnType::kText, "", ""}}});
  ASSERT_TRUE(small.is_ok() && big.is_ok());
  for (int i = 0; i < 20; ++i) {
    Batch b(1);
    b.add_int(i);
    ASSERT_TRUE((*sink)->append(*small, std::move(b)).is_ok());
  }
  ASSERT_TRUE(wait_for_rows(db, "small", 20));

  Status first_error;
  for (int i = 0; i < 2000 && first_error.is_ok(); ++i) {  // 16 MiB >> 256 KiB
    Batch b(1);
    b.add_text(std::string(8192, static_cast<char>('a' + i % 26)));
    first_error = (*sink)->append(*big, std::move(b));
  }
  Status st = (*sink)->finish();
  EXPECT_EQ(st.code(), Code::kResourceExhausted) << st.to_string();
  EXPECT_THAT(st.message(), HasSubstr(db));
  EXPECT_GT((*sink)->dropped_rows(), 0u);
  EXPECT_EQ(count_rows(db, "small"), 20) << "rows committed before the disk filled were lost";
}

}  // namespace
}  // namespace ktel
