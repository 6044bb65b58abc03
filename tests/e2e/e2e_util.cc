#include "e2e_util.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "base/testing/kernel_required.h"

namespace ktel::e2e {

std::string ktel_bin() {
  const char* b = std::getenv("KTEL_BIN");
  return b ? b : "ktel";
}

namespace {

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

int wait_child(pid_t pid, int timeout_s) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  int status = 0;
  while (true) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return decode_status(status);
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

RunResult run(const std::vector<std::string>& argv, int timeout_s) {
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) return {};
  auto args = c_argv(argv);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  RunResult r;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0 && std::chrono::steady_clock::now() < deadline) {
    if (::poll(fds, 2, 100) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(n));
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) ::close(f.fd);
  }
  auto left = std::chrono::duration_cast<std::chrono::seconds>(deadline - std::chrono::steady_clock::now());
  r.exit_code = wait_child(pid, static_cast<int>(std::max<int64_t>(1, left.count())));
  if (r.exit_code == -1) ADD_FAILURE() << "timed out after " << timeout_s << " s: " << argv[0];
  return r;
}

RunResult run_ktel(const std::vector<std::string>& args, int timeout_s) {
  std::vector<std::string> argv = {ktel_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, timeout_s);
}

pid_t start_background(const std::vector<std::string>& argv, const std::string& dir) {
  auto args = c_argv(argv);
  pid_t pid = ::fork();
  if (pid == 0) {
    int out = ::open((dir + "/bg.out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open((dir + "/bg.err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

nlohmann::json sql(const std::string& db, const std::string& query) {
  RunResult r = run({"sqlite3", "-json", "-readonly", db, query});
  if (r.exit_code != 0) {
    ADD_FAILURE() << "sqlite3 failed on " << db << ": " << r.err << "\nquery: " << query;
    return nlohmann::json::array();
  }
  if (r.out.find_first_not_of(" \n") == std::string::npos) return nlohmann::json::array();
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  if (j.is_discarded()) {
    ADD_FAILURE() << "sqlite3 printed invalid JSON: " << r.out;
    return nlohmann::json::array();
  }
  return j;
}

int64_t sql_int(const std::string& db, const std::string& query) {
  auto j = sql(db, query);
  if (!j.is_array() || j.empty() || !j[0].is_object() || j[0].empty()) return -1;
  auto v = j[0].begin().value();
  return v.is_number() ? v.get<int64_t>() : -1;
}

int64_t try_sql_int(const std::string& db, const std::string& query) {
  if (!file_exists(db)) return -1;
  RunResult r = run({"sqlite3", "-readonly", db, query});
  if (r.exit_code != 0) return -1;
  try {
    return std::stoll(r.out);
  } catch (const std::exception&) {
    return -1;
  }
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded()) ADD_FAILURE() << path << " is not valid JSON";
  return j;
}

bool file_exists(const std::string& path) { return std::filesystem::exists(path); }

bool require_root_impl(const char* why) {
  if (::geteuid() == 0) return true;
  if (::ktel::testing::kernel_required()) {
    ADD_FAILURE() << "KTEL_REQUIRE_KERNEL=1 but this test needs root: " << why;
  }
  return false;
}

bool eventually(const std::function<bool()>& fn, int timeout_s) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    if (fn()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return fn();
}

}  // namespace ktel::e2e
