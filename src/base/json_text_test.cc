#include "base/json_text.h"

#include <gtest/gtest.h>

namespace ktel {
namespace {

std::string json(std::string_view s) {
  std::string out = "x";  // appends, never replaces
  append_json_string(out, s);
  return out.substr(1);
}

const std::string kFffd = "\xEF\xBF\xBD";

TEST(JsonTextTest, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(json("plain"), R"("plain")");
  EXPECT_EQ(json("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(json("\n\r\t"), R"("\n\r\t")");
  EXPECT_EQ(json(std::string_view("\x01\x1f\0", 3)), R"("\u0001\u001f\u0000")");
  EXPECT_EQ(json("\x1b[31m\x7f"), R"("\u001b[31m\u007f")");
}

TEST(JsonTextTest, KeepsValidUtf8AndReplacesEachInvalidByte) {
  EXPECT_EQ(json("h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "\"h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  EXPECT_EQ(json("a\xff"
                 "b"),
            "\"a" + kFffd + "b\"");
  EXPECT_EQ(json("\xc3"), "\"" + kFffd + "\"");                          // cut short
  EXPECT_EQ(json("\x80"), "\"" + kFffd + "\"");                          // stray continuation
  EXPECT_EQ(json("\xc0\xaf"), "\"" + kFffd + kFffd + "\"");              // overlong '/'
  EXPECT_EQ(json("\xe0\x80\xaf"), "\"" + kFffd + kFffd + kFffd + "\"");  // overlong '/'
  EXPECT_EQ(json("\xed\xa0\x80"), "\"" + kFffd + kFffd + kFffd + "\"");  // surrogate
  EXPECT_EQ(json("\xf4\x90\x80\x80"), "\"" + kFffd + kFffd + kFffd + kFffd + "\"");  // > U+10FFFF
}

TEST(JsonTextTest, Utf8SequenceLength) {
  EXPECT_EQ(utf8_sequence_length("a", 0), 1u);
  EXPECT_EQ(utf8_sequence_length("\xc3\xa9", 0), 2u);
  EXPECT_EQ(utf8_sequence_length("\xef\xbf\xbd", 0), 3u);
  EXPECT_EQ(utf8_sequence_length("\xf4\x8f\xbf\xbf", 0), 4u);  // U+10FFFF
  EXPECT_EQ(utf8_sequence_length("\xf4\x8f\xbf", 0), 0u);      // cut short
  EXPECT_EQ(utf8_sequence_length("\xc3\xa9", 1), 0u);          // continuation byte
  EXPECT_EQ(utf8_sequence_length("\xf5\x80\x80\x80", 0), 0u);  // past U+10FFFF
}

}  // namespace
}  // namespace ktel
