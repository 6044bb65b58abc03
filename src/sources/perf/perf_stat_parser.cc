// `perf stat -j` line parser (simdjson on-demand, error codes, no exceptions).
// Field names and value forms were checked against perf 6.1.192 output
// (testdata/perf/README.md).
#include "sources/perf/perf_stat_parser.h"

#include <simdjson.h>

#include <cmath>
#include <cstring>
#include <string>

#include "base/strings.h"
#include "sources/perf/counter_plan.h"

namespace ktel::perf {

namespace {

struct RawFields {
  std::optional<double> interval;
  std::optional<std::string> counter_text;  // string form of "counter-value"
  std::optional<double> counter_number;     // number form (other perf versions)
  std::string unit;
  std::optional<std::string> event;
  std::optional<uint64_t> runtime;
  std::optional<double> pcnt;
};

Status field_error(std::string_view field, std::string_view what) {
  return data_loss("field \"" + std::string(field) + "\": " + std::string(what));
}

Result<double> number_of(simdjson::ondemand::value v, std::string_view field) {
  double d = 0;
  if (v.get_double().get(d) != simdjson::SUCCESS || !std::isfinite(d)) {
    return field_error(field, "not a number");
  }
  return d;
}

Status read_field(std::string_view key, simdjson::ondemand::value v, RawFields& f) {
  std::string_view s;
  if (key == "interval") {
    KTEL_ASSIGN_OR_RETURN(f.interval, number_of(v, key));
  } else if (key == "counter-value") {
    simdjson::ondemand::json_type type;
    if (v.type().get(type) != simdjson::SUCCESS) return field_error(key, "unreadable value");
    if (type == simdjson::ondemand::json_type::string) {
      if (v.get_string().get(s) != simdjson::SUCCESS) return field_error(key, "bad string");
      f.counter_text = std::string(s);
    } else {
      KTEL_ASSIGN_OR_RETURN(f.counter_number, number_of(v, key));
    }
  } else if (key == "unit") {
    if (v.get_string().get(s) != simdjson::SUCCESS) return field_error(key, "not a string");
    f.unit = std::string(s);
  } else if (key == "event") {
    if (v.get_string().get(s) != simdjson::SUCCESS) return field_error(key, "not a string");
    f.event = std::string(s);
  } else if (key == "event-runtime") {
    KTEL_ASSIGN_OR_RETURN(double d, number_of(v, key));
    if (d < 0) return field_error(key, "negative");
    if (d >= 0x1p63) return field_error(key, "out of range");  // llround's limit
    f.runtime = static_cast<uint64_t>(std::llround(d));
  } else if (key == "pcnt-running") {
    KTEL_ASSIGN_OR_RETURN(f.pcnt, number_of(v, key));
  }
  // Other fields (metric-value, metric-unit, cpu, thread, cgroup) are derived
  // or aggregation keys; the importer sums per-CPU/per-thread lines itself.
  return Status::ok();
}

Result<RawFields> read_fields(std::string_view line) {
  thread_local simdjson::ondemand::parser parser;
  thread_local std::string buffer;
  buffer.assign(line);
  buffer.resize(line.size() + simdjson::SIMDJSON_PADDING, '\0');
  simdjson::padded_string_view json(buffer.data(), line.size(), buffer.size());
  simdjson::ondemand::document doc;
  if (auto err = parser.iterate(json).get(doc); err != simdjson::SUCCESS) {
    return data_loss(std::string("not a JSON document: ") + simdjson::error_message(err));
  }
  simdjson::ondemand::object obj;
  if (auto err = doc.get_object().get(obj); err != simdjson::SUCCESS) {
    return data_loss(std::string("not a single JSON object: ") + simdjson::error_message(err));
  }
  RawFields f;
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return data_loss("bad JSON key");
    simdjson::ondemand::value v;
    if (field.value().get(v) != simdjson::SUCCESS) {
      return field_error(key, "truncated or invalid JSON");
    }
    KTEL_TRY(read_field(key, v, f));
  }
  // current_location() fails with OUT_OF_BOUNDS exactly when nothing follows.
  const char* rest = nullptr;
  if (doc.current_location().get(rest) == simdjson::SUCCESS) {
    return data_loss("trailing bytes after the JSON object");
  }
  return f;
}

constexpr double kMaxIntervalS = 1e9;

// Time events are printed in msec by perf stat; the live source stores ns.
double unit_scale(std::string_view unit) {
  if (unit == "msec" || unit == "ms") return 1e6;
  if (unit == "usec" || unit == "us") return 1e3;
  if (unit == "sec" || unit == "s") return 1e9;
  return 1;
}

}  // namespace

std::string_view strip_event_modifiers(std::string_view event) {
  event = trim(event);
  // PMU syntax "pmu/name/mods" or "pmu/event=0x3c,name=x/": keep the middle.
  size_t slash = event.find('/');
  if (slash != std::string_view::npos) {
    size_t end = event.find('/', slash + 1);
    event = event.substr(slash + 1,
                         end == std::string_view::npos ? std::string_view::npos : end - slash - 1);
  }
  size_t colon = event.find(':');
  return event.substr(0, colon);
}

std::optional<int> counter_index_for_event(std::string_view event) {
  std::string name(strip_event_modifiers(event));
  if (name == "cs") name = "context-switches";
  if (name == "faults") name = "page-faults";
  if (name == "migrations") name = "cpu-migrations";
  if (name == "branch-instructions") name = "branches";
  if (name == "cpu-cycles") name = "cycles";
  for (char& c : name) c = c == '-' ? '_' : c;
  for (int i = 0; i < kCounterCount; ++i) {
    if (name == counter_defs()[static_cast<size_t>(i)].name) return i;
  }
  return std::nullopt;
}

std::optional<double> parse_counter_value(std::string_view text) {
  std::string digits;
  digits.reserve(text.size());
  for (char c : trim(text)) {
    if (c == ',' || c == '\'' || c == ' ') continue;  // thousands separators
    digits.push_back(c);
  }
  auto v = parse_double(digits);
  if (!v || !std::isfinite(*v) || *v < 0) return std::nullopt;
  return v;
}

Result<std::optional<PerfStatRecord>> parse_perf_stat_line(std::string_view line) {
  std::string_view t = trim(line);
  if (t.empty() || t.front() == '#') return std::optional<PerfStatRecord>();
  KTEL_ASSIGN_OR_RETURN(RawFields f, read_fields(t));
  if (!f.interval) {
    return field_error("interval", "missing: record with `perf stat -I <ms> -j`");
  }
  if (*f.interval < 0) return field_error("interval", "negative");
  // Interval ends become int64 ns added to the episode's wall-clock origin;
  // a billion seconds (31 years) keeps both far from overflow.
  if (*f.interval > kMaxIntervalS) return field_error("interval", "beyond 1e9 s");
  if (!f.event || f.event->empty()) return field_error("event", "missing or empty");
  PerfStatRecord r;
  r.interval_s = *f.interval;
  r.event = std::string(strip_event_modifiers(*f.event));
  // ":u" or "cpu//" has no name left once the modifiers are stripped.
  if (r.event.empty()) {
    return field_error("event", "'" + f.event->substr(0, 40) + "' names no event");
  }
  r.counter = counter_index_for_event(*f.event);
  r.runtime_ns = f.runtime;
  r.pcnt_running = f.pcnt;
  if (f.counter_number) {
    r.value = *f.counter_number;
  } else if (!f.counter_text) {
    return field_error("counter-value", "missing");
  } else if (*f.counter_text == "<not counted>") {
    r.state = PerfStatRecord::State::kNotCounted;
  } else if (*f.counter_text == "<not supported>") {
    r.state = PerfStatRecord::State::kNotSupported;
  } else if (auto v = parse_counter_value(*f.counter_text)) {
    r.value = *v;
  } else {
    return field_error("counter-value", "'" + f.counter_text->substr(0, 40) + "' is not a count");
  }
  if (r.value < 0) return field_error("counter-value", "negative");
  r.value *= unit_scale(f.unit);
  if (!std::isfinite(r.value)) return field_error("counter-value", "out of range in ns");
  return std::optional<PerfStatRecord>(std::move(r));
}

}  // namespace ktel::perf
