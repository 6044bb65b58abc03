// Reads an episode's raw/sched directory (formats/ and cpu<N>.pages, written
// by the capture) back into one timestamp-ordered stream of SchedEvents:
// every CPU's pages are mapped and decoded on a thread of their own, streamed
// in bounded chunks, and merged k-way by timestamp on the calling thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "sources/sched/cpu_page_decoder.h"
#include "sources/sched/sched_event.h"

namespace ktel::sched {

// Per-CPU parse numbers of one read (see CpuParseStats for each counter).
struct RawTraceStats {
  std::vector<CpuParseStats> cpus;  // one per cpu<N>.pages, ascending N
  CpuParseStats total() const;      // sum over CPUs, cpu = -1
};

struct RawTraceOptions {
  // One decoding thread per CPU. false decodes every CPU on the calling
  // thread (same output, same order; for tests and single-core hosts).
  bool parallel = true;
  // Events per chunk handed from a CPU's thread to the merge, and chunks per
  // CPU in flight. Memory stays near cpus * chunks_per_cpu * chunk_events *
  // sizeof(SchedEvent) (~2 MiB per CPU by default) whatever the trace size.
  size_t chunk_events = 4096;
  size_t chunks_per_cpu = 4;
  // Page slot size; 0 takes header_page's (data offset + size). Set it when
  // the instance used a buffer_subbuf_size_kb the header files do not show.
  uint32_t page_size = 0;
};

// Called once per event, in timestamp order across CPUs (ties: lower CPU
// first). Within a CPU, file order is kept even where timestamps go backwards
// (counted in out_of_order). A non-ok Status stops the read and is returned.
using SchedEventCallback = std::function<Status(const SchedEvent&)>;

// Loads <sched_dir>/formats (load_formats) and decodes every
// <sched_dir>/cpu<N>.pages. Fails on unreadable or malformed format files, an
// unsupported page layout, no cpu<N>.pages file, an unreadable pages file, or
// the callback's error. Malformed pages and records are not errors: they are
// counted in the returned stats and skipped. Call from one thread at a time;
// the callback runs on the calling thread.
Result<RawTraceStats> read_raw_trace(const std::string& sched_dir,
                                     const SchedEventCallback& on_event,
                                     const RawTraceOptions& options = {});

}  // namespace ktel::sched
