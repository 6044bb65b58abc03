// libbpf reports verifier and relocation failures through its print callback;
// LibbpfLogCapture keeps them (warnings and errors, not debug) while a
// skeleton is opened, loaded and attached, so the Status can carry the reason
// instead of noise on stderr. One capture at a time (a process-wide mutex).
#pragma once

#include <mutex>
#include <string>

namespace ktel {

class LibbpfLogCapture {
 public:
  LibbpfLogCapture();
  ~LibbpfLogCapture();
  LibbpfLogCapture(const LibbpfLogCapture&) = delete;
  LibbpfLogCapture& operator=(const LibbpfLogCapture&) = delete;
  // The last ~2,000 characters captured.
  std::string tail() const;

 private:
  std::unique_lock<std::mutex> lock_;
  void* previous_;  // libbpf_print_fn_t
};

}  // namespace ktel
