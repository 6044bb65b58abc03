// Custom workloads from TOML (docs/formats/workloads-toml.md): the toml++
// adapter of the catalog. toml++ reports syntax errors by exception; they are
// caught here and become a Status naming file, line and column.
#include <toml++/toml.h>

#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "base/file_util.h"
#include "workloads/catalog.h"

namespace ktel {

namespace {

const std::set<std::string, std::less<>> kKeys = {"name",  "category",        "description", "argv",
                                                  "timed", "default_seconds", "package"};

std::string where(const std::string& path, const toml::node& node) {
  return fmt::format("{}:{}", path, node.source().begin.line);
}

Result<std::string> text_field(const toml::table& w, const std::string& path, const char* key,
                               bool required) {
  const toml::node* node = w.get(key);
  if (node == nullptr) {
    if (!required) return std::string();
    return invalid_argument(fmt::format("{}: workload: field '{}' is missing", where(path, w), key));
  }
  const auto* s = node->as_string();
  if (s == nullptr || (required && s->get().empty())) {
    return invalid_argument(
        fmt::format("{}: field '{}' must be a non-empty string", where(path, *node), key));
  }
  return s->get();
}

Result<WorkloadSpec> parse_workload(const toml::table& w, const std::string& path) {
  for (const auto& [key, value] : w) {
    if (kKeys.find(key.str()) == kKeys.end()) {
      return invalid_argument(fmt::format("{}: unknown field '{}' (known: name, category, "
                                          "description, argv, timed, default_seconds, package)",
                                          where(path, value), key.str()));
    }
  }
  WorkloadSpec spec;
  spec.origin = WorkloadOrigin::kCustom;
  spec.defined_in = where(path, w);
  KTEL_ASSIGN_OR_RETURN(spec.name, text_field(w, path, "name", true));
  if (!valid_workload_name(spec.name)) {
    return invalid_argument(fmt::format("{}: field 'name': '{}' may only hold letters, digits, "
                                        "'_', '.' and '-' (it becomes a directory name)",
                                        where(path, *w.get("name")), spec.name));
  }
  KTEL_ASSIGN_OR_RETURN(spec.category, text_field(w, path, "category", true));
  KTEL_ASSIGN_OR_RETURN(spec.description, text_field(w, path, "description", false));
  KTEL_ASSIGN_OR_RETURN(spec.package, text_field(w, path, "package", false));
  const toml::array* argv = w.get("argv") != nullptr ? w.get("argv")->as_array() : nullptr;
  if (argv == nullptr || argv->empty()) {
    return invalid_argument(fmt::format("{}: field 'argv' must be a non-empty array of strings",
                                        w.get("argv") ? where(path, *w.get("argv")) : spec.defined_in));
  }
  for (const auto& a : *argv) {
    const auto* s = a.as_string();
    if (s == nullptr || (spec.argv.empty() && s->get().empty())) {
      return invalid_argument(fmt::format("{}: field 'argv': every element must be a string, the "
                                          "first non-empty",
                                          where(path, a)));
    }
    spec.argv.push_back(s->get());
  }
  if (const toml::node* timed = w.get("timed")) {
    if (!timed->is_boolean()) {
      return invalid_argument(fmt::format("{}: field 'timed' must be true or false", where(path, *timed)));
    }
    spec.timed = timed->as_boolean()->get();
  }
  spec.default_seconds = spec.timed ? 10 : 0;
  if (const toml::node* d = w.get("default_seconds")) {
    std::optional<double> v = d->value<double>();
    if (!v || !(*v > 0) || !spec.timed) {
      return invalid_argument(fmt::format(
          "{}: field 'default_seconds' must be a positive number, and needs timed = true",
          where(path, *d)));
    }
    spec.default_seconds = *v;
  }
  if (spec.timed) {
    bool has = false;
    for (const auto& a : spec.argv) has = has || a.find("{duration") != std::string::npos;
    if (!has) {
      return invalid_argument(fmt::format("{}: timed = true but no argument holds {{duration}}, "
                                          "{{duration_int}} or {{duration_ms}}",
                                          spec.defined_in));
    }
  }
  return spec;
}

}  // namespace

Status WorkloadCatalog::add_toml_text(std::string_view text, const std::string& path) {
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return invalid_argument(fmt::format("{}:{}:{}: {}", path, e.source().begin.line,
                                        e.source().begin.column, e.description()));
  }
  for (const auto& [key, value] : root) {
    if (key.str() != "workload") {
      return invalid_argument(fmt::format("{}: unknown top-level key '{}' (workloads are "
                                          "[[workload]] tables)",
                                          where(path, value), key.str()));
    }
  }
  const toml::array* list = root.get("workload") ? root.get("workload")->as_array() : nullptr;
  if (list == nullptr) {
    return invalid_argument(fmt::format("{}: no [[workload]] table", path));
  }
  std::vector<WorkloadSpec> added;
  for (const auto& node : *list) {
    const toml::table* w = node.as_table();
    if (w == nullptr) {
      return invalid_argument(fmt::format("{}: 'workload' must be an array of tables ([[workload]])",
                                          where(path, node)));
    }
    KTEL_ASSIGN_OR_RETURN(WorkloadSpec spec, parse_workload(*w, path));
    const WorkloadSpec* clash = find(spec.name);
    for (const auto& a : added) clash = clash != nullptr ? clash : (a.name == spec.name ? &a : nullptr);
    if (clash != nullptr) {
      return invalid_argument(fmt::format(
          "{}: field 'name': workload '{}' is already defined ({})", spec.defined_in, spec.name,
          clash->defined_in.empty() ? std::string(origin_name(clash->origin)) + " workload"
                                    : clash->defined_in));
    }
    added.push_back(std::move(spec));
  }
  specs_.insert(specs_.end(), added.begin(), added.end());
  return Status::ok();
}

Status WorkloadCatalog::add_toml_file(const std::string& path) {
  KTEL_ASSIGN_OR_RETURN(std::string text, read_file(path));
  return add_toml_text(text, path);
}

}  // namespace ktel
