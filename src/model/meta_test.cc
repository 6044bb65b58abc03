#include "model/meta.h"

#include <gtest/gtest.h>

namespace ktel {
namespace {

TEST(MetaTest, RoundTripsThroughJson) {
  EpisodeMeta m;
  m.id = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
  m.status = "complete";
  m.origin_mono_ns = 5;
  m.origin_wall_ns = 7;
  m.start_wall_ns = 7;
  m.end_wall_ns = 99;
  m.exit.code = 3;
  m.sources["proc"] = {"ok", 10, 0, "", {{"ticks", 4}}};
  m.labels["run"] = "a=b";
  auto back = EpisodeMeta::from_json(m.to_json());
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->id, m.id);
  EXPECT_EQ(back->exit.code, 3);
  EXPECT_FALSE(back->exit.signal.has_value());
  EXPECT_EQ(back->end_wall_ns, 99);
  EXPECT_EQ(back->sources["proc"].rows, 10u);
  EXPECT_EQ(back->sources["proc"].details["ticks"], 4);
  EXPECT_EQ(back->labels["run"], "a=b");
}

TEST(MetaTest, WrongTypeNamesTheField) {
  EpisodeMeta m;
  m.id = "x";
  m.status = "running";
  auto j = m.to_json();
  j["sources"]["proc"] = {{"status", 5}};
  auto r = EpisodeMeta::from_json(j);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("sources.proc"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("'status'"), std::string::npos);
}

TEST(MetaTest, NonIntegerOrOutOfRangeNumbersNameTheField) {
  EpisodeMeta m;
  m.id = "x";
  m.status = "running";
  for (auto [key, value] : {std::pair<const char*, nlohmann::json>{"start_wall_ns", 1.5},
                            {"start_wall_ns", 1e300},
                            {"start_wall_ns", 18446744073709551615u}}) {
    auto j = m.to_json();
    j[key] = value;
    auto r = EpisodeMeta::from_json(j);
    ASSERT_FALSE(r.is_ok()) << value;
    EXPECT_EQ(r.status().code(), Code::kDataLoss);
    EXPECT_NE(r.status().message().find(key), std::string::npos) << r.status().message();
  }
  auto j = m.to_json();
  j["host"]["cpus"] = 4294967296;  // does not fit an int
  EXPECT_FALSE(EpisodeMeta::from_json(j).is_ok());
}

TEST(MetaTest, ClockOriginOutOfRangeIsRejected) {
  EpisodeMeta m;
  m.id = "x";
  m.status = "complete";
  auto j = m.to_json();
  j["clock"]["origin_wall_ns"] = INT64_MAX - 5;
  auto r = EpisodeMeta::from_json(j);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("origin_wall_ns"), std::string::npos);
}

TEST(MetaTest, RejectsOtherSchemaVersions) {
  EpisodeMeta m;
  auto j = m.to_json();
  j["schema_version"] = 2;
  EXPECT_EQ(EpisodeMeta::from_json(j).status().code(), Code::kDataLoss);
}

}  // namespace
}  // namespace ktel
