#include "base/file_util.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

namespace ktel {
namespace {

class FileUtilTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ktel_file_util_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(FileUtilTest, AtomicWriteReplacesAndLeavesNoTemp) {
  std::string path = dir_ + "/meta.json";
  ASSERT_TRUE(write_file_atomic(path, "one").is_ok());
  ASSERT_TRUE(write_file_atomic(path, "two").is_ok());
  EXPECT_EQ(*read_file(path), "two");
  int entries = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir_)) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST_F(FileUtilTest, AtomicWriteIntoMissingDirNamesIt) {
  Status s = write_file_atomic(dir_ + "/nope/meta.json", "x");
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find(dir_ + "/nope"), std::string::npos) << s.to_string();
}

TEST_F(FileUtilTest, MakeDirsCreatesNestedAndRejectsFiles) {
  ASSERT_TRUE(make_dirs(dir_ + "/a/b/c").is_ok());
  EXPECT_TRUE(std::filesystem::is_directory(dir_ + "/a/b/c"));
  ASSERT_TRUE(write_file_atomic(dir_ + "/f", "x").is_ok());
  EXPECT_FALSE(make_dirs(dir_ + "/f").is_ok());
}

TEST_F(FileUtilTest, ReadMissingFileIsNotFound) {
  auto r = read_file(dir_ + "/missing");
  EXPECT_EQ(r.status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace ktel
