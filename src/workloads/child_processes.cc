#include "workloads/child_processes.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ktel {

pid_t fork_workload_child(const char* name, const std::function<int()>& body) {
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (::getppid() != parent) ::_exit(1);  // the parent died before prctl
  ::prctl(PR_SET_NAME, name, 0, 0, 0);
  ::_exit(body());
}

int reap_workload_children(const std::vector<pid_t>& children) {
  int failures = 0;
  for (pid_t pid : children) {
    int status = 0;
    if (pid < 0 || ::waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
      ++failures;
    }
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace ktel
