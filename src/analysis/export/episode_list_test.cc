#include "analysis/export/episode_list.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "analysis/export/episode_fixture.h"
#include "analysis/export/episode_summary.h"

namespace ktel {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::TempDir;

TEST(EpisodeListTest, ListsEpisodesMarksIncompleteAndReportsBrokenMeta) {
  TempDir dir;
  testing::build_episode(dir.path() + "/01AAA", true);
  testing::build_episode(dir.path() + "/01BBB", false);
  std::filesystem::create_directories(dir.path() + "/01CCC");
  std::ofstream(dir.path() + "/01CCC/meta.json") << "{ not json";
  std::filesystem::create_directories(dir.path() + "/notes");  // not an episode

  auto list = list_episodes(dir.path());
  ASSERT_TRUE(list.is_ok()) << list.status().to_string();
  ASSERT_EQ(list->size(), 3u);
  std::string a = format_listing((*list)[0]);
  std::string b = format_listing((*list)[1]);
  std::string c = format_listing((*list)[2]);
  EXPECT_THAT(a, HasSubstr("01AAA"));
  EXPECT_THAT(a, HasSubstr("make test"));
  EXPECT_THAT(a, HasSubstr("complete"));
  EXPECT_THAT(a, Not(HasSubstr("INCOMPLETE")));
  EXPECT_THAT(a, HasSubstr("        10"));  // rows: sum of sources
  EXPECT_THAT(a, HasSubstr("       3"));    // losses: 2 lost + 1 sink dropped
  EXPECT_THAT(b, HasSubstr("INCOMPLETE"));
  EXPECT_THAT(c, HasSubstr(dir.path() + "/01CCC/meta.json: "));
  EXPECT_THAT(c, HasSubstr("not valid JSON"));
}

TEST(EpisodeListTest, MissingRootIsNotFound) {
  auto list = list_episodes("/nonexistent/episodes");
  EXPECT_EQ(list.status().code(), Code::kNotFound);
  EXPECT_THAT(list.status().message(), HasSubstr("/nonexistent/episodes"));
}

TEST(EpisodeListTest, TargetFallsBackToPid) {
  TargetMeta t;
  t.kind = "pid";
  t.pid = 42;
  t.comm = "evil\x1b[0m";
  EXPECT_EQ(describe_target(t), "pid 42 (evil\\x1b[0m)");
}

TEST(EpisodeSummaryTest, ShowsMetaSourcesEventsLossesAndTables) {
  TempDir dir;
  std::string ep = dir.path() + "/01AAA";
  testing::build_episode(ep, false);
  StringOutput out;
  ASSERT_TRUE(write_episode_summary(ep, out).is_ok());
  const std::string& s = out.str();
  EXPECT_THAT(s, HasSubstr("episode   01AAA"));
  EXPECT_THAT(s, HasSubstr("INCOMPLETE"));
  EXPECT_THAT(s, HasSubstr("make test"));
  EXPECT_THAT(s, HasSubstr("phase=attack"));
  EXPECT_THAT(s, HasSubstr("duration  1.50s"));
  EXPECT_THAT(s, HasSubstr("no PMU"));
  EXPECT_THAT(s, HasSubstr("0.001s  proc      proc_started"));
  EXPECT_THAT(s, HasSubstr("process_gone"));
  EXPECT_THAT(s, HasSubstr("losses    3 total: proc lost 2, sink dropped 1"));
  EXPECT_THAT(s, HasSubstr("proc_samples                   7"));
}

TEST(EpisodeSummaryTest, MissingDatabaseIsReportedNotFatal) {
  TempDir dir;
  std::string ep = dir.path() + "/01AAA";
  testing::build_episode(ep, true);
  std::filesystem::remove(ep + "/episode.db");
  StringOutput out;
  ASSERT_TRUE(write_episode_summary(ep, out).is_ok());
  EXPECT_THAT(out.str(), HasSubstr("episode.db: not_found"));
}

}  // namespace
}  // namespace ktel
