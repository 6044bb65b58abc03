// sched binary pages: events/s of walk+decode on one thread (our
// CpuPageDecoder), of the page walk alone, of the whole read_raw_trace (a
// thread per CPU + merge), and of libtraceevent (kbuffer + tep) on the same
// pages: fields read into values, and rendered to text like `trace-cmd report`.
//
// The capture: $KTEL_SCHED_BENCH_DIR (a raw/sched layout: formats/ +
// cpu<N>.pages; bench/sched_parse_compare.sh makes one from a trace-cmd
// recording), else testdata/ftrace/basic's real pages replicated to ~16 MiB
// in a temporary directory (repeated pages: timestamps repeat per copy).
#include <benchmark/benchmark.h>
#include <unistd.h>

extern "C" {  // kbuffer.h has no extern "C" of its own
#include <traceevent/event-parse.h>
#include <traceevent/kbuffer.h>
#include <traceevent/trace-seq.h>
}

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "base/file_util.h"
#include "sources/sched/cpu_page_decoder.h"
#include "sources/sched/raw_trace_reader.h"

namespace {

namespace fs = std::filesystem;
using namespace ktel::sched;

struct Capture {
  std::string dir;
  std::string temp_dir;  // removed at exit when we made it
  std::vector<std::string> pages;  // cpu<N>.pages contents, in N order
  std::unique_ptr<FormatSet> formats;
  PageLayout layout;
  ~Capture() {
    std::error_code ec;
    if (!temp_dir.empty()) fs::remove_all(temp_dir, ec);
  }
};

std::string replicate_testdata() {
  const std::string src = std::string(KTEL_SOURCE_DIR) + "/testdata/ftrace/basic";
  std::string dir = "/tmp/ktel-sched-bench-" + std::to_string(::getpid());
  fs::create_directories(dir);
  fs::copy(src + "/formats", dir + "/formats", fs::copy_options::recursive);
  for (int cpu : {0, 1}) {
    const std::string name = "/cpu" + std::to_string(cpu) + ".pages";
    std::string one = ktel::read_file(src + name).value_or("");
    std::string many;
    while (many.size() < (8u << 20) && !one.empty()) many += one;
    (void)ktel::write_file_atomic(dir + name, many);
  }
  return dir;
}

std::unique_ptr<Capture> load_capture() {
  auto cap = std::make_unique<Capture>();
  const char* env = std::getenv("KTEL_SCHED_BENCH_DIR");
  cap->dir = env != nullptr ? env : (cap->temp_dir = replicate_testdata());
  auto formats = load_formats(cap->dir + "/formats");
  if (!formats.is_ok()) {
    std::fprintf(stderr, "%s\n", formats.status().to_string().c_str());
    std::exit(1);
  }
  cap->formats = std::make_unique<FormatSet>(std::move(formats).value());
  cap->layout =
      PageLayout::from_formats(cap->formats->page_header(), cap->formats->event_header()).value();
  for (int cpu = 0; fs::exists(cap->dir + "/cpu" + std::to_string(cpu) + ".pages"); ++cpu) {
    cap->pages.push_back(
        ktel::read_file(cap->dir + "/cpu" + std::to_string(cpu) + ".pages").value_or(""));
  }
  return cap;
}

const Capture& capture() {
  static const std::unique_ptr<Capture> c = load_capture();  // temp dir removed at exit
  return *c;
}

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

void report(benchmark::State& state, int64_t events, int64_t bytes_read) {
  state.SetItemsProcessed(events);
  state.SetBytesProcessed(bytes_read);
  state.counters["events_per_pass"] =
      benchmark::Counter(static_cast<double>(events) / static_cast<double>(state.iterations()));
}

// Walk + decode to SchedEvent, one thread, every CPU's pages in turn.
void BM_WalkDecode(benchmark::State& state) {
  const Capture& c = capture();
  const EventDecoder decoder(*c.formats);
  int64_t events = 0, total_bytes = 0;
  SchedEvent ev;
  for (auto _ : state) {
    for (size_t cpu = 0; cpu < c.pages.size(); ++cpu) {
      CpuPageDecoder d(c.layout, decoder, bytes(c.pages[cpu]), static_cast<int32_t>(cpu));
      while (d.next(ev)) {
        benchmark::DoNotOptimize(ev.ts_ns);
        ++events;
      }
      total_bytes += static_cast<int64_t>(c.pages[cpu].size());
    }
  }
  report(state, events, total_bytes);
}
BENCHMARK(BM_WalkDecode)->Unit(benchmark::kMillisecond);

// The page walk alone: timestamps and payload spans, no decoding.
void BM_WalkOnly(benchmark::State& state) {
  const Capture& c = capture();
  int64_t events = 0, total_bytes = 0;
  for (auto _ : state) {
    for (const std::string& file : c.pages) {
      std::span<const uint8_t> all = bytes(file);
      for (size_t at = 0; at + c.layout.page_size <= all.size(); at += c.layout.page_size) {
        PageCursor cur(c.layout, all.subspan(at, c.layout.page_size));
        for (PageRecord r; cur.next(r);) {
          benchmark::DoNotOptimize(r.payload);
          ++events;
        }
      }
      total_bytes += static_cast<int64_t>(file.size());
    }
  }
  report(state, events, total_bytes);
}
BENCHMARK(BM_WalkOnly)->Unit(benchmark::kMillisecond);

// read_raw_trace: mmap, a decoding thread per CPU, k-way merge, callback.
void BM_ReadRawTrace(benchmark::State& state) {
  const Capture& c = capture();
  int64_t events = 0, total_bytes = 0;
  for (auto _ : state) {
    auto stats = read_raw_trace(c.dir, [&](const SchedEvent& ev) {
      benchmark::DoNotOptimize(ev.ts_ns);
      ++events;
      return ktel::Status::ok();
    });
    if (!stats.is_ok()) {
      state.SkipWithError(stats.status().to_string().c_str());
      return;
    }
    total_bytes += static_cast<int64_t>(stats->total().bytes);
  }
  report(state, events, total_bytes);
}
BENCHMARK(BM_ReadRawTrace)->Unit(benchmark::kMillisecond)->UseRealTime();

struct TepDeleter {
  void operator()(tep_handle* t) const { tep_free(t); }
};

std::unique_ptr<tep_handle, TepDeleter> load_tep(const Capture& c) {
  std::unique_ptr<tep_handle, TepDeleter> tep(tep_alloc());
  std::string hp = ktel::read_file(c.dir + "/formats/header_page").value_or("");
  tep_parse_header_page(tep.get(), hp.data(), hp.size(), 8);
  for (const EventFormat& ev : c.formats->events()) {
    std::string text = ktel::read_file(c.dir + "/formats/" + ev.system + "/" + ev.name + "/format")
                           .value_or("");
    tep_parse_event(tep.get(), text.data(), text.size(), ev.system.c_str());
  }
  return tep;
}

// kbuffer walk; per record tep_find_event, then every non-common field read
// with tep_read_number_field (strings: located, length taken).
template <typename PerRecord>
int64_t kbuffer_pass(const Capture& c, PerRecord&& per_record) {
  int64_t events = 0;
  struct kbuffer* kbuf = kbuffer_alloc(KBUFFER_LSIZE_8, KBUFFER_ENDIAN_LITTLE);
  for (size_t cpu = 0; cpu < c.pages.size(); ++cpu) {
    std::string& file = const_cast<std::string&>(c.pages[cpu]);
    for (size_t at = 0; at + c.layout.page_size <= file.size(); at += c.layout.page_size) {
      kbuffer_load_subbuffer(kbuf, file.data() + at);
      unsigned long long ts = 0;
      for (void* data = kbuffer_read_event(kbuf, &ts); data != nullptr;
           data = kbuffer_next_event(kbuf, &ts)) {
        tep_record rec{};
        rec.ts = ts;
        rec.data = data;
        rec.size = kbuffer_event_size(kbuf);
        rec.cpu = static_cast<int>(cpu);
        per_record(rec);
        ++events;
      }
    }
  }
  kbuffer_free(kbuf);
  return events;
}

void BM_LibtraceeventFields(benchmark::State& state) {
  const Capture& c = capture();
  auto tep = load_tep(c);
  int64_t events = 0;
  for (auto _ : state) {
    events += kbuffer_pass(c, [&](tep_record& rec) {
      tep_event* ev = tep_find_event(tep.get(), tep_data_type(tep.get(), &rec));
      if (ev == nullptr) return;
      unsigned long long sum = static_cast<unsigned long long>(tep_data_pid(tep.get(), &rec));
      for (tep_format_field* f = ev->format.fields; f != nullptr; f = f->next) {
        unsigned long long v = 0;
        if (f->flags & TEP_FIELD_IS_STRING) {
          // Located the way tep_get_field_raw does, minus its lookup by name.
          unsigned long long loc = static_cast<unsigned long long>(f->offset) |
                                   (static_cast<unsigned long long>(f->size) << 16);
          if (f->flags & TEP_FIELD_IS_DYNAMIC) tep_read_number_field(f, rec.data, &loc);
          unsigned long long off = loc & 0xffff, len = loc >> 16;
          if (f->flags & TEP_FIELD_IS_RELATIVE) off += static_cast<unsigned>(f->offset + f->size);
          if (off + len <= static_cast<unsigned long long>(rec.size)) {
            v = strnlen(static_cast<const char*>(rec.data) + off, len);
          }
        } else {
          tep_read_number_field(f, rec.data, &v);
        }
        sum += v;
      }
      benchmark::DoNotOptimize(sum);
    });
  }
  report(state, events, 0);
}
BENCHMARK(BM_LibtraceeventFields)->Unit(benchmark::kMillisecond);

// Every record printed to text (what `trace-cmd report` does per event),
// without writing it anywhere.
void BM_LibtraceeventPrint(benchmark::State& state) {
  const Capture& c = capture();
  auto tep = load_tep(c);
  trace_seq seq;
  trace_seq_init(&seq);
  int64_t events = 0;
  for (auto _ : state) {
    events += kbuffer_pass(c, [&](tep_record& rec) {
      trace_seq_reset(&seq);
      tep_print_event(tep.get(), &seq, &rec, "%16s-%-5d [%03d] %6.1000d: %s: %s",
                      TEP_PRINT_COMM, TEP_PRINT_PID, TEP_PRINT_CPU, TEP_PRINT_TIME,
                      TEP_PRINT_NAME, TEP_PRINT_INFO);
      benchmark::DoNotOptimize(seq.len);
    });
  }
  trace_seq_destroy(&seq);
  report(state, events, 0);
}
BENCHMARK(BM_LibtraceeventPrint)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
