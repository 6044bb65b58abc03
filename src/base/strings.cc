#include "base/strings.h"

#include <cctype>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace ktel {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

std::string_view trim(std::string_view s) {
  const char* ws = " \t\r\n\v\f";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::optional<int64_t> parse_int64(std::string_view s) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::optional<uint64_t> parse_uint64(std::string_view s) {
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::optional<double> parse_double(std::string_view s) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

namespace {
// Splits "12.5ms" into number "12.5" and unit "ms".
std::pair<std::string_view, std::string_view> number_and_unit(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  return {s.substr(0, i), trim(s.substr(i))};
}
}  // namespace

Result<int64_t> parse_duration_ns(std::string_view text) {
  std::string_view s = trim(text);
  auto [num, unit] = number_and_unit(s);
  auto value = parse_double(num);
  if (!value || *value < 0) {
    return invalid_argument(fmt::format("'{}' is not a duration (examples: 100ms, 30s, 2m)", text));
  }
  double scale = 0;
  if (unit.empty() || unit == "s") scale = 1e9;
  else if (unit == "ms") scale = 1e6;
  else if (unit == "us") scale = 1e3;
  else if (unit == "ns") scale = 1;
  else if (unit == "m" || unit == "min") scale = 60e9;
  else if (unit == "h") scale = 3600e9;
  else return invalid_argument(fmt::format("'{}': unknown duration unit '{}' (ns, us, ms, s, m, h)", text, unit));
  double ns = *value * scale;
  if (ns > 9.2e18) return invalid_argument(fmt::format("'{}' is too long a duration", text));
  return static_cast<int64_t>(std::llround(ns));
}

std::string format_duration_ns(int64_t ns) {
  if (ns < 0) return fmt::format("-{}", format_duration_ns(-ns));
  if (ns < 1'000) return fmt::format("{}ns", ns);
  if (ns < 1'000'000) return fmt::format("{:.1f}us", static_cast<double>(ns) / 1e3);
  if (ns < 1'000'000'000) return fmt::format("{:.1f}ms", static_cast<double>(ns) / 1e6);
  return fmt::format("{:.2f}s", static_cast<double>(ns) / 1e9);
}

Result<uint64_t> parse_size_bytes(std::string_view text) {
  std::string_view s = trim(text);
  auto [num, unit] = number_and_unit(s);
  auto value = parse_double(num);
  if (!value || *value < 0) return invalid_argument(fmt::format("'{}' is not a size (examples: 4096, 64K, 8MiB)", text));
  double scale = 0;
  if (unit.empty() || unit == "B") scale = 1;
  else if (unit == "K" || unit == "KB" || unit == "KiB" || unit == "k") scale = 1024.0;
  else if (unit == "M" || unit == "MB" || unit == "MiB") scale = 1024.0 * 1024;
  else if (unit == "G" || unit == "GB" || unit == "GiB") scale = 1024.0 * 1024 * 1024;
  else return invalid_argument(fmt::format("'{}': unknown size unit '{}' (K, M, G)", text, unit));
  return static_cast<uint64_t>(std::llround(*value * scale));
}

std::string format_bytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", v, units[u]);
}

bool is_safe_file_name(std::string_view name) {
  if (name.empty() || name.size() > 100 || name == "." || name == "..") return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace ktel
