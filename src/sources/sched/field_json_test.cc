// JSON text of OtherEvent fields: every field form a format can declare, and
// hostile strings, which must always come out as valid JSON.
#include "sources/sched/field_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/json_text.h"
#include "sources/sched/pages_test_support.h"

namespace ktel::sched {
namespace {

std::string json_string(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

TEST(AppendJsonString, Escapes) {
  EXPECT_EQ(json_string("plain"), "\"plain\"");
  EXPECT_EQ(json_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(json_string("\n\r\t"), "\"\\n\\r\\t\"");
  EXPECT_EQ(json_string(std::string_view("\x01\x1f\0", 3)), "\"\\u0001\\u001f\\u0000\"");
  EXPECT_EQ(json_string("\x7f"), "\"\\u007f\"");
}

TEST(AppendJsonString, Utf8KeptInvalidReplaced) {
  EXPECT_EQ(json_string("h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "\"h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  const std::string r = "\xef\xbf\xbd";  // U+FFFD
  EXPECT_EQ(json_string("\xff"), "\"" + r + "\"");
  EXPECT_EQ(json_string("\xc3"), "\"" + r + "\"");                          // cut sequence
  EXPECT_EQ(json_string("\xc0\xaf"), "\"" + r + r + "\"");                  // overlong '/'
  EXPECT_EQ(json_string("\xed\xa0\x80"), "\"" + r + r + r + "\"");          // surrogate
  EXPECT_EQ(json_string("\xf4\x90\x80\x80"), "\"" + r + r + r + r + "\"");  // > U+10FFFF
  for (int b = 0; b < 256; ++b) {
    std::string s(3, static_cast<char>(b));
    EXPECT_TRUE(nlohmann::json::accept(json_string(s))) << b;
  }
}

TEST(RenderFieldsJson, EveryFieldForm) {
  const char* text =
      "name: every\nID: 9\nformat:\n"
      "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
      "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
      "\tfield:char comm[8];\toffset:8;\tsize:8;\tsigned:0;\n"
      "\tfield:short s16;\toffset:16;\tsize:2;\tsigned:1;\n"
      "\tfield:u16 u16v;\toffset:18;\tsize:2;\tsigned:0;\n"
      "\tfield:s64 s64v;\toffset:24;\tsize:8;\tsigned:1;\n"
      "\tfield:u64 u64v;\toffset:32;\tsize:8;\tsigned:0;\n"
      "\tfield:u8 mac[6];\toffset:40;\tsize:6;\tsigned:0;\n"
      "\tfield:__data_loc char[] name;\toffset:48;\tsize:4;\tsigned:0;\n"
      "\tfield:__rel_loc char[] rel;\toffset:52;\tsize:4;\tsigned:0;\n"
      "\tfield:__data_loc u64[] list;\toffset:56;\tsize:4;\tsigned:0;\n"
      "\tfield:__data_loc cpumask_t mask;\toffset:60;\tsize:4;\tsigned:0;\n"
      "\tfield:struct odd blob;\toffset:64;\tsize:3;\tsigned:0;\n"
      "\tfield:char tail[];\toffset:67;\tsize:0;\tsigned:0;\n";
  Result<EventFormat> ev = parse_event_format(text, "every/format");
  ASSERT_TRUE(ev.is_ok()) << ev.status().to_string();
  std::vector<uint8_t> p(128, 0);
  auto put = [&](size_t at, auto v) { std::memcpy(p.data() + at, &v, sizeof v); };
  std::memcpy(p.data() + 8, "a\"b", 3);
  put(16, int16_t{-2});
  put(18, uint16_t{65535});
  put(24, int64_t{-5});
  put(32, uint64_t{18446744073709551615ull});
  for (int i = 0; i < 6; ++i) p[40 + i] = static_cast<uint8_t>(0xf0 + i);
  std::memcpy(p.data() + 80, "dyn\0", 4);
  put(48, uint32_t{80 | (4u << 16)});
  std::memcpy(p.data() + 84, "r\xff", 2);
  put(52, uint32_t{(84 - 56) | (2u << 16)});  // relative to the end of the descriptor
  put(88, uint64_t{7});
  put(96, uint64_t{8});
  put(56, uint32_t{88 | (16u << 16)});
  p[104] = 0x03;
  put(60, uint32_t{104 | (1u << 16)});
  p[64] = 1, p[65] = 2, p[66] = 0xff;
  std::memcpy(p.data() + 67, "tail text", 9);  // up to the first NUL
  std::string out;
  ASSERT_TRUE(render_fields_json(*ev, p, out));
  EXPECT_EQ(out,
            "{\"comm\":\"a\\\"b\",\"s16\":-2,\"u16v\":65535,\"s64v\":-5,"
            "\"u64v\":18446744073709551615,\"mac\":[240,241,242,243,244,245],"
            "\"name\":\"dyn\",\"rel\":\"r\xef\xbf\xbd\",\"list\":[7,8],\"mask\":\"0x03\","
            "\"blob\":\"0x0102ff\",\"tail\":\"tail text\"}");
  EXPECT_TRUE(nlohmann::json::accept(out));

  put(48, uint32_t{126 | (4u << 16)});  // past the end
  EXPECT_FALSE(render_fields_json(*ev, p, out));
  put(48, uint32_t{80 | (4u << 16)});
  EXPECT_FALSE(render_fields_json(*ev, std::span<const uint8_t>(p.data(), 40), out));  // short
}

}  // namespace
}  // namespace ktel::sched
