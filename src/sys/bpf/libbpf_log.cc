#include "sys/bpf/libbpf_log.h"

#include <bpf/libbpf.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>

namespace ktel {

namespace {

constexpr size_t kLogTail = 2000;
std::mutex g_log_mu;
std::string g_log;

__attribute__((format(printf, 2, 0))) int capture(enum libbpf_print_level level,
                                                  const char* format, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  char line[1024];
  const int n = std::vsnprintf(line, sizeof(line), format, args);
  if (n > 0) g_log.append(line, std::min<size_t>(static_cast<size_t>(n), sizeof(line) - 1));
  return 0;
}

}  // namespace

LibbpfLogCapture::LibbpfLogCapture()
    : lock_(g_log_mu), previous_(reinterpret_cast<void*>(libbpf_set_print(capture))) {
  g_log.clear();
}

LibbpfLogCapture::~LibbpfLogCapture() {
  libbpf_set_print(reinterpret_cast<libbpf_print_fn_t>(previous_));
}

std::string LibbpfLogCapture::tail() const {
  if (g_log.size() <= kLogTail) return g_log;
  return "..." + g_log.substr(g_log.size() - kLogTail);
}

}  // namespace ktel
