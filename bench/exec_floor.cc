// Holds bench/exec_floor.bpf.c's empty programs attached until stdin closes,
// for bench/exec_overhead_compare.py. Prints one line, {"pid":N}, once they
// are attached; exits non-zero with libbpf's reason when they cannot be.
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "ktel_bpf/exec_floor.skel.h"

int main() {
  exec_floor_bpf* skel = exec_floor_bpf__open_and_load();
  if (skel == nullptr) {
    std::fprintf(stderr, "exec_floor: loading failed: %s\n", std::strerror(errno));
    return 1;
  }
  int err = exec_floor_bpf__attach(skel);
  if (err != 0) {
    std::fprintf(stderr, "exec_floor: attaching failed: %s\n", std::strerror(-err));
    exec_floor_bpf__destroy(skel);
    return 1;
  }
  std::printf("{\"pid\":%d}\n", static_cast<int>(::getpid()));
  std::fflush(stdout);
  char buf[64];
  while (::read(STDIN_FILENO, buf, sizeof buf) > 0) {
  }
  exec_floor_bpf__destroy(skel);
  return 0;
}
