#include "sources/exec/proc_argv_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "base/json_text.h"

namespace ktel::exec {

namespace {

constexpr size_t kWriteBuffer = size_t{64} << 10;

// An integer field within [lo, hi]; JSON floats and out-of-range values are
// refused (a float cast to an integer is undefined for large values).
template <typename T>
Status get_int(const nlohmann::json& j, const char* key, int64_t lo, int64_t hi, T& out) {
  auto it = j.find(key);
  if (it == j.end()) return invalid_argument(fmt::format("field '{}' is missing", key));
  bool in_range = false;
  if (it->is_number_unsigned()) {
    uint64_t v = it->get<uint64_t>();
    in_range = hi >= 0 && v <= static_cast<uint64_t>(hi) && static_cast<int64_t>(v) >= lo;
    if (in_range) out = static_cast<T>(v);
  } else if (it->is_number_integer()) {
    int64_t v = it->get<int64_t>();
    in_range = v >= lo && v <= hi;
    if (in_range) out = static_cast<T>(v);
  }
  if (!in_range) {
    return invalid_argument(
        fmt::format("field '{}' is {}, not an integer in [{}, {}]", key, it->dump(), lo, hi));
  }
  return Status::ok();
}

Status get_text(const nlohmann::json& j, const char* key, std::string& out) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) {
    return invalid_argument(fmt::format("field '{}' is missing or not a string", key));
  }
  out = it->get<std::string>();
  return Status::ok();
}

Status parse_note(const nlohmann::json& j, ProcArgvNote& n) {
  constexpr int64_t kI32Max = INT32_MAX;
  constexpr int64_t kU32Max = UINT32_MAX;
  KTEL_TRY(get_int(j, "seen_ns", 0, INT64_MAX, n.seen_ns));
  KTEL_TRY(get_int(j, "pid", 0, kI32Max, n.pid));
  KTEL_TRY(get_int(j, "ppid", 0, kI32Max, n.ppid));
  if (auto uid = j.find("uid"); uid != j.end() && !uid->is_null()) {
    uint32_t v = 0;
    KTEL_TRY(get_int(j, "uid", 0, kU32Max, v));
    n.uid = v;
  }
  KTEL_TRY(get_text(j, "comm", n.comm));
  auto argv = j.find("argv");
  if (argv == j.end() || !argv->is_array()) {
    return invalid_argument("field 'argv' is missing or not an array");
  }
  n.argv.clear();
  for (const auto& a : *argv) {
    if (!a.is_string()) return invalid_argument("field 'argv' holds a value that is not a string");
    n.argv.push_back(a.get<std::string>());
  }
  KTEL_TRY(get_int(j, "argv_bytes", 0, kU32Max, n.argv_bytes));
  KTEL_TRY(get_int(j, "argc", 0, kU32Max, n.argc));
  auto cut = j.find("argv_truncated");
  if (cut == j.end() || !cut->is_boolean()) {
    return invalid_argument("field 'argv_truncated' is missing or not a boolean");
  }
  n.argv_truncated = cut->get<bool>();
  return Status::ok();
}

}  // namespace

std::string proc_argv_note_json(const ProcArgvNote& n) {
  std::string out = fmt::format("{{\"seen_ns\":{},\"pid\":{},\"ppid\":{},\"uid\":", n.seen_ns,
                                n.pid, n.ppid);
  out += n.uid ? std::to_string(*n.uid) : "null";
  out += ",\"comm\":";
  append_json_string(out, n.comm);
  out += ",\"argv\":[";
  for (size_t i = 0; i < n.argv.size(); ++i) {
    if (i > 0) out += ',';
    append_json_string(out, n.argv[i]);
  }
  out += fmt::format("],\"argv_bytes\":{},\"argc\":{},\"argv_truncated\":{}}}", n.argv_bytes,
                     n.argc, n.argv_truncated ? "true" : "false");
  return out;
}

Result<ProcArgvWriter> ProcArgvWriter::create(const std::string& path) {
  ScopedFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd.valid()) return last_errno_status("create " + path);
  return ProcArgvWriter(std::move(fd), path);
}

Status ProcArgvWriter::append(const ProcArgvNote& note) {
  buffer_ += proc_argv_note_json(note);
  buffer_ += '\n';
  ++notes_;
  return buffer_.size() >= kWriteBuffer ? flush() : Status::ok();
}

Status ProcArgvWriter::flush() {
  size_t off = 0;
  while (off < buffer_.size()) {
    ssize_t n = ::write(fd_.get(), buffer_.data() + off, buffer_.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_errno_status("write " + path_);
    }
    off += static_cast<size_t>(n);
  }
  buffer_.clear();
  return Status::ok();
}

Status ProcArgvWriter::finish() {
  KTEL_TRY(flush());
  if (::close(fd_.release()) != 0) return last_errno_status("close " + path_);
  return Status::ok();
}

Status read_proc_argv_file(const std::string& path,
                           const std::function<Status(ProcArgvNote&&)>& on_note,
                           uint64_t& cut_tail) {
  KTEL_ASSIGN_OR_RETURN(std::string text, read_file(path));
  return parse_proc_argv_text(text, path, on_note, cut_tail);
}

Status parse_proc_argv_text(std::string_view text, std::string_view path,
                            const std::function<Status(ProcArgvNote&&)>& on_note,
                            uint64_t& cut_tail) {
  cut_tail = 0;
  size_t start = 0;
  for (size_t line = 1; start < text.size(); ++line) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {  // a recorder killed mid-write
      cut_tail = text.size() - start;
      break;
    }
    std::string_view body(text.data() + start, end - start);
    start = end + 1;
    nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
    ProcArgvNote note;
    Status s = j.is_object() ? parse_note(j, note) : invalid_argument("not a JSON object");
    if (!s.is_ok()) return data_loss(fmt::format("{}:{}: {}", path, line, s.message()));
    KTEL_TRY(on_note(std::move(note)));
  }
  return Status::ok();
}

}  // namespace ktel::exec
