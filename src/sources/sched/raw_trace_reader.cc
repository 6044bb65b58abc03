// raw/sched -> ordered SchedEvents. Each CPU's pages are decoded into
// recycled fixed-size chunks (no per-event allocation, bounded memory); the
// calling thread merges the CPUs' chunk streams with a min-heap on
// (timestamp, cpu).
#include "sources/sched/raw_trace_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>

#include "base/strings.h"
#include "sources/sched/mapped_file.h"

namespace ktel::sched {
namespace {

struct Chunk {
  std::vector<SchedEvent> events;
  size_t size = 0;
};

void fill(CpuPageDecoder& decoder, Chunk& chunk) {
  chunk.size = 0;
  while (chunk.size < chunk.events.size() && decoder.next(chunk.events[chunk.size])) {
    ++chunk.size;
  }
}

// Where the merge takes a CPU's chunks from.
class ChunkSource {
 public:
  virtual ~ChunkSource() = default;
  virtual Chunk* take() = 0;  // the next non-empty chunk; nullptr at the end
  virtual void give_back(Chunk* chunk) = 0;
  virtual const CpuParseStats& stats() = 0;  // final once take() returned nullptr
};

// Decodes on the caller's thread, one chunk at a time.
class DirectSource final : public ChunkSource {
 public:
  DirectSource(CpuPageDecoder decoder, size_t chunk_events) : decoder_(std::move(decoder)) {
    chunk_.events.resize(chunk_events);
  }
  Chunk* take() override {
    fill(decoder_, chunk_);
    return chunk_.size > 0 ? &chunk_ : nullptr;
  }
  void give_back(Chunk*) override {}
  const CpuParseStats& stats() override { return decoder_.stats(); }

 private:
  CpuPageDecoder decoder_;
  Chunk chunk_;
};

// Decodes on a thread of its own; chunks travel through a bounded queue and
// come back for reuse. Stopping (destructor) wakes and joins the thread.
class ThreadSource final : public ChunkSource {
 public:
  ThreadSource(CpuPageDecoder decoder, size_t chunk_events, size_t chunks)
      : decoder_(std::move(decoder)) {
    for (size_t i = 0; i < std::max<size_t>(chunks, 2); ++i) {
      auto c = std::make_unique<Chunk>();
      c->events.resize(chunk_events);
      free_.push_back(c.get());
      owned_.push_back(std::move(c));
    }
  }
  ~ThreadSource() override {
    {
      std::lock_guard lock(mu_);
      cancelled_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  Status start() {
    try {
      thread_ = std::thread([this] { run(); });
    } catch (const std::system_error& e) {
      return errno_status(e.code().value(), fmt::format("start decoder thread for cpu {}",
                                                        decoder_.stats().cpu));
    }
    return Status::ok();
  }
  Chunk* take() override {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !full_.empty() || done_; });
    if (full_.empty()) return nullptr;
    Chunk* c = full_.front();
    full_.pop_front();
    return c;
  }
  void give_back(Chunk* chunk) override {
    {
      std::lock_guard lock(mu_);
      free_.push_back(chunk);
    }
    cv_.notify_all();
  }
  const CpuParseStats& stats() override {
    if (thread_.joinable()) thread_.join();  // done_: the thread has left run()
    return decoder_.stats();
  }

 private:
  void run() {
    for (;;) {
      Chunk* c = nullptr;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !free_.empty() || cancelled_; });
        if (cancelled_) break;
        c = free_.back();
        free_.pop_back();
      }
      fill(decoder_, *c);
      std::lock_guard lock(mu_);
      if (c->size == 0) break;
      full_.push_back(c);
      cv_.notify_all();
    }
    std::lock_guard lock(mu_);
    done_ = true;
    cv_.notify_all();
  }

  CpuPageDecoder decoder_;
  std::vector<std::unique_ptr<Chunk>> owned_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Chunk*> free_;
  std::deque<Chunk*> full_;
  bool done_ = false;
  bool cancelled_ = false;
  std::thread thread_;
};

Result<std::vector<std::pair<int32_t, std::string>>> list_cpu_files(const std::string& dir) {
  std::vector<std::pair<int32_t, std::string>> files;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!starts_with(name, "cpu") || !name.ends_with(".pages")) continue;
    std::optional<int64_t> n = parse_int64(std::string_view(name).substr(3, name.size() - 9));
    if (n && *n >= 0 && *n < (1 << 20)) files.emplace_back(*n, it->path().string());
  }
  if (ec) return errno_status(ec.value(), "list " + dir);
  if (files.empty()) return not_found(fmt::format("no cpu<N>.pages files in {}", dir));
  std::sort(files.begin(), files.end());
  return files;
}

// Pops the CPU with the oldest head event until every source is drained.
Status merge(std::vector<std::unique_ptr<ChunkSource>>& sources,
             const SchedEventCallback& on_event) {
  struct Head {
    Chunk* chunk;
    size_t idx;
  };
  std::vector<Head> heads(sources.size());
  std::vector<size_t> heap;  // indices into sources
  auto key = [&](size_t i) {
    return std::pair(heads[i].chunk->events[heads[i].idx].ts_ns, i);
  };
  auto later = [&](size_t a, size_t b) { return key(a) > key(b); };
  for (size_t i = 0; i < sources.size(); ++i) {
    heads[i] = {sources[i]->take(), 0};
    if (heads[i].chunk != nullptr) heap.push_back(i);
  }
  std::make_heap(heap.begin(), heap.end(), later);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    const size_t i = heap.back();
    Head& h = heads[i];
    // Emit from this CPU while it stays the oldest: no heap work per event.
    const bool alone = heap.size() == 1;
    const auto bound = alone ? std::pair(INT64_MAX, SIZE_MAX) : key(heap.front());
    bool drained = false;
    do {
      KTEL_TRY(on_event(h.chunk->events[h.idx]));
      if (++h.idx == h.chunk->size) {
        sources[i]->give_back(h.chunk);
        h = {sources[i]->take(), 0};
        drained = h.chunk == nullptr;
      }
    } while (!drained && key(i) < bound);
    if (drained) {
      heap.pop_back();
    } else {
      std::push_heap(heap.begin(), heap.end(), later);
    }
  }
  return Status::ok();
}

}  // namespace

CpuParseStats RawTraceStats::total() const {
  CpuParseStats t;
  for (const CpuParseStats& c : cpus) t.add(c);
  return t;
}

Result<RawTraceStats> read_raw_trace(const std::string& sched_dir,
                                     const SchedEventCallback& on_event,
                                     const RawTraceOptions& options) {
  KTEL_ASSIGN_OR_RETURN(FormatSet formats, load_formats(sched_dir + "/formats"));
  KTEL_ASSIGN_OR_RETURN(PageLayout layout,
                        PageLayout::from_formats(formats.page_header(), formats.event_header()));
  if (options.page_size != 0) {
    if (options.page_size <= layout.data_offset) {
      return invalid_argument(fmt::format("page size {} leaves no room for data after the "
                                          "{}-byte page header", options.page_size,
                                          layout.data_offset));
    }
    layout.page_size = options.page_size;
  }
  const EventDecoder decoder(formats);
  KTEL_ASSIGN_OR_RETURN(auto files, list_cpu_files(sched_dir));
  std::vector<MappedFile> maps;
  maps.reserve(files.size());
  for (const auto& [cpu, path] : files) {
    KTEL_ASSIGN_OR_RETURN(MappedFile m, MappedFile::open(path));
    maps.push_back(std::move(m));
  }
  const size_t chunk_events = std::max<size_t>(options.chunk_events, 1);
  std::vector<std::unique_ptr<ChunkSource>> sources;
  for (size_t i = 0; i < files.size(); ++i) {
    CpuPageDecoder cpu(layout, decoder, maps[i].bytes(), files[i].first);
    if (!options.parallel) {
      sources.push_back(std::make_unique<DirectSource>(std::move(cpu), chunk_events));
      continue;
    }
    auto src = std::make_unique<ThreadSource>(std::move(cpu), chunk_events,
                                              options.chunks_per_cpu);
    KTEL_TRY(src->start());
    sources.push_back(std::move(src));
  }
  KTEL_TRY(merge(sources, on_event));  // on error, ~ThreadSource stops the threads
  RawTraceStats stats;
  for (auto& src : sources) stats.cpus.push_back(src->stats());
  return stats;
}

}  // namespace ktel::sched
