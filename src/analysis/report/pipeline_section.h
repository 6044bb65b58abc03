// The pipeline section of `ktel report`: what a CI engineer asks of a run —
// which commands were slow, which binaries burned the CPU, what failed, what
// used the most memory, and the process tree — computed with SQL over the
// exec source's `processes` table (docs/formats/episode.md).
#pragma once

#include <string>

#include "analysis/report/report.h"

namespace ktel::report {

// Tables (docs/formats/report.md): "commands", "binaries", "failed",
// "memory", "tree". Unavailable, with meta.json's reason, without the
// processes table.
Result<ReportSection> build_pipeline_section(const SectionContext& ctx);

// The "tree" table: processes depth first in start order, at most `limit`
// rows (0 = all). process_tree.cc.
Result<ReportTable> process_tree_table(const EpisodeDb& db, size_t limit);

// A command line for people from an argv JSON array: arguments joined by
// spaces, those holding spaces, quotes or nothing single-quoted as a shell
// would read them. Text that is not a JSON array of strings is returned as is.
std::string command_line(const std::string& argv_json);

}  // namespace ktel::report
