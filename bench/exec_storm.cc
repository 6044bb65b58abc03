// Fork+exec load for bench/exec_overhead_compare.py. `paced` spawns a program
// at a target rate from N worker processes for a fixed time; `loop` runs
// fork+exec+wait of a program N times in a row and times only that loop.
// `threads` has N worker threads create and join a thread as fast as they can
// for a fixed time: every one is a fork record and an exit record in the exec
// source, so the ring and its reader see record rates fork+exec cannot reach
// on a slow machine. Prints one JSON line of counts (to stdout, or to --out
// FILE); a paced run's `rate` is execs that ran / time from the first spawn
// until all were reaped.
#include <fcntl.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr int kMaxOutstandingPerWorker = 64;

struct Options {
  std::string mode;
  std::string program = "/bin/true";
  std::string out;
  double rate = 5000;
  double seconds = 10;
  int workers = 1;
  long count = 20000;
};

struct Counts {
  int64_t spawned = 0;
  int64_t ok = 0;      // exited 0: the exec happened and the program ran
  int64_t failed = 0;  // fork failed, or exit status other than 0
};

int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

void sleep_until_ns(int64_t t) {
  timespec ts{static_cast<time_t>(t / 1'000'000'000), static_cast<long>(t % 1'000'000'000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

// Forks a child that execs `program` with no arguments; -1 when fork failed.
pid_t spawn(const char* program) {
  pid_t pid = fork();
  if (pid == 0) {
    char* const argv[] = {const_cast<char*>(program), nullptr};
    execv(program, argv);
    _exit(127);
  }
  return pid;
}

void account(Counts& c, int status) {
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    ++c.ok;
  } else {
    ++c.failed;
  }
}

// Reaps exited children; blocks for one when `block`. Returns how many.
int reap(Counts& c, bool block) {
  int n = 0;
  for (;;) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, (block && n == 0) ? 0 : WNOHANG);
    if (pid <= 0) return n;
    account(c, status);
    ++n;
  }
}

// One worker: spawns at `rate`/s until `end_ns`, at most
// kMaxOutstandingPerWorker children alive at once, then reaps them all.
Counts paced_worker(const Options& o, double rate, int64_t start_ns, int64_t end_ns) {
  Counts c;
  int outstanding = 0;
  const double period_ns = 1e9 / rate;
  for (;;) {
    int64_t now = now_ns();
    if (now >= end_ns) break;
    auto due =
        static_cast<int64_t>(static_cast<double>(now - start_ns) / period_ns) + 1 - c.spawned;
    if (due <= 0) {
      outstanding -= reap(c, false);
      sleep_until_ns(start_ns + static_cast<int64_t>(static_cast<double>(c.spawned) * period_ns));
      continue;
    }
    // Behind schedule, `due` can be large; the deadline still ends the run.
    for (; due > 0 && now_ns() < end_ns; --due) {
      if (outstanding >= kMaxOutstandingPerWorker) outstanding -= reap(c, true);
      if (spawn(o.program.c_str()) < 0) {
        ++c.failed;
      } else {
        ++outstanding;
      }
      ++c.spawned;
    }
    outstanding -= reap(c, false);
  }
  while (outstanding > 0) {
    int n = reap(c, true);
    if (n == 0) break;
    outstanding -= n;
  }
  return c;
}

int run_paced(const Options& o, FILE* out) {
  const double per_worker = o.rate / o.workers;
  const int64_t start = now_ns() + 20'000'000;  // every worker forked before the first spawn
  const auto end = start + static_cast<int64_t>(o.seconds * 1e9);
  std::vector<int> pipes;
  for (int w = 0; w < o.workers; ++w) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return perror("pipe2"), 1;
    pid_t pid = fork();
    if (pid < 0) return perror("fork"), 1;
    if (pid == 0) {
      close(fds[0]);
      sleep_until_ns(start);
      Counts c = paced_worker(o, per_worker, start, end);
      ssize_t n = write(fds[1], &c, sizeof c);
      _exit(n == static_cast<ssize_t>(sizeof c) ? 0 : 1);
    }
    close(fds[1]);
    pipes.push_back(fds[0]);
  }
  Counts total;
  for (int fd : pipes) {
    Counts c;
    if (read(fd, &c, sizeof c) != static_cast<ssize_t>(sizeof c)) {
      fprintf(stderr, "exec_storm: a worker died without reporting\n");
      return 1;
    }
    close(fd);
    total.spawned += c.spawned;
    total.ok += c.ok;
    total.failed += c.failed;
  }
  const int64_t elapsed = now_ns() - start;
  while (wait(nullptr) > 0) {
  }
  fprintf(out,
          "{\"mode\":\"paced\",\"program\":\"%s\",\"target_rate\":%.1f,\"workers\":%d,"
          "\"seconds\":%.3f,\"spawned\":%lld,\"ok\":%lld,\"failed\":%lld,\"elapsed_ns\":%lld,"
          "\"rate\":%.1f}\n",
          o.program.c_str(), o.rate, o.workers, o.seconds, static_cast<long long>(total.spawned),
          static_cast<long long>(total.ok), static_cast<long long>(total.failed),
          static_cast<long long>(elapsed),
          static_cast<double>(total.ok) * 1e9 / static_cast<double>(elapsed));
  return total.failed == 0 ? 0 : 1;
}

// CPU time of this process and its reaped children (user + system).
int64_t cpu_ns() {
  int64_t total = 0;
  for (int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
    rusage ru{};
    getrusage(who, &ru);
    for (const timeval& tv : {ru.ru_utime, ru.ru_stime}) {
      total += int64_t{tv.tv_sec} * 1'000'000'000 + int64_t{tv.tv_usec} * 1000;
    }
  }
  return total;
}

int run_loop(const Options& o, FILE* out) {
  Counts c;
  const int64_t start_cpu = cpu_ns();
  const int64_t start = now_ns();
  for (long i = 0; i < o.count; ++i) {
    pid_t pid = spawn(o.program.c_str());
    ++c.spawned;
    if (pid < 0) {
      ++c.failed;
      continue;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    account(c, status);
  }
  const int64_t elapsed = now_ns() - start;
  const int64_t cpu = cpu_ns() - start_cpu;
  fprintf(out,
          "{\"mode\":\"loop\",\"pid\":%d,\"cpu_ns\":%lld,\"program\":\"%s\",\"count\":%ld,"
          "\"spawned\":%lld,\"ok\":%lld,"
          "\"failed\":%lld,\"elapsed_ns\":%lld}\n",
          getpid(), static_cast<long long>(cpu), o.program.c_str(), o.count,
          static_cast<long long>(c.spawned), static_cast<long long>(c.ok),
          static_cast<long long>(c.failed), static_cast<long long>(elapsed));
  return c.failed == 0 ? 0 : 1;
}

void* thread_body(void* arg) { return arg; }

int run_threads(const Options& o, FILE* out) {
  std::atomic<int64_t> created{0};
  std::atomic<int64_t> failed{0};
  const int64_t start = now_ns();
  const auto end = start + static_cast<int64_t>(o.seconds * 1e9);
  std::vector<std::thread> workers;
  for (int w = 0; w < o.workers; ++w) {
    workers.emplace_back([&] {
      while (now_ns() < end) {
        pthread_t t;
        if (pthread_create(&t, nullptr, thread_body, nullptr) != 0) {
          ++failed;
          continue;
        }
        pthread_join(t, nullptr);
        ++created;
      }
    });
  }
  for (auto& w : workers) w.join();
  const int64_t elapsed = now_ns() - start;
  fprintf(out,
          "{\"mode\":\"threads\",\"workers\":%d,\"seconds\":%.3f,\"threads\":%lld,"
          "\"failed\":%lld,\"elapsed_ns\":%lld,\"rate\":%.1f}\n",
          o.workers, o.seconds, static_cast<long long>(created.load()),
          static_cast<long long>(failed.load()), static_cast<long long>(elapsed),
          static_cast<double>(created.load()) * 1e9 / static_cast<double>(elapsed));
  return failed.load() == 0 ? 0 : 1;
}

int usage() {
  fprintf(stderr,
          "usage: exec_storm paced [--rate N] [--seconds S] [--workers W] [--program P] [--out F]\n"
          "       exec_storm loop [--count N] [--program P] [--out F]\n"
          "       exec_storm threads [--seconds S] [--workers W] [--out F]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  Options o;
  o.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    const char* v = argv[i + 1];
    if (flag == "--rate") {
      o.rate = std::atof(v);
    } else if (flag == "--seconds") {
      o.seconds = std::atof(v);
    } else if (flag == "--workers") {
      o.workers = std::atoi(v);
    } else if (flag == "--count") {
      o.count = std::atol(v);
    } else if (flag == "--program") {
      o.program = v;
    } else if (flag == "--out") {
      o.out = v;
    } else {
      return usage();
    }
  }
  if ((argc - 2) % 2 != 0 || o.rate <= 0 || o.seconds <= 0 || o.workers < 1 || o.count < 1) {
    return usage();
  }
  FILE* out = stdout;
  if (!o.out.empty()) {
    out = fopen(o.out.c_str(), "we");
    if (out == nullptr) return perror(o.out.c_str()), 1;
  }
  int rc = 1;
  if (o.mode == "paced") {
    rc = run_paced(o, out);
  } else if (o.mode == "loop") {
    rc = run_loop(o, out);
  } else if (o.mode == "threads") {
    rc = run_threads(o, out);
  } else {
    rc = usage();
  }
  if (out != stdout && fclose(out) != 0) return perror(o.out.c_str()), 1;
  return rc;
}
