// cgroup v2 path parsing on hand-made /proc/<pid>/cgroup texts, and the id of
// this process against the directory the hierarchy names.
#include "sys/cgroup.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ktel {
namespace {

TEST(CgroupV2PathTest, TakesTheUnifiedLineOnly) {
  EXPECT_EQ(cgroup_v2_path("0::/\n"), "/");
  EXPECT_EQ(cgroup_v2_path("4:memory:/a\n0::/user.slice/x y.scope\n1:cpu:/\n"),
            "/user.slice/x y.scope");
  EXPECT_EQ(cgroup_v2_path("0::/no-newline"), "/no-newline");
  EXPECT_EQ(cgroup_v2_path("4:memory:/a\n1:cpu:/\n"), std::nullopt);
  EXPECT_EQ(cgroup_v2_path(""), std::nullopt);
  EXPECT_EQ(cgroup_v2_path("10::/not-the-unified-one\n"), std::nullopt);
}

TEST(CgroupV2OfPidTest, ThisProcessIsInTheDirectoryItsLineNames) {
  Result<CgroupV2> cg = cgroup_v2_of_pid(::getpid());
  if (!cg.is_ok() && cg.status().code() == Code::kUnavailable) {
    GTEST_SKIP() << cg.status().to_string();
  }
  ASSERT_TRUE(cg.is_ok()) << cg.status().to_string();
  struct stat st {};
  ASSERT_EQ(::stat((cg->directory + "/cgroup.procs").c_str(), &st), 0) << cg->directory;
  ASSERT_EQ(::stat(cg->directory.c_str(), &st), 0);
  EXPECT_EQ(cg->id, st.st_ino);
  EXPECT_NE(cg->id, 0u);
}

TEST(CgroupV2OfPidTest, AMissingPidIsNotFound) {
  Result<CgroupV2> cg = cgroup_v2_of_pid(0x3fffffff);
  ASSERT_FALSE(cg.is_ok());
  EXPECT_EQ(cg.status().code(), Code::kNotFound) << cg.status().to_string();
}

}  // namespace
}  // namespace ktel
