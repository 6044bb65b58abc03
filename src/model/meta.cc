#include "model/meta.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <type_traits>
#include <utility>

#include <fmt/format.h>

#include "base/file_util.h"
#include "model/episode_layout.h"

namespace ktel {

using nlohmann::json;

namespace {

template <typename T>
json opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

}  // namespace

json EpisodeMeta::to_json() const {
  json j;
  j["schema_version"] = schema_version;
  j["id"] = id;
  j["status"] = status;
  j["ktel_version"] = ktel_version;
  j["host"] = {{"hostname", host.hostname},     {"kernel_release", host.kernel_release},
               {"kernel_version", host.kernel_version}, {"machine", host.machine},
               {"cpus", host.cpus},             {"clk_tck", host.clk_tck},
               {"page_size", host.page_size}};
  j["target"] = {{"kind", target.kind},         {"argv", target.argv},
                 {"pid", target.pid},           {"comm", target.comm},
                 {"run_as_uid", opt(target.run_as_uid)},
                 {"run_as_gid", opt(target.run_as_gid)}};
  j["clock"] = {{"origin_mono_ns", origin_mono_ns},
                {"origin_wall_ns", origin_wall_ns},
                {"mono_clock", "CLOCK_MONOTONIC"},
                {"wall_clock", "CLOCK_REALTIME"}};
  j["start_wall_ns"] = start_wall_ns;
  j["end_wall_ns"] = opt(end_wall_ns);
  j["duration_ns"] = opt(duration_ns);
  j["exit"] = {{"code", opt(exit.code)},
               {"signal", opt(exit.signal)},
               {"ktel_exit_code", exit.ktel_exit_code}};
  json src = json::object();
  for (const auto& [name, s] : sources) {
    src[name] = {{"status", s.status}, {"rows", s.rows}, {"lost", s.lost},
                 {"reason", s.reason}, {"details", s.details}};
  }
  j["sources"] = src;
  j["labels"] = labels;
  j["options"] = options;
  j["sink"] = {{"dropped_rows", sink_dropped_rows}};
  j["error"] = error;
  return j;
}

namespace {

// Reads j[key] as T, naming the field on a type mismatch.
template <typename T>
Status get_field(const json& j, const char* key, T& out, bool required = true) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) return data_loss(fmt::format("field '{}' is missing", key));
    return Status::ok();
  }
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    // nlohmann converts with a plain cast: undefined for a float out of range
    // (found by fuzz/meta_fuzz.cc), silently truncating for a wide integer.
    bool fits = it->is_number_unsigned()  ? std::in_range<T>(it->get<uint64_t>())
                : it->is_number_integer() ? std::in_range<T>(it->get<int64_t>())
                                          : !it->is_number_float();
    if (!fits) return data_loss(fmt::format("field '{}' is not an integer in range", key));
  }
  try {
    out = it->get<T>();
  } catch (const json::exception& e) {
    return data_loss(fmt::format("field '{}' has the wrong type: {}", key, e.what()));
  }
  return Status::ok();
}

template <typename T>
Status get_opt(const json& j, const char* key, std::optional<T>& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    out.reset();
    return Status::ok();
  }
  T v{};
  KTEL_TRY(get_field(j, key, v));
  out = v;
  return Status::ok();
}

}  // namespace

Result<EpisodeMeta> EpisodeMeta::from_json(const json& j) {
  if (!j.is_object()) return data_loss("meta.json is not a JSON object");
  EpisodeMeta m;
  KTEL_TRY(get_field(j, "schema_version", m.schema_version));
  if (m.schema_version != kEpisodeSchemaVersion) {
    return data_loss(fmt::format("schema_version {} is not supported (this ktel reads {})",
                                 m.schema_version, kEpisodeSchemaVersion));
  }
  KTEL_TRY(get_field(j, "id", m.id));
  KTEL_TRY(get_field(j, "status", m.status));
  KTEL_TRY(get_field(j, "ktel_version", m.ktel_version, false));
  KTEL_TRY(get_field(j, "start_wall_ns", m.start_wall_ns));
  KTEL_TRY(get_opt(j, "end_wall_ns", m.end_wall_ns));
  KTEL_TRY(get_opt(j, "duration_ns", m.duration_ns));
  if (auto h = j.find("host"); h != j.end() && h->is_object()) {
    KTEL_TRY(get_field(*h, "hostname", m.host.hostname, false));
    KTEL_TRY(get_field(*h, "kernel_release", m.host.kernel_release, false));
    KTEL_TRY(get_field(*h, "kernel_version", m.host.kernel_version, false));
    KTEL_TRY(get_field(*h, "machine", m.host.machine, false));
    KTEL_TRY(get_field(*h, "cpus", m.host.cpus, false));
    KTEL_TRY(get_field(*h, "clk_tck", m.host.clk_tck, false));
    KTEL_TRY(get_field(*h, "page_size", m.host.page_size, false));
  }
  if (auto t = j.find("target"); t != j.end() && t->is_object()) {
    KTEL_TRY(get_field(*t, "kind", m.target.kind, false));
    KTEL_TRY(get_field(*t, "argv", m.target.argv, false));
    KTEL_TRY(get_field(*t, "pid", m.target.pid, false));
    KTEL_TRY(get_field(*t, "comm", m.target.comm, false));
    KTEL_TRY(get_opt(*t, "run_as_uid", m.target.run_as_uid));
    KTEL_TRY(get_opt(*t, "run_as_gid", m.target.run_as_gid));
  }
  if (auto c = j.find("clock"); c != j.end() && c->is_object()) {
    KTEL_TRY(get_field(*c, "origin_mono_ns", m.origin_mono_ns));
    KTEL_TRY(get_field(*c, "origin_wall_ns", m.origin_wall_ns));
    // Readers add row offsets to the origin; bounding it (2^62 ns is the year
    // 2116) keeps that arithmetic from overflowing on a hostile meta.json.
    constexpr int64_t kMaxOrigin = int64_t{1} << 62;
    if (m.origin_wall_ns < 0 || m.origin_wall_ns > kMaxOrigin || m.origin_mono_ns < 0 ||
        m.origin_mono_ns > kMaxOrigin) {
      return data_loss("field 'clock.origin_wall_ns' or 'clock.origin_mono_ns' is out of range");
    }
  } else {
    return data_loss("field 'clock' is missing");
  }
  if (auto e = j.find("exit"); e != j.end() && e->is_object()) {
    KTEL_TRY(get_opt(*e, "code", m.exit.code));
    KTEL_TRY(get_opt(*e, "signal", m.exit.signal));
    KTEL_TRY(get_field(*e, "ktel_exit_code", m.exit.ktel_exit_code, false));
  }
  if (auto s = j.find("sources"); s != j.end() && s->is_object()) {
    for (const auto& [name, v] : s->items()) {
      SourceMeta sm;
      Status st = get_field(v, "status", sm.status);
      if (st.is_ok()) st = get_field(v, "rows", sm.rows, false);
      if (st.is_ok()) st = get_field(v, "lost", sm.lost, false);
      if (st.is_ok()) st = get_field(v, "reason", sm.reason, false);
      if (!st.is_ok()) return st.with_context("sources." + name);
      if (auto d = v.find("details"); d != v.end()) sm.details = *d;
      m.sources[name] = std::move(sm);
    }
  }
  KTEL_TRY(get_field(j, "labels", m.labels, false));
  if (auto o = j.find("options"); o != j.end()) m.options = *o;
  if (auto s = j.find("sink"); s != j.end() && s->is_object()) {
    KTEL_TRY(get_field(*s, "dropped_rows", m.sink_dropped_rows, false));
  }
  KTEL_TRY(get_field(j, "error", m.error, false));
  return m;
}

Result<EpisodeMeta> read_meta(const std::string& episode_dir) {
  std::string path = layout::meta(episode_dir);
  KTEL_ASSIGN_OR_RETURN(std::string text, read_file(path));
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return data_loss(path + ": not valid JSON");
  auto meta = EpisodeMeta::from_json(j);
  if (!meta.is_ok()) return meta.status().with_context(path);
  return meta;
}

Status write_meta(const std::string& episode_dir, const EpisodeMeta& meta) {
  return write_file_atomic(layout::meta(episode_dir),
                           meta.to_json().dump(2, ' ', false, json::error_handler_t::replace) + "\n");
}

HostMeta read_host_meta() {
  HostMeta h;
  utsname u{};
  if (::uname(&u) == 0) {
    h.hostname = u.nodename;
    h.kernel_release = u.release;
    h.kernel_version = u.version;
    h.machine = u.machine;
  }
  h.cpus = static_cast<int>(::sysconf(_SC_NPROCESSORS_CONF));
  h.clk_tck = ::sysconf(_SC_CLK_TCK);
  h.page_size = ::sysconf(_SC_PAGESIZE);
  return h;
}

}  // namespace ktel
