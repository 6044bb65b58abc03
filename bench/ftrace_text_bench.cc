// `ktel import ftrace-text` costs: parsing text trace lines into SchedEvents
// (per thread, one or two threads busy) and the whole chunked import of a
// file with 1 and 2 parsing threads. The large trace is made at bench time by
// replicating the committed capture testdata/ftrace_text/sched_local.txt
// (Linux 6.18, 344 events) with timestamps shifted by 2 s per copy.
//
//   ftrace_text_bench [benchmark flags]
//   ftrace_text_bench --write-trace=FILE [--mib=N]   write the replicated trace
//   ftrace_text_bench --import=FILE [--threads=N] [--chunk-kib=K]   import once, print JSON
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "sources/sched/text_trace_chunks.h"
#include "sources/sched/text_trace_import.h"
#include "sources/sched/text_trace_parser.h"

namespace {

using namespace ktel::sched;

// The sample's event lines with every timestamp moved by `shift_us`.
void append_shifted(const std::string& sample, int64_t shift_us, std::string& out) {
  std::string_view rest = sample;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl == std::string_view::npos ? rest.size() : nl + 1);
    rest.remove_prefix(line.size());
    if (line.empty() || line[0] == '#') continue;
    // " SSSSS.UUUUUU: " is the first ". " run after the CPU column.
    size_t colon = line.find(": ", line.find("] "));
    size_t space = line.rfind(' ', colon);
    std::string_view ts = line.substr(space + 1, colon - space - 1);
    size_t dot = ts.find('.');
    int64_t us = std::atoll(std::string(ts.substr(0, dot)).c_str()) * 1'000'000 +
                 std::atoll(std::string(ts.substr(dot + 1)).c_str()) + shift_us;
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%lld.%06lld", static_cast<long long>(us / 1'000'000),
                  static_cast<long long>(us % 1'000'000));
    out.append(line.substr(0, space + 1)).append(buf).append(line.substr(colon));
  }
}

std::string make_trace(size_t mib) {
  std::string text;
  std::ifstream in(std::string(KTEL_SOURCE_DIR) + "/testdata/ftrace_text/sched_local.txt");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string sample = ss.str();
  if (sample.empty()) std::abort();
  text = "# tracer: nop\n#\n";
  for (int64_t copy = 0; text.size() < (mib << 20); ++copy) {
    append_shifted(sample, copy * 2'000'000, text);
  }
  return text;
}

const std::string& large_trace() {
  static const std::string text = make_trace(64);  // thread-safe init: Threads(2) below
  return text;
}

// parse_text_chunk over 1 MiB chunks of the trace: the parse alone, no I/O.
// With ->Threads(2) each thread parses its own copy: per-thread speed when
// both cores are busy.
void BM_ParseChunks(benchmark::State& state) {
  const std::string& text = large_trace();
  std::vector<TextChunk> chunks;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', std::min(text.size() - 1, pos + (size_t{1} << 20)));
    end = end == std::string::npos ? text.size() : end + 1;
    chunks.emplace_back(std::string_view(text).substr(pos, end - pos));
    pos = end;
  }
  TextChunkResult result;
  int64_t events = 0;
  for (auto _ : state) {
    for (const TextChunk& c : chunks) {
      parse_text_chunk(c, size_t{1} << 20, 20, result);
      events += static_cast<int64_t>(result.event_count);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ParseChunks)->Unit(benchmark::kMillisecond)->Threads(1)->Threads(2)->UseRealTime();

// The whole import of a file (page-cache reads, chunking, parsing threads,
// in-order hand-over to a consumer that only counts).
void BM_ImportFile(benchmark::State& state) {
  const std::string& text = large_trace();
  char path[] = "/tmp/ktel_ftrace_text_benchXXXXXX";
  int fd = ::mkstemp(path);
  if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    state.SkipWithError("cannot write the trace to /tmp");
    return;
  }
  ::close(fd);
  int64_t events = 0;
  for (auto _ : state) {
    auto r = import_text_trace_file(path, {.threads = static_cast<int>(state.range(0))},
                                    [&](const SchedEvent& e, uint64_t) {
                                      benchmark::DoNotOptimize(e.ts_ns);
                                      ++events;
                                      return ktel::Status::ok();
                                    });
    if (!r.is_ok()) state.SkipWithError(r.status().to_string().c_str());
  }
  ::unlink(path);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ImportFile)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// --import=FILE: one import, result as JSON for ftrace_text_compare.py.
int import_once(const char* path, int threads, size_t chunk_bytes) {
  uint64_t events = 0;
  TextTraceOptions opt{.threads = threads};
  if (chunk_bytes > 0) opt.chunk_bytes = chunk_bytes;
  auto r = import_text_trace_file(path, opt, [&](const SchedEvent&, uint64_t) {
    ++events;
    return ktel::Status::ok();
  });
  if (!r.is_ok()) {
    std::fprintf(stderr, "%s\n", r.status().to_string().c_str());
    return 1;
  }
  std::printf(R"({"events": %llu, "malformed": %llu, "bytes": %llu, "seconds": %.6f})"
              "\n",
              static_cast<unsigned long long>(events),
              static_cast<unsigned long long>(r->malformed_count),
              static_cast<unsigned long long>(r->bytes), r->seconds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const char* write_to = nullptr;
  const char* import = nullptr;
  size_t mib = 64;
  int threads = 1;
  size_t chunk_bytes = 0;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a.starts_with("--write-trace=")) write_to = argv[i] + 14;
    if (a.starts_with("--import=")) import = argv[i] + 9;
    if (a.starts_with("--mib=")) mib = std::strtoull(argv[i] + 6, nullptr, 10);
    if (a.starts_with("--threads=")) threads = std::atoi(argv[i] + 10);
    if (a.starts_with("--chunk-kib=")) chunk_bytes = std::strtoull(argv[i] + 12, nullptr, 10) << 10;
  }
  if (write_to != nullptr) {
    std::ofstream out(write_to, std::ios::binary);
    const std::string text = make_trace(mib);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    return out ? 0 : 1;
  }
  if (import != nullptr) return import_once(import, threads, chunk_bytes);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
