// Small string utilities and the parsers for user-facing quantities
// ("100ms", "30s", "64KiB").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace ktel {

std::vector<std::string_view> split(std::string_view s, char sep);
std::string_view trim(std::string_view s);
bool starts_with(std::string_view s, std::string_view prefix);

// Strict decimal parse of the whole string; nullopt on junk or overflow.
std::optional<int64_t> parse_int64(std::string_view s);
std::optional<uint64_t> parse_uint64(std::string_view s);
std::optional<double> parse_double(std::string_view s);

// "250ms", "30s", "2m", "1h", "500us", "100ns"; a bare number is seconds.
Result<int64_t> parse_duration_ns(std::string_view s);
// "1.5s" style, for terminals.
std::string format_duration_ns(int64_t ns);
// "4096", "64K", "64KiB", "8M", "1G" → bytes.
Result<uint64_t> parse_size_bytes(std::string_view s);
std::string format_bytes(uint64_t bytes);

// True for a name usable as one file or directory name anywhere: 1 to 100
// bytes of letters, digits, '_', '.' and '-', and not "." or "..". Names from
// metadata or config (workloads, categories) must pass before they become paths.
bool is_safe_file_name(std::string_view name);

}  // namespace ktel
