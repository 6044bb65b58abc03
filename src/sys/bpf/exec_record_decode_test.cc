#include "sys/bpf/exec_record_decode.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <vector>

#include "sys/bpf/exec_record.h"

namespace ktel {
namespace {

std::vector<std::byte> exec_bytes(const std::string& args, uint32_t full, uint32_t argc) {
  KtelExecRecord r{};
  r.hdr = {KTEL_EXEC_REC_VERSION, KTEL_EXEC_TYPE_EXEC,
           static_cast<uint32_t>(sizeof r + args.size()), 123};
  r.pid = 10;
  r.tid = 11;
  r.ppid = 1;
  std::memcpy(r.comm, "true", 4);
  std::memcpy(r.filename, "/bin/true", 9);
  r.filename_len = 9;
  r.argv_len = static_cast<uint32_t>(args.size());
  r.argv_full_len = full;
  r.argc = argc;
  std::vector<std::byte> out(sizeof r + args.size());
  std::memcpy(out.data(), &r, sizeof r);
  std::memcpy(out.data() + sizeof r, args.data(), args.size());
  return out;
}

TEST(ExecRecordDecode, SplitsArgvAndFlagsTruncation) {
  std::string args("true\0a b\0\0", 10);
  auto e = decode_exec_record(exec_bytes(args, 10, 3), {});
  ASSERT_TRUE(e.is_ok()) << e.status().to_string();
  const auto& x = std::get<ExecLifecycleExec>(*e);
  EXPECT_EQ(x.argv, (std::vector<std::string>{"true", "a b", ""}));
  EXPECT_FALSE(x.argv_truncated);
  EXPECT_EQ(x.filename, "/bin/true");
  EXPECT_EQ(x.comm, "true");
  auto cut = decode_exec_record(exec_bytes(std::string("true\0ab", 7), 40, 5), {});
  ASSERT_TRUE(cut.is_ok());
  EXPECT_TRUE(std::get<ExecLifecycleExec>(*cut).argv_truncated);
  EXPECT_EQ(std::get<ExecLifecycleExec>(*cut).argv.back(), "ab");  // cut inside an argument
  auto many = decode_exec_record(exec_bytes(std::string("a\0b\0c\0", 6), 6, 3), {.max_args = 2});
  ASSERT_TRUE(many.is_ok());
  EXPECT_EQ(std::get<ExecLifecycleExec>(*many).argv.size(), 2u);
  EXPECT_TRUE(std::get<ExecLifecycleExec>(*many).argv_truncated);
}

TEST(ExecRecordDecode, ExitStatusSignalAndCore) {
  KtelExitRecord r{};
  r.hdr = {KTEL_EXEC_REC_VERSION, KTEL_EXEC_TYPE_EXIT, sizeof r, 5};
  r.flags = KTEL_EXIT_GROUP_DEAD;
  r.maxrss_pages = 10;
  std::vector<std::byte> b(sizeof r);
  auto decode = [&](uint32_t code) {
    r.exit_code = code;
    std::memcpy(b.data(), &r, sizeof r);
    return std::get<ExecLifecycleExit>(*decode_exec_record(b, {.max_args = 64, .page_size = 4096}));
  };
  ExecLifecycleExit seven = decode(7 << 8);
  EXPECT_EQ(seven.exit_code, 7);
  EXPECT_FALSE(seven.signal);
  EXPECT_TRUE(seven.group_dead);
  EXPECT_EQ(seven.maxrss_bytes, 40960u);
  ExecLifecycleExit killed = decode(9);
  EXPECT_EQ(killed.signal, 9);
  EXPECT_FALSE(killed.exit_code);
  ExecLifecycleExit core = decode(0x80 | 11);
  EXPECT_EQ(core.signal, 11);
  EXPECT_TRUE(core.core_dumped);
}

std::vector<std::byte> rss_bytes(uint32_t n, uint32_t claimed) {
  KtelRssRecord r{};
  const size_t size = offsetof(KtelRssRecord, samples) + n * sizeof(KtelRssSample);
  r.hdr = {KTEL_EXEC_REC_VERSION, KTEL_EXEC_TYPE_RSS, static_cast<uint32_t>(size), 500};
  r.pid = 42;
  r.n = claimed;
  r.start_ns = 77;
  r.peak_pages = 300;
  r.interval_ns = 20'000'000;
  r.events = 1000;
  for (uint32_t i = 0; i < n; ++i) r.samples[i] = {100 + i, 10 * (i + 1)};
  r.last_ts_ns = 100 + n + 50;  // a later value no sample took
  r.last_pages = 7;
  std::vector<std::byte> out(size);
  std::memcpy(out.data(), &r, size);
  return out;
}

TEST(ExecRecordDecode, RssRecordsGiveBytesInTimeOrderAndRefuseMoreSamplesThanSent) {
  auto e = decode_exec_record(rss_bytes(3, 3), {.max_args = 64, .page_size = 4096});
  ASSERT_TRUE(e.is_ok()) << e.status().to_string();
  const auto& r = std::get<ExecLifecycleRss>(*e);
  EXPECT_EQ(r.pid, 42);
  EXPECT_EQ(r.start_ns, 77);
  EXPECT_EQ(r.peak_bytes, 300u * 4096);
  EXPECT_EQ(r.events, 1000u);
  EXPECT_EQ(r.interval_ns, 20'000'000);
  ASSERT_EQ(r.samples.size(), 4u);
  EXPECT_EQ(r.samples[2], (ExecLifecycleRss::Sample{102, 30 * 4096}));
  EXPECT_EQ(r.samples[3], (ExecLifecycleRss::Sample{153, 7 * 4096})) << "the latest value closes it";
  EXPECT_FALSE(decode_exec_record(rss_bytes(1, 5), {}).is_ok()) << "5 claimed, 1 sent";
  EXPECT_FALSE(decode_exec_record(rss_bytes(0, KTEL_EXEC_RSS_SAMPLES + 1), {}).is_ok());
  auto cut = rss_bytes(2, 2);
  cut.resize(20);
  EXPECT_FALSE(decode_exec_record(cut, {}).is_ok());
}

TEST(ExecRecordDecode, VersionOneRecordsStillDecode) {
  auto v1 = exec_bytes(std::string("true\0", 5), 5, 1);
  v1[0] = std::byte{1};
  EXPECT_TRUE(decode_exec_record(v1, {}).is_ok());
  v1[0] = std::byte{KTEL_EXEC_REC_VERSION + 1};
  EXPECT_FALSE(decode_exec_record(v1, {}).is_ok());
}

TEST(ExecRecordDecode, DamagedRecordsAreErrorsNotCrashes) {
  auto good = exec_bytes(std::string("x\0", 2), 2, 1);
  EXPECT_FALSE(decode_exec_record(std::span(good).first(10), {}).is_ok());
  EXPECT_FALSE(decode_exec_record(std::span(good).first(good.size() - 1), {}).is_ok());
  auto bad_version = good;
  bad_version[0] = std::byte{9};
  EXPECT_FALSE(decode_exec_record(bad_version, {}).is_ok());
  auto bad_type = good;
  bad_type[2] = std::byte{7};
  EXPECT_FALSE(decode_exec_record(bad_type, {}).is_ok());
}

}  // namespace
}  // namespace ktel
