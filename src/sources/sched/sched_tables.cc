// SchedTableWriter: raw sched rows as events arrive, derived rows (from
// ThreadTracker) as they become final, each table batched to the sink.
#include "sources/sched/sched_tables.h"

#include <optional>
#include <variant>
#include <vector>

#include "model/tables.h"
#include "sources/sched/thread_tracker.h"

namespace ktel::sched {

uint64_t SchedTableCounts::rows() const {
  return switches + wakeups + migrations + process_events + other + slices + wakeup_latencies +
         threads + thread_comms;
}

namespace {

// One table's pending rows, handed to the sink every `batch_rows` rows.
class TableBuffer {
 public:
  TableBuffer(TableId id, size_t width, size_t batch_rows)
      : id_(id), width_(width), batch_rows_(batch_rows == 0 ? 1 : batch_rows), batch_(width) {}

  Batch& batch() { return batch_; }
  Status row_done(Sink& sink) { return batch_.rows() >= batch_rows_ ? flush(sink) : Status::ok(); }
  Status flush(Sink& sink) {
    if (batch_.empty()) return Status::ok();
    const bool full = batch_.rows() >= batch_rows_;
    Batch out(width_);
    std::swap(out, batch_);
    if (full) batch_.reserve_rows(batch_rows_);  // a busy table: keep its capacity
    return sink.append(id_, std::move(out));
  }

 private:
  TableId id_;
  size_t width_;
  size_t batch_rows_;
  Batch batch_;
};

enum Table : size_t {
  kSwitch,
  kWakeup,
  kMigrate,
  kProcess,
  kOther,
  kSlice,
  kLatency,
  kThread,
  kComm,
  kTableCount
};

std::vector<Schema> writer_schemas() {
  return {tables::sched_switch(),  tables::sched_wakeup(),   tables::sched_migrate(),
          tables::sched_process(), tables::sched_other(),    tables::sched_slice(),
          tables::wakeup_latency(), tables::thread_summary(), tables::thread_comm()};
}

std::string text(const Comm& c) { return c.str(); }

class Writer final : public SchedTableWriter, private DerivedOutput {
 public:
  Writer(Sink& sink, const EpisodeClock& clock, SchedTableOptions options,
         std::vector<TableBuffer> buffers)
      : sink_(sink),
        clock_(clock),
        options_(std::move(options)),
        buffers_(std::move(buffers)),
        tracker_(*this) {}

  Status add(const SchedEvent& event) override {
    KTEL_TRY(error_);
    if (finished_) return Status(Code::kFailedPrecondition, "sched tables: add() after finish()");
    if (seen_any_ && event.ts_ns < prev_ts_) ++counts_.out_of_order;
    prev_ts_ = event.ts_ns;
    seen_any_ = true;
    Status st = std::visit([&](const auto& payload) { return raw_row(event, payload); },
                           event.payload);
    if (st.is_ok()) st = tracker_.add(event);
    counts_.unmatched_switches = tracker_.stats().unmatched_switches;
    return keep(std::move(st));
  }

  Status finish() override {
    KTEL_TRY(error_);
    if (finished_) return Status(Code::kFailedPrecondition, "sched tables: finish() called twice");
    finished_ = true;
    Status st = tracker_.finish();
    counts_.unmatched_switches = tracker_.stats().unmatched_switches;
    for (TableBuffer& b : buffers_) {
      if (!st.is_ok()) break;
      st = b.flush(sink_);
    }
    return keep(std::move(st));
  }

  const SchedTableCounts& counts() const override { return counts_; }

 private:
  Status keep(Status st) {
    if (!st.is_ok() && error_.is_ok()) error_ = st;
    return st;
  }

  // Starts a row of `table` stamped at kernel time `ts_ns`.
  Batch& start(Table table, int64_t ts_ns) {
    Stamp s = clock_.from_mono_abs(ts_ns);
    return buffers_[table].batch().add_common(s.mono_ns, s.wall_ns, options_.row_source,
                                               options_.available_in_deployment);
  }
  Status done(Table table) { return buffers_[table].row_done(sink_); }

  Status raw_row(const SchedEvent& e, const SwitchEvent& p) {
    start(kSwitch, e.ts_ns)
        .add_int(e.ts_ns)
        .add_int(e.cpu)
        .add_text(text(p.prev_comm))
        .add_int(p.prev_pid)
        .add_int(p.prev_prio)
        .add_text(p.prev_state.str())
        .add_text(text(p.next_comm))
        .add_int(p.next_pid)
        .add_int(p.next_prio);
    ++counts_.switches;
    return done(kSwitch);
  }
  Status raw_row(const SchedEvent& e, const WakeupEvent& p) {
    start(kWakeup, e.ts_ns)
        .add_int(e.ts_ns)
        .add_int(e.cpu)
        .add_text(text(p.comm))
        .add_int(p.pid)
        .add_int(p.prio)
        .add_int(p.target_cpu)
        .add_int(p.is_new ? 1 : 0);
    ++counts_.wakeups;
    return done(kWakeup);
  }
  Status raw_row(const SchedEvent& e, const MigrateEvent& p) {
    start(kMigrate, e.ts_ns)
        .add_int(e.ts_ns)
        .add_int(e.cpu)
        .add_text(text(p.comm))
        .add_int(p.pid)
        .add_int(p.prio)
        .add_int(p.orig_cpu)
        .add_int(p.dest_cpu);
    ++counts_.migrations;
    return done(kMigrate);
  }
  // sched_process columns after ts_ns, cpu: kind, pid, comm, parent_pid,
  // parent_comm, old_pid, filename, prio, group_dead.
  Status raw_row(const SchedEvent& e, const ForkEvent& p) {
    start(kProcess, e.ts_ns).add_int(e.ts_ns).add_int(e.cpu).add_text("fork");
    buffers_[kProcess]
        .batch()
        .add_int(p.child_pid)
        .add_text(text(p.child_comm))
        .add_int(p.parent_pid)
        .add_text(text(p.parent_comm))
        .add_null()
        .add_null()
        .add_null()
        .add_null();
    return process_done();
  }
  Status raw_row(const SchedEvent& e, const ExecEvent& p) {
    start(kProcess, e.ts_ns).add_int(e.ts_ns).add_int(e.cpu).add_text("exec");
    buffers_[kProcess]
        .batch()
        .add_int(p.pid)
        .add_null()
        .add_null()
        .add_null()
        .add_int(p.old_pid)
        .add_text(p.filename)
        .add_null()
        .add_null();
    return process_done();
  }
  Status raw_row(const SchedEvent& e, const ExitEvent& p) {
    start(kProcess, e.ts_ns).add_int(e.ts_ns).add_int(e.cpu).add_text("exit");
    Batch& b = buffers_[kProcess].batch();
    b.add_int(p.pid).add_text(text(p.comm)).add_null().add_null().add_null().add_null();
    b.add_int(p.prio);
    if (p.group_dead < 0) {
      b.add_null();
    } else {
      b.add_int(p.group_dead != 0 ? 1 : 0);
    }
    return process_done();
  }
  Status process_done() {
    ++counts_.process_events;
    return done(kProcess);
  }
  Status raw_row(const SchedEvent& e, const OtherEvent& p) {
    start(kOther, e.ts_ns)
        .add_int(e.ts_ns)
        .add_int(e.cpu)
        .add_int(e.common_pid)
        .add_text(p.system)
        .add_text(p.name)
        .add_text(p.fields_json);
    ++counts_.other;
    return done(kOther);
  }

  // DerivedOutput: derived rows, stamped at the start of what they describe.
  Status slice(const SliceRecord& r) override {
    Batch& b = start(kSlice, r.ts_ns)
                   .add_int(r.cpu)
                   .add_int(r.tid)
                   .add_int(r.generation)
                   .add_text(text(r.comm))
                   .add_int(r.ts_ns)
                   .add_int(r.dur_ns);
    if (r.end_state) {
      b.add_text(r.end_state->str());
    } else {
      b.add_null();
    }
    b.add_text(std::string(slice_bound_name(r.start)));
    b.add_text(std::string(slice_bound_name(r.end)));
    ++counts_.slices;
    return done(kSlice);
  }
  Status wakeup_latency(const WakeupLatencyRecord& r) override {
    start(kLatency, r.wakeup_ts_ns)
        .add_int(r.tid)
        .add_int(r.generation)
        .add_int(r.wakeup_ts_ns)
        .add_int(r.switch_in_ts_ns)
        .add_int(r.latency_ns())
        .add_int(r.cpu)
        .add_int(r.wakeup_new ? 1 : 0);
    ++counts_.wakeup_latencies;
    return done(kLatency);
  }
  Status thread(const ThreadRecord& r) override {
    Batch& b = start(kThread, r.first_ts_ns).add_int(r.tid).add_int(r.generation);
    add_optional(b, r.pid);
    add_optional(b, r.parent_tid);
    b.add_text(text(r.comm))
        .add_int(r.first_ts_ns)
        .add_int(r.last_ts_ns)
        .add_int(r.runtime_ns)
        .add_int(static_cast<int64_t>(r.slices))
        .add_int(static_cast<int64_t>(r.voluntary_switches))
        .add_int(static_cast<int64_t>(r.involuntary_switches))
        .add_int(static_cast<int64_t>(r.migrations))
        .add_int(r.runqueue_wait_ns)
        .add_int(static_cast<int64_t>(r.wakeups));
    add_optional(b, r.max_wakeup_latency_ns);
    b.add_int(r.exited ? 1 : 0);
    ++counts_.threads;
    return done(kThread);
  }
  Status comm(const CommRecord& r) override {
    start(kComm, r.ts_ns)
        .add_int(r.tid)
        .add_int(r.generation)
        .add_int(r.ts_ns)
        .add_text(text(r.comm))
        .add_text(std::string(comm_reason_name(r.why)));
    ++counts_.thread_comms;
    return done(kComm);
  }
  template <typename T>
  static void add_optional(Batch& b, const std::optional<T>& v) {
    if (v) {
      b.add_int(static_cast<int64_t>(*v));
    } else {
      b.add_null();
    }
  }

  Sink& sink_;
  const EpisodeClock& clock_;
  const SchedTableOptions options_;
  std::vector<TableBuffer> buffers_;
  ThreadTracker tracker_;
  SchedTableCounts counts_;
  Status error_;
  int64_t prev_ts_ = 0;  // ts_ns of the event before
  bool seen_any_ = false;
  bool finished_ = false;
};

}  // namespace

Result<std::unique_ptr<SchedTableWriter>> SchedTableWriter::open(Sink& sink,
                                                                 const EpisodeClock& clock,
                                                                 SchedTableOptions options) {
  std::vector<Schema> schemas = writer_schemas();
  if (schemas.size() != kTableCount) return internal_error("sched tables: schema list out of step");
  std::vector<TableBuffer> buffers;
  buffers.reserve(schemas.size());
  for (const Schema& s : schemas) {
    auto id = sink.open_table(s);
    if (!id.is_ok()) return id.status().with_context("opening sched table " + s.table);
    buffers.emplace_back(*id, s.columns.size(), options.batch_rows);
  }
  return std::unique_ptr<SchedTableWriter>(
      new Writer(sink, clock, std::move(options), std::move(buffers)));
}

}  // namespace ktel::sched
