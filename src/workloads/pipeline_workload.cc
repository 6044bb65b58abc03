#include "workloads/pipeline_workload.h"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "base/strings.h"

namespace ktel {

const std::string& pipeline_script() {
  // Every command is run by a shell the way a CI job runs them; the failures
  // are on purpose and caught, so the step itself succeeds.
  static const std::string kScript = R"SH(
step="$1"
uname -a > /dev/null
pwd > /dev/null
id > /dev/null
ls -la /usr/bin > /dev/null
df -h > /dev/null 2>&1
seq 1 200000 | sort -rn | head -n 1 > /dev/null
head -c 4000000 /dev/urandom | gzip -1 | sha256sum > /dev/null
if command -v vmstat > /dev/null; then timeout 0.3 vmstat 1 > /dev/null; fi
timeout 0.2 sleep 5 || true
sh -c 'echo "step $0 fails on purpose" >&2; exit 3' "$step" 2> /dev/null || true
exit 0
)SH";
  return kScript;
}

namespace {

pid_t start_step(int step) {
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  ::prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
  std::string n = std::to_string(step);
  ::execl("/bin/sh", "sh", "-c", pipeline_script().c_str(), n.c_str(), static_cast<char*>(nullptr));
  std::perror("pipeline: exec /bin/sh");
  ::_exit(127);
}

}  // namespace

int run_pipeline_workload(const std::vector<std::string>& args) {
  PipelineOptions o;
  if (!args.empty()) o.runs = static_cast<int>(parse_uint64(args[0]).value_or(0));
  if (args.size() > 1) o.parallel = static_cast<int>(parse_uint64(args[1]).value_or(0));
  if (o.runs < 1 || o.parallel < 1) {
    std::fprintf(stderr, "pipeline: usage: pipeline [RUNS >= 1 [PARALLEL >= 1]]\n");
    return 2;
  }
  ::prctl(PR_SET_NAME, "pipeline", 0, 0, 0);
  int started = 0, running = 0, failed = 0;
  while (started < o.runs || running > 0) {
    while (started < o.runs && running < o.parallel) {
      if (start_step(started + 1) < 0) return 1;
      ++started, ++running;
    }
    int status = 0;
    pid_t done = ::wait(&status);
    if (done < 0) break;
    --running;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace ktel
