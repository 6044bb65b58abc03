// Format, header_page and header_event parsing on the real files captured in
// testdata/ftrace (Linux 6.18, x86_64), on forms older/newer kernels print,
// and on broken files, which must fail naming the file and line.
#include "sources/sched/ftrace_format.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "base/testing/temp_dir.h"
#include "sources/sched/pages_test_support.h"

namespace ktel::sched {
namespace {

using ::testing::HasSubstr;
using testing::ftrace_testdata;

EventFormat parse_testdata(const std::string& rel) {
  const std::string path = ftrace_testdata(rel);
  Result<std::string> text = read_file(path);
  EXPECT_TRUE(text.is_ok()) << text.status().to_string();
  Result<EventFormat> ev = parse_event_format(text.value_or(""), path);
  EXPECT_TRUE(ev.is_ok()) << ev.status().to_string();
  return ev.value_or(EventFormat{});
}

TEST(ParseEventFormat, RealSchedSwitch) {
  EventFormat ev = parse_testdata("basic/formats/sched/sched_switch/format");
  EXPECT_EQ(ev.name, "sched_switch");
  EXPECT_GT(ev.id, 0u);
  ASSERT_EQ(ev.fields.size(), 11u);
  const FormatField* type = ev.field("common_type");
  ASSERT_NE(type, nullptr);
  EXPECT_EQ(type->type, "unsigned short");
  EXPECT_EQ(type->offset, 0u);
  EXPECT_EQ(type->size, 2u);
  EXPECT_FALSE(type->is_signed);
  const FormatField* comm = ev.field("prev_comm");
  ASSERT_NE(comm, nullptr);
  EXPECT_EQ(comm->type, "char");
  EXPECT_EQ(comm->offset, 8u);
  EXPECT_EQ(comm->size, 16u);
  EXPECT_TRUE(comm->is_array);
  EXPECT_EQ(comm->array_len, 16u);
  EXPECT_TRUE(comm->is_string());
  EXPECT_EQ(comm->loc, FieldLoc::kInline);
  const FormatField* state = ev.field("prev_state");
  ASSERT_NE(state, nullptr);
  EXPECT_EQ(state->type, "long");
  EXPECT_EQ(state->offset, 32u);
  EXPECT_EQ(state->size, 8u);
  EXPECT_TRUE(state->is_signed);
  EXPECT_FALSE(state->is_array);
  EXPECT_EQ(ev.field("next_prio")->offset, 60u);
  EXPECT_EQ(ev.min_payload_size(), 64u);
  EXPECT_THAT(ev.print_fmt, HasSubstr("__print_flags(REC->prev_state"));
  EXPECT_EQ(ev.field("nope"), nullptr);
}

TEST(ParseEventFormat, RealDataLocString) {
  EventFormat ev = parse_testdata("basic/formats/sched/sched_process_exec/format");
  const FormatField* f = ev.field("filename");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->type, "__data_loc char[]");
  EXPECT_EQ(f->base_type(), "char");
  EXPECT_EQ(f->loc, FieldLoc::kDataLoc);
  EXPECT_EQ(f->size, 4u);
  EXPECT_TRUE(f->is_array);
  EXPECT_EQ(f->array_len, 0u);
  EXPECT_TRUE(f->is_string());
}

TEST(ParseEventFormat, RealSignedAndUnsignedTypes) {
  EventFormat ev = parse_testdata("mixed/formats/task/task_newtask/format");
  EXPECT_TRUE(ev.field("oom_score_adj")->is_signed);
  EXPECT_EQ(ev.field("oom_score_adj")->size, 2u);
  EXPECT_FALSE(ev.field("clone_flags")->is_signed);
  EXPECT_EQ(ev.field("clone_flags")->type, "u64");
}

TEST(ParseEventFormat, OtherKernelForms) {
  // __rel_loc (5.18+), a flexible array, an unexpanded array length, and no
  // signed: (kernels before 2.6.31) — inferred from the type.
  const char* text =
      "name: odd\nID: 7\nformat:\n"
      "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\n"
      "\tfield:int common_pid;\toffset:4;\tsize:4;\n"
      "\tfield:__rel_loc char[] msg;\toffset:8;\tsize:4;\n"
      "\tfield:char comm[TASK_COMM_LEN];\toffset:12;\tsize:16;\n"
      "\tfield:unsigned long args[];\toffset:32;\tsize:0;\n"
      "\tfield:u8 mac[6];\toffset:28;\tsize:6;\n"
      "\nprint fmt: \"%s\", __get_rel_str(msg)\n";
  Result<EventFormat> ev = parse_event_format(text, "odd/format");
  ASSERT_TRUE(ev.is_ok()) << ev.status().to_string();
  EXPECT_FALSE(ev->field("common_type")->is_signed);
  EXPECT_TRUE(ev->field("common_pid")->is_signed);
  EXPECT_EQ(ev->field("msg")->loc, FieldLoc::kRelLoc);
  EXPECT_TRUE(ev->field("msg")->is_string());
  EXPECT_EQ(ev->field("comm")->array_len, 16u);
  EXPECT_TRUE(ev->field("args")->is_array);
  EXPECT_EQ(ev->field("args")->array_len, 0u);
  EXPECT_EQ(ev->field("args")->size, 0u);
  EXPECT_FALSE(ev->field("mac")->is_string());  // u8 arrays stay integers
  EXPECT_EQ(ev->print_fmt, "\"%s\", __get_rel_str(msg)");
}

struct BrokenCase {
  const char* text;
  const char* error;
};

TEST(ParseEventFormat, BrokenFilesNameFileAndLine) {
  const BrokenCase cases[] = {
      {"name: x\nID: 1\nformat:\n\tfield:int a;\tsize:4;\n", "x/format:4: field line needs"},
      {"name: x\nID: one\n", "x/format:2: bad ID 'one'"},
      {"name: x\nID: 1\nformat:\n\tfield:int a;\toffset:4x;\tsize:4;\n",
       "x/format:4: offset is not a number: '4x'"},
      {"ID: 1\nformat:\n\tfield:int a;\toffset:0;\tsize:4;\n", "x/format: no 'name:' line"},
      {"name: x\nformat:\n\tfield:int a;\toffset:0;\tsize:4;\n", "x/format: no 'ID:' line"},
      {"name: x\nID: 1\nformat:\n", "x/format: no field lines"},
      {"name: x\nID: 1\n\tfield:int a;\toffset:0;\tsize:4;\n", "x/format:3: field line before"},
      {"name: x\nID: 1\nformat:\n\tfield:int;\toffset:0;\tsize:4;\n", "x/format:4: no type"},
      {"name: x\nID: 1\nformat:\n\tfield:int a];\toffset:0;\tsize:4;\n", "unbalanced ']'"},
      {"name: x\nID: 1\nformat:\n\tfield:int a;\toffset:70000;\tsize:4;\n", "beyond 65535"},
      {"name: x\nID: 1\nformat:\n\tfield:int a;\tgarbage;\n", "x/format:4: expected 'key:value'"},
  };
  for (const BrokenCase& c : cases) {
    Result<EventFormat> ev = parse_event_format(c.text, "x/format");
    ASSERT_FALSE(ev.is_ok()) << c.text;
    EXPECT_EQ(ev.status().code(), Code::kDataLoss);
    EXPECT_THAT(ev.status().message(), HasSubstr(c.error)) << c.text;
  }
}

TEST(ParseHeaderPage, Real) {
  const std::string path = ftrace_testdata("basic/formats/header_page");
  Result<PageHeaderFormat> h = parse_header_page(read_file(path).value_or(""), path);
  ASSERT_TRUE(h.is_ok()) << h.status().to_string();
  EXPECT_EQ(h->timestamp_offset, 0u);
  EXPECT_EQ(h->timestamp_size, 8u);
  EXPECT_EQ(h->commit_offset, 8u);
  EXPECT_EQ(h->commit_size, 8u);
  EXPECT_EQ(h->data_offset, 16u);
  EXPECT_EQ(h->data_size, 4080u);
  EXPECT_EQ(h->page_size(), 4096u);
}

TEST(ParseHeaderPage, Broken) {
  Result<PageHeaderFormat> h = parse_header_page(
      "\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n"
      "\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n",
      "hp");
  ASSERT_FALSE(h.is_ok());
  EXPECT_THAT(h.status().message(), HasSubstr("hp: needs timestamp, commit and data"));
  h = parse_header_page("\tfield: u64 timestamp;\toffset:0;\tsize:8;\n\tjunk\n", "hp");
  ASSERT_FALSE(h.is_ok());
  EXPECT_THAT(h.status().message(), HasSubstr("hp:2: expected a field line"));
}

TEST(ParseHeaderEvent, Real) {
  const std::string path = ftrace_testdata("basic/formats/header_event");
  Result<EventHeaderFormat> h = parse_header_event(read_file(path).value_or(""), path);
  ASSERT_TRUE(h.is_ok()) << h.status().to_string();
  EXPECT_EQ(h->type_len_bits, 5u);
  EXPECT_EQ(h->time_delta_bits, 27u);
  EXPECT_EQ(h->array_bits, 32u);
  EXPECT_EQ(h->padding_type, 29u);
  EXPECT_EQ(h->time_extend_type, 30u);
  EXPECT_EQ(h->time_stamp_type, 31u);
  EXPECT_EQ(h->data_max_type_len, 28u);
}

TEST(ParseHeaderEvent, Broken) {
  const std::string good = read_file(ftrace_testdata("basic/formats/header_event")).value_or("");
  std::string no_stamp = good.substr(0, good.find("\ttime_stamp"));
  Result<EventHeaderFormat> h = parse_header_event(no_stamp, "he");
  ASSERT_FALSE(h.is_ok());
  EXPECT_THAT(h.status().message(), HasSubstr("he: no 'time_stamp' line"));
  h = parse_header_event("\ttype_len : five bits\n", "he");
  ASSERT_FALSE(h.is_ok());
  EXPECT_THAT(h.status().message(), HasSubstr("he:1: not a number"));
  h = parse_header_event("\ttype_len : 5 bytes\n", "he");
  ASSERT_FALSE(h.is_ok());
  EXPECT_THAT(h.status().message(), HasSubstr("he:1: expected 'N bits'"));
  h = parse_header_event("what is this\n", "he");
  ASSERT_FALSE(h.is_ok());
  EXPECT_THAT(h.status().message(), HasSubstr("he:1: unexpected line"));
}

TEST(LoadFormats, RealCaptures) {
  Result<FormatSet> basic = load_formats(ftrace_testdata("basic/formats"));
  ASSERT_TRUE(basic.is_ok()) << basic.status().to_string();
  EXPECT_EQ(basic->events().size(), 7u);
  const EventFormat* sw = basic->find("sched", "sched_switch");
  ASSERT_NE(sw, nullptr);
  EXPECT_EQ(sw->system, "sched");
  EXPECT_EQ(basic->find(sw->id), sw);
  EXPECT_EQ(basic->find(0), nullptr);
  EXPECT_EQ(basic->find(1u << 19), nullptr);
  EXPECT_EQ(basic->common_type().size, 2u);
  EXPECT_EQ(basic->common_pid().offset, 4u);
  EXPECT_EQ(basic->page_header().page_size(), 4096u);

  Result<FormatSet> mixed = load_formats(ftrace_testdata("mixed/formats"));
  ASSERT_TRUE(mixed.is_ok()) << mixed.status().to_string();
  EXPECT_EQ(mixed->events().size(), 13u);
  ASSERT_NE(mixed->find("task", "task_rename"), nullptr);
  EXPECT_EQ(mixed->find("sched", "task_rename"), nullptr);
}

// A copy of the basic formats to break.
class LoadFormatsBroken : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::copy(ftrace_testdata("basic/formats"), dir(),
                          std::filesystem::copy_options::recursive);
  }
  std::string dir() const { return tmp_.path() + "/formats"; }
  void write(const std::string& rel, const std::string& text) {
    ASSERT_TRUE(write_file_atomic(dir() + "/" + rel, text).is_ok());
  }
  std::string read(const std::string& rel) { return read_file(dir() + "/" + rel).value_or(""); }
  ::ktel::testing::TempDir tmp_;
};

TEST_F(LoadFormatsBroken, DuplicateIdNamesBothEvents) {
  std::string wakeup = read("sched/sched_wakeup/format");
  std::string sw = read("sched/sched_switch/format");
  std::string sw_id = sw.substr(sw.find("ID: "), sw.find('\n', sw.find("ID: ")) - sw.find("ID: "));
  wakeup.replace(wakeup.find("ID: "), wakeup.find('\n', wakeup.find("ID: ")) - wakeup.find("ID: "),
                 sw_id);
  write("sched/sched_wakeup/format", wakeup);
  Result<FormatSet> set = load_formats(dir());
  ASSERT_FALSE(set.is_ok());
  EXPECT_THAT(set.status().message(), HasSubstr("sched/sched_switch"));
  EXPECT_THAT(set.status().message(), HasSubstr("sched/sched_wakeup"));
}

TEST_F(LoadFormatsBroken, MalformedEventFileNamesPathAndLine) {
  std::string sw = read("sched/sched_switch/format");
  sw.replace(sw.find("offset:24"), 9, "offset:x");
  write("sched/sched_switch/format", sw);
  Result<FormatSet> set = load_formats(dir());
  ASSERT_FALSE(set.is_ok());
  EXPECT_THAT(set.status().message(), HasSubstr("sched/sched_switch/format:"));
  EXPECT_THAT(set.status().message(), HasSubstr("offset is not a number: 'x'"));
}

TEST_F(LoadFormatsBroken, CommonFieldsMustAgree) {
  std::string ev = read("sched/sched_wakeup/format");
  ev.replace(ev.find("offset:4;"), 9, "offset:6;");  // common_pid moved
  write("sched/sched_wakeup/format", ev);
  Result<FormatSet> set = load_formats(dir());
  ASSERT_FALSE(set.is_ok());
  EXPECT_THAT(set.status().message(), HasSubstr("common_pid at offset 6"));
}

TEST_F(LoadFormatsBroken, MissingHeaderOrEvents) {
  std::filesystem::remove(dir() + "/header_event");
  Result<FormatSet> set = load_formats(dir());
  ASSERT_FALSE(set.is_ok());
  EXPECT_EQ(set.status().code(), Code::kNotFound);
  EXPECT_THAT(set.status().message(), HasSubstr("header_event"));

  write("header_event", read_file(ftrace_testdata("basic/formats/header_event")).value_or(""));
  std::filesystem::remove_all(dir() + "/sched");
  set = load_formats(dir());
  ASSERT_FALSE(set.is_ok());
  EXPECT_THAT(set.status().message(), HasSubstr("no event formats under"));
}

}  // namespace
}  // namespace ktel::sched
