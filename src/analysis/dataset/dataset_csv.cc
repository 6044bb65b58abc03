#include "analysis/dataset/dataset_csv.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

#include <fmt/format.h>

#include "analysis/export/text_escape.h"

namespace ktel::dataset {

namespace {

constexpr size_t kReadBytes = size_t{1} << 20;
constexpr size_t kMaxRecordBytes = size_t{1} << 20;
constexpr const char* kColumns[9] = {"timestamp", "time_diff", "task_name", "pid", "cpu",
                                     "prev_state", "prev_comm", "workload_type", "trace_id"};

}  // namespace

void append_seconds(std::string& out, int64_t ns, int decimals) {
  uint64_t mag = ns < 0 ? 0 - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  if (ns < 0) out += '-';
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, mag / 1'000'000'000);
  out.append(buf, end);
  out += '.';
  uint64_t frac = mag % 1'000'000'000;
  char digits[9];
  for (int i = 8; i >= 0; --i, frac /= 10) digits[i] = static_cast<char>('0' + frac % 10);
  out.append(digits, static_cast<size_t>(decimals));
}

namespace {

void append_int(std::string& out, int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

std::optional<int64_t> parse_int(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

}  // namespace

void append_csv_row(std::string& out, const SwitchRow& row) {
  append_seconds(out, row.ts_ns, 6);
  out += ',';
  append_seconds(out, row.time_diff_ns, 9);
  out += ',';
  text::append_csv_field(out, row.task_name);
  out += ',';
  append_int(out, row.pid);
  out += ',';
  append_int(out, row.cpu);
  out += ',';
  text::append_csv_field(out, row.prev_state);
  out += ',';
  text::append_csv_field(out, row.prev_comm);
  out += ',';
  text::append_csv_field(out, row.workload_type);
  out += ',';
  text::append_csv_field(out, row.trace_id);
  out += '\n';
}

std::optional<int64_t> parse_seconds_ns(std::string_view s) {
  bool negative = !s.empty() && s[0] == '-';
  if (negative) s.remove_prefix(1);
  size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  if (whole.empty() || frac.size() > 9 || (dot != std::string_view::npos && frac.empty())) {
    return std::nullopt;
  }
  uint64_t w = 0;
  auto [wend, wec] = std::from_chars(whole.data(), whole.data() + whole.size(), w);
  if (wec != std::errc() || wend != whole.data() + whole.size() || w > 9'000'000'000u) {
    return std::nullopt;
  }
  uint64_t f = 0;
  for (char c : frac) {
    if (c < '0' || c > '9') return std::nullopt;
    f = f * 10 + static_cast<uint64_t>(c - '0');
  }
  for (size_t i = frac.size(); i < 9; ++i) f *= 10;
  auto ns = static_cast<int64_t>(w * 1'000'000'000 + f);
  return negative ? -ns : ns;
}

Result<CsvRowReader> CsvRowReader::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return last_errno_status(fmt::format("cannot open {}", path));
  CsvRowReader r;
  r.name_ = path;
  r.fd_.reset(fd);
  KTEL_TRY(r.check_header());
  return r;
}

Result<CsvRowReader> CsvRowReader::from_string(std::string data, std::string name) {
  CsvRowReader r;
  r.name_ = std::move(name);
  r.buf_ = std::move(data);
  r.eof_ = true;
  KTEL_TRY(r.check_header());
  return r;
}

Status CsvRowReader::fill() {
  if (pos_ > 0) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  size_t old = buf_.size();
  buf_.resize(old + kReadBytes);
  ssize_t n;
  do {
    n = ::read(fd_.get(), buf_.data() + old, kReadBytes);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    buf_.resize(old);
    return last_errno_status(fmt::format("cannot read {}", name_));
  }
  buf_.resize(old + static_cast<size_t>(n));
  if (n == 0) eof_ = true;
  return Status::ok();
}

// One record from buf_[pos_]: fields split on commas, RFC 4180 quotes, ends
// at LF (CR LF tolerated). Returns false at a clean end of input.
Result<bool> CsvRowReader::read_fields() {
  while (true) {
    size_t p = pos_;
    uint64_t lines = 0;
    size_t count = 0;
    for (auto& f : fields_) f.clear();
    bool complete = false;
    bool at_end = p >= buf_.size();
    if (at_end && eof_) return false;
    while (p < buf_.size()) {
      std::string scratch;
      std::string& field = count < 9 ? fields_[count] : scratch;
      if (buf_[p] == '"') {
        ++p;
        bool closed = false;
        while (p < buf_.size()) {
          char c = buf_[p++];
          if (c == '"') {
            if (p < buf_.size() && buf_[p] == '"') {
              field += '"';
              ++p;
              continue;
            }
            if (p >= buf_.size() && !eof_) break;  // maybe an escaped quote: need more
            closed = true;
            break;
          }
          if (c == '\n') ++lines;
          field += c;
        }
        if (!closed) break;
        if (p < buf_.size() && buf_[p] != ',' && buf_[p] != '\n' && buf_[p] != '\r') {
          return invalid_argument(fmt::format("{}:{}: {}: text after a closing quote", name_,
                                              line_ + lines, kColumns[std::min<size_t>(count, 8)]));
        }
      } else {
        size_t start = p;
        while (p < buf_.size() && buf_[p] != ',' && buf_[p] != '\n') ++p;
        field.append(buf_, start, p - start);
        // CR LF line ends: the CR belongs to the line end, not the last field.
        bool line_end = p < buf_.size() ? buf_[p] == '\n' : eof_;
        if (line_end && !field.empty() && field.back() == '\r') field.pop_back();
      }
      ++count;
      if (p >= buf_.size()) {
        complete = eof_;  // the last line may lack its newline
        break;
      }
      if (buf_[p] == '\r' && p + 1 < buf_.size() && buf_[p + 1] == '\n') ++p;
      if (buf_[p] == ',') {
        ++p;
        continue;
      }
      if (buf_[p] == '\n') {
        ++p;
        complete = true;
        break;
      }
    }
    // The same bound whether the record came in one read or many.
    if (complete && p - pos_ > kMaxRecordBytes) {
      return invalid_argument(fmt::format("{}:{}: a row longer than {} bytes", name_, line_,
                                          kMaxRecordBytes));
    }
    if (complete) {
      row_line_ = line_;
      line_ += lines + 1;
      pos_ = p;
      field_count_ = count;
      return true;
    }
    if (eof_) {
      return invalid_argument(fmt::format("{}:{}: a quoted field is not closed before the end of "
                                          "the file", name_, line_));
    }
    if (buf_.size() - pos_ > kMaxRecordBytes) {
      return invalid_argument(fmt::format("{}:{}: a row longer than {} bytes", name_, line_,
                                          kMaxRecordBytes));
    }
    KTEL_TRY(fill());
  }
}

Status CsvRowReader::check_header() {
  KTEL_ASSIGN_OR_RETURN(bool any, read_fields());
  if (!any) return invalid_argument(fmt::format("{}: empty file (no header)", name_));
  std::string header;
  for (size_t i = 0; i < field_count_ && i < 9; ++i) header += (i ? "," : "") + fields_[i];
  if (field_count_ != 9 || header != kCsvHeader) {
    return invalid_argument(fmt::format("{}:1: header is not {}", name_, kCsvHeader));
  }
  return Status::ok();
}

Result<bool> CsvRowReader::next(SwitchRow& row) {
  KTEL_ASSIGN_OR_RETURN(bool any, read_fields());
  if (!any) return false;
  if (field_count_ != 9) {
    return invalid_argument(fmt::format("{}:{}: {} columns, expected 9", name_, row_line_, field_count_));
  }
  auto bad = [&](int col, const char* what) {
    return invalid_argument(fmt::format("{}:{}: {}: '{}' is not {}", name_, row_line_,
                                        kColumns[col], text::terminal_safe(fields_[col]), what));
  };
  std::optional<int64_t> ts = parse_seconds_ns(fields_[0]);
  if (!ts) return bad(0, "seconds with up to 9 decimals");
  std::optional<int64_t> diff = parse_seconds_ns(fields_[1]);
  if (!diff) return bad(1, "seconds with up to 9 decimals");
  std::optional<int64_t> pid = parse_int(fields_[3]);
  if (!pid) return bad(3, "an integer");
  std::optional<int64_t> cpu = parse_int(fields_[4]);
  if (!cpu) return bad(4, "an integer");
  row.ts_ns = *ts;
  row.time_diff_ns = *diff;
  row.task_name.swap(fields_[2]);
  row.pid = *pid;
  row.cpu = *cpu;
  row.prev_state.swap(fields_[5]);
  row.prev_comm.swap(fields_[6]);
  row.workload_type.swap(fields_[7]);
  row.trace_id.swap(fields_[8]);
  return true;
}

}  // namespace ktel::dataset
