// Fuzzes reading an episode's meta.json (model/meta.h) as read_meta() does:
// nlohmann parse without exceptions, then EpisodeMeta::from_json. An accepted
// meta must survive write_meta()'s serialisation and be read back unchanged.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "fuzz/fuzz_check.h"
#include "model/meta.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using nlohmann::json;
  json j = json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  auto meta = ktel::EpisodeMeta::from_json(j);
  if (!meta.is_ok()) {
    KTEL_FUZZ_CHECK(!meta.status().message().empty());
    return 0;
  }
  // What write_meta() puts on disk, read back the way read_meta() does.
  const json written = meta->to_json();
  const std::string text = written.dump(2, ' ', false, json::error_handler_t::replace);
  json reread = json::parse(text, nullptr, /*allow_exceptions=*/false);
  KTEL_FUZZ_CHECK(!reread.is_discarded());
  auto again = ktel::EpisodeMeta::from_json(reread);
  KTEL_FUZZ_CHECK(again.is_ok());
  KTEL_FUZZ_CHECK(again->to_json() == written);
  return 0;
}
