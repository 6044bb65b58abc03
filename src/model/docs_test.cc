// Keeps docs/formats/episode.md in step with the schemas: every table and
// column we write must be specified there.
#include <gtest/gtest.h>

#include "base/file_util.h"
#include "model/tables.h"

namespace ktel {
namespace {

TEST(DocsTest, EpisodeSpecNamesEveryTableAndColumn) {
  auto doc = read_file(std::string(KTEL_SOURCE_DIR) + "/docs/formats/episode.md");
  ASSERT_TRUE(doc.is_ok()) << doc.status().to_string();
  for (const Schema& s : tables::all_schemas()) {
    EXPECT_NE(doc->find("### `" + s.table + "`"), std::string::npos)
        << "docs/formats/episode.md lacks a section for table " << s.table;
    for (const Column& c : s.columns) {
      EXPECT_NE(doc->find("| `" + c.name + "` |"), std::string::npos)
          << "docs/formats/episode.md lacks column " << s.table << "." << c.name;
    }
  }
}

}  // namespace
}  // namespace ktel
