// Corpus replay for builds without libFuzzer (g++, CTest): runs
// LLVMFuzzerTestOneInput on every file named on the command line (directories
// are walked, sorted) and on a bounded, deterministic set of mutations of each
// (N per seed, default 2000; fewer for seeds over 1 KiB).
// Usage: <target>_fuzz_replay [--mutations=N] FILE_OR_DIR...
// A crash leaves the failing input in ./fuzz-replay-crash for libFuzzer or gdb.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KTEL_REPLAY_ASAN 1
#endif
#elif defined(__SANITIZE_ADDRESS__)
#define KTEL_REPLAY_ASAN 1
#endif
#ifdef KTEL_REPLAY_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

constexpr int kDefaultMutations = 2000;
constexpr size_t kMaxInputSize = 1 << 16;

// What is running now, for the crash handler (which may only use what is
// async-signal-safe: write(2) on data prepared before the call).
const std::vector<uint8_t>* g_current = nullptr;
char g_current_name[512];

void on_crash(int sig) {
  if (g_current != nullptr) {
    int fd = ::open("fuzz-replay-crash", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
      ssize_t ignored = ::write(fd, g_current->data(), g_current->size());
      (void)ignored;
      ::close(fd);
    }
    const char msg[] = "\nfuzz replay: crash on ";
    ssize_t ignored = ::write(STDERR_FILENO, msg, sizeof(msg) - 1);
    ignored =
        ::write(STDERR_FILENO, g_current_name, strnlen(g_current_name, sizeof(g_current_name)));
    const char tail[] = " (input saved as ./fuzz-replay-crash)\n";
    ignored = ::write(STDERR_FILENO, tail, sizeof(tail) - 1);
    (void)ignored;
  }
  if (sig == 0) return;  // sanitizer death callback: the runtime exits itself
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

// splitmix64: fixed seeds, so every run replays the same inputs.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  size_t below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(next() % n); }

 private:
  uint64_t s_;
};

// Bytes that matter to the parsers under test (separators, quotes, escapes,
// UTF-8 lead and continuation bytes, digits).
constexpr uint8_t kInteresting[] = {0x00, 0x7f, 0x80, 0xbf, 0xc2, 0xe0, 0xed, 0xf0, 0xf4, 0xff,
                                    '(',  ')',  ' ',  '\n', '\r', '\t', '"',  '\\', ',',  ':',
                                    '{',  '}',  '[',  ']',  '-',  '.',  'e',  '0',  '9',  '#'};

void mutate_once(std::vector<uint8_t>& in, const std::vector<uint8_t>& other, Rng& rng) {
  const size_t n = in.size();
  switch (rng.below(8)) {
    case 0:  // flip one bit
      if (n > 0) in[rng.below(n)] ^= static_cast<uint8_t>(1u << rng.below(8));
      break;
    case 1:  // overwrite with an interesting byte
      if (n > 0) in[rng.below(n)] = kInteresting[rng.below(std::size(kInteresting))];
      break;
    case 2:  // insert an interesting or random byte
      in.insert(in.begin() + static_cast<ptrdiff_t>(rng.below(n + 1)),
                rng.below(2) ? kInteresting[rng.below(std::size(kInteresting))]
                             : static_cast<uint8_t>(rng.next()));
      break;
    case 3: {  // erase a range
      if (n == 0) break;
      size_t at = rng.below(n);
      size_t len = 1 + rng.below(std::min<size_t>(n - at, 16));
      in.erase(in.begin() + static_cast<ptrdiff_t>(at),
               in.begin() + static_cast<ptrdiff_t>(at + len));
      break;
    }
    case 4: {  // duplicate a range somewhere else
      if (n == 0) break;
      size_t at = rng.below(n);
      size_t len = 1 + rng.below(std::min<size_t>(n - at, 32));
      std::vector<uint8_t> piece(in.begin() + static_cast<ptrdiff_t>(at),
                                 in.begin() + static_cast<ptrdiff_t>(at + len));
      in.insert(in.begin() + static_cast<ptrdiff_t>(rng.below(n + 1)), piece.begin(), piece.end());
      break;
    }
    case 5:  // truncate
      in.resize(rng.below(n + 1));
      break;
    case 6: {  // splice in a piece of another seed
      if (other.empty()) break;
      size_t at = rng.below(other.size());
      size_t len = 1 + rng.below(std::min<size_t>(other.size() - at, 64));
      in.insert(in.begin() + static_cast<ptrdiff_t>(rng.below(n + 1)),
                other.begin() + static_cast<ptrdiff_t>(at),
                other.begin() + static_cast<ptrdiff_t>(at + len));
      break;
    }
    default:  // replace a digit run with an extreme number
      if (n > 0) {
        static const char* const kNumbers[] = {"18446744073709551616",
                                               "-1",
                                               "9e999",
                                               "1e308",
                                               "2147483648",
                                               "0",
                                               "-0",
                                               "NaN",
                                               "4294967296"};
        const char* num = kNumbers[rng.below(std::size(kNumbers))];
        size_t at = rng.below(n);
        in.insert(in.begin() + static_cast<ptrdiff_t>(at), num, num + std::strlen(num));
      }
      break;
  }
  if (in.size() > kMaxInputSize) in.resize(kMaxInputSize);
}

void run_one(const std::vector<uint8_t>& input) {
  g_current = &input;
  // A buffer of exactly the input's size, so ASan sees any overread.
  std::unique_ptr<uint8_t[]> copy(new uint8_t[input.size()]);
  if (!input.empty()) std::memcpy(copy.get(), input.data(), input.size());
  LLVMFuzzerTestOneInput(copy.get(), input.size());
  g_current = nullptr;
}

bool read_bytes(const std::filesystem::path& p, std::vector<uint8_t>& out) {
  std::ifstream f(p, std::ios::binary);
  if (!f) return false;
  out.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return !f.bad();
}

}  // namespace

int main(int argc, char** argv) {
  int mutations = kDefaultMutations;
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--mutations=", 0) == 0) {
      mutations = std::atoi(arg.c_str() + std::strlen("--mutations="));
      continue;
    }
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      std::vector<std::filesystem::path> in_dir;
      for (const auto& e : std::filesystem::recursive_directory_iterator(arg, ec)) {
        if (e.is_regular_file()) in_dir.push_back(e.path());
      }
      std::sort(in_dir.begin(), in_dir.end());
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    } else if (std::filesystem::is_regular_file(arg, ec)) {
      files.emplace_back(arg);
    } else {
      std::fprintf(stderr, "fuzz replay: %s is neither a file nor a directory\n", arg.c_str());
      return 2;
    }
  }
  if (files.empty()) {
    std::fprintf(stderr,
                 "fuzz replay: no corpus files (usage: %s [--mutations=N] FILE_OR_DIR...)\n",
                 argv[0]);
    return 2;
  }
  std::vector<std::vector<uint8_t>> seeds(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    if (!read_bytes(files[i], seeds[i])) {
      std::fprintf(stderr, "fuzz replay: cannot read %s\n", files[i].c_str());
      return 2;
    }
  }
  for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) ::signal(sig, on_crash);
#ifdef KTEL_REPLAY_ASAN
  // ASan and fatal UBSan reports exit without a signal.
  __sanitizer_set_death_callback([] { on_crash(0); });
#endif

  uint64_t runs = 0;
  for (size_t i = 0; i < seeds.size(); ++i) {
    std::snprintf(g_current_name, sizeof(g_current_name), "%s", files[i].c_str());
    run_one(seeds[i]);
    ++runs;
    Rng rng(0x6b74656cULL + i);  // "ktel" + seed index
    const std::vector<uint8_t>& other = seeds[(i + 1) % seeds.size()];
    std::vector<uint8_t> input;
    // Whole-file seeds get fewer mutations, so the replay stays a few seconds.
    const int budget =
        seeds[i].size() <= 1024
            ? mutations
            : std::max(mutations / 8, static_cast<int>(static_cast<int64_t>(mutations) * 1024 /
                                                       static_cast<int64_t>(seeds[i].size())));
    for (int m = 0; m < budget; ++m) {
      // Chains of 1..4 mutations, restarting from the seed every 8 inputs.
      if (m % 8 == 0) input = seeds[i];
      for (size_t k = 1 + rng.below(4); k > 0; --k) mutate_once(input, other, rng);
      std::snprintf(g_current_name, sizeof(g_current_name), "%s mutation %d", files[i].c_str(), m);
      run_one(input);
      ++runs;
    }
  }
  std::printf("fuzz replay: %zu corpus files, %llu inputs, no crash\n", files.size(),
              static_cast<unsigned long long>(runs));
  return 0;
}
