// Open-decision policy: what each perf_event_open errno means for a counter,
// on a machine with hardware counters and on one (a VM) without.
#include "sources/perf/counter_plan.h"

#include <gtest/gtest.h>
#include <linux/perf_event.h>

#include <cerrno>

namespace ktel::perf {
namespace {

TEST(CounterPlan, CountersMatchPerfSamplesColumns) {
  const char* const* names = tables::perf_counter_names();
  for (int i = 0; i < kCounterCount; ++i) {
    EXPECT_STREQ(counter_defs()[static_cast<size_t>(i)].name, names[i]);
  }
}

TEST(CounterPlan, HardwareAndSoftwareNeverShareAGroup) {
  for (const auto& group : counter_groups()) {
    ASSERT_FALSE(group.empty());
    bool hw = counter_defs()[static_cast<size_t>(group[0])].hardware;
    for (int idx : group) EXPECT_EQ(counter_defs()[static_cast<size_t>(idx)].hardware, hw);
    // Each hardware group must fit the smallest PMUs (ratio pairs).
    if (hw) {
      EXPECT_LE(group.size(), 2u);
    }
  }
  // The ratio pairs are co-scheduled.
  EXPECT_EQ(counter_defs()[0].group, counter_defs()[1].group);
  EXPECT_EQ(counter_defs()[2].group, counter_defs()[3].group);
}

TEST(CounterPlan, VmWithoutPmuMeansNotSupported) {
  EXPECT_EQ(counter_status_for_errno(ENOENT), CounterStatus::kNotSupported);
  EXPECT_EQ(counter_status_for_errno(EOPNOTSUPP), CounterStatus::kNotSupported);
  EXPECT_EQ(counter_status_for_errno(ENODEV), CounterStatus::kNotSupported);
  std::string reason = open_failure_reason(counter_defs()[0], 42, ENOENT, 2);
  EXPECT_NE(reason.find("cycles"), std::string::npos);
  EXPECT_NE(reason.find("pid 42"), std::string::npos);
  EXPECT_NE(reason.find("ENOENT"), std::string::npos);
  EXPECT_NE(reason.find("PMU"), std::string::npos);
}

TEST(CounterPlan, PermissionErrorsNameParanoidAndTheFix) {
  EXPECT_EQ(counter_status_for_errno(EACCES), CounterStatus::kNoPermission);
  EXPECT_EQ(counter_status_for_errno(EPERM), CounterStatus::kNoPermission);
  std::string reason = open_failure_reason(counter_defs()[6], 42, EACCES, 3);
  EXPECT_NE(reason.find("perf_event_paranoid=3"), std::string::npos);
  EXPECT_NE(reason.find("CAP_PERFMON"), std::string::npos);
}

TEST(CounterPlan, TargetOrResourceErrorsAreNotCounterStatuses) {
  EXPECT_FALSE(counter_status_for_errno(ESRCH).has_value());
  EXPECT_FALSE(counter_status_for_errno(EMFILE).has_value());
  EXPECT_FALSE(counter_status_for_errno(ENOMEM).has_value());
}

std::array<CounterOutcome, kCounterCount> outcomes_with(int hw_errno, int sw_errno) {
  std::array<CounterOutcome, kCounterCount> o;
  for (int i = 0; i < kCounterCount; ++i) {
    const auto& def = counter_defs()[static_cast<size_t>(i)];
    int err = def.hardware ? hw_errno : sw_errno;
    if (err == 0) continue;
    o[static_cast<size_t>(i)] = {*counter_status_for_errno(err),
                                 open_failure_reason(def, 9, err, 2)};
  }
  return o;
}

TEST(CounterPlan, NothingOpenedForPermissionIsPermissionDenied) {
  Status st = nothing_opened_status(outcomes_with(EACCES, EACCES), 9, 2);
  EXPECT_EQ(st.code(), Code::kPermissionDenied);
  EXPECT_NE(st.message().find("perf_event_paranoid"), std::string::npos);
  EXPECT_NE(st.message().find("pid 9"), std::string::npos);
  // Hardware absent, software refused: still a permission problem to fix.
  EXPECT_EQ(nothing_opened_status(outcomes_with(ENOENT, EPERM), 9, 2).code(),
            Code::kPermissionDenied);
}

TEST(CounterPlan, NothingOpenedForSupportIsUnavailable) {
  Status st = nothing_opened_status(outcomes_with(ENOENT, ENOSYS), 9, 2);
  EXPECT_EQ(st.code(), Code::kUnavailable);
  EXPECT_NE(st.message().find("perf_event_paranoid"), std::string::npos);
  EXPECT_NE(st.message().find("task_clock"), std::string::npos);
}

TEST(CounterPlan, StatusNamesAreTheTableVocabulary) {
  EXPECT_EQ(counter_status_name(CounterStatus::kOk), "ok");
  EXPECT_EQ(counter_status_name(CounterStatus::kNotCounted), "not_counted");
  EXPECT_EQ(counter_status_name(CounterStatus::kNotSupported), "not_supported");
  EXPECT_EQ(counter_status_name(CounterStatus::kNoPermission), "no_permission");
}

}  // namespace
}  // namespace ktel::perf
