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
  const auto* maps = o.userns.maps();
  const auto auto_size = o.userns.auto_size();
  FUZZ_CHECK((maps ? 1 : 0) + (auto_size ? 1 : 0) + (o.userns.is_none() ? 1 : 0) == 1);
  if (maps) {
    FUZZ_CHECK(podns::validate_id_map(maps->uid).has_value());
    FUZZ_CHECK(podns::validate_id_map(maps->gid).has_value());
  }
  if (auto_size) FUZZ_CHECK(*auto_size > 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // As a C caller passes it: NUL-terminated (an inner NUL ends it early).
  const std::string text(podns::fuzz::text(data, size));
  check_config(text.c_str());
  check_create(text.c_str());
  return 0;
}
