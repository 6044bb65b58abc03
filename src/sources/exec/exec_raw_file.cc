#include "sources/exec/exec_raw_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace ktel::exec {

namespace {

constexpr size_t kWriteBuffer = size_t{64} << 10;
constexpr size_t kReadChunk = size_t{256} << 10;

void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint32_t get_u32(const std::byte* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | std::to_integer<uint32_t>(p[i]);
  return v;
}

Status write_fully(int fd, const std::byte* data, size_t size, const std::string& path) {
  size_t off = 0;
  while (off < size) {
    ssize_t n = ::write(fd, data + off, size - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_errno_status("write " + path);
    }
    off += static_cast<size_t>(n);
  }
  return Status::ok();
}

}  // namespace

std::string encode_exec_raw_header(const ExecRawHeader& h) {
  std::string out(kExecRawMagic, sizeof kExecRawMagic);
  put_u32(out, kExecRawFormatVersion);
  put_u32(out, h.record_version);
  put_u32(out, h.page_size);
  put_u32(out, h.argv_max_args);
  put_u32(out, h.argv_max_bytes);
  put_u32(out, 0);
  return out;
}

Result<ExecRawWriter> ExecRawWriter::create(const std::string& path, const ExecRawHeader& header) {
  ScopedFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd.valid()) return last_errno_status("create " + path);
  ExecRawWriter w(std::move(fd), path);
  std::string h = encode_exec_raw_header(header);
  w.buffer_.reserve(kWriteBuffer);
  w.buffer_.resize(h.size());
  std::memcpy(w.buffer_.data(), h.data(), h.size());
  w.bytes_ = h.size();
  KTEL_TRY(w.flush());
  return w;
}

Status ExecRawWriter::append(std::span<const std::byte> record) {
  if (record.size() > kExecRawMaxFrame) {
    return internal_error(fmt::format("{}: a record of {} bytes exceeds the frame limit", path_,
                                      record.size()));
  }
  if (buffer_.size() + 4 + record.size() > kWriteBuffer) KTEL_TRY(flush());
  std::string len;
  put_u32(len, static_cast<uint32_t>(record.size()));
  const auto* l = reinterpret_cast<const std::byte*>(len.data());
  buffer_.insert(buffer_.end(), l, l + 4);
  buffer_.insert(buffer_.end(), record.begin(), record.end());
  ++frames_;
  bytes_ += 4 + record.size();
  return Status::ok();
}

Status ExecRawWriter::flush() {
  if (buffer_.empty()) return Status::ok();
  if (!fd_.valid()) return internal_error(path_ + ": write after finish");
  Status st = write_fully(fd_.get(), buffer_.data(), buffer_.size(), path_);
  buffer_.clear();
  return st;
}

Status ExecRawWriter::finish() {
  if (!fd_.valid()) return Status::ok();
  KTEL_TRY(flush());
  if (::close(fd_.release()) != 0) return last_errno_status("close " + path_);
  return Status::ok();
}

Status ExecRawParser::parse_header() {
  const std::byte* p = carry_.data();
  if (std::memcmp(p, kExecRawMagic, sizeof kExecRawMagic) != 0) {
    return data_loss(name_ + ": not an exec raw capture (the first 8 bytes are not KTELEXEC)");
  }
  uint32_t version = get_u32(p + 8);
  if (version != kExecRawFormatVersion) {
    return data_loss(fmt::format("{}: exec raw format version {}, this ktel reads {}", name_,
                                 version, kExecRawFormatVersion));
  }
  header_ = ExecRawHeader{.record_version = get_u32(p + 12), .page_size = get_u32(p + 16),
                          .argv_max_args = get_u32(p + 20), .argv_max_bytes = get_u32(p + 24)};
  return on_header_ ? on_header_(*header_) : Status::ok();
}

Status ExecRawParser::feed(std::span<const std::byte> chunk, const ExecRawFrameFn& fn) {
  if (!failed_.is_ok()) return failed_;
  carry_.insert(carry_.end(), chunk.begin(), chunk.end());
  size_t pos = 0;
  Status st;
  if (!header_ && carry_.size() >= kExecRawHeaderBytes) {
    st = parse_header();
    if (st.is_ok()) pos = kExecRawHeaderBytes;
  }
  while (st.is_ok() && header_ && carry_.size() - pos >= 4) {
    uint32_t len = get_u32(carry_.data() + pos);
    if (len == 0 || len > kExecRawMaxFrame) {
      st = data_loss(fmt::format("{}: frame at byte {} claims {} bytes (1..{} allowed)", name_,
                                 offset_ + pos, len, kExecRawMaxFrame));
      break;
    }
    if (carry_.size() - pos - 4 < len) break;
    ++frames_;
    st = fn(std::span<const std::byte>(carry_.data() + pos + 4, len));
    pos += 4 + size_t{len};
  }
  carry_.erase(carry_.begin(), carry_.begin() + static_cast<ptrdiff_t>(pos));
  offset_ += pos;
  if (!st.is_ok()) failed_ = st;
  return st;
}

Result<ExecRawSummary> ExecRawParser::finish() {
  if (!failed_.is_ok()) return failed_;
  if (!header_) {
    return data_loss(fmt::format("{}: {} bytes, shorter than the {}-byte header", name_,
                                 carry_.size(), kExecRawHeaderBytes));
  }
  return ExecRawSummary{.header = *header_, .frames = frames_, .bytes = offset_,
                        .truncated_tail_bytes = carry_.size()};
}

Result<ExecRawSummary> read_exec_raw_file(const std::string& path, ExecRawHeaderFn on_header,
                                          const ExecRawFrameFn& on_frame) {
  ScopedFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return last_errno_status("open " + path);
  ExecRawParser parser(path, std::move(on_header));
  std::vector<std::byte> buf(kReadChunk);
  for (;;) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_errno_status("read " + path);
    }
    if (n == 0) break;
    KTEL_TRY(parser.feed(std::span<const std::byte>(buf.data(), static_cast<size_t>(n)), on_frame));
  }
  return parser.finish();
}

}  // namespace ktel::exec
