// EventDecoder on payloads laid out by the real 6.18 formats, on formats of
// other shapes (rel_loc, missing fields), on malformed records, and on every
// record of the real captures.
#include "sources/sched/event_decoder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>

#include "sources/sched/cpu_page_decoder.h"
#include "sources/sched/pages_test_support.h"

namespace ktel::sched {
namespace {

using testing::PayloadBuilder;

class EventDecoderTest : public ::testing::Test {
 protected:
  FormatSet formats_ = testing::load_testdata_formats("mixed");
  EventDecoder decoder_{formats_};

  const EventFormat& fmt(const char* system, const char* name) {
    const EventFormat* f = formats_.find(system, name);
    EXPECT_NE(f, nullptr) << name;
    static const EventFormat kNone{};
    return f != nullptr ? *f : kNone;
  }
  SchedEvent decode_ok(const std::vector<uint8_t>& payload) {
    SchedEvent ev;
    EXPECT_EQ(decoder_.decode(payload, ev), DecodeOutcome::kOk);
    return ev;
  }
};

TEST_F(EventDecoderTest, SwitchWithStateLetters) {
  const EventFormat& f = fmt("sched", "sched_switch");
  EXPECT_EQ(decoder_.kind(f.id), EventKind::kSwitch);
  PayloadBuilder b(f);
  b.set_int("common_pid", 42).set_str("prev_comm", "exactly16bytes!!").set_int("prev_pid", 42);
  b.set_int("prev_prio", 120).set_str("next_comm", "swapper/1").set_int("next_pid", 0);
  b.set_int("next_prio", 120);
  const std::pair<int64_t, const char*> states[] = {
      {0, "R"}, {0x100, "R+"}, {0x1, "S"}, {0x2, "D"}, {0x80, "I"}, {0x101, "S+"}};
  for (auto [state, letters] : states) {
    b.set_int("prev_state", state);
    SchedEvent ev = decode_ok(b.build());
    const auto* sw = std::get_if<SwitchEvent>(&ev.payload);
    ASSERT_NE(sw, nullptr);
    EXPECT_EQ(ev.common_pid, 42);
    EXPECT_EQ(sw->prev_comm.view(), "exactly16bytes!!");  // no NUL in the array
    EXPECT_EQ(sw->prev_pid, 42);
    EXPECT_EQ(sw->prev_prio, 120);
    EXPECT_EQ(sw->prev_state.view(), letters) << state;
    EXPECT_EQ(sw->next_comm.view(), "swapper/1");
    EXPECT_EQ(sw->next_pid, 0);
  }
}

TEST_F(EventDecoderTest, WakeupAndWakeupNew) {
  PayloadBuilder w(fmt("sched", "sched_wakeup"));
  w.set_str("comm", "a").set_int("pid", 7).set_int("prio", 100).set_int("target_cpu", 1);
  SchedEvent ev = decode_ok(w.build());
  auto* wk = std::get_if<WakeupEvent>(&ev.payload);
  ASSERT_NE(wk, nullptr);
  EXPECT_FALSE(wk->is_new);
  EXPECT_EQ(wk->target_cpu, 1);
  EXPECT_EQ(wk->prio, 100);
  PayloadBuilder n(fmt("sched", "sched_wakeup_new"));
  n.set_str("comm", "b").set_int("pid", 8).set_int("target_cpu", 0);
  ev = decode_ok(n.build());
  wk = std::get_if<WakeupEvent>(&ev.payload);
  ASSERT_NE(wk, nullptr);
  EXPECT_TRUE(wk->is_new);
  EXPECT_EQ(wk->comm.view(), "b");
}

TEST_F(EventDecoderTest, DataLocStrings) {
  PayloadBuilder m(fmt("sched", "sched_migrate_task"));
  m.set_str("comm", "mover").set_int("pid", 9).set_int("orig_cpu", 0).set_int("dest_cpu", 1);
  SchedEvent ev = decode_ok(m.build());
  const auto* mg = std::get_if<MigrateEvent>(&ev.payload);
  ASSERT_NE(mg, nullptr);
  EXPECT_EQ(mg->comm.view(), "mover");
  EXPECT_EQ(mg->dest_cpu, 1);

  PayloadBuilder fk(fmt("sched", "sched_process_fork"));
  fk.set_str("parent_comm", "bash").set_int("parent_pid", 1).set_str("child_comm", "bash");
  fk.set_int("child_pid", 2);
  ev = decode_ok(fk.build());
  ASSERT_TRUE(std::holds_alternative<ForkEvent>(ev.payload));
  EXPECT_EQ(std::get<ForkEvent>(ev.payload).child_pid, 2);

  const std::string long_name(300, 'x');
  PayloadBuilder ex(fmt("sched", "sched_process_exec"));
  ex.set_str("filename", long_name).set_int("pid", 5).set_int("old_pid", 5);
  ev = decode_ok(ex.build());
  ASSERT_TRUE(std::holds_alternative<ExecEvent>(ev.payload));
  EXPECT_EQ(std::get<ExecEvent>(ev.payload).filename, long_name);  // not cut
}

TEST_F(EventDecoderTest, ExitGroupDead) {
  PayloadBuilder x(fmt("sched", "sched_process_exit"));
  x.set_str("comm", "true").set_int("pid", 3).set_int("group_dead", 1);
  SchedEvent ev = decode_ok(x.build());
  EXPECT_EQ(std::get<ExitEvent>(ev.payload).group_dead, 1);
  x.set_int("group_dead", 0);
  ev = decode_ok(x.build());
  EXPECT_EQ(std::get<ExitEvent>(ev.payload).group_dead, 0);
}

TEST_F(EventDecoderTest, MalformedRecords) {
  SchedEvent ev;
  std::vector<uint8_t> sw = PayloadBuilder(fmt("sched", "sched_switch")).build();
  EXPECT_EQ(decoder_.decode(std::span(sw).first(40), ev), DecodeOutcome::kTooShort);
  EXPECT_EQ(decoder_.decode(std::span(sw).first(1), ev), DecodeOutcome::kTooShort);
  EXPECT_EQ(decoder_.decode({}, ev), DecodeOutcome::kTooShort);
  EXPECT_FALSE(decoder_.event_id(std::span(sw).first(1)));

  std::vector<uint8_t> m = PayloadBuilder(fmt("sched", "sched_migrate_task")).build();
  const uint32_t past_end = static_cast<uint32_t>(m.size()) | (8u << 16);
  std::memcpy(m.data() + fmt("sched", "sched_migrate_task").field("comm")->offset, &past_end, 4);
  EXPECT_EQ(decoder_.decode(m, ev), DecodeOutcome::kBadDataLoc);

  uint16_t unknown = 65000;
  std::memcpy(sw.data(), &unknown, 2);
  EXPECT_EQ(decoder_.decode(sw, ev), DecodeOutcome::kUnknownId);
  EXPECT_EQ(decoder_.kind(65000), EventKind::kOther);
  EXPECT_EQ(decode_outcome_name(DecodeOutcome::kTooShort), "payload_too_short");
}

// Formats of other shapes: built from the real ones with fields renamed,
// removed or re-declared.
FormatSet edited_set(const FormatSet& base, const std::function<void(EventFormat&)>& edit) {
  std::vector<EventFormat> events = base.events();
  for (EventFormat& ev : events) edit(ev);
  Result<FormatSet> set = FormatSet::create(base.page_header(), base.event_header(), events);
  EXPECT_TRUE(set.is_ok()) << set.status().to_string();
  return std::move(set).value();
}

TEST_F(EventDecoderTest, OptionalFieldsAbsentAndRequiredFieldsMissing) {
  FormatSet set = edited_set(formats_, [](EventFormat& ev) {
    auto drop = [&](const char* name) {
      std::erase_if(ev.fields, [&](const FormatField& f) { return f.name == name; });
    };
    if (ev.name == "sched_process_exit") drop("group_dead");
    if (ev.name == "sched_wakeup") drop("target_cpu");
    if (ev.name == "sched_switch") drop("prev_state");
  });
  EventDecoder d(set);
  SchedEvent ev;
  EXPECT_EQ(d.decode(PayloadBuilder(*set.find("sched", "sched_process_exit")).build(), ev),
            DecodeOutcome::kOk);
  EXPECT_EQ(std::get<ExitEvent>(ev.payload).group_dead, -1);
  EXPECT_EQ(d.decode(PayloadBuilder(*set.find("sched", "sched_wakeup")).build(), ev),
            DecodeOutcome::kOk);
  EXPECT_EQ(std::get<WakeupEvent>(ev.payload).target_cpu, -1);
  // Without prev_state a switch cannot be told apart from a guess: OtherEvent.
  const EventFormat& sw = *set.find("sched", "sched_switch");
  EXPECT_EQ(d.kind(sw.id), EventKind::kOther);
  PayloadBuilder b(sw);
  b.set_str("prev_comm", "p").set_int("next_pid", 77);
  EXPECT_EQ(d.decode(b.build(), ev), DecodeOutcome::kOk);
  const auto* other = std::get_if<OtherEvent>(&ev.payload);
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->name, "sched_switch");
  EXPECT_THAT(other->fields_json, ::testing::HasSubstr("\"next_pid\":77"));
}

TEST_F(EventDecoderTest, RelLocComm) {
  FormatSet set = edited_set(formats_, [](EventFormat& ev) {
    if (ev.name == "sched_migrate_task") {
      for (FormatField& f : ev.fields) {
        if (f.name == "comm") f.loc = FieldLoc::kRelLoc, f.type = "__rel_loc char[]";
      }
    }
  });
  EventDecoder d(set);
  PayloadBuilder m(*set.find("sched", "sched_migrate_task"));
  m.set_str("comm", "relative").set_int("dest_cpu", 1);
  SchedEvent ev;
  ASSERT_EQ(d.decode(m.build(), ev), DecodeOutcome::kOk);
  EXPECT_EQ(std::get<MigrateEvent>(ev.payload).comm.view(), "relative");
}

TEST_F(EventDecoderTest, OtherEventsFromRealCapture) {
  std::vector<uint8_t> bytes = testing::read_bytes(testing::ftrace_testdata("mixed/cpu0.pages"));
  std::vector<uint8_t> more = testing::read_bytes(testing::ftrace_testdata("mixed/cpu1.pages"));
  bytes.insert(bytes.end(), more.begin(), more.end());
  PageLayout layout = testing::layout_of(formats_);
  CpuPageDecoder cpu(layout, decoder_, bytes, 0);
  std::set<std::string> names;
  bool renamed = false;
  for (SchedEvent ev; cpu.next(ev);) {
    const auto* o = std::get_if<OtherEvent>(&ev.payload);
    if (o == nullptr) continue;
    names.insert(o->system + "/" + o->name);
    nlohmann::json j = nlohmann::json::parse(o->fields_json);  // always valid JSON
    ASSERT_TRUE(j.is_object());
    EXPECT_FALSE(j.contains("common_pid"));
    if (o->name == "task_rename" && j["newcomm"] == "renamed \"q\"\\") {
      renamed = true;
      EXPECT_THAT(o->fields_json, ::testing::HasSubstr(R"("newcomm":"renamed \"q\"\\")"));
      EXPECT_TRUE(j["oom_score_adj"].is_number_integer());
    }
    if (o->name == "sched_stat_runtime") {
      EXPECT_TRUE(j["comm"].is_string());
      EXPECT_TRUE(j["runtime"].is_number_unsigned());
    }
  }
  EXPECT_TRUE(renamed);
  EXPECT_THAT(names, ::testing::IsSupersetOf({"sched/sched_waking", "sched/sched_stat_runtime",
                                              "task/task_newtask", "task/task_rename"}));
  EXPECT_EQ(cpu.stats().malformed(), 0u);
  EXPECT_EQ(cpu.stats().unknown_ids, 0u);
}

TEST(EventDecoderRealTest, BasicCaptureTypedEvents) {
  FormatSet formats = testing::load_testdata_formats("basic");
  EventDecoder decoder(formats);
  PageLayout layout = testing::layout_of(formats);
  std::map<size_t, int> by_kind;
  bool long_exec = false, true_exec = false, migrated = false, group_dead = false;
  const std::set<std::string> states = {"R", "R+", "S", "D", "I", "T", "t", "X", "Z", "P"};
  for (int c : {0, 1}) {
    std::vector<uint8_t> bytes = testing::read_bytes(
        testing::ftrace_testdata("basic/cpu" + std::to_string(c) + ".pages"));
    CpuPageDecoder cpu(layout, decoder, bytes, c);
    for (SchedEvent ev; cpu.next(ev);) {
      ++by_kind[ev.payload.index()];
      EXPECT_EQ(ev.cpu, c);
      if (const auto* sw = std::get_if<SwitchEvent>(&ev.payload)) {
        EXPECT_TRUE(states.count(sw->prev_state.str())) << sw->prev_state.str();
        EXPECT_EQ(ev.common_pid, sw->prev_pid);
      } else if (const auto* ex = std::get_if<ExecEvent>(&ev.payload)) {
        long_exec |= ex->filename.ends_with("/true-with-a-long-name") && ex->filename.size() > 112;
        true_exec |= ex->filename == "/bin/true";
      } else if (const auto* mg = std::get_if<MigrateEvent>(&ev.payload)) {
        migrated |= mg->comm.view() == "sh" && mg->orig_cpu != mg->dest_cpu;
      } else if (const auto* x = std::get_if<ExitEvent>(&ev.payload)) {
        EXPECT_TRUE(x->group_dead == 0 || x->group_dead == 1);
        group_dead |= x->group_dead == 1;
      }
    }
    EXPECT_EQ(cpu.stats().malformed(), 0u);
    EXPECT_EQ(cpu.stats().unknown_ids, 0u);
  }
  EXPECT_TRUE(long_exec);
  EXPECT_TRUE(true_exec);
  EXPECT_TRUE(migrated);
  EXPECT_TRUE(group_dead);
  for (size_t kind = 0; kind < 6; ++kind) EXPECT_GT(by_kind[kind], 0) << "variant " << kind;
  EXPECT_EQ(by_kind[6], 0);  // the seven sched events only: no OtherEvent
}

}  // namespace
}  // namespace ktel::sched
