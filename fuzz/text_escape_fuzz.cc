// Fuzzes the escaping of hostile bytes (analysis/export/text_escape.h):
//   CSV: a row of fields (the input split at NUL bytes) and the whole input as
//     one field read back byte-exact by the small RFC 4180 reader below;
//   JSON: append_json_string always yields a JSON string nlohmann accepts,
//     equal to the input whenever the input is valid UTF-8;
//   terminal: terminal_safe never lets a C0/C1 control or invalid UTF-8 through.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/export/text_escape.h"
#include "fuzz/fuzz_check.h"

namespace {

// One RFC 4180 record (no trailing line break) into its fields; nullopt when
// `csv` is not one well-formed record. Deliberately strict: an unquoted field
// may not hold a quote, CR or LF, and a closing quote must end the field.
std::optional<std::vector<std::string>> read_csv_record(std::string_view csv) {
  std::vector<std::string> fields;
  size_t i = 0;
  for (;;) {
    std::string field;
    if (i < csv.size() && csv[i] == '"') {
      ++i;
      for (;;) {
        if (i >= csv.size()) return std::nullopt;  // unterminated quote
        if (csv[i] == '"') {
          if (i + 1 < csv.size() && csv[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += csv[i++];
      }
      if (i < csv.size() && csv[i] != ',') return std::nullopt;
    } else {
      while (i < csv.size() && csv[i] != ',') {
        if (csv[i] == '"' || csv[i] == '\r' || csv[i] == '\n') return std::nullopt;
        field += csv[i++];
      }
    }
    fields.push_back(std::move(field));
    if (i == csv.size()) return fields;
    ++i;  // the comma
  }
}

void check_csv(std::string_view input) {
  std::vector<std::string_view> fields;
  for (size_t start = 0;;) {
    size_t nul = input.find('\0', start);
    fields.push_back(input.substr(start, nul == std::string_view::npos ? nul : nul - start));
    if (nul == std::string_view::npos) break;
    start = nul + 1;
  }
  std::string row;
  for (size_t k = 0; k < fields.size(); ++k) {
    if (k > 0) row += ',';
    ktel::text::append_csv_field(row, fields[k]);
  }
  auto back = read_csv_record(row);
  KTEL_FUZZ_CHECK(back.has_value());
  KTEL_FUZZ_CHECK(back->size() == fields.size());
  for (size_t k = 0; k < fields.size(); ++k) KTEL_FUZZ_CHECK((*back)[k] == fields[k]);

  std::string one;
  ktel::text::append_csv_field(one, input);
  auto single = read_csv_record(one);
  KTEL_FUZZ_CHECK(single.has_value() && single->size() == 1 && single->front() == input);
}

// Independent UTF-8 validity oracle: nlohmann's strict dump throws on invalid
// UTF-8 (overlong forms, surrogates, > U+10FFFF included).
bool valid_utf8(std::string_view s) {
  try {
    (void)nlohmann::json(std::string(s)).dump();
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

void check_json(std::string_view input) {
  std::string out = "[";
  ktel::text::append_json_string(out, input);
  out += "]";
  auto j = nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
  KTEL_FUZZ_CHECK(!j.is_discarded());
  KTEL_FUZZ_CHECK(j.is_array() && j.size() == 1 && j[0].is_string());
  const auto& decoded = j[0].get_ref<const std::string&>();
  if (valid_utf8(input)) {
    KTEL_FUZZ_CHECK(decoded == input);
  } else {
    KTEL_FUZZ_CHECK(decoded.find("\xEF\xBF\xBD") != std::string::npos);
  }
}

void check_terminal(std::string_view input) {
  const std::string safe = ktel::text::terminal_safe(input);
  KTEL_FUZZ_CHECK(valid_utf8(safe));
  for (size_t i = 0; i < safe.size(); ++i) {
    auto c = static_cast<unsigned char>(safe[i]);
    KTEL_FUZZ_CHECK(c >= 0x20 && c != 0x7F);
    // C1 controls U+0080..U+009F are C2 80..C2 9F in UTF-8.
    if (c == 0xC2 && i + 1 < safe.size()) {
      KTEL_FUZZ_CHECK(static_cast<unsigned char>(safe[i + 1]) >= 0xA0);
    }
  }
  KTEL_FUZZ_CHECK(ktel::text::display_width(safe) <= safe.size());
  // Printable valid UTF-8 passes through unchanged.
  bool printable = valid_utf8(input);
  for (size_t i = 0; printable && i < input.size(); ++i) {
    auto c = static_cast<unsigned char>(input[i]);
    bool c1 = c == 0xC2 && i + 1 < input.size() && static_cast<unsigned char>(input[i + 1]) < 0xA0;
    printable = c >= 0x20 && c != 0x7F && !c1;
  }
  if (printable) KTEL_FUZZ_CHECK(safe == input);
}

void check_format_double(std::string_view input) {
  if (input.size() < sizeof(double)) return;
  double d = 0;
  std::memcpy(&d, input.data(), sizeof(d));
  const std::string s = ktel::text::format_double(d);
  if (d != d) {
    KTEL_FUZZ_CHECK(s == "nan" || s == "-nan");
    return;
  }
  // Shortest round-trip form: strtod gives the same double back.
  KTEL_FUZZ_CHECK(std::strtod(s.c_str(), nullptr) == d);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_csv(input);
  check_json(input);
  check_terminal(input);
  check_format_double(input);
  for (size_t i = 0; i < input.size(); ++i) {
    size_t len = ktel::text::utf8_sequence_length(input, i);
    KTEL_FUZZ_CHECK(len <= 4 && i + len <= input.size());
  }
  return 0;
}
