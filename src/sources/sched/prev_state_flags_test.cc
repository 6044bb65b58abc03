// prev_state letters from the real 6.18 print fmt, from an older kernel's
// form, and the fallback table when the print fmt says nothing usable.
#include "sources/sched/prev_state_flags.h"

#include <gtest/gtest.h>

#include "sources/sched/pages_test_support.h"

namespace ktel::sched {
namespace {

std::string render(const PrevStateFlags& f, int64_t state) {
  StateText t;
  f.render(state, t);
  return t.str();
}

PrevStateFlags real_flags() {
  FormatSet set = testing::load_testdata_formats();
  const EventFormat* sw = set.find("sched", "sched_switch");
  EXPECT_NE(sw, nullptr);
  return PrevStateFlags::from_print_fmt(sw != nullptr ? sw->print_fmt : "");
}

TEST(PrevStateFlags, RealPrintFmt) {
  PrevStateFlags f = real_flags();
  ASSERT_TRUE(f.parsed());
  EXPECT_EQ(f.mask(), 0xffu);
  EXPECT_EQ(f.preempt_bit(), 0x100u);
  ASSERT_EQ(f.flags().size(), 8u);
  EXPECT_EQ(f.flags()[0].letters, "S");
  EXPECT_EQ(f.flags()[7].value, 0x80u);
  EXPECT_EQ(f.flags()[7].letters, "I");

  EXPECT_EQ(render(f, 0), "R");
  EXPECT_EQ(render(f, 0x100), "R+");  // preempted while runnable
  EXPECT_EQ(render(f, 0x1), "S");
  EXPECT_EQ(render(f, 0x2), "D");
  EXPECT_EQ(render(f, 0x8), "t");
  EXPECT_EQ(render(f, 0x80), "I");
  EXPECT_EQ(render(f, 0x3), "S|D");
  EXPECT_EQ(render(f, 0x101), "S+");
  EXPECT_EQ(render(f, 0x200), "R");  // outside the mask and not the preempt bit
  EXPECT_EQ(render(f, 0xff), "S|D|T|t|X|Z|P|I");
  EXPECT_EQ(render(f, 0x1ff), "S|D|T|t|X|Z|P|I+");  // exactly StateText's 16 bytes
}

TEST(PrevStateFlags, FallbackAgreesWithRealTable) {
  PrevStateFlags real = real_flags();
  PrevStateFlags fb = PrevStateFlags::fallback();
  EXPECT_FALSE(fb.parsed());
  for (int64_t s : {0x0, 0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40, 0x80, 0x100, 0x102, 0x81}) {
    EXPECT_EQ(render(real, s), render(fb, s)) << s;
  }
}

TEST(PrevStateFlags, OlderKernelPlainNumbers) {
  // Linux 4.4: TASK_STATE_MAX 2048, decimal flags, "+" for 2048.
  const char* fmt =
      "\"prev_comm=%s prev_state=%s%s\", REC->prev_comm, REC->prev_state & (2048-1) ? "
      "__print_flags(REC->prev_state & (2048-1), \"|\", { 1, \"S\"} , { 2, \"D\" }, "
      "{ 4, \"T\" }, { 8, \"t\" }, { 16, \"Z\" }, { 32, \"X\" }, { 64, \"x\" }, { 128, \"K\" }, "
      "{ 256, \"W\" }, { 512, \"P\" }, { 1024, \"N\" }) : \"R\", "
      "REC->prev_state & 2048 ? \"+\" : \"\"";
  PrevStateFlags f = PrevStateFlags::from_print_fmt(fmt);
  ASSERT_TRUE(f.parsed());
  EXPECT_EQ(f.mask(), 2047u);
  EXPECT_EQ(f.preempt_bit(), 2048u);
  EXPECT_EQ(render(f, 1024), "N");
  EXPECT_EQ(render(f, 2048), "R+");
  EXPECT_EQ(render(f, 16 | 32), "Z|X");
}

TEST(PrevStateFlags, UnnamedBitsPrintedInHexAndMaskDerivedFromTable) {
  // Symbolic mask (not evaluable): every bit up to the highest flag.
  PrevStateFlags f = PrevStateFlags::from_print_fmt(
      "\"%s\", __print_flags(REC->prev_state & (TASK_REPORT_MAX-1), \"/\", "
      "{ 0x1, \"S\" }, { 0x4, \"T\" }) : \"run\", REC->prev_state & TASK_REPORT_MAX ? \"+\" : \"\"");
  ASSERT_TRUE(f.parsed());
  EXPECT_EQ(f.mask(), 0x7u);
  EXPECT_EQ(f.preempt_bit(), 0x8u);
  EXPECT_EQ(render(f, 0), "run");
  EXPECT_EQ(render(f, 0x7), "S/T/0x2");
  EXPECT_EQ(render(f, 0x8), "run+");
}

TEST(PrevStateFlags, UnparsableFallsBack) {
  for (const char* fmt :
       {"", "\"prev_state=%ld\", REC->prev_state", "__print_flags(REC->prev_state",
        "__print_flags(REC->prev_state & 0xff, \"|\", { 0x1, S })",
        "__print_flags(REC->prev_state & 0xff, |, { 0x1, \"S\" })",
        "__print_flags(REC->prev_state & 0xff, \"|\", { FOO, \"S\" })"}) {
    PrevStateFlags f = PrevStateFlags::from_print_fmt(fmt);
    EXPECT_FALSE(f.parsed()) << fmt;
    EXPECT_EQ(render(f, 0x100), "R+") << fmt;
    EXPECT_EQ(render(f, 0x2), "D") << fmt;
  }
}

TEST(EvalConstExpr, CForms) {
  uint64_t v = 0;
  ASSERT_TRUE(eval_const_expr(
      "((((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004) + 1) << 1) - 1)", v));
  EXPECT_EQ(v, 15u);
  ASSERT_TRUE(eval_const_expr("2048-1", v));
  EXPECT_EQ(v, 2047u);
  ASSERT_TRUE(eval_const_expr("~0UL & 0xf0 ^ 0x10", v));
  EXPECT_EQ(v, 0xe0u);
  ASSERT_TRUE(eval_const_expr("010 >> 1", v));
  EXPECT_EQ(v, 4u);
  ASSERT_TRUE(eval_const_expr("-1 + 2", v));
  EXPECT_EQ(v, 1u);
  for (const char* bad : {"", "REC->prev_state", "0x", "(1", "1)", "1 || 2", "1 && 2",
                          "1 << 64", "99999999999999999999", "1 +", "TASK_REPORT_MAX"}) {
    EXPECT_FALSE(eval_const_expr(bad, v)) << bad;
  }
  std::string deep(1000, '(');
  EXPECT_FALSE(eval_const_expr(deep + "1" + std::string(1000, ')'), v));
}

}  // namespace
}  // namespace ktel::sched
