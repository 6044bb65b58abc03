// Report formats on a hand-made Report: NULL, empty text, non-finite numbers,
// units and hostile text in every format.
#include "analysis/report/report_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>

#include "analysis/export/testing/csv_reader.h"
#include "base/testing/temp_dir.h"

namespace ktel::report {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Value i(int64_t v) { return Value(std::in_place_type<int64_t>, v); }
Value d(double v) { return Value(std::in_place_type<double>, v); }
Value t(std::string v) { return Value(std::in_place_type<std::string>, std::move(v)); }

Report sample() {
  Report r;
  r.header.id = "01HX";
  r.header.status = "complete";
  r.header.complete = false;
  r.header.command = "sh -c 'echo \"hi\"'\n\x1b[31m";
  r.header.duration_ns = 2'500'000;
  r.header.sources = {{"sched", "failed", 5, 3, "read error, \"bad\""}};
  ReportSection s{.name = "demo", .title = "Demo", .available = true, .note = "n", .tables = {}};
  ReportTable wide{.name = "one", .title = "One row", .columns = {}, .rows = {}, .note = ""};
  for (int c = 0; c < 8; ++c) wide.columns.push_back({"c" + std::to_string(c), c == 0 ? "ns" : "count"});
  std::vector<Value> row = {i(1'500'000)};
  for (int c = 1; c < 8; ++c) row.push_back(i(c));
  wide.rows.push_back(row);
  ReportTable many{.name = "many", .title = "Many", .columns = {}, .rows = {}, .note = "top 2"};
  many.columns = {{"name", "text"}, {"share", "pct"}, {"wait_ns", "ns"}, {"ratio", ""}};
  many.rows.push_back({t(""), d(12.345), Value{}, d(std::nan(""))});
  many.rows.push_back({t("x,\"y\"\r\n"), d(100), i(999), d(0.5)});
  s.tables = {wide, many};
  r.sections.push_back(s);
  r.sections.push_back({.name = "gone", .title = "Gone", .available = false,
                        .note = "no gone data: unavailable", .tables = {}});
  return r;
}

std::string render(const Report& r, ReportFormat f) {
  StringOutput out;
  EXPECT_TRUE(write_report(r, f, out).is_ok());
  return out.str();
}

TEST(ReportWriterTest, JsonIsValidAndKeepsNullsAndRawNumbers) {
  std::string text = render(sample(), ReportFormat::kJson);
  auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["episode"]["command"], "sh -c 'echo \"hi\"'\n\x1b[31m");
  EXPECT_EQ(j["episode"]["complete"], false);
  EXPECT_EQ(j["episode"]["sources"][0]["lost"], 3);
  const auto& many = j["sections"][0]["tables"][1];
  EXPECT_EQ(many["columns"][1]["unit"], "pct");
  EXPECT_EQ(many["rows"][0]["name"], "");
  EXPECT_TRUE(many["rows"][0]["wait_ns"].is_null());
  EXPECT_TRUE(many["rows"][0]["ratio"].is_null());  // NaN
  EXPECT_DOUBLE_EQ(many["rows"][0]["share"].get<double>(), 12.345);
  EXPECT_EQ(j["sections"][0]["tables"][0]["rows"][0]["c0"], 1'500'000);
  EXPECT_EQ(j["sections"][1]["available"], false);

  // An independent parser agrees.
  ktel::testing::TempDir dir;
  std::string path = dir.path() + "/r.json";
  std::ofstream(path, std::ios::binary) << text;
  std::string cmd = "python3 -c 'import json,sys; json.load(open(sys.argv[1]))' '" + path + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << text;
}

TEST(ReportWriterTest, CsvBlocksTellNullFromEmptyText) {
  auto records = ktel::testing::parse_csv(render(sample(), ReportFormat::kCsv));
  std::vector<std::vector<ktel::testing::CsvField>> many;
  for (const auto& r : records) {
    if (r.size() > 1 && r[0].text == "demo" && r[1].text == "many") many.push_back(r);
  }
  ASSERT_EQ(many.size(), 2u);
  EXPECT_EQ(many[0][2].text, "");
  EXPECT_TRUE(many[0][2].quoted);   // empty text
  EXPECT_FALSE(many[0][4].quoted);  // NULL
  EXPECT_EQ(many[0][4].text, "");
  EXPECT_EQ(many[1][2].text, "x,\"y\"\r\n");
  EXPECT_EQ(many[1][4].text, "999");  // raw ns
  std::string csv = render(sample(), ReportFormat::kCsv);
  EXPECT_THAT(csv, HasSubstr("section,table,available,note\r\ngone,status,0,"));
  EXPECT_THAT(csv, HasSubstr("report,sources,sched,failed,5,3,\"read error, \"\"bad\"\"\"\r\n"));
}

TEST(ReportWriterTest, TableShowsUnitsAndIsTerminalSafe) {
  std::string text = render(sample(), ReportFormat::kTable);
  EXPECT_THAT(text, HasSubstr("INCOMPLETE"));
  EXPECT_THAT(text, HasSubstr("duration  2.5ms"));
  EXPECT_THAT(text, HasSubstr("c0  1.5ms"));  // a one-row table reads vertically
  EXPECT_THAT(text, HasSubstr("12.3%"));
  EXPECT_THAT(text, HasSubstr("999ns"));
  EXPECT_THAT(text, HasSubstr("Many (top 2)"));
  EXPECT_THAT(text, HasSubstr("no gone data: unavailable"));
  EXPECT_THAT(text, HasSubstr("\\x1b[31m"));
  EXPECT_THAT(text, Not(HasSubstr("\x1b")));
  EXPECT_THAT(text, Not(HasSubstr("\r")));
}

TEST(ReportWriterTest, ParsesFormatNames) {
  EXPECT_EQ(*parse_report_format("json"), ReportFormat::kJson);
  EXPECT_EQ(*parse_report_format("csv"), ReportFormat::kCsv);
  EXPECT_EQ(*parse_report_format("table"), ReportFormat::kTable);
  EXPECT_EQ(parse_report_format("jsonl").status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace ktel::report
