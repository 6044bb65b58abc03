#include "analysis/export/episode_list.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <ctime>
#include <filesystem>

#include "analysis/export/text_escape.h"
#include "model/episode_layout.h"

namespace ktel {

namespace {

bool exists(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0;
}

bool is_episode_dir(const std::string& dir) {
  return exists(layout::meta(dir)) || exists(layout::db(dir));
}

EpisodeListing describe(const std::string& dir) {
  EpisodeListing l;
  l.dir = dir;
  l.complete = exists(layout::done_marker(dir));
  auto meta = read_meta(dir);
  if (meta.is_ok()) {
    l.meta = std::move(meta).value();
  } else {
    l.error = meta.status();
  }
  return l;
}

}  // namespace

Result<std::vector<EpisodeListing>> list_episodes(const std::string& root) {
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) {
    return not_found(root + " is not a directory; give the directory holding episodes "
                            "(default ./episodes)");
  }
  if (is_episode_dir(root)) return std::vector<EpisodeListing>{describe(root)};
  std::vector<std::string> dirs;
  std::filesystem::directory_iterator it(root, ec);
  if (ec) return errno_status(ec.value(), "list " + root);
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) return errno_status(ec.value(), "list " + root);
    std::error_code type_ec;
    if (!it->is_directory(type_ec)) continue;
    std::string dir = it->path().string();
    if (is_episode_dir(dir)) dirs.push_back(dir);
  }
  std::sort(dirs.begin(), dirs.end());
  std::vector<EpisodeListing> out;
  out.reserve(dirs.size());
  for (const auto& d : dirs) out.push_back(describe(d));
  return out;
}

std::string format_local_time(int64_t wall_ns) {
  std::time_t secs = static_cast<std::time_t>(wall_ns / 1'000'000'000);
  std::tm tm{};
  if (::localtime_r(&secs, &tm) == nullptr) return "?";
  char buf[64];
  size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S%z", &tm);
  return std::string(buf, n);
}

std::string describe_target(const TargetMeta& target) {
  if (!target.argv.empty()) {
    std::string joined;
    for (const auto& a : target.argv) {
      if (!joined.empty()) joined += ' ';
      joined += a;
    }
    return text::terminal_safe(joined);
  }
  if (target.pid != 0) {
    std::string s = "pid " + std::to_string(target.pid);
    if (!target.comm.empty()) s += " (" + text::terminal_safe(target.comm) + ")";
    return s;
  }
  return target.kind.empty() ? "-" : text::terminal_safe(target.kind);
}

uint64_t total_rows(const EpisodeMeta& meta) {
  uint64_t sum = 0;
  for (const auto& [name, s] : meta.sources) sum += s.rows;
  return sum;
}

uint64_t total_losses(const EpisodeMeta& meta) {
  uint64_t sum = meta.sink_dropped_rows;
  for (const auto& [name, s] : meta.sources) sum += s.lost;
  return sum;
}

std::string format_listing_header() {
  return fmt::format("{:<26}  {:<24}  {:<11}  {:>10}  {:>8}  {:<10}  {}", "ID", "START", "STATUS",
                     "ROWS", "LOSSES", "", "TARGET");
}

std::string format_listing(const EpisodeListing& l) {
  if (!l.meta) {
    return text::terminal_safe(layout::meta(l.dir)) + ": " +
           text::terminal_safe(l.error.to_string());
  }
  const EpisodeMeta& m = *l.meta;
  std::string id = m.id.empty() ? std::filesystem::path(l.dir).filename().string() : m.id;
  return fmt::format("{:<26}  {:<24}  {:<11}  {:>10}  {:>8}  {:<10}  {}", text::terminal_safe(id),
                     format_local_time(m.start_wall_ns), text::terminal_safe(m.status),
                     total_rows(m), total_losses(m), l.complete ? "" : "INCOMPLETE",
                     describe_target(m.target));
}

}  // namespace ktel
