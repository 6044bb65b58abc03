#include "workloads/catalog.h"

#include <cmath>

#include <fmt/format.h>

#include "base/strings.h"
#include "sys/spawn.h"

namespace ktel {

namespace {

WorkloadSpec external(std::string name, std::string category, std::string description,
                      std::vector<std::string> argv, std::string package, bool timed) {
  return {.name = std::move(name), .category = std::move(category),
          .description = std::move(description), .origin = WorkloadOrigin::kExternal,
          .argv = std::move(argv), .package = std::move(package), .timed = timed,
          .default_seconds = timed ? 10.0 : 0.0, .standard = true, .defined_in = ""};
}

WorkloadSpec builtin_spec(std::string name, std::string category, std::string description,
                          std::vector<std::string> args, bool timed, bool standard) {
  std::vector<std::string> argv = {"{ktel}", "__workload"};
  argv.insert(argv.end(), args.begin(), args.end());
  return {.name = std::move(name), .category = std::move(category),
          .description = std::move(description), .origin = WorkloadOrigin::kBuiltin,
          .argv = std::move(argv), .package = "", .timed = timed,
          .default_seconds = timed ? 10.0 : 0.0, .standard = standard, .defined_in = ""};
}

std::vector<WorkloadSpec> hackbench() {
  std::vector<WorkloadSpec> out;
  struct H { const char* name; bool pipe; const char* groups; const char* loops; };
  for (H h : {H{"hackbench_pipe_small", true, "4", "3000"}, H{"hackbench_pipe_large", true, "8", "5000"},
              H{"hackbench_socket_small", false, "4", "3000"},
              H{"hackbench_socket_large", false, "8", "5000"}}) {
    std::vector<std::string> argv = {"hackbench"};
    if (h.pipe) argv.push_back("-p");
    argv.insert(argv.end(), {"-g", h.groups, "-l", h.loops});
    out.push_back(external(h.name, "hackbench",
                           fmt::format("hackbench: {} groups of 20 senders and 20 receivers over "
                                       "{}, {} loops (not timed)",
                                       h.groups, h.pipe ? "pipes" : "sockets", h.loops),
                           std::move(argv), "rt-tests", false));
  }
  return out;
}

WorkloadSpec sysbench(const std::string& test, int threads) {
  std::string name = fmt::format("sysbench_{}_{}t", test, threads);
  return external(name, "sysbench_" + test,
                  fmt::format("sysbench {} with {} threads, timed", test, threads),
                  {"sysbench", test, fmt::format("--threads={}", threads), "--time={duration_int}",
                   "run"},
                  "sysbench", true);
}

}  // namespace

std::string_view origin_name(WorkloadOrigin origin) {
  switch (origin) {
    case WorkloadOrigin::kBuiltin: return "built-in";
    case WorkloadOrigin::kExternal: return "external";
    case WorkloadOrigin::kCustom: return "custom";
  }
  return "external";
}

std::string_view WorkloadAvailability::word() const {
  switch (kind) {
    case Kind::kBuiltIn: return "built-in";
    case Kind::kInstalled: return "installed";
    case Kind::kMissing: return "missing";
  }
  return "missing";
}

WorkloadCatalog WorkloadCatalog::builtin() {
  WorkloadCatalog c;
  c.specs_ = hackbench();
  for (int t : {4, 8}) c.specs_.push_back(sysbench("cpu", t));
  for (int t : {8, 16}) c.specs_.push_back(sysbench("threads", t));
  c.specs_.push_back(sysbench("memory", 4));
  for (const char* p : {"4", "8"}) {
    c.specs_.push_back(builtin_spec(fmt::format("cpu_bound_{}p", p), "cpu_bound",
                                    fmt::format("{} processes of tight floating-point math, timed", p),
                                    {"cpu_bound", p, "{duration}"}, true, true));
  }
  c.specs_.push_back(builtin_spec(
      "io_mixed", "io_mixed",
      "2 writers of random data with fdatasync after every MiB + 2 CPU burners, timed",
      {"io_mixed", "{duration}"}, true, true));
  c.specs_.push_back(builtin_spec("demo", "ktel",
                                  "3 s multi-process demo: CPU burner, fdatasync writer, "
                                  "spawner of short children, sleeper",
                                  {"demo"}, false, false));
  c.specs_.push_back(builtin_spec("burn", "ktel", "one process of floating-point math, timed",
                                  {"burn", "{duration_ms}"}, true, false));
  c.specs_.back().default_seconds = 1;
  c.specs_.push_back(builtin_spec("pingpong", "ktel",
                                  "two processes passing a byte over pipes, timed",
                                  {"pingpong", "{duration}s"}, true, false));
  c.specs_.push_back(builtin_spec("pipeline", "ktel",
                                  "a CI-like shell script 6 times, 2 at once (short commands, "
                                  "sort/gzip/sha256sum, timeout vmstat, a failure, a timeout)",
                                  {"pipeline", "6", "2"}, false, false));
  return c;
}

const WorkloadSpec* WorkloadCatalog::find(std::string_view name) const {
  for (const auto& s : specs_) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::vector<const WorkloadSpec*> WorkloadCatalog::default_set() const {
  std::vector<const WorkloadSpec*> out;
  for (const auto& s : specs_) {
    if (s.standard || s.origin == WorkloadOrigin::kCustom) out.push_back(&s);
  }
  return out;
}

WorkloadAvailability availability(const WorkloadSpec& spec) {
  using Kind = WorkloadAvailability::Kind;
  if (spec.origin == WorkloadOrigin::kBuiltin) return {Kind::kBuiltIn, ""};
  if (spec.argv.empty()) return {Kind::kMissing, "no argv"};
  Result<std::string> path = resolve_executable(spec.argv[0]);
  if (path.is_ok()) return {Kind::kInstalled, *path};
  std::string fix = spec.package.empty()
                        ? fmt::format("'{}' is not in PATH", spec.argv[0])
                        : fmt::format("'{}' is not in PATH: apt-get install {}", spec.argv[0],
                                      spec.package);
  return {Kind::kMissing, fix};
}

Result<std::vector<std::string>> resolve_argv(const WorkloadSpec& spec,
                                              std::optional<double> seconds,
                                              const std::string& ktel_exe) {
  double s = seconds.value_or(spec.default_seconds);
  if (spec.timed && !(s > 0)) {
    return invalid_argument(fmt::format("workload {}: duration must be positive", spec.name));
  }
  std::vector<std::string> out;
  for (std::string arg : spec.argv) {
    auto replace = [&arg](std::string_view key, const std::string& value) {
      for (size_t at = arg.find(key); at != std::string::npos; at = arg.find(key, at + value.size())) {
        arg.replace(at, key.size(), value);
      }
    };
    replace("{ktel}", ktel_exe);
    if (spec.timed) {
      replace("{duration_int}", std::to_string(std::max<int64_t>(1, static_cast<int64_t>(std::ceil(s)))));
      replace("{duration_ms}", std::to_string(static_cast<int64_t>(std::llround(s * 1000))));
      replace("{duration}", fmt::format("{}", s));
    }
    out.push_back(std::move(arg));
  }
  return out;
}

bool valid_workload_name(std::string_view name) { return is_safe_file_name(name); }

}  // namespace ktel
