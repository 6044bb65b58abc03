// Fuzzes the derivation of the sched tables (sources/sched/thread_tracker.h)
// with event streams a hostile or damaged trace could hold: lost switches, tid
// reuse, exec from any thread, out-of-order times. Each 8 input bytes are one
// event over 4 CPUs and 8 tids (and who the event says was running), so
// collisions are the rule. Properties:
//   - no negative duration, wait or latency;
//   - a CPU's slices never overlap, and lie within the trace;
//   - one summary per (tid, generation), none for tid 0, none left at finish;
//   - a thread's runtime and slice count equal the sum of its slices.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "sources/sched/thread_tracker.h"

namespace {

using namespace ktel::sched;  // NOLINT(google-build-using-namespace)

struct Collect : DerivedOutput {
  std::vector<SliceRecord> slices;
  std::vector<ThreadRecord> threads;
  ktel::Status slice(const SliceRecord& r) override {
    slices.push_back(r);
    return ktel::Status::ok();
  }
  ktel::Status wakeup_latency(const WakeupLatencyRecord& r) override {
    KTEL_FUZZ_CHECK(r.latency_ns() >= 0);
    KTEL_FUZZ_CHECK(r.tid != 0);
    return ktel::Status::ok();
  }
  ktel::Status thread(const ThreadRecord& r) override {
    threads.push_back(r);
    return ktel::Status::ok();
  }
  ktel::Status comm(const CommRecord& r) override {
    KTEL_FUZZ_CHECK(r.tid != 0);
    return ktel::Status::ok();
  }
};

const char* const kStates[] = {"R", "R+", "S", "D", "X", "Z", "", "S|0x400", "x", "I", "S+", "T"};
const char* const kComms[] = {"a", "b", "c,d", "swapper/0"};

SchedEvent decode(const uint8_t* p, int64_t& ts) {
  ts += static_cast<int64_t>(p[2]) * 16 - 256;  // mostly forward, sometimes back
  SchedEvent e;
  e.ts_ns = ts;
  e.cpu = p[1] % 4;
  const int32_t a = p[3] % 8, b = p[4] % 8;
  const char* state = kStates[p[5] % (sizeof(kStates) / sizeof(kStates[0]))];
  Comm comm(kComms[p[6] % 4]);
  // Mostly the task a kernel would name (prev for a switch), sometimes another
  // one, idle or unknown (-1).
  const int sel = p[6] >> 4;
  e.common_pid = sel == 15 ? -1 : (p[0] % 8 < 3 && sel < 12) ? a : sel % 8;
  switch (p[0] % 8) {
    case 0:
    case 1:
    case 2:
      e.payload = SwitchEvent{comm, a, 120, StateText(state), Comm(kComms[p[7] % 4]), b, 120};
      break;
    case 3: e.payload = WakeupEvent{comm, a, 120, b % 4, (p[7] & 1) != 0}; break;
    case 4: e.payload = MigrateEvent{comm, a, 120, b % 4, p[7] % 4}; break;
    case 5: e.payload = ForkEvent{comm, a, comm, b}; break;
    case 6: e.payload = ExecEvent{std::string("/bin/") + kComms[p[7] % 4], a, (p[7] & 4) ? b : a}; break;
    default: e.payload = ExitEvent{comm, a, 120, static_cast<int8_t>(p[7] % 3 - 1)}; break;
  }
  return e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Collect out;
  ThreadTracker tracker(out);
  int64_t ts = 1'000'000;
  int64_t first = 0, last = 0;
  for (size_t i = 0; i + 8 <= size; i += 8) {
    SchedEvent e = decode(data + i, ts);
    if (i == 0) first = last = e.ts_ns;
    last = std::max(last, e.ts_ns);
    KTEL_FUZZ_CHECK(tracker.add(e).is_ok());
  }
  KTEL_FUZZ_CHECK(tracker.finish().is_ok());
  KTEL_FUZZ_CHECK(tracker.live_threads() == 0);

  std::map<int32_t, std::vector<std::pair<int64_t, int64_t>>> by_cpu;
  std::map<std::pair<int32_t, uint32_t>, std::pair<int64_t, uint64_t>> per_thread;
  for (const auto& s : out.slices) {
    KTEL_FUZZ_CHECK(s.dur_ns >= 0);
    KTEL_FUZZ_CHECK(s.ts_ns >= first && s.ts_ns + s.dur_ns <= last);
    by_cpu[s.cpu].emplace_back(s.ts_ns, s.ts_ns + s.dur_ns);
    if (s.tid != 0) {
      auto& t = per_thread[{s.tid, s.generation}];
      t.first += s.dur_ns;
      ++t.second;
    }
  }
  for (auto& [cpu, spans] : by_cpu) {
    // Zero-length slices may share an instant; otherwise a CPU runs one task at a time.
    std::sort(spans.begin(), spans.end());
    for (size_t k = 1; k < spans.size(); ++k) KTEL_FUZZ_CHECK(spans[k].first >= spans[k - 1].second);
  }
  std::set<std::pair<int32_t, uint32_t>> seen;
  for (const auto& t : out.threads) {
    KTEL_FUZZ_CHECK(t.tid != 0);
    KTEL_FUZZ_CHECK(seen.insert({t.tid, t.generation}).second);
    KTEL_FUZZ_CHECK(t.runqueue_wait_ns >= 0);
    KTEL_FUZZ_CHECK(t.first_ts_ns <= t.last_ts_ns);
    auto it = per_thread.find({t.tid, t.generation});
    const int64_t runtime = it == per_thread.end() ? 0 : it->second.first;
    const uint64_t slices = it == per_thread.end() ? 0 : it->second.second;
    KTEL_FUZZ_CHECK(t.runtime_ns == runtime);
    KTEL_FUZZ_CHECK(t.slices == slices);
  }
  for (const auto& [key, v] : per_thread) KTEL_FUZZ_CHECK(seen.count(key) == 1);
  return 0;
}
