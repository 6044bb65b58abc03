#include "collect/live_stats.h"

#include <sys/stat.h>

#include "model/episode_layout.h"
#include "sinks/sqlite/episode_db.h"

namespace ktel::collect {

LiveStats read_live_stats(const std::string& episode_dir) {
  LiveStats out;
  struct stat st {};
  if (::stat(layout::db(episode_dir).c_str(), &st) != 0) return out;
  auto db = EpisodeDb::open(episode_dir);
  if (!db.is_ok()) return out;
  (void)db->query(
      "SELECT COALESCE(SUM(read_events), 0), "
      "COALESCE(SUM(overrun + commit_overrun + COALESCE(dropped_events, 0)), 0) "
      "FROM capture_stats AS c WHERE rowid = "
      "(SELECT MAX(rowid) FROM capture_stats WHERE cpu = c.cpu)",
      [](const std::vector<ResultColumn>&) { return Status::ok(); },
      [&](const RowView& row) {
        out.events = static_cast<uint64_t>(row[0].i);
        out.lost = static_cast<uint64_t>(row[1].i);
        return Status::ok();
      });
  return out;
}

}  // namespace ktel::collect
