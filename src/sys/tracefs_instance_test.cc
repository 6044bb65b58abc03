// Which ftrace instances are ktel's and whose: "ktel-<pid>" and the exec
// fallback's "ktel-<pid>-exec" both name their owner, so a crashed
// recorder's instances of either kind are found stale and removed.
#include "sys/tracefs_instance.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace ktel {
namespace {

TEST(TracefsInstanceNames, TheOwnerPidWithOrWithoutAPurpose) {
  EXPECT_EQ(instance_owner_pid("ktel-1234"), 1234);
  EXPECT_EQ(instance_owner_pid("ktel-1234-exec"), 1234);
  EXPECT_EQ(instance_owner_pid("ktel-"), -1);
  EXPECT_EQ(instance_owner_pid("ktel-x-exec"), -1);
  EXPECT_EQ(instance_owner_pid("other-1234"), -1);
  EXPECT_EQ(instance_owner_pid("ktel-99999999"), -1);
}

TEST(TracefsInstanceNames, OnlyADeadOwnersInstancesAreStale) {
  EXPECT_FALSE(instance_is_stale("ktel-" + std::to_string(::getpid()) + "-exec"));
  EXPECT_FALSE(instance_is_stale("ktel-x"));
  // pid_max is at most 4194304: a pid above every live one is free.
  pid_t free_pid = 4194303;
  while (::kill(free_pid, 0) == 0) --free_pid;
  EXPECT_TRUE(instance_is_stale("ktel-" + std::to_string(free_pid) + "-exec"));
}

}  // namespace
}  // namespace ktel
