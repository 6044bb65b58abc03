// Test-only helpers for the binary-page tests: paths into testdata/ftrace
// (real captures, see its README), hand-built ring-buffer pages, and record
// payloads laid out by a real format.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/file_util.h"
#include "base/strings.h"
#include "sources/sched/ftrace_format.h"
#include "sources/sched/page_walker.h"

namespace ktel::sched::testing {

// <source dir>/testdata/ftrace/<rel>
inline std::string ftrace_testdata(const std::string& rel) {
  const char* root = std::getenv("KTEL_SOURCE_DIR");
  return std::string(root != nullptr ? root : KTEL_SOURCE_DIR) + "/testdata/ftrace/" + rel;
}

inline FormatSet load_testdata_formats(const std::string& capture = "basic") {
  Result<FormatSet> set = load_formats(ftrace_testdata(capture + "/formats"));
  EXPECT_TRUE(set.is_ok()) << set.status().to_string();
  return std::move(set).value();
}

inline PageLayout layout_of(const FormatSet& set) {
  Result<PageLayout> l = PageLayout::from_formats(set.page_header(), set.event_header());
  EXPECT_TRUE(l.is_ok()) << l.status().to_string();
  return l.value();
}

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  Result<std::string> s = read_file(path);
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  const std::string& t = s.value();
  return std::vector<uint8_t>(t.begin(), t.end());
}

// "overrun: 9209" and friends of a saved per_cpu/cpuN/stats file.
inline std::map<std::string, std::string> read_cpu_stats(const std::string& path) {
  std::map<std::string, std::string> out;
  Result<std::string> s = read_file(path);
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  const std::string text = s.value_or("");
  for (std::string_view line : split(text, '\n')) {
    size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      out[std::string(trim(line.substr(0, colon)))] = std::string(trim(line.substr(colon + 1)));
    }
  }
  return out;
}

// Builds one page in the x86_64 layout (8-byte timestamp, 8-byte commit,
// data at 16, 5/27-bit record headers).
class PageBuilder {
 public:
  explicit PageBuilder(uint64_t page_ts, size_t page_size = 4096) : page_(page_size, 0) {
    std::memcpy(page_.data(), &page_ts, 8);
  }
  // A data record; type_len from the size when it fits (<= 112, aligned).
  PageBuilder& data(uint32_t delta, const std::vector<uint8_t>& payload, bool force_long = false) {
    if (!force_long && payload.size() <= 112 && payload.size() % 4 == 0 && !payload.empty()) {
      word(header(static_cast<uint32_t>(payload.size() / 4), delta));
      bytes(payload, payload.size());
    } else {
      word(header(0, delta));
      word(static_cast<uint32_t>(payload.size() + 4));
      bytes(payload, (payload.size() + 3) & ~size_t{3});
    }
    return *this;
  }
  PageBuilder& extend(uint64_t delta) {
    word(header(30, static_cast<uint32_t>(delta & ((1u << 27) - 1))));
    return word(static_cast<uint32_t>(delta >> 27));
  }
  PageBuilder& abs_stamp(uint64_t ts) {
    word(header(31, static_cast<uint32_t>(ts & ((1u << 27) - 1))));
    return word(static_cast<uint32_t>(ts >> 27));
  }
  // A discarded event: padding with a delta, `len` bytes after the header word.
  PageBuilder& discarded(uint32_t delta, uint32_t len) {
    word(header(29, delta));
    word(len);
    return bytes({}, len - 4);
  }
  PageBuilder& null_padding() { return word(header(29, 0)); }
  PageBuilder& word(uint32_t w) {
    std::memcpy(page_.data() + 16 + pos_, &w, 4);
    pos_ += 4;
    return *this;
  }
  // Commit = bytes written so far unless set; flags ORed in.
  PageBuilder& commit(uint64_t value) {
    commit_ = value;
    return *this;
  }
  PageBuilder& flags(uint64_t f) {
    flags_ = f;
    return *this;
  }
  // RB_MISSED_EVENTS, and with `count` stored after the data (RB_MISSED_STORED).
  PageBuilder& missed(std::optional<uint64_t> count) {
    flags_ |= 1ull << 31;
    if (count) {
      flags_ |= 1ull << 30;
      missed_count_ = *count;
    }
    return *this;
  }
  std::vector<uint8_t> build() const {
    std::vector<uint8_t> p = page_;
    uint64_t c = commit_.value_or(pos_);
    if (missed_count_ && c + 8 <= p.size() - 16) std::memcpy(p.data() + 16 + c, &*missed_count_, 8);
    c |= flags_;
    // As the kernel leaves it: RB_MISSED_EVENTS is added as a negative int.
    if ((c & (1ull << 31)) != 0) c |= 0xffffffff00000000ull;
    std::memcpy(p.data() + 8, &c, 8);
    return p;
  }
  size_t pos() const { return pos_; }

  static uint32_t header(uint32_t type_len, uint32_t delta) { return type_len | (delta << 5); }

 private:
  PageBuilder& bytes(const std::vector<uint8_t>& b, size_t n) {
    if (!b.empty()) std::memcpy(page_.data() + 16 + pos_, b.data(), std::min(b.size(), n));
    pos_ += n;
    return *this;
  }
  std::vector<uint8_t> page_;
  size_t pos_ = 0;
  std::optional<uint64_t> commit_;
  uint64_t flags_ = 0;
  std::optional<uint64_t> missed_count_;
};

// A record payload laid out by an EventFormat: common_type set to its id,
// fields set by name; __data_loc strings appended after the fixed part.
class PayloadBuilder {
 public:
  explicit PayloadBuilder(const EventFormat& format)
      : format_(&format), bytes_(format.min_payload_size(), 0) {
    set_int("common_type", format.id);
  }
  PayloadBuilder& set_int(std::string_view name, int64_t v) {
    const FormatField* f = must_field(name);
    std::memcpy(bytes_.data() + f->offset, &v, std::min<size_t>(f->size, 8));
    return *this;
  }
  PayloadBuilder& set_str(std::string_view name, std::string_view s) {
    const FormatField* f = must_field(name);
    if (f->loc == FieldLoc::kInline) {
      std::memset(bytes_.data() + f->offset, 0, f->size);
      std::memcpy(bytes_.data() + f->offset, s.data(), std::min<size_t>(s.size(), f->size));
      return *this;
    }
    uint32_t at = static_cast<uint32_t>(bytes_.size());
    bytes_.insert(bytes_.end(), s.begin(), s.end());
    bytes_.push_back(0);
    uint32_t rel = f->loc == FieldLoc::kRelLoc ? at - (f->offset + 4) : at;
    uint32_t desc = rel | (static_cast<uint32_t>(s.size() + 1) << 16);
    std::memcpy(bytes_.data() + f->offset, &desc, 4);
    return *this;
  }
  std::vector<uint8_t> build() const {
    std::vector<uint8_t> b = bytes_;
    b.resize((b.size() + 3) & ~size_t{3}, 0);
    return b;
  }

 private:
  const FormatField* must_field(std::string_view name) {
    const FormatField* f = format_->field(name);
    EXPECT_NE(f, nullptr) << "no field " << name << " in " << format_->name;
    static const FormatField kNone{};
    return f != nullptr ? f : &kNone;
  }
  const EventFormat* format_;
  std::vector<uint8_t> bytes_;
};

}  // namespace ktel::sched::testing
