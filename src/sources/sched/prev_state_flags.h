// sched_switch's prev_state (a long bit mask) as ftrace prints it: the letter
// table, mask and preemption bit are read from the event's "print fmt"
// (__print_flags(REC->prev_state & MASK, "|", { 0x01, "S" }, ...) : "R",
// REC->prev_state & PREEMPT ? "+" : ""), so a kernel that renumbers task
// states still prints right.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sources/sched/sched_event.h"

namespace ktel::sched {

class PrevStateFlags {
 public:
  struct Flag {
    uint64_t value = 0;
    std::string letters;
  };

  // Parses `print_fmt` of sched_switch. When it cannot (no __print_flags, an
  // expression it cannot evaluate, no pairs), returns fallback(), and
  // parsed() says false.
  static PrevStateFlags from_print_fmt(std::string_view print_fmt);
  // The table of Linux >= 4.14 (TASK_REPORT with TASK_IDLE): S=0x1 D=0x2 T=0x4
  // t=0x8 X=0x10 Z=0x20 P=0x40 I=0x80, mask 0xff, "+" for 0x100, "R" when no bit.
  static PrevStateFlags fallback();

  // "R", "S", "D|T", "R+", "S|0x400" (bits with no letter, as the kernel's
  // trace_print_flags_seq does). Allocation-free; cut at StateText's capacity.
  void render(int64_t prev_state, StateText& out) const {
    const uint64_t key = static_cast<uint64_t>(prev_state) & (mask_ | preempt_bit_);
    if (key < cache_.size()) {
      out = cache_[key];
    } else {
      render_slow(prev_state, out);
    }
  }

  bool parsed() const { return parsed_; }
  uint64_t mask() const { return mask_; }
  uint64_t preempt_bit() const { return preempt_bit_; }
  const std::vector<Flag>& flags() const { return flags_; }

 private:
  void render_slow(int64_t prev_state, StateText& out) const;
  void fill_cache();

  std::vector<Flag> flags_;
  // render() of every value of the bits that matter, when they are few.
  std::vector<StateText> cache_;
  std::string delim_ = "|";
  std::string running_ = "R";
  uint64_t mask_ = 0;
  uint64_t preempt_bit_ = 0;
  bool parsed_ = false;
};

// Evaluates a C integer constant expression as found in print fmts:
// literals (decimal, 0x hex, octal, U/L suffixes), ( ) ~ - + << >> & ^ |.
// Returns false on anything else (e.g. a REC-> reference or a macro name).
bool eval_const_expr(std::string_view expr, uint64_t& value);

}  // namespace ktel::sched
