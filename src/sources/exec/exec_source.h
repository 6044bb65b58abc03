// ExecSource (`exec`): every exec, fork and exit of the workload's processes
// from the eBPF exec tracer (sys/bpf/exec_tracer.h). While recording, a
// thread polls the ring buffer and appends its records unparsed to
// raw/exec/records.bin; after the run they are decoded into exec_events,
// forks and processes. Every failed ring-buffer reservation is counted.
// Where eBPF cannot run (not built, refused by the kernel, or
// --exec-backend ftrace) it falls back to ftrace plus /proc
// (exec_ftrace_capture.h) and says so in exec_unavailable{reason, fallback}.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "base/stop_signal.h"
#include "sources/exec/exec_ftrace_capture.h"
#include "sources/exec/exec_raw_file.h"
#include "sources/source.h"
#ifdef KTEL_HAVE_BPF
#include "sys/bpf/exec_tracer.h"
#endif

namespace ktel::exec {

inline constexpr int64_t kDefaultPollPeriodNs = 25'000'000;

// Ring bytes for `processes_per_second` new processes (an exec, a fork and an
// exit of ~700 bytes together) polled every `poll_period_ns`, with room for 8
// periods: a power of two, at least 256 KiB.
size_t default_ring_bytes(double processes_per_second, int64_t poll_period_ns);

// start()/stop()/report() from one controlling thread; the poll thread owns
// the tracer and the raw writer in between.
class ExecSource : public Source {
 public:
  ExecSource() = default;
  ~ExecSource() override;
  std::string_view name() const override { return "exec"; }
  std::string_view row_source() const override { return "host_exec"; }
  // kInvalidArgument for a bad scope, backend or target. With --exec-backend
  // auto, BPF programs that cannot load start the ftrace fallback instead;
  // with bpf, that is kUnavailable / kPermissionDenied naming what failed.
  Status start(const SourceContext& ctx) override;
  // Detaches, drains the ring, then builds the tables from the raw file and
  // emits exec_lost{type, count} per type with losses, exec_first_row,
  // exec_finished and exec_no_data.
  Status stop() override;
  SourceReport report() const override { return report_; }

 private:
  Status check_scope() const;
  Status start_fallback(const std::string& reason);
  Status start_ftrace();
  Status stop_fallback();
  void report_tables(const ExecTableCounts& c, std::optional<int64_t> first_row_ts_ns,
                     uint64_t lost, uint64_t malformed, nlohmann::json& details);

  SourceContext ctx_;
  std::unique_ptr<ExecFtraceCapture> fallback_;
  std::string fallback_reason_;

#ifdef KTEL_HAVE_BPF
  Status start_bpf();
  Status stop_bpf();
  Result<ExecTracerOptions> tracer_options();
  void run();
  void write_record(std::span<const std::byte> record);
  void drain();
  Status parse_into_tables(nlohmann::json& details, uint64_t lost);
  uint64_t account_losses(nlohmann::json& details);

  std::string raw_path_;
  std::unique_ptr<ExecTracer> tracer_;
  std::optional<ExecRawWriter> writer_;
  int64_t poll_period_ns_ = kDefaultPollPeriodNs;
  size_t ring_bytes_ = 0;

  std::thread thread_;
  StopSignal stop_;

  // Written by the poll thread until it is joined.
  Status write_error_;
  uint64_t unwritten_ = 0;  // records drained after a write error
#endif

  SourceReport report_;
};

}  // namespace ktel::exec
