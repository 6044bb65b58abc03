// The text trace import driver: one reading and merging thread (the caller),
// N parsing threads, at most 2N chunks in flight.
#include "sources/sched/text_trace_import.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>

#include "sources/sched/text_trace_chunks.h"

namespace ktel::sched {

namespace {

struct Job {
  TextChunk chunk;
  TextChunkResult result;
  bool done = false;
};

// Parses submitted chunks on its threads. submit/wait/shutdown are called by
// the importing thread only.
class ParsePool {
 public:
  ParsePool(size_t max_line_bytes, size_t max_kept)
      : max_line_bytes_(max_line_bytes), max_kept_(max_kept) {}
  ~ParsePool() { shutdown(); }

  Status start(int threads) {
    try {
      for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
    } catch (const std::system_error& e) {
      shutdown();
      return Status(
          Code::kResourceExhausted,
          fmt::format("cannot start {} parsing threads: {}; try --threads 1", threads, e.what()),
          e.code().value());
    }
    return Status::ok();
  }
  void submit(Job* job) {
    {
      std::lock_guard lock(mu_);
      job->done = false;
      queue_.push_back(job);
    }
    work_cv_.notify_one();
  }
  void wait(const Job& job) {
    std::unique_lock lock(mu_);
    done_cv_.wait(lock, [&] { return job.done; });
  }
  // Workers finish the chunk they hold; queued chunks are dropped.
  void shutdown() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
      queue_.clear();
    }
    work_cv_.notify_all();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }

 private:
  void run() {
    while (true) {
      Job* job = nullptr;
      {
        std::unique_lock lock(mu_);
        work_cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        if (stop_) return;
        job = queue_.front();
        queue_.pop_front();
      }
      parse_text_chunk(job->chunk, max_line_bytes_, max_kept_, job->result);
      {
        std::lock_guard lock(mu_);
        job->done = true;
      }
      done_cv_.notify_all();
    }
  }

  const size_t max_line_bytes_;
  const size_t max_kept_;
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::deque<Job*> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

Status run_inline(TextChunkReader& reader, TextChunkMerger& merger, const TextTraceOptions& opt,
                  std::string_view name) {
  Job job;
  while (true) {
    KTEL_ASSIGN_OR_RETURN(bool more, reader.next(job.chunk, name));
    if (!more) return Status::ok();
    parse_text_chunk(job.chunk, opt.max_line_bytes, opt.max_kept_malformed, job.result);
    KTEL_TRY(merger.add(job.result));
  }
}

Status run_parallel(int threads, TextChunkReader& reader, TextChunkMerger& merger,
                    const TextTraceOptions& opt, std::string_view name) {
  // Declared before the pool, so the pool (and its threads) go first.
  std::deque<std::unique_ptr<Job>> inflight;
  std::vector<std::unique_ptr<Job>> spare;
  ParsePool pool(opt.max_line_bytes, opt.max_kept_malformed);
  KTEL_TRY(pool.start(threads));
  const size_t max_inflight = static_cast<size_t>(threads) * 2;
  bool eof = false;
  while (true) {
    while (!eof && inflight.size() < max_inflight) {
      std::unique_ptr<Job> job;
      if (spare.empty()) {
        job = std::make_unique<Job>();
      } else {
        job = std::move(spare.back());
        spare.pop_back();
      }
      Result<bool> more = reader.next(job->chunk, name);
      if (!more.is_ok()) return more.status();
      if (!*more) {
        eof = true;
        break;
      }
      pool.submit(job.get());
      inflight.push_back(std::move(job));
    }
    if (inflight.empty()) return Status::ok();
    pool.wait(*inflight.front());
    KTEL_TRY(merger.add(inflight.front()->result));
    spare.push_back(std::move(inflight.front()));
    inflight.pop_front();
  }
}

}  // namespace

uint64_t TextTraceStats::lost_events() const {
  uint64_t n = 0;
  for (const auto& [cpu, l] : lost) n += l.events;
  return n;
}

uint64_t TextTraceStats::lost_markers_without_count() const {
  uint64_t n = 0;
  for (const auto& [cpu, l] : lost) n += l.markers_without_count;
  return n;
}

Result<TextTraceStats> import_text_trace(std::istream& in, std::string_view name,
                                         const TextTraceOptions& options,
                                         const TextEventConsumer& consume) {
  auto t0 = std::chrono::steady_clock::now();
  TextChunkReader reader(in, options.chunk_bytes, options.max_line_bytes);
  TextChunkMerger merger(name, options.max_kept_malformed, consume);
  int threads = options.threads > 0
                    ? options.threads
                    : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  KTEL_TRY(threads == 1 ? run_inline(reader, merger, options, name)
                        : run_parallel(threads, reader, merger, options, name));
  TextTraceStats stats = std::move(merger.stats());
  stats.bytes = reader.bytes();
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return stats;
}

Result<TextTraceStats> import_text_trace_file(const std::string& path,
                                              const TextTraceOptions& options,
                                              const TextEventConsumer& consume) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return errno_status(errno, "open " + path);
  return import_text_trace(in, path, options, consume);
}

}  // namespace ktel::sched
