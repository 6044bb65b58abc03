// Report assembly: the header from meta.json, then each selected section.
#include "analysis/report/report.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>

#include "analysis/report/pipeline_section.h"
#include "analysis/report/sched_section.h"
#include "model/episode_layout.h"

namespace ktel::report {

Status SectionRegistry::add(SectionSpec spec) {
  if (find(spec.name) != nullptr) {
    return Status(Code::kAlreadyExists, "report section '" + spec.name + "' registered twice");
  }
  specs_.push_back(std::move(spec));
  return Status::ok();
}

const SectionSpec* SectionRegistry::find(std::string_view name) const {
  for (const auto& s : specs_) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

void register_builtin_sections(SectionRegistry& registry) {
  // Names are distinct by construction; a clash is a bug caught by the tests.
  (void)registry.add({.name = "sched",
                      .description = "per-task CPU time, switches, wakeup latency, migrations, "
                                     "runqueue wait; per-CPU busy %",
                      .build = build_sched_section});
  (void)registry.add({.name = "pipeline",
                      .description = "time per command, CPU per binary, failed commands, top "
                                     "memory, process tree (exec source)",
                      .build = build_pipeline_section});
}

ReportHeader make_header(const EpisodeMeta& meta, bool complete) {
  ReportHeader h;
  h.id = meta.id;
  h.status = meta.status;
  h.complete = complete;
  for (const auto& a : meta.target.argv) {
    if (!h.command.empty()) h.command += ' ';
    h.command += a;
  }
  if (h.command.empty() && meta.target.pid != 0) {
    h.command = fmt::format("pid {}", meta.target.pid);
    if (!meta.target.comm.empty()) h.command += " (" + meta.target.comm + ")";
  }
  h.start_wall_ns = meta.start_wall_ns;
  h.duration_ns = meta.duration_ns;
  for (const auto& [name, s] : meta.sources) {  // std::map: sorted by name
    h.sources.push_back({name, s.status, s.rows, s.lost, s.reason});
  }
  h.sink_dropped_rows = meta.sink_dropped_rows;
  return h;
}

std::string missing_source_note(const EpisodeMeta& meta, std::string_view source) {
  auto it = meta.sources.find(std::string(source));
  if (it == meta.sources.end()) {
    return fmt::format("no {0} data: meta.json lists no {0} source (the recording did not run "
                       "it; `ktel record --sources {0},...` does)",
                       source);
  }
  const SourceMeta& s = it->second;
  std::string why = s.reason.empty() ? "" : ": " + s.reason;
  if (s.status == "not_requested") {
    return fmt::format("no {0} data: the {0} source was not requested (not in --sources){1}",
                       source, why);
  }
  if (s.status == "unavailable") {
    return fmt::format("no {0} data: the {0} source was unavailable{1}", source, why);
  }
  if (s.status == "failed") return fmt::format("no {0} data: the {0} source failed{1}", source, why);
  if (s.status == "no_data") {
    return fmt::format("no {0} data: the {0} source ran but stored nothing{1}", source, why);
  }
  return fmt::format("no {0} data: meta.json says the {0} source is '{1}' ({2} rows){3}, but "
                     "episode.db has none of its tables",
                     source, s.status, s.rows, why);
}

Result<Report> build_report(const std::string& episode_dir, const SectionRegistry& registry,
                            const ReportOptions& options) {
  std::vector<const SectionSpec*> selected;
  for (const auto& name : options.sections) {
    const SectionSpec* spec = registry.find(name);
    if (spec == nullptr) {
      std::string known;
      for (const auto& s : registry.all()) known += (known.empty() ? "" : ", ") + s.name;
      return invalid_argument(fmt::format("no report section '{}' (known: {})", name, known));
    }
    if (std::find(selected.begin(), selected.end(), spec) == selected.end()) {
      selected.push_back(spec);
    }
  }
  if (options.sections.empty()) {
    for (const auto& s : registry.all()) selected.push_back(&s);
  }
  // Registry order, whatever order --section named them in.
  std::sort(selected.begin(), selected.end());

  KTEL_ASSIGN_OR_RETURN(EpisodeMeta meta, read_meta(episode_dir));
  struct stat st {};
  bool complete = ::stat(layout::done_marker(episode_dir).c_str(), &st) == 0;
  Report report{.header = make_header(meta, complete), .sections = {}};

  auto db = EpisodeDb::open(episode_dir);
  SectionContext ctx{.meta = meta,
                     .db = db.is_ok() ? &*db : nullptr,
                     .db_error = db.status(),
                     .options = options};
  for (const SectionSpec* spec : selected) {
    auto section = spec->build(ctx);
    if (!section.is_ok()) {
      return section.status().with_context("report section " + spec->name);
    }
    report.sections.push_back(std::move(*section));
  }
  return report;
}

}  // namespace ktel::report
