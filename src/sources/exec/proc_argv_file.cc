#include "sources/exec/proc_argv_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "base/json_text.h"

namespace ktel::exec {

namespace {

constexpr size_t kWriteBuffer = size_t{64} << 10;

Status parse_note(const nlohmann::json& j, ProcArgvNote& n) {
  auto need = [&](const char* key) -> const nlohmann::json* {
    auto it = j.find(key);
    return it == j.end() ? nullptr : &*it;
  };
  const char* fields[] = {"seen_ns", "pid", "ppid", "comm", "argv", "argv_bytes", "argc",
                          "argv_truncated"};
  for (const char* f : fields) {
    if (need(f) == nullptr) return invalid_argument(fmt::format("field '{}' is missing", f));
  }
  try {
    n.seen_ns = j.at("seen_ns").get<int64_t>();
    n.pid = j.at("pid").get<int32_t>();
    n.ppid = j.at("ppid").get<int32_t>();
    if (const nlohmann::json* uid = need("uid"); uid != nullptr && !uid->is_null()) {
      n.uid = uid->get<uint32_t>();
    }
    n.comm = j.at("comm").get<std::string>();
    n.argv = j.at("argv").get<std::vector<std::string>>();
    n.argv_bytes = j.at("argv_bytes").get<uint32_t>();
    n.argc = j.at("argc").get<uint32_t>();
    n.argv_truncated = j.at("argv_truncated").get<bool>();
  } catch (const nlohmann::json::exception& e) {
    return invalid_argument(fmt::format("a field has the wrong type ({})", e.what()));
  }
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
