#include "analysis/export/text_escape.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ktel::text {
namespace {

std::string csv(std::string_view s) {
  std::string out;
  append_csv_field(out, s);
  return out;
}

std::string json(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

TEST(TextEscapeTest, CsvQuotesOnlyWhenNeededAndDoublesQuotes) {
  EXPECT_EQ(csv("plain text"), "plain text");
  EXPECT_EQ(csv("a,b\"c"), "\"a,b\"\"c\"");
  EXPECT_EQ(csv("line\nbreak"), "\"line\nbreak\"");
  EXPECT_EQ(csv("cr\r"), "\"cr\r\"");
  EXPECT_EQ(csv("'; DROP TABLE x; --"), "'; DROP TABLE x; --");
  std::string raw("\xff\xfe\0<script>", 11);
  EXPECT_EQ(csv(raw), raw);  // bytes untouched
}

TEST(TextEscapeTest, JsonEscapesControlsAndStaysParseable) {
  EXPECT_EQ(json("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(json(std::string("\n\t\x01\0", 4)), R"("\n\t\u0001\u0000")");
  EXPECT_EQ(json("<script>alert(1)</script>"), R"("<script>alert(1)</script>")");
  EXPECT_EQ(json("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80"), "\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80\"");
}

TEST(TextEscapeTest, JsonReplacesEachInvalidUtf8ByteWithReplacementChar) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(json("a\xff" "b"), "\"a" + fffd + "b\"");
  EXPECT_EQ(json("\xc0\xaf"), "\"" + fffd + fffd + "\"");            // overlong '/'
  EXPECT_EQ(json("\xed\xa0\x80"), "\"" + fffd + fffd + fffd + "\"");  // surrogate
  EXPECT_EQ(json("\xe2\x82"), "\"" + fffd + fffd + "\"");             // truncated
  EXPECT_EQ(json("\xf4\x90\x80\x80"), "\"" + fffd + fffd + fffd + fffd + "\"");  // > U+10FFFF
  std::string hostile("\x80\xbf\xfe\xff a,b\"c\x1b[31m", 15);
  auto parsed = nlohmann::json::parse(json(hostile), nullptr, false);
  ASSERT_FALSE(parsed.is_discarded());
  EXPECT_EQ(parsed.get<std::string>(), fffd + fffd + fffd + fffd + " a,b\"c\x1b[31m");
}

TEST(TextEscapeTest, TerminalSafeNeutralizesEscapesAndBadBytes) {
  EXPECT_EQ(terminal_safe("\x1b[2Jgone"), "\\x1b[2Jgone");
  EXPECT_EQ(terminal_safe("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(terminal_safe("\xff"), "\\xff");
  EXPECT_EQ(terminal_safe("\xc2\x9b" "31m"), "\\xc2\\x9b31m");  // C1 CSI
  EXPECT_EQ(terminal_safe("a\\b"), "a\\b");
  EXPECT_EQ(display_width("caf\xc3\xa9"), 4u);
}

TEST(TextEscapeTest, DoublesRoundTrip) {
  EXPECT_EQ(format_double(0.5), "0.5");
  EXPECT_EQ(std::stod(format_double(0.1 + 0.2)), 0.1 + 0.2);
  EXPECT_EQ(std::stod(format_double(1e300)), 1e300);
}

}  // namespace
}  // namespace ktel::text
