// The /proc side of the exec fallback: cmdline splitting and limits, the
// status uid, the notes file round trip and its errors, and a scan of the
// real /proc finding a child of this test with its arguments (no root).
#include "sources/exec/proc_argv_scanner.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "base/testing/temp_dir.h"
#include "sources/exec/proc_argv_file.h"

namespace ktel::exec {
namespace {

using namespace std::string_view_literals;

TEST(SplitCmdline, KeepsEmptyArgumentsAndCountsTheWholeBlock) {
  ProcArgvNote n;
  split_cmdline("sh\0-c\0\0a b\0"sv, {}, n);
  EXPECT_EQ(n.argv, (std::vector<std::string>{"sh", "-c", "", "a b"}));
  EXPECT_EQ(n.argc, 4u);
  EXPECT_EQ(n.argv_bytes, 11u);
  EXPECT_FALSE(n.argv_truncated);
}

TEST(SplitCmdline, CutsAtTheLimitsAndSaysSo) {
  ProcArgvNote n;
  split_cmdline("abcdef\0gh\0ij\0"sv, {.max_bytes = 9, .max_args = 64}, n);
  EXPECT_EQ(n.argv, (std::vector<std::string>{"abcdef", "gh"}));  // 7 + 2 bytes, then no room
  EXPECT_TRUE(n.argv_truncated);
  EXPECT_EQ(n.argc, 3u);
  split_cmdline("abcdef\0gh\0"sv, {.max_bytes = 4, .max_args = 64}, n);
  EXPECT_EQ(n.argv, (std::vector<std::string>{"abcd"}));
  EXPECT_TRUE(n.argv_truncated);
  split_cmdline("a\0b\0c\0"sv, {.max_bytes = 4096, .max_args = 2}, n);
  EXPECT_EQ(n.argv, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(n.argv_truncated);
  EXPECT_EQ(n.argc, 3u);
  // setproctitle-style text without a final NUL still counts as one argument.
  split_cmdline("postgres: writer"sv, {}, n);
  EXPECT_EQ(n.argv, (std::vector<std::string>{"postgres: writer"}));
}

TEST(StatusUid, TheRealUidIsTheFirstNumber) {
  EXPECT_EQ(parse_status_real_uid("Name:\tx\nUid:\t1000\t0\t0\t0\nGid:\t1\n"), 1000u);
  EXPECT_EQ(parse_status_real_uid("Uid:\t0\t0\t0\t0\n"), 0u);
  EXPECT_FALSE(parse_status_real_uid("Name:\tx\nGid:\t1\n"));
  EXPECT_FALSE(parse_status_real_uid("Uid:\tx\n"));
}

TEST(ProcArgvFile, NotesComeBackAndHostileBytesStayValidJson) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/proc_argv.jsonl";
  auto w = ProcArgvWriter::create(path);
  ASSERT_TRUE(w.is_ok());
  ProcArgvNote a{.seen_ns = 5, .pid = 10, .ppid = 1, .uid = 1000, .comm = "a,b\"c",
                 .argv = {"<script>", "'; DROP TABLE", "\xff"}, .argv_bytes = 30, .argc = 3,
                 .argv_truncated = true};
  ProcArgvNote b{.seen_ns = 6, .pid = 11, .ppid = 10, .uid = std::nullopt, .comm = "x",
                 .argv = {"x"}, .argv_bytes = 2, .argc = 1, .argv_truncated = false};
  ASSERT_TRUE(w->append(a).is_ok());
  ASSERT_TRUE(w->append(b).is_ok());
  ASSERT_TRUE(w->finish().is_ok());
  EXPECT_FALSE(ProcArgvWriter::create(path).is_ok()) << "must not overwrite";
  std::vector<ProcArgvNote> got;
  uint64_t cut = 99;
  ASSERT_TRUE(read_proc_argv_file(path, [&](ProcArgvNote&& n) {
                got.push_back(std::move(n));
                return Status::ok();
              }, cut).is_ok());
  EXPECT_EQ(cut, 0u);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].comm, "a,b\"c");
  EXPECT_EQ(got[0].argv, (std::vector<std::string>{"<script>", "'; DROP TABLE", "\xEF\xBF\xBD"}));
  EXPECT_EQ(got[0].uid, 1000u);
  EXPECT_TRUE(got[0].argv_truncated);
  EXPECT_FALSE(got[1].uid);
}

TEST(ProcArgvFile, ABadLineNamesFileAndLineACutTailIsCounted) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/p.jsonl";
  ProcArgvNote a{.seen_ns = 5, .pid = 10, .ppid = 1, .uid = 0, .comm = "a", .argv = {"a"},
                 .argv_bytes = 2, .argc = 1, .argv_truncated = false};
  std::ofstream(path) << proc_argv_note_json(a) << "\n{\"pid\":3}\n";
  uint64_t cut = 0;
  Status s = read_proc_argv_file(path, [](ProcArgvNote&&) { return Status::ok(); }, cut);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find(path + ":2"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("seen_ns"), std::string::npos) << s.message();
  std::ofstream(path) << proc_argv_note_json(a) << "\n{\"seen_ns\":";
  int n = 0;
  ASSERT_TRUE(read_proc_argv_file(path, [&](ProcArgvNote&&) {
                ++n;
                return Status::ok();
              }, cut).is_ok());
  EXPECT_EQ(n, 1);
  EXPECT_EQ(cut, 11u);
}

TEST(ProcArgvScanner, FindsAChildWithItsArgumentsAndLeavesOthersOut) {
  pid_t child = ::fork();
  if (child == 0) {
    ::execl("/bin/sleep", "sleep", "30", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ASSERT_GT(child, 0);
  auto scanner = ProcArgvScanner::open({.all = false, .root = ::getpid()}, {});
  ASSERT_TRUE(scanner.is_ok()) << scanner.status().to_string();
  std::vector<ProcArgvNote> notes;
  auto collect = [&](const ProcArgvNote& n) { notes.push_back(n); };
  // The child may not have exec'd yet: scan until its new image shows.
  bool found = false;
  for (int i = 0; i < 200 && !found; ++i) {
    ASSERT_TRUE(scanner->scan(collect).is_ok());
    for (const auto& n : notes) found = found || (n.pid == child && n.comm == "sleep");
    if (!found) ::usleep(10'000);
  }
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  ASSERT_TRUE(found);
  for (const auto& n : notes) {
    EXPECT_TRUE(n.pid == ::getpid() || n.pid == child) << "pid " << n.pid << " is out of scope";
    if (n.pid == child && n.comm == "sleep") {
      EXPECT_EQ(n.argv, (std::vector<std::string>{"sleep", "30"}));
      EXPECT_EQ(n.ppid, ::getpid());
      EXPECT_EQ(n.uid, ::getuid());
    }
  }
  // Nothing changed: a second pass notes nothing new.
  size_t before = notes.size();
  ASSERT_TRUE(scanner->scan(collect).is_ok());
  EXPECT_EQ(notes.size(), before);
}

}  // namespace
}  // namespace ktel::exec
