// Parsers on real /proc files captured in testdata/proc (see its README), and
// on garbage: every malformed input is an error naming the field, never a crash.
#include "sources/proc/proc_parsers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "base/file_util.h"

namespace ktel::proc {
namespace {

using ::testing::HasSubstr;

std::string testdata(const std::string& name) {
  const char* root = std::getenv("KTEL_SOURCE_DIR");
  std::string path = std::string(root ? root : KTEL_SOURCE_DIR) + "/testdata/proc/" + name;
  Result<std::string> text = read_file(path);
  EXPECT_TRUE(text.is_ok()) << text.status().to_string();
  return text.value_or("");
}

TEST(ParseStat, NormalProcess) {
  const std::string text = testdata("normal_stat");  // comm is a view into it
  Result<StatFields> s = parse_stat(text);
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  EXPECT_EQ(s->pid, 5290);
  EXPECT_EQ(s->comm, "sleep");
  EXPECT_EQ(s->state, 'S');
  EXPECT_EQ(s->ppid, 5288);
  EXPECT_EQ(s->minflt, 125u);
  EXPECT_EQ(s->num_threads, 1u);
  EXPECT_EQ(s->start_time_ticks, 59968u);
  EXPECT_EQ(s->vsize_bytes, 2990080u);
  EXPECT_EQ(s->rss_pages, 414u);
}

TEST(ParseStat, CommWithSpacesAndParenthesesIsTakenUpToTheLastParen) {
  const std::string text = testdata("weird_comm_stat");
  Result<StatFields> s = parse_stat(text);
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  EXPECT_EQ(s->pid, 5291);
  EXPECT_EQ(s->comm, "a) b (c");
  EXPECT_EQ(s->state, 'S');
  EXPECT_EQ(s->ppid, 5288);
  // Fields after comm keep their positions despite the ") " inside it.
  EXPECT_EQ(s->minflt, 2901u);
  EXPECT_EQ(s->majflt, 1u);
  EXPECT_EQ(s->utime_ticks, 7u);
  EXPECT_EQ(s->stime_ticks, 5u);
  EXPECT_EQ(s->start_time_ticks, 59968u);
  EXPECT_EQ(s->vsize_bytes, 17149952u);
  EXPECT_EQ(s->rss_pages, 3417u);
}

TEST(ParseStat, KernelThreadAndZombieHaveNoMemory) {
  const std::string ktext = testdata("kthread_stat");
  Result<StatFields> k = parse_stat(ktext);
  ASSERT_TRUE(k.is_ok()) << k.status().to_string();
  EXPECT_EQ(k->comm, "kthreadd");
  EXPECT_EQ(k->ppid, 0);
  EXPECT_EQ(k->vsize_bytes, 0u);
  Result<StatFields> z = parse_stat(testdata("zombie_stat"));
  ASSERT_TRUE(z.is_ok()) << z.status().to_string();
  EXPECT_EQ(z->state, 'Z');
  EXPECT_EQ(z->ppid, 5292);
  EXPECT_EQ(z->stime_ticks, 1u);
  EXPECT_EQ(z->rss_pages, 0u);
}

TEST(ParseStat, GarbageNamesTheField) {
  Result<StatFields> r = parse_stat("12 (x) S 1 2 3 4 5 6 lots 8 9 10 11 12 13 14 15 16 17 18 19 20 21");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Code::kDataLoss);
  EXPECT_THAT(r.status().message(), HasSubstr("10 (minflt)"));
  EXPECT_THAT(r.status().message(), HasSubstr("\"lots\""));

  r = parse_stat("12 x S 1");
  ASSERT_FALSE(r.is_ok());
  EXPECT_THAT(r.status().message(), HasSubstr("comm"));

  r = parse_stat("12 (x) SS 1");
  ASSERT_FALSE(r.is_ok());
  EXPECT_THAT(r.status().message(), HasSubstr("state"));

  r = parse_stat("-1 (x) S 1");
  ASSERT_FALSE(r.is_ok());
  EXPECT_THAT(r.status().message(), HasSubstr("pid"));

  // Overflowing numbers are rejected, not wrapped.
  std::string big = testdata("normal_stat");
  big.replace(big.find(" 59968 "), 7, " 99999999999999999999999 ");
  r = parse_stat(big);
  ASSERT_FALSE(r.is_ok());
  EXPECT_THAT(r.status().message(), HasSubstr("22 (starttime)"));
}

TEST(ParseStat, HostileBytesAreEscapedInTheError) {
  Result<StatFields> r = parse_stat(std::string("1 (x) S 1 2 3 4 5 6 \x1b[31m\n", 24));
  ASSERT_FALSE(r.is_ok());
  EXPECT_THAT(r.status().message(), HasSubstr("\\x1b"));
  EXPECT_EQ(r.status().message().find('\x1b'), std::string::npos);
}

// Every prefix of every captured file: no crash, and a prefix that cuts a
// required field short is an error (never a silently wrong value).
TEST(Parsers, TruncatedFilesFailCleanly) {
  std::string stat = testdata("weird_comm_stat");
  // Offset of the first digit of field 24 (rss): any prefix ending before it
  // lacks a required field and must fail.
  size_t rss_start = stat.rfind(')') + 1;
  for (int field = 3; field <= 24; ++field) rss_start = stat.find(' ', rss_start) + 1;
  ASSERT_EQ(std::string_view(stat).substr(rss_start, 5), "3417 ");
  for (size_t n = 0; n < stat.size(); ++n) {
    Result<StatFields> r = parse_stat(std::string_view(stat).substr(0, n));
    if (n <= rss_start) {
      EXPECT_FALSE(r.is_ok()) << "prefix " << n;
    }
  }
  for (const char* f : {"normal_status", "normal_io", "normal_schedstat", "proc_stat"}) {
    std::string text = testdata(f);
    for (size_t n = 0; n < text.size(); ++n) {
      std::string_view p = std::string_view(text).substr(0, n);
      (void)parse_status_ctxsw(p);
      (void)parse_io(p);
      (void)parse_schedstat(p);
      std::vector<CpuTimes> cpus;
      (void)parse_proc_stat_cpus(p, cpus);
    }
  }
}

TEST(ParseStatus, ContextSwitches) {
  Result<CtxSwitches> c = parse_status_ctxsw(testdata("weird_comm_status"));
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_EQ(c->voluntary, 24u);
  EXPECT_EQ(c->involuntary, 9u);
  Result<CtxSwitches> z = parse_status_ctxsw(testdata("zombie_status"));
  ASSERT_TRUE(z.is_ok()) << z.status().to_string();
  EXPECT_EQ(z->voluntary, 2u);
  EXPECT_EQ(z->involuntary, 2u);
}

TEST(ParseStatus, MissingOrGarbageNamesTheField) {
  Result<CtxSwitches> c = parse_status_ctxsw("Name:\tx\nvoluntary_ctxt_switches:\t3\n");
  ASSERT_FALSE(c.is_ok());
  EXPECT_THAT(c.status().message(), HasSubstr("nonvoluntary_ctxt_switches is missing"));
  // "nonvoluntary_..." must not satisfy "voluntary_...".
  c = parse_status_ctxsw("nonvoluntary_ctxt_switches:\t3\n");
  ASSERT_FALSE(c.is_ok());
  EXPECT_THAT(c.status().message(), HasSubstr("field voluntary_ctxt_switches is missing"));
  c = parse_status_ctxsw("voluntary_ctxt_switches:\t3x\nnonvoluntary_ctxt_switches:\t1\n");
  ASSERT_FALSE(c.is_ok());
  EXPECT_THAT(c.status().message(), HasSubstr("voluntary_ctxt_switches is not a valid number"));
}

TEST(ParseIo, CapturedFile) {
  Result<IoFields> io = parse_io(testdata("weird_comm_io"));
  ASSERT_TRUE(io.is_ok()) << io.status().to_string();
  EXPECT_EQ(io->rchar, 1718341u);
  EXPECT_EQ(io->wchar, 1709u);
  EXPECT_EQ(io->read_bytes, 819200u);
  EXPECT_EQ(io->write_bytes, 8192u);
  Result<IoFields> bad = parse_io("rchar: 1\nwchar: 2\nread_bytes: -4\nwrite_bytes: 0\n");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("io: field read_bytes"));
}

TEST(ParseSchedstat, CapturedFiles) {
  Result<SchedStat> s = parse_schedstat(testdata("kthread_schedstat"));
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  EXPECT_EQ(s->run_ns, 3826854u);
  EXPECT_EQ(s->wait_ns, 12050451u);
  EXPECT_EQ(s->timeslices, 60u);
  Result<SchedStat> bad = parse_schedstat("1 2\n");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("3 (timeslices) is missing"));
}

TEST(ParseProcStat, TotalThenPerCpu) {
  std::vector<CpuTimes> cpus;
  Status st = parse_proc_stat_cpus(testdata("proc_stat"), cpus);
  ASSERT_TRUE(st.is_ok()) << st.to_string();
  ASSERT_EQ(cpus.size(), 3u);
  EXPECT_EQ(cpus[0].cpu, -1);
  EXPECT_EQ(cpus[0].user, 11014u);
  EXPECT_EQ(cpus[0].system, 5154u);
  EXPECT_EQ(cpus[0].idle, 103047u);
  EXPECT_EQ(cpus[0].iowait, 581u);
  EXPECT_EQ(cpus[0].softirq, 122u);
  EXPECT_EQ(cpus[1].cpu, 0);
  EXPECT_EQ(cpus[2].cpu, 1);
  EXPECT_EQ(cpus[2].user, 5783u);
}

TEST(ParseProcStat, GarbageNamesCpuAndField) {
  std::vector<CpuTimes> cpus;
  Status st = parse_proc_stat_cpus("cpu  1 2 3 4 5 6 7 8\ncpu3 1 2 3 4 5 6 7 zz\n", cpus);
  ASSERT_FALSE(st.is_ok());
  EXPECT_THAT(st.message(), HasSubstr("cpu3 steal"));
  st = parse_proc_stat_cpus("cpu  1 2 3\n", cpus);
  ASSERT_FALSE(st.is_ok());
  EXPECT_THAT(st.message(), HasSubstr("cpu idle is missing"));
  st = parse_proc_stat_cpus("intr 1 2\n", cpus);
  ASSERT_FALSE(st.is_ok());
  EXPECT_THAT(st.message(), HasSubstr("total \"cpu\" line"));
}

}  // namespace
}  // namespace ktel::proc
