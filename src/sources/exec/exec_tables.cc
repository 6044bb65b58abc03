#include "sources/exec/exec_tables.h"

#include <variant>

#include <fmt/format.h>

#include "base/json_text.h"
#include "model/tables.h"

namespace ktel::exec {

namespace {

constexpr std::string_view kRowSource = "host_exec";
constexpr size_t kRowsPerBatch = 4096;

template <typename T>
void add_opt(Batch& b, const std::optional<T>& v) {
  if (v) {
    b.add_int(static_cast<int64_t>(*v));
  } else {
    b.add_null();
  }
}

}  // namespace

std::string argv_json(const std::vector<std::string>& argv) {
  std::string out = "[";
  for (size_t i = 0; i < argv.size(); ++i) {
    if (i > 0) out += ',';
    append_json_string(out, argv[i]);
  }
  out += ']';
  return out;
}

Result<std::unique_ptr<ExecTableWriter>> ExecTableWriter::open(Sink& sink,
                                                               const EpisodeClock& clock) {
  std::unique_ptr<ExecTableWriter> w(new ExecTableWriter(sink, clock));
  const Schema execs = tables::exec_events();
  const Schema forks = tables::forks();
  const Schema processes = tables::processes();
  const Schema rss = tables::process_rss();
  KTEL_ASSIGN_OR_RETURN(w->exec_table_, sink.open_table(execs));
  KTEL_ASSIGN_OR_RETURN(w->fork_table_, sink.open_table(forks));
  KTEL_ASSIGN_OR_RETURN(w->process_table_, sink.open_table(processes));
  KTEL_ASSIGN_OR_RETURN(w->rss_table_, sink.open_table(rss));
  w->execs_ = Batch(execs.columns.size());
  w->forks_ = Batch(forks.columns.size());
  w->processes_ = Batch(processes.columns.size());
  w->rss_ = Batch(rss.columns.size());
  return w;
}

Status ExecTableWriter::flush_if_full(TableId table, Batch& batch) {
  if (batch.rows() < kRowsPerBatch) return Status::ok();
  Batch full(batch.width());
  std::swap(full, batch);
  return sink_.append(table, std::move(full));
}

Status ExecTableWriter::add(const ExecLifecycleEvent& event) {
  builder_.add(event);
  if (const auto* e = std::get_if<ExecLifecycleExec>(&event)) return add_exec(*e);
  if (const auto* f = std::get_if<ExecLifecycleFork>(&event)) return add_fork(*f);
  if (const auto* r = std::get_if<ExecLifecycleRss>(&event)) return add_rss(*r);
  const auto& x = std::get<ExecLifecycleExit>(event);
  ++counts_.exits;
  if (x.group_dead) ++counts_.process_exits;
  if (x.group_dead && !x.cpu_final) ++counts_.process_exits_cpu_at_exit;
  return Status::ok();
}

Status ExecTableWriter::add_exec(const ExecLifecycleExec& e) {
  Stamp t = clock_.from_mono_abs(e.ts_ns);
  execs_.add_common(t.mono_ns, t.wall_ns, kRowSource, true);
  execs_.add_int(e.ts_ns).add_int(e.pid).add_int(e.tid);
  e.ppid > 0 ? (void)execs_.add_int(e.ppid) : (void)execs_.add_null();
  add_opt(execs_, e.uid);
  add_opt(execs_, e.cgroup_id);
  execs_.add_text(e.comm).add_text(e.filename);
  if (e.argv_known) {
    execs_.add_text(argv_json(e.argv)).add_int(e.argv_bytes).add_int(e.argc);
  } else {
    execs_.add_null().add_null().add_null();
  }
  execs_.add_int(e.argv_known && e.argv_truncated ? 1 : 0);
  ++counts_.execs;
  return flush_if_full(exec_table_, execs_);
}

Status ExecTableWriter::add_fork(const ExecLifecycleFork& f) {
  Stamp t = clock_.from_mono_abs(f.ts_ns);
  forks_.add_common(t.mono_ns, t.wall_ns, kRowSource, true);
  forks_.add_int(f.ts_ns).add_int(f.parent_pid).add_int(f.parent_tid).add_int(f.child_pid);
  forks_.add_int(f.child_tid).add_int(f.is_thread ? 1 : 0);
  ++counts_.forks;
  if (f.is_thread) ++counts_.thread_forks;
  return flush_if_full(fork_table_, forks_);
}

Status ExecTableWriter::add_rss(const ExecLifecycleRss& r) {
  ++counts_.rss_records;
  const int64_t start = clock_.from_mono_abs(r.start_ns).mono_ns;
  for (const ExecLifecycleRss::Sample& s : r.samples) {
    Stamp t = clock_.from_mono_abs(s.ts_ns);
    rss_.add_common(t.mono_ns, t.wall_ns, kRowSource, true);
    rss_.add_int(s.ts_ns).add_int(r.pid).add_int(start).add_int(static_cast<int64_t>(s.bytes));
    ++counts_.rss_samples;
    KTEL_TRY(flush_if_full(rss_table_, rss_));
  }
  return Status::ok();
}

Status ExecTableWriter::append_process(const ProcessRow& p) {
  auto rel = [&](std::optional<int64_t> abs) -> std::optional<int64_t> {
    if (!abs) return std::nullopt;
    return clock_.from_mono_abs(*abs).mono_ns;
  };
  Stamp t = clock_.from_mono_abs(p.start_ns.value_or(p.first_seen_ns));
  Batch& b = processes_;
  b.add_common(t.mono_ns, t.wall_ns, kRowSource, true);
  b.add_int(p.pid);
  add_opt(b, p.ppid);
  add_opt(b, rel(p.start_ns));
  add_opt(b, rel(p.exec_ns));
  add_opt(b, rel(p.exit_ns));
  add_opt(b, p.duration_ns());
  add_opt(b, p.exit_code);
  add_opt(b, p.signal);
  b.add_int(p.core_dumped ? 1 : 0).add_text(p.comm);
  p.filename ? (void)b.add_text(*p.filename) : (void)b.add_null();
  p.argv ? (void)b.add_text(argv_json(*p.argv)) : (void)b.add_null();
  b.add_int(p.argv_truncated ? 1 : 0);
  add_opt(b, p.cpu_ns);
  add_opt(b, p.maxrss_bytes);
  add_opt(b, p.uid);
  add_opt(b, p.cgroup_id);
  b.add_int(p.exec_count);
  add_opt(b, p.rss_peak_bytes);
  ++counts_.processes;
  return flush_if_full(process_table_, processes_);
}

Status ExecTableWriter::finish() {
  for (const ProcessRow& p : builder_.finish()) KTEL_TRY(append_process(p));
  std::pair<TableId, Batch*> all[] = {
      {exec_table_, &execs_}, {fork_table_, &forks_}, {process_table_, &processes_},
      {rss_table_, &rss_}};
  for (auto& [table, batch] : all) {
    if (batch->empty()) continue;
    Batch rest(batch->width());
    std::swap(rest, *batch);
    KTEL_TRY(sink_.append(table, std::move(rest)));
  }
  return Status::ok();
}

Result<ExecBuildResult> build_exec_tables(const std::string& raw_path, Sink& sink,
                                          const EpisodeClock& clock) {
  KTEL_ASSIGN_OR_RETURN(std::unique_ptr<ExecTableWriter> tables,
                        ExecTableWriter::open(sink, clock));
  ExecBuildResult out;
  ExecDecodeOptions decode;
  auto on_header = [&](const ExecRawHeader& h) -> Status {
    if (!exec_record_version_readable(h.record_version)) {
      return data_loss(fmt::format("{}: records of version {}, this ktel reads up to {}",
                                   raw_path, h.record_version, exec_record_version()));
    }
    if (h.page_size == 0 || h.argv_max_args == 0) {
      return data_loss(fmt::format("{}: header gives page size {} and argument limit {}",
                                   raw_path, h.page_size, h.argv_max_args));
    }
    decode = {.max_args = h.argv_max_args, .page_size = h.page_size};
    return Status::ok();
  };
  auto on_frame = [&](std::span<const std::byte> record) -> Status {
    Result<ExecLifecycleEvent> event = decode_exec_record(record, decode);
    if (!event.is_ok()) {
      if (out.malformed++ == 0) out.first_malformed = event.status().to_string();
      return Status::ok();
    }
    if (!out.first_row_ts_ns && (std::holds_alternative<ExecLifecycleExec>(*event) ||
                                 std::holds_alternative<ExecLifecycleFork>(*event))) {
      out.first_row_ts_ns = std::visit([](const auto& e) { return e.ts_ns; }, *event);
    }
    return tables->add(*event);
  };
  Result<ExecRawSummary> raw = read_exec_raw_file(raw_path, on_header, on_frame);
  if (!raw.is_ok()) {
    return raw.status().with_context("the raw records are kept; the tables can be rebuilt");
  }
  KTEL_TRY(tables->finish());
  out.raw = *raw;
  out.counts = tables->counts();
  return out;
}

}  // namespace ktel::exec
