// The JSON objects of the C API (podns_open's configuration, podns_create's
// options), read as podns/c.h's functions read them: any input is options or
// invalid input, never a crash, an exception or another kind of error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "check.h"
#include "podns/c_options.h"

namespace {

void check_config(const char* text) {
  auto config = podns::capi::config_from_json(text);
  if (!config) {
    FUZZ_CHECK(config.error().is_invalid_input());
    return;
  }
  FUZZ_CHECK(config->cni.timeout.count() > 0);
  FUZZ_CHECK(config->cni.max_output > 0);
}

void check_create(const char* text) {
  auto req = podns::capi::create_from_json(text);
  if (!req) {
    FUZZ_CHECK(req.error().is_invalid_input());
    FUZZ_CHECK(!req.error().message().empty());
    return;
  }
  // Exactly one choice of user namespace was made: maps, an automatic
  // range, or none.
  const auto& o = req->options;
  FUZZ_CHECK(!(o.userns && o.auto_userns));
  if (o.userns) {
    FUZZ_CHECK(podns::validate_id_map(o.userns->uid).has_value());
    FUZZ_CHECK(podns::validate_id_map(o.userns->gid).has_value());
  }
  if (o.auto_userns) FUZZ_CHECK(*o.auto_userns > 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // As a C caller passes it: NUL-terminated (an inner NUL ends it early).
  const std::string text(podns::fuzz::text(data, size));
  check_config(text.c_str());
  check_create(text.c_str());
  return 0;
}
