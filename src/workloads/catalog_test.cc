#include "workloads/catalog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "base/testing/temp_dir.h"
#include "workloads/builtin.h"

namespace ktel {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> argv_of(const std::string& name, std::optional<double> s = {}) {
  WorkloadCatalog c = WorkloadCatalog::builtin();
  const WorkloadSpec* w = c.find(name);
  EXPECT_NE(w, nullptr) << name;
  auto argv = resolve_argv(*w, s, "/opt/ktel");
  EXPECT_TRUE(argv.is_ok());
  return argv.is_ok() ? *argv : std::vector<std::string>{};
}

TEST(WorkloadCatalog, TheTwelveStandardWorkloadsWithTheirExactParameters) {
  WorkloadCatalog c = WorkloadCatalog::builtin();
  std::vector<std::string> names, categories;
  for (const WorkloadSpec* w : c.default_set()) {
    names.push_back(w->name);
    categories.push_back(w->category);
  }
  EXPECT_THAT(names, ElementsAre("hackbench_pipe_small", "hackbench_pipe_large",
                                 "hackbench_socket_small", "hackbench_socket_large",
                                 "sysbench_cpu_4t", "sysbench_cpu_8t", "sysbench_threads_8t",
                                 "sysbench_threads_16t", "sysbench_memory_4t", "cpu_bound_4p",
                                 "cpu_bound_8p", "io_mixed"));
  EXPECT_THAT(categories, ElementsAre("hackbench", "hackbench", "hackbench", "hackbench",
                                      "sysbench_cpu", "sysbench_cpu", "sysbench_threads",
                                      "sysbench_threads", "sysbench_memory", "cpu_bound",
                                      "cpu_bound", "io_mixed"));
  EXPECT_THAT(argv_of("hackbench_pipe_small"), ElementsAre("hackbench", "-p", "-g", "4", "-l", "3000"));
  EXPECT_THAT(argv_of("hackbench_pipe_large"), ElementsAre("hackbench", "-p", "-g", "8", "-l", "5000"));
  EXPECT_THAT(argv_of("hackbench_socket_small"), ElementsAre("hackbench", "-g", "4", "-l", "3000"));
  EXPECT_THAT(argv_of("hackbench_socket_large"), ElementsAre("hackbench", "-g", "8", "-l", "5000"));
  EXPECT_THAT(argv_of("sysbench_cpu_8t"), ElementsAre("sysbench", "cpu", "--threads=8", "--time=10", "run"));
  EXPECT_THAT(argv_of("sysbench_threads_16t"),
              ElementsAre("sysbench", "threads", "--threads=16", "--time=10", "run"));
  EXPECT_THAT(argv_of("sysbench_memory_4t"),
              ElementsAre("sysbench", "memory", "--threads=4", "--time=10", "run"));
  EXPECT_THAT(argv_of("cpu_bound_8p"), ElementsAre("/opt/ktel", "__workload", "cpu_bound", "8", "10"));
  EXPECT_THAT(argv_of("io_mixed"), ElementsAre("/opt/ktel", "__workload", "io_mixed", "10"));
}

TEST(WorkloadCatalog, DurationScalesTimedWorkloadsOnly) {
  EXPECT_THAT(argv_of("sysbench_cpu_4t", 2.2), ElementsAre("sysbench", "cpu", "--threads=4", "--time=3", "run"));
  EXPECT_THAT(argv_of("sysbench_cpu_4t", 0.3), ElementsAre("sysbench", "cpu", "--threads=4", "--time=1", "run"));
  EXPECT_THAT(argv_of("cpu_bound_4p", 0.5), ElementsAre("/opt/ktel", "__workload", "cpu_bound", "4", "0.5"));
  EXPECT_THAT(argv_of("hackbench_pipe_small", 2.0), ElementsAre("hackbench", "-p", "-g", "4", "-l", "3000"));
  EXPECT_THAT(argv_of("burn", 0.25), ElementsAre("/opt/ktel", "__workload", "burn", "250"));
}

std::string write(const std::string& dir, const std::string& name, const std::string& text) {
  std::string path = dir + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(WorkloadCatalog, CustomWorkloadsFromToml) {
  testing::TempDir tmp;
  std::string path = write(tmp.path(), "w.toml", R"(
[[workload]]
name = "kernel_build"
category = "build"
description = "make -j2"
argv = ["make", "-C", "/src", "-j2"]

[[workload]]
name = "stress.cpu"
category = "stress"
argv = ["stress-ng", "--cpu", "2", "--timeout", "{duration_int}s"]
timed = true
default_seconds = 5
package = "stress-ng"
)");
  WorkloadCatalog c = WorkloadCatalog::builtin();
  ASSERT_TRUE(c.add_toml_file(path).is_ok());
  const WorkloadSpec* w = c.find("stress.cpu");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->origin, WorkloadOrigin::kCustom);
  EXPECT_EQ(w->defined_in, path + ":8");
  EXPECT_THAT(*resolve_argv(*w, std::nullopt, "k"),
              ElementsAre("stress-ng", "--cpu", "2", "--timeout", "5s"));
  EXPECT_EQ(c.default_set().size(), 14u);  // custom ones join the default set
}

struct BadToml {
  const char* text;
  const char* expected;  // in the message, after "<file>:"
};

TEST(WorkloadCatalog, BadTomlNamesFileLineAndField) {
  testing::TempDir tmp;
  const BadToml cases[] = {
      {"[[workload]]\nname = \"x\"\ncategory = \"c\"\nargv = [\"a\"\n", ":4:13: Error while parsing array"},  // syntax
      {"[[workload]]\nname = \"x\"\nargv = [\"a\"]\n", ":1: workload: field 'category' is missing"},
      {"[[workload]]\nname = \"a b\"\ncategory = \"c\"\nargv = [\"a\"]\n", ":2: field 'name'"},
      {"[[workload]]\nname = \"x\"\ncategory = \"c\"\nargv = []\n", ":4: field 'argv'"},
      {"[[workload]]\nname = \"x\"\ncategory = \"c\"\nargv = [\"a\"]\ncolour = 1\n",
       ":5: unknown field 'colour'"},
      {"[[workload]]\nname = \"hackbench_pipe_small\"\ncategory = \"c\"\nargv = [\"a\"]\n",
       ":1: field 'name': workload 'hackbench_pipe_small' is already defined"},
      {"[[workload]]\nname = \"x\"\ncategory = \"c\"\nargv = [\"a\"]\ntimed = true\n",
       "timed = true but no argument holds {duration}"},
      {"[[workload]]\nname = \"x\"\ncategory = \"c\"\nargv = [\"a\"]\ntimed = \"yes\"\n",
       ":5: field 'timed'"},
      {"title = \"mine\"\n", ":1: unknown top-level key 'title'"},
  };
  for (const auto& c : cases) {
    std::string path = write(tmp.path(), "bad.toml", c.text);
    WorkloadCatalog catalog = WorkloadCatalog::builtin();
    size_t before = catalog.all().size();
    Status st = catalog.add_toml_file(path);
    ASSERT_FALSE(st.is_ok()) << c.text;
    EXPECT_THAT(st.message(), HasSubstr(path)) << c.text;
    EXPECT_THAT(st.message(), HasSubstr(c.expected)) << c.text;
    EXPECT_EQ(catalog.all().size(), before);
  }
}

TEST(WorkloadCatalog, AvailabilityFollowsPath) {
  testing::TempDir tmp;
  std::string tool = tmp.path() + "/hackbench";
  std::ofstream(tool) << "#!/bin/sh\nexit 0\n";
  ::chmod(tool.c_str(), 0755);
  const char* old = std::getenv("PATH");
  std::string saved = old ? old : "";
  ::setenv("PATH", tmp.path().c_str(), 1);
  WorkloadCatalog c = WorkloadCatalog::builtin();
  WorkloadAvailability hb = availability(*c.find("hackbench_pipe_small"));
  WorkloadAvailability sb = availability(*c.find("sysbench_cpu_4t"));
  WorkloadAvailability cb = availability(*c.find("cpu_bound_4p"));
  ::setenv("PATH", saved.c_str(), 1);
  EXPECT_EQ(hb.kind, WorkloadAvailability::Kind::kInstalled);
  EXPECT_EQ(hb.detail, tool);
  EXPECT_EQ(sb.kind, WorkloadAvailability::Kind::kMissing);
  EXPECT_THAT(sb.detail, HasSubstr("apt-get install sysbench"));
  EXPECT_EQ(cb.kind, WorkloadAvailability::Kind::kBuiltIn);
}

// The built-in programs really fork their processes and clean up.
int run_builtin(const std::string& name, std::vector<std::string> args, int* children) {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(find_builtin_workload(name)->run(args));
  ::usleep(150'000);
  *children = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    std::ifstream stat(e.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    std::string state;
    long ppid = 0;
    rest >> state >> ppid;
    *children += ppid == pid;
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(BuiltinWorkloads, CpuBoundForksItsProcessesAndExitsZero) {
  int children = 0;
  EXPECT_EQ(run_builtin("cpu_bound", {"3", "0.4"}, &children), 0);
  EXPECT_EQ(children, 3);
  EXPECT_EQ(run_builtin("cpu_bound", {"0", "1"}, &children), 2);
  EXPECT_EQ(run_builtin("cpu_bound", {"2", "x"}, &children), 2);
}

TEST(BuiltinWorkloads, IoMixedRunsTwoWritersAndTwoBurnersAndLeavesNoFile) {
  testing::TempDir tmp;
  ::setenv("TMPDIR", tmp.path().c_str(), 1);
  int children = 0;
  EXPECT_EQ(run_builtin("io_mixed", {"0.4"}, &children), 0);
  ::unsetenv("TMPDIR");
  EXPECT_EQ(children, 4);
  EXPECT_TRUE(std::filesystem::is_empty(tmp.path()));
}

TEST(BuiltinWorkloads, PipelineRunsItsStepsAndRejectsBadArguments) {
  int children = 0;
  EXPECT_EQ(run_builtin("pipeline", {"2", "2"}, &children), 0);
  EXPECT_EQ(children, 2);  // two steps at once
  EXPECT_EQ(run_builtin("pipeline", {"0"}, &children), 2);
}

}  // namespace
}  // namespace ktel
