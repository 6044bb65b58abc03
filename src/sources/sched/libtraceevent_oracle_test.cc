// Oracle: libtraceevent (the library under trace-cmd and perf) reads the same
// real pages (of testdata/ftrace, and of a capture made by the test) with its own page walker (kbuffer) and field
// accessors (tep_*), and must agree with ours event for event: timestamp,
// cpu, event, common_pid, every field, the prev_state letters it prints, and
// each page's missed-events count.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
// kbuffer.h has no extern "C" of its own.
extern "C" {
#include <traceevent/event-parse.h>
#include <traceevent/kbuffer.h>
#include <traceevent/trace-seq.h>
}

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>

#include "base/testing/kernel_required.h"
#include "base/testing/temp_dir.h"
#include "sources/sched/cpu_page_decoder.h"
#include "sources/sched/pages_test_support.h"
#include "sources/sched/sched_capture.h"
#include "sources/sched/testing/tracefs_fixture.h"
#include "workloads/pingpong.h"

namespace ktel::sched {
namespace {

using nlohmann::json;

struct TepDeleter {
  void operator()(tep_handle* t) const { tep_free(t); }
};
struct KbufDeleter {
  void operator()(kbuffer* k) const { kbuffer_free(k); }
};

// A tep_handle loaded with a capture's header_page and event formats.
std::unique_ptr<tep_handle, TepDeleter> load_tep(const std::string& formats_dir) {
  std::unique_ptr<tep_handle, TepDeleter> tep(tep_alloc());
  std::string hp = read_file(formats_dir + "/header_page").value_or("");
  EXPECT_EQ(tep_parse_header_page(tep.get(), hp.data(), hp.size(), 8), 0);
  for (const auto& sys : std::filesystem::directory_iterator(formats_dir)) {
    if (!sys.is_directory()) continue;
    for (const auto& ev : std::filesystem::directory_iterator(sys.path())) {
      std::string text = read_file(ev.path().string() + "/format").value_or("");
      const std::string system = sys.path().filename().string();
      EXPECT_EQ(tep_parse_event(tep.get(), text.data(), text.size(), system.c_str()), 0)
          << ev.path();
    }
  }
  return tep;
}

class Oracle {
 public:
  Oracle(tep_handle* tep, tep_record* rec) : tep_(tep), rec_(rec) {
    event_ = tep_find_event_by_record(tep, rec);
    trace_seq_init(&seq_);
  }
  ~Oracle() { trace_seq_destroy(&seq_); }
  tep_event* event() const { return event_; }

  int64_t num(const char* name) {
    unsigned long long v = 0;
    EXPECT_EQ(tep_get_field_val(&seq_, event_, name, rec_, &v, 0), 0) << name;
    tep_format_field* f = tep_find_field(event_, name);
    return f != nullptr ? sign_extend(v, f) : 0;
  }
  std::string str(const char* name) {
    int len = 0;
    const char* p = static_cast<const char*>(tep_get_field_raw(&seq_, event_, name, rec_, &len, 0));
    EXPECT_NE(p, nullptr) << name;
    return p != nullptr ? std::string(p, strnlen(p, static_cast<size_t>(len))) : "";
  }
  // The value tep prints after "<key>=" in the event's info line.
  std::string printed(const std::string& key) {
    trace_seq_reset(&seq_);
    tep_print_event(tep_, &seq_, rec_, "%s", TEP_PRINT_INFO);
    trace_seq_terminate(&seq_);
    std::string info(seq_.buffer, seq_.len);
    size_t at = info.find(key + "=");
    if (at == std::string::npos) return "<no " + key + " in: " + info + ">";
    at += key.size() + 1;
    return info.substr(at, info.find(' ', at) - at);
  }
  // The non-common fields as JSON values, read by tep.
  json fields() {
    json out = json::object();
    for (tep_format_field* f = event_->format.fields; f != nullptr; f = f->next) {
      if (f->flags & TEP_FIELD_IS_STRING) {
        out[f->name] = str(f->name);
        continue;
      }
      if (!(f->flags & TEP_FIELD_IS_ARRAY)) {
        unsigned long long v = 0;
        EXPECT_EQ(tep_read_number_field(f, rec_->data, &v), 0) << f->name;
        if (f->flags & TEP_FIELD_IS_SIGNED) {
          out[f->name] = sign_extend(v, f);
        } else {
          out[f->name] = static_cast<uint64_t>(v);
        }
        continue;
      }
      out[f->name] = "<array>";  // none in the captured non-sched-7 events
    }
    return out;
  }

 private:
  static int64_t sign_extend(unsigned long long v, const tep_format_field* f) {
    if (!(f->flags & TEP_FIELD_IS_SIGNED) || f->size >= 8) return static_cast<int64_t>(v);
    const int bits = f->size * 8;
    const uint64_t m = uint64_t{1} << (bits - 1);
    return static_cast<int64_t>(((v & ((m << 1) - 1)) ^ m) - m);
  }
  tep_handle* tep_;
  tep_record* rec_;
  tep_event* event_ = nullptr;
  trace_seq seq_{};
};

// Compares one of our events with what tep reads from the same record.
void compare(const SchedEvent& ours, Oracle& o) {
  const std::string name = o.event()->name;
  if (const auto* sw = std::get_if<SwitchEvent>(&ours.payload)) {
    ASSERT_EQ(name, "sched_switch");
    EXPECT_EQ(sw->prev_comm.str(), o.str("prev_comm"));
    EXPECT_EQ(sw->prev_pid, o.num("prev_pid"));
    EXPECT_EQ(sw->prev_prio, o.num("prev_prio"));
    EXPECT_EQ(sw->prev_state.str(), o.printed("prev_state"));
    EXPECT_EQ(sw->next_comm.str(), o.str("next_comm"));
    EXPECT_EQ(sw->next_pid, o.num("next_pid"));
    EXPECT_EQ(sw->next_prio, o.num("next_prio"));
  } else if (const auto* w = std::get_if<WakeupEvent>(&ours.payload)) {
    ASSERT_EQ(name, w->is_new ? "sched_wakeup_new" : "sched_wakeup");
    EXPECT_EQ(w->comm.str(), o.str("comm"));
    EXPECT_EQ(w->pid, o.num("pid"));
    EXPECT_EQ(w->prio, o.num("prio"));
    EXPECT_EQ(w->target_cpu, o.num("target_cpu"));
  } else if (const auto* m = std::get_if<MigrateEvent>(&ours.payload)) {
    ASSERT_EQ(name, "sched_migrate_task");
    EXPECT_EQ(m->comm.str(), o.str("comm"));
    EXPECT_EQ(m->pid, o.num("pid"));
    EXPECT_EQ(m->prio, o.num("prio"));
    EXPECT_EQ(m->orig_cpu, o.num("orig_cpu"));
    EXPECT_EQ(m->dest_cpu, o.num("dest_cpu"));
  } else if (const auto* f = std::get_if<ForkEvent>(&ours.payload)) {
    ASSERT_EQ(name, "sched_process_fork");
    EXPECT_EQ(f->parent_comm.str(), o.str("parent_comm"));
    EXPECT_EQ(f->parent_pid, o.num("parent_pid"));
    EXPECT_EQ(f->child_comm.str(), o.str("child_comm"));
    EXPECT_EQ(f->child_pid, o.num("child_pid"));
  } else if (const auto* e = std::get_if<ExecEvent>(&ours.payload)) {
    ASSERT_EQ(name, "sched_process_exec");
    EXPECT_EQ(e->filename, o.str("filename"));
    EXPECT_EQ(e->pid, o.num("pid"));
    EXPECT_EQ(e->old_pid, o.num("old_pid"));
  } else if (const auto* x = std::get_if<ExitEvent>(&ours.payload)) {
    ASSERT_EQ(name, "sched_process_exit");
    EXPECT_EQ(x->comm.str(), o.str("comm"));
    EXPECT_EQ(x->pid, o.num("pid"));
    EXPECT_EQ(x->prio, o.num("prio"));
    EXPECT_EQ(x->group_dead, o.num("group_dead"));
    EXPECT_EQ(x->group_dead == 1 ? "true" : "false", o.printed("group_dead"));
  } else {
    const auto& other = std::get<OtherEvent>(ours.payload);
    EXPECT_EQ(other.name, name);
    EXPECT_EQ(other.system, o.event()->system);
    EXPECT_EQ(json::parse(other.fields_json), o.fields()) << other.fields_json;
  }
}

struct Counts {
  size_t events = 0, pages = 0, missed_pages = 0;
};

// Walks one CPU's pages with kbuffer and our CpuPageDecoder side by side.
Counts check_cpu(tep_handle* tep, const PageLayout& layout, const EventDecoder& decoder,
                 const std::string& path, int cpu) {
  Counts n;
  std::vector<uint8_t> bytes = testing::read_bytes(path);
  CpuPageDecoder ours(layout, decoder, bytes, cpu);
  std::unique_ptr<kbuffer, KbufDeleter> kbuf(kbuffer_alloc(KBUFFER_LSIZE_8, KBUFFER_ENDIAN_LITTLE));
  for (size_t at = 0; at + layout.page_size <= bytes.size(); at += layout.page_size, ++n.pages) {
    EXPECT_EQ(kbuffer_load_subbuffer(kbuf.get(), bytes.data() + at), 0);
    PageCursor page(layout, std::span<const uint8_t>(bytes.data() + at, layout.page_size));
    const int missed = kbuffer_missed_events(kbuf.get());
    const PageHeader& h = page.header();
    EXPECT_EQ(missed, !h.missed_events ? 0 : h.missed_stored ? static_cast<int>(h.missed_count) : -1);
    n.missed_pages += h.missed_events;
    unsigned long long ts = 0;
    for (void* data = kbuffer_read_event(kbuf.get(), &ts); data != nullptr;
         data = kbuffer_next_event(kbuf.get(), &ts)) {
      tep_record rec{};
      rec.ts = ts;
      rec.data = data;
      rec.size = kbuffer_event_size(kbuf.get());
      rec.cpu = cpu;
      SchedEvent ev;
      if (!ours.next(ev)) {
        ADD_FAILURE() << path << ": libtraceevent has more events than we do";
        return n;
      }
      EXPECT_EQ(static_cast<unsigned long long>(ev.ts_ns), ts) << path << " event " << n.events;
      EXPECT_EQ(ev.cpu, cpu);
      EXPECT_EQ(ev.common_pid, tep_data_pid(tep, &rec));
      Oracle oracle(tep, &rec);
      if (oracle.event() == nullptr) {
        ADD_FAILURE() << path << ": libtraceevent knows no event for record " << n.events;
        return n;
      }
      compare(ev, oracle);
      ++n.events;
    }
  }
  SchedEvent extra;
  EXPECT_FALSE(ours.next(extra)) << path << ": we have more events than libtraceevent";
  EXPECT_EQ(ours.stats().malformed(), 0u);
  return n;
}

// Compares every cpu<N>.pages of a raw/sched directory.
Counts check_dir(const std::string& dir) {
  Result<FormatSet> formats = load_formats(dir + "/formats");
  EXPECT_TRUE(formats.is_ok()) << formats.status().to_string();
  if (!formats.is_ok()) return {};
  const PageLayout layout = testing::layout_of(*formats);
  const EventDecoder decoder(*formats);
  auto tep = load_tep(dir + "/formats");
  Counts total;
  for (int cpu = 0; std::filesystem::exists(dir + "/cpu" + std::to_string(cpu) + ".pages"); ++cpu) {
    Counts n = check_cpu(tep.get(), layout, decoder, dir + "/cpu" + std::to_string(cpu) + ".pages",
                         cpu);
    total.events += n.events;
    total.pages += n.pages;
    total.missed_pages += n.missed_pages;
  }
  return total;
}

class LibtraceeventOracle : public ::testing::TestWithParam<const char*> {};

TEST_P(LibtraceeventOracle, AgreesEventForEvent) {
  const std::string capture = GetParam();
  Counts total = check_dir(testing::ftrace_testdata(capture));
  EXPECT_GT(total.events, 250u);  // the comparison really ran
  EXPECT_EQ(total.missed_pages, capture == "lost" ? 2u : 0u);
}

// The same on a capture made now by the sched source's capture half: a
// ping-pong, a fork and an exec, on this kernel.
TEST(LibtraceeventOracleLive, AgreesOnAFreshCapture) {
  std::string why;
  auto root = ktel::testing::tracefs_for_tests(why);
  if (!root) KTEL_SKIP_OR_FAIL(why);
  ktel::testing::TempDir tmp;
  SchedCaptureConfig c;
  c.tracefs_root = *root;
  c.instance_name = "ktel-" + std::to_string(::getpid());
  c.raw_dir = tmp.path();
  c.events = default_sched_events();
  c.events.push_back("sched/sched_stat_runtime");  // an OtherEvent with __data_loc comm
  auto cap = SchedCapture::start(c, nullptr);
  ASSERT_TRUE(cap.is_ok()) << cap.status().to_string();
  ASSERT_TRUE(run_pipe_pingpong({.rounds = 3000}).is_ok());
  ASSERT_EQ(std::system("/bin/sh -c /bin/true"), 0);
  ASSERT_TRUE((*cap)->stop().is_ok());
  Counts total = check_dir(tmp.path());
  EXPECT_GE(total.events, 4u * 3000u);
}

INSTANTIATE_TEST_SUITE_P(RealCaptures, LibtraceeventOracle,
                         ::testing::Values("basic", "mixed", "lost"));

}  // namespace
}  // namespace ktel::sched
