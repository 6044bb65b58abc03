// Perf source: opens counting perf events on the target (sources/perf/
// counter_set.h), reads them on a deadline loop and writes perf_samples rows.
#include "sources/perf/perf_source.h"

#include <chrono>

#include "model/tables.h"

namespace ktel {

namespace {
constexpr std::string_view kUserOnlyReason =
    "user space only: kernel.perf_event_paranoid forbids counting kernel mode for this user "
    "(run as root, grant CAP_PERFMON, or sysctl -w kernel.perf_event_paranoid=1 for full counts)";
}  // namespace

using perf::CounterStatus;

PerfSource::PerfSource() = default;

PerfSource::~PerfSource() {
  // stop() is the normal path; this only keeps a forgotten thread from
  // terminating the process.
  stop_and_join(stop_, thread_);
}

Status PerfSource::start(const SourceContext& ctx) {
  ctx_ = ctx;
  if (ctx.clock == nullptr || ctx.events == nullptr || ctx.sink == nullptr) {
    return internal_error("perf source started without clock, event log or sink");
  }
  if (ctx.options.interval_ns <= 0) {
    return invalid_argument("perf: --interval must be positive, got " +
                            std::to_string(ctx.options.interval_ns) + " ns");
  }
  KTEL_ASSIGN_OR_RETURN(perf::PerfCounterSet set, perf::PerfCounterSet::open(ctx.target_pid));
  counters_ = std::make_unique<perf::PerfCounterSet>(std::move(set));
  if (!counters_->any_open()) {
    return perf::nothing_opened_status(counters_->outcomes(), ctx.target_pid,
                                       counters_->paranoid());
  }
  KTEL_ASSIGN_OR_RETURN(samples_table_, ctx.sink->open_table(tables::perf_samples()));
  KTEL_TRY(write_counter_rows());

  prev_t_ = ctx.clock->now();
  prev_ = counters_->read(read_errors_);

  nlohmann::json events = nlohmann::json::array();
  for (int i = 0; i < perf::kCounterCount; ++i) {
    if (counters_->outcomes()[i].status == CounterStatus::kOk) {
      events.push_back(perf::counter_defs()[i].name);
    }
  }
  nlohmann::json interval_ms =
      ctx.options.interval_ns % 1'000'000 == 0
          ? nlohmann::json(ctx.options.interval_ns / 1'000'000)
          : nlohmann::json(static_cast<double>(ctx.options.interval_ns) / 1e6);
  if (counters_->user_only()) {
    ctx.events->emit("perf", "perf_user_only",
                     {{"reason", std::string(kUserOnlyReason)},
                      {"perf_event_paranoid", counters_->paranoid() ? nlohmann::json(*counters_->paranoid())
                                                                   : nlohmann::json()}});
  }
  ctx.events->emit("perf", "perf_started",
                   {{"pid", ctx.target_pid}, {"events", events}, {"interval_ms", interval_ms}});
  thread_ = std::thread([this] { run(); });
  return Status::ok();
}

Status PerfSource::write_counter_rows() {
  Schema schema = tables::perf_counters();
  KTEL_ASSIGN_OR_RETURN(TableId table, ctx_.sink->open_table(schema));
  Batch b(schema.columns.size());
  for (int i = 0; i < perf::kCounterCount; ++i) {
    const auto& def = perf::counter_defs()[i];
    const auto& outcome = counters_->outcomes()[i];
    b.add_text(def.name).add_int(def.type).add_int(static_cast<int64_t>(def.config));
    b.add_text(std::string(perf::counter_status_name(outcome.status)));
    if (outcome.status == CounterStatus::kOk && counters_->user_only()) {
      b.add_text(std::string(kUserOnlyReason));
    } else if (outcome.reason.empty()) {
      b.add_null();
    } else {
      b.add_text(outcome.reason);
    }
  }
  return ctx_.sink->append(table, std::move(b));
}

void PerfSource::run() {
  using Clock = std::chrono::steady_clock;
  const auto interval = std::chrono::nanoseconds(ctx_.options.interval_ns);
  auto deadline = Clock::now() + interval;
  while (!stop_.wait_until(deadline)) {
    sample();
    // Deadlines stay on the original grid; if a read overran whole intervals
    // the missed ones are skipped rather than bunched up (the next row's
    // interval_ns then shows the longer span).
    deadline += interval;
    auto now = Clock::now();
    if (deadline <= now) deadline += ((now - deadline) / interval + 1) * interval;
  }
}

perf::PerfSampleRow PerfSource::build_row(const perf::Snapshot& cur, Stamp now) const {
  perf::PerfSampleRow row;
  row.t = now;
  row.pid = ctx_.target_pid;
  row.interval_start_mono_ns = prev_t_.mono_ns;
  row.interval_ns = now.mono_ns - prev_t_.mono_ns;
  bool have_times = false;
  for (size_t k = 0; k < perf::kCounterCount; ++k) {
    if (counters_->outcomes()[k].status != CounterStatus::kOk) continue;
    perf::CounterDelta sum;
    for (size_t t = 0; t < cur.size() && t < prev_.size(); ++t) {
      if (prev_[t][k] && cur[t][k])
        perf::add_delta(sum, perf::counter_delta(*prev_[t][k], *cur[t][k]));
    }
    row.counters[k] = perf::cell_from_delta(sum);
    if (!have_times && perf::counter_defs()[k].hardware) {
      have_times = true;
      row.time_enabled_ns = static_cast<int64_t>(sum.enabled_ns);
      row.time_running_ns = static_cast<int64_t>(sum.running_ns);
    }
  }
  return row;
}

void PerfSource::merge_into_prev(perf::Snapshot& cur) {
  // A failed read keeps the older reading, so the next delta spans both
  // intervals instead of being lost.
  for (size_t t = 0; t < cur.size() && t < prev_.size(); ++t) {
    for (size_t k = 0; k < perf::kCounterCount; ++k) {
      if (!cur[t][k]) cur[t][k] = prev_[t][k];
    }
  }
  prev_ = std::move(cur);
}

void PerfSource::sample() {
  Stamp now = ctx_.clock->now();
  perf::Snapshot cur = counters_->read(read_errors_);
  perf::PerfSampleRow row = build_row(cur, now);
  merge_into_prev(cur);
  prev_t_ = now;

  Batch batch(tables::perf_samples().columns.size());
  perf::append_perf_sample(row, row_source(), batch);
  Status st = ctx_.sink->append(samples_table_, std::move(batch));
  if (!st.is_ok()) {
    ++lost_rows_;
    if (sink_status_.is_ok()) sink_status_ = st;
  }
  nlohmann::json populated = nlohmann::json::array();
  for (size_t k = 0; k < perf::kCounterCount; ++k) {
    if (!row.counters[k].has_value()) continue;
    ever_counted_[k] = true;
    populated.push_back(perf::counter_defs()[k].name);
  }
  if (!populated.empty()) ++intervals_with_values_;
  if (rows_++ == 0) {
    ctx_.events->emit("perf", "perf_first_row",
                      {{"counters_populated", populated.size()}, {"counters", populated}});
  }
}

Status PerfSource::stop() {
  stop_and_join(stop_, thread_);
  if (counters_ == nullptr || samples_table_ < 0) return Status::ok();
  sample();  // the partial interval since the last tick
  emit_finish_events();
  return sink_status_;
}

void PerfSource::emit_finish_events() {
  report_ = {};
  report_.rows = rows_ - lost_rows_;
  report_.lost = lost_rows_;
  nlohmann::json counters = nlohmann::json::object();
  bool software_open = false;
  for (size_t k = 0; k < perf::kCounterCount; ++k) {
    CounterStatus s = counters_->outcomes()[k].status;
    if (s == CounterStatus::kOk && !perf::counter_defs()[k].hardware) software_open = true;
    if (s == CounterStatus::kOk && !ever_counted_[k]) s = CounterStatus::kNotCounted;
    counters[perf::counter_defs()[k].name] = perf::counter_status_name(s);
  }
  if (counters_->user_only()) report_.reason = std::string(kUserOnlyReason);
  report_.details = {{"counters", counters},
                     {"user_only", counters_->user_only()},
                     {"threads_attached", counters_->threads()},
                     {"read_errors", read_errors_},
                     {"individual_reads", counters_->individual_reads()}};
  ctx_.events->emit("perf", "perf_finished",
                    {{"rows", report_.rows},
                     {"intervals_seen", rows_},
                     {"intervals_with_values", intervals_with_values_}});
  if (intervals_with_values_ > 0) return;
  std::string cause =
      software_open
          ? "the target never ran on a CPU while counted: it exited before perf started or "
            "slept throughout (task-bound counters only advance while a counted task runs)"
          : "only hardware counters opened and the PMU never scheduled them (counters taken by "
            "another perf user or the NMI watchdog)";
  ctx_.events->emit("perf", "perf_no_counters",
                    {{"intervals_seen", rows_}, {"likely_cause", cause}});
  report_.status = "no_data";
  report_.reason = cause;
}

SourceReport PerfSource::report() const { return report_; }

}  // namespace ktel
