// ProcessTree on synthetic /proc listings: discovery, stat read once per pid,
// pid reuse, sticky membership.
#include "sources/proc/process_tree.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace ktel::proc {
namespace {

using ::testing::ElementsAre;

// A fake /proc: pid -> (ino, ppid, start). Counts identify calls per pid.
struct FakeProc {
  struct P {
    uint64_t ino;
    pid_t ppid;
    uint64_t start;
  };
  std::map<pid_t, P> procs;
  std::map<pid_t, int> reads;

  std::vector<procfs::DirEntry> listing() const {
    std::vector<procfs::DirEntry> out;
    for (const auto& [pid, p] : procs) out.push_back({pid, p.ino});
    return out;
  }
  ProcessTree::Identify identify() {
    return [this](pid_t pid) -> Result<Identity> {
      ++reads[pid];
      auto it = procs.find(pid);
      if (it == procs.end()) return not_found("gone");
      return Identity{it->second.ppid, it->second.start};
    };
  }
};

std::vector<pid_t> pids(const ProcessTree& t) {
  std::vector<pid_t> out;
  for (const auto& m : t.members()) out.push_back(m.pid);
  return out;
}

TEST(ProcessTree, FindsDescendantsInAnyListingOrder) {
  FakeProc fp;
  fp.procs = {{1, {11, 0, 1}},   {50, {150, 1, 5}}, {100, {1100, 1, 10}},
              {7, {17, 120, 30}},  // grandchild listed before its parent (pid wrap)
              {120, {1120, 100, 20}}, {130, {1130, 50, 21}}};
  ProcessTree tree(100);
  ASSERT_TRUE(tree.update(fp.listing(), fp.identify()).is_ok());
  EXPECT_THAT(pids(tree), ElementsAre(7, 100, 120));
  EXPECT_EQ(tree.members()[0].start_time_ticks, 30u);
}

TEST(ProcessTree, ReadsStatOncePerPidNotPerTick) {
  FakeProc fp;
  fp.procs = {{1, {11, 0, 1}}, {100, {1100, 1, 10}}, {101, {1101, 100, 11}}};
  ProcessTree tree(100);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(tree.update(fp.listing(), fp.identify()).is_ok());
  EXPECT_EQ(fp.reads[1], 1);
  EXPECT_EQ(fp.reads[101], 1);
  EXPECT_EQ(tree.identify_reads(), 3u);
  fp.procs[102] = {1102, 101, 12};
  ASSERT_TRUE(tree.update(fp.listing(), fp.identify()).is_ok());
  EXPECT_THAT(pids(tree), ElementsAre(100, 101, 102));
  EXPECT_EQ(fp.reads[102], 1);
}

TEST(ProcessTree, ReusedPidIsANewProcessAndNotAMember) {
  FakeProc fp;
  fp.procs = {{1, {11, 0, 1}}, {100, {1100, 1, 10}}, {101, {1101, 100, 11}}};
  ProcessTree tree(100);
  ASSERT_TRUE(tree.update(fp.listing(), fp.identify()).is_ok());
  EXPECT_THAT(pids(tree), ElementsAre(100, 101));
  // 101 exits and an unrelated process gets pid 101 before the next tick:
  // same pid in the listing, new inode, different start and parent.
  fp.procs[101] = {2101, 1, 99};
  ASSERT_TRUE(tree.update(fp.listing(), fp.identify()).is_ok());
  EXPECT_THAT(pids(tree), ElementsAre(100));
  EXPECT_EQ(fp.reads[101], 2);
  // And the other way round: an outsider's pid reused by a new child of 100.
  fp.procs[101] = {3101, 100, 120};
  ASSERT_TRUE(tree.update(fp.listing(), fp.identify()).is_ok());
  EXPECT_THAT(pids(tree), ElementsAre(100, 101));
  EXPECT_EQ(tree.members()[1].start_time_ticks, 120u);
}

TEST(ProcessTree, RecycledInodeOfTheSameProcessKeepsMembership) {
  FakeProc fp;
  fp.procs = {{100, {1100, 1, 10}}, {101, {1101, 100, 11}}};
  ProcessTree tree(100);
  ASSERT_TRUE(tree.update(fp.listing(), fp.identify()).is_ok());
  fp.procs[101].ino = 5555;  // dentry evicted and re-instantiated
  fp.procs[101].ppid = 1;    // and meanwhile re-parented: membership is sticky
  ASSERT_TRUE(tree.update(fp.listing(), fp.identify()).is_ok());
  EXPECT_THAT(pids(tree), ElementsAre(100, 101));
}

TEST(ProcessTree, RootPidReusedLaterIsNotTheRoot) {
  FakeProc fp;
  fp.procs = {{100, {1100, 1, 10}}, {101, {1101, 100, 11}}};
  ProcessTree tree(100);
  ASSERT_TRUE(tree.update(fp.listing(), fp.identify()).is_ok());
  fp.procs.erase(100);
  ASSERT_TRUE(tree.update(fp.listing(), fp.identify()).is_ok());
  EXPECT_THAT(pids(tree), ElementsAre(101));  // orphan stays
  fp.procs[100] = {7100, 1, 500};
  ASSERT_TRUE(tree.update(fp.listing(), fp.identify()).is_ok());
  EXPECT_THAT(pids(tree), ElementsAre(101));
}

TEST(ProcessTree, VanishedDuringIdentifyIsIgnoredOtherErrorsReported) {
  FakeProc fp;
  fp.procs = {{100, {1100, 1, 10}}};
  ProcessTree tree(100);
  std::vector<procfs::DirEntry> listing = fp.listing();
  listing.push_back({200, 1200});  // listed, but gone when its stat is read
  ASSERT_TRUE(tree.update(listing, fp.identify()).is_ok());
  EXPECT_THAT(pids(tree), ElementsAre(100));
  Status st = tree.update(listing, [](pid_t pid) -> Result<Identity> {
    if (pid == 200) return data_loss("stat: field 4 (ppid) is missing");
    return Identity{1, 10};
  });
  EXPECT_EQ(st.code(), Code::kDataLoss);
  EXPECT_THAT(pids(tree), ElementsAre(100));
}

TEST(ProcessTree, InvalidateForcesAReread) {
  FakeProc fp;
  fp.procs = {{100, {1100, 1, 10}}};
  ProcessTree tree(100);
  ASSERT_TRUE(tree.update(fp.listing(), fp.identify()).is_ok());
  tree.invalidate(100);
  ASSERT_TRUE(tree.update(fp.listing(), fp.identify()).is_ok());
  EXPECT_EQ(fp.reads[100], 2);
  EXPECT_THAT(pids(tree), ElementsAre(100));
}

}  // namespace
}  // namespace ktel::proc
