// raw/exec/records.bin: writer/parser round trip, chunking independence, a
// cut last frame, and every rejected header or frame naming where.
#include "sources/exec/exec_raw_file.h"

#include <gtest/gtest.h>

#include <cstring>

#include "base/file_util.h"
#include "base/testing/temp_dir.h"

namespace ktel::exec {
namespace {

std::span<const std::byte> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

std::string as_string(std::span<const std::byte> b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

const ExecRawHeader kHeader{.record_version = 1, .page_size = 4096, .argv_max_args = 64,
                            .argv_max_bytes = 4096};

// Writes `frames` through ExecRawWriter and returns the file's bytes.
std::string write_file(const std::vector<std::string>& frames) {
  testing::TempDir tmp;
  std::string path = tmp.path() + "/records.bin";
  auto w = ExecRawWriter::create(path, kHeader);
  EXPECT_TRUE(w.is_ok()) << w.status().to_string();
  for (const auto& f : frames) EXPECT_TRUE(w->append(bytes_of(f)).is_ok());
  EXPECT_TRUE(w->finish().is_ok());
  EXPECT_EQ(w->frames(), frames.size());
  auto content = read_file(path);
  EXPECT_TRUE(content.is_ok());
  EXPECT_EQ(w->bytes(), content->size());
  return *content;
}

struct Parsed {
  Status status;
  std::optional<ExecRawSummary> summary;
  std::vector<std::string> frames;
};

Parsed parse(std::string_view file, size_t chunk) {
  Parsed out;
  ExecRawParser parser("records.bin", nullptr);
  for (size_t off = 0; off < file.size() && out.status.is_ok(); off += chunk) {
    out.status = parser.feed(bytes_of(file.substr(off, chunk)), [&](std::span<const std::byte> f) {
      out.frames.push_back(as_string(f));
      return Status::ok();
    });
  }
  if (!out.status.is_ok()) return out;
  auto s = parser.finish();
  if (s.is_ok()) {
    out.summary = *s;
  } else {
    out.status = s.status();
  }
  return out;
}

TEST(ExecRawFileTest, FramesComeBackWhateverTheChunking) {
  std::vector<std::string> frames = {"a", std::string(5000, 'x'), std::string("\0\1\2", 3),
                                     std::string(70000, 'y')};
  std::string file = write_file(frames);
  ASSERT_EQ(file.size(), kExecRawHeaderBytes + 4 * 4 + 1 + 5000 + 3 + 70000);
  EXPECT_EQ(file.substr(0, 8), "KTELEXEC");
  for (size_t chunk : {size_t{1}, size_t{3}, size_t{31}, size_t{4096}, file.size()}) {
    Parsed p = parse(file, chunk);
    ASSERT_TRUE(p.status.is_ok()) << p.status.to_string();
    EXPECT_EQ(p.frames, frames) << "chunk " << chunk;
    EXPECT_EQ(p.summary->frames, frames.size());
    EXPECT_EQ(p.summary->bytes, file.size());
    EXPECT_EQ(p.summary->truncated_tail_bytes, 0u);
    EXPECT_EQ(p.summary->header.page_size, 4096u);
    EXPECT_EQ(p.summary->header.argv_max_args, 64u);
    EXPECT_EQ(p.summary->header.argv_max_bytes, 4096u);
    EXPECT_EQ(p.summary->header.record_version, 1u);
  }
}

TEST(ExecRawFileTest, ACutLastFrameIsCountedNotFatal) {
  std::string file = write_file({"first", "second-frame"});
  file.resize(file.size() - 3);
  Parsed p = parse(file, 7);
  ASSERT_TRUE(p.status.is_ok()) << p.status.to_string();
  EXPECT_EQ(p.frames, std::vector<std::string>{"first"});
  EXPECT_EQ(p.summary->truncated_tail_bytes, 4u + 12 - 3);
}

TEST(ExecRawFileTest, AnEmptyCaptureIsJustTheHeader) {
  std::string file = write_file({});
  EXPECT_EQ(file.size(), kExecRawHeaderBytes);
  Parsed p = parse(file, 5);
  ASSERT_TRUE(p.status.is_ok());
  EXPECT_EQ(p.summary->frames, 0u);
}

TEST(ExecRawFileTest, RejectsWhatItCannotRead) {
  std::string good = write_file({"abc"});
  std::string magic = good;
  magic[0] = 'X';
  EXPECT_NE(parse(magic, 64).status.to_string().find("not an exec raw capture"), std::string::npos);
  std::string version = good;
  version[8] = 9;
  EXPECT_NE(parse(version, 64).status.to_string().find("format version 9"), std::string::npos);
  Parsed short_file = parse(good.substr(0, 20), 64);
  EXPECT_EQ(short_file.status.code(), Code::kDataLoss);
  EXPECT_NE(short_file.status.to_string().find("20 bytes"), std::string::npos);
  std::string huge = good;
  huge[kExecRawHeaderBytes + 3] = 0x7f;  // length 0x7f000003
  Parsed p = parse(huge, 64);
  EXPECT_EQ(p.status.code(), Code::kDataLoss);
  EXPECT_NE(p.status.to_string().find("frame at byte 32"), std::string::npos) << p.status.to_string();
  std::string zero = good;
  std::memset(zero.data() + kExecRawHeaderBytes, 0, 4);
  EXPECT_EQ(parse(zero, 64).status.code(), Code::kDataLoss);
}

TEST(ExecRawFileTest, TheHeaderCallbackCanRefuseAndAFrameErrorStops) {
  std::string file = write_file({"a", "b", "c"});
  ExecRawParser refusing("f", [](const ExecRawHeader&) { return data_loss("no thanks"); });
  int calls = 0;
  auto count = [&](std::span<const std::byte>) {
    ++calls;
    return calls == 2 ? internal_error("stop") : Status::ok();
  };
  EXPECT_FALSE(refusing.feed(bytes_of(file), count).is_ok());
  EXPECT_EQ(calls, 0);
  ExecRawParser stopping("f", nullptr);
  Status st = stopping.feed(bytes_of(file), count);
  EXPECT_EQ(st.to_string().find("stop") != std::string::npos, true);
  EXPECT_EQ(calls, 2);
  EXPECT_FALSE(stopping.finish().is_ok());
}

TEST(ExecRawFileTest, TheWriterRefusesAnExistingFile) {
  testing::TempDir tmp;
  std::string path = tmp.path() + "/records.bin";
  ASSERT_TRUE(write_file_atomic(path, "x").is_ok());
  auto w = ExecRawWriter::create(path, kHeader);
  ASSERT_FALSE(w.is_ok());
  EXPECT_NE(w.status().to_string().find(path), std::string::npos);
}

}  // namespace
}  // namespace ktel::exec
