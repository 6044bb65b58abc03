#include "cli/workload_selection.h"

#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "analysis/export/text_escape.h"
#include "base/strings.h"
#include "cli/commands.h"
#include "sys/spawn.h"

namespace ktel::cli {

Result<WorkloadCatalog> load_catalog(const std::string& workloads_file) {
  WorkloadCatalog catalog = WorkloadCatalog::builtin();
  if (!workloads_file.empty()) KTEL_TRY(catalog.add_toml_file(workloads_file));
  return catalog;
}

Result<std::optional<double>> parse_workload_seconds(const std::string& text) {
  if (text.empty()) return std::optional<double>();
  KTEL_ASSIGN_OR_RETURN(int64_t ns, parse_duration_ns(text));
  if (ns <= 0) return invalid_argument(fmt::format("duration '{}' must be positive", text));
  return std::optional<double>(static_cast<double>(ns) / 1e9);
}

Result<const WorkloadSpec*> find_workload(const WorkloadCatalog& catalog, const std::string& name) {
  if (const WorkloadSpec* spec = catalog.find(name)) return spec;
  std::string names;
  for (const auto& w : catalog.all()) names += (names.empty() ? "" : ", ") + w.name;
  return invalid_argument(fmt::format("unknown workload '{}' (known: {}; see ktel workloads)",
                                      name, names));
}

Result<std::vector<collect::CollectWorkload>> select_collect_workloads(const WorkloadSelection& s) {
  KTEL_ASSIGN_OR_RETURN(WorkloadCatalog catalog, load_catalog(s.workloads_file));
  KTEL_ASSIGN_OR_RETURN(std::optional<double> seconds, parse_workload_seconds(s.duration));
  KTEL_ASSIGN_OR_RETURN(std::string exe, self_executable());
  std::vector<const WorkloadSpec*> specs;
  if (s.names.empty()) {
    specs = catalog.default_set();
  } else {
    for (const auto& name : s.names) {
      KTEL_ASSIGN_OR_RETURN(const WorkloadSpec* spec, find_workload(catalog, name));
      specs.push_back(spec);
    }
  }
  std::vector<collect::CollectWorkload> out;
  for (const WorkloadSpec* spec : specs) {
    KTEL_ASSIGN_OR_RETURN(std::vector<std::string> argv, resolve_argv(*spec, seconds, exe));
    WorkloadAvailability a = availability(*spec);
    out.push_back({.name = spec->name, .category = spec->category,
                   .description = spec->description, .argv = std::move(argv),
                   .unavailable = a.kind == WorkloadAvailability::Kind::kMissing ? a.detail : ""});
  }
  return out;
}

int print_workload_list(const WorkloadSelection& s, const std::string& format) {
  auto catalog = load_catalog(s.workloads_file);
  if (!catalog.is_ok()) return report_error("workloads", catalog.status());
  if (format == "json") {
    nlohmann::ordered_json j = nlohmann::ordered_json::array();
    for (const auto& w : catalog->all()) {
      WorkloadAvailability a = availability(w);
      nlohmann::ordered_json e;
      e["name"] = w.name;
      e["category"] = w.category;
      e["description"] = w.description;
      e["origin"] = origin_name(w.origin);
      e["standard"] = w.standard;
      e["argv"] = w.argv;
      e["timed"] = w.timed;
      e["default_seconds"] = w.timed ? nlohmann::ordered_json(w.default_seconds) : nullptr;
      e["status"] = a.word();
      e["detail"] = a.detail;
      e["package"] = w.package;
      if (!w.defined_in.empty()) e["defined_in"] = w.defined_in;
      j.push_back(e);
    }
    fmt::print("{}\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    return kExitOk;
  }
  size_t wn = 4, wc = 8, ws = 6;
  for (const auto& w : catalog->all()) {
    wn = std::max(wn, w.name.size());
    wc = std::max(wc, w.category.size());
  }
  ws = std::max(ws, std::string_view("installed").size());
  fmt::print("{:<{}}  {:<{}}  {:<{}}  {}\n", "name", wn, "category", wc, "status", ws, "description");
  for (const auto& w : catalog->all()) {
    WorkloadAvailability a = availability(w);
    std::string desc = w.description;
    if (a.kind == WorkloadAvailability::Kind::kMissing) desc += " [" + a.detail + "]";
    if (!w.standard && w.origin != WorkloadOrigin::kCustom) desc += " (not in the default set)";
    fmt::print("{:<{}}  {:<{}}  {:<{}}  {}\n", text::terminal_safe(w.name), wn,
               text::terminal_safe(w.category), wc, a.word(), ws, text::terminal_safe(desc));
  }
  return kExitOk;
}

}  // namespace ktel::cli
