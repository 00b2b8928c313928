// The JSON objects of the C API (podns_open's configuration, podns_create's
// options), read as podns/c.h's functions read them: any input is options or
// invalid input, never a crash, an exception or another kind of error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "check.h"
#include "podns/c_options.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // As a C caller passes it: NUL-terminated (an inner NUL ends it early).
  const std::string text(podns::fuzz::text(data, size));

  if (auto config = podns::capi::config_from_json(text.c_str())) {
    FUZZ_CHECK(config->cni.timeout.count() > 0);
    FUZZ_CHECK(config->cni.max_output > 0);
  } else {
    FUZZ_CHECK(config.error().is_invalid_input());
  }

  if (auto req = podns::capi::create_from_json(text.c_str())) {
    const auto& o = req->options;
    // Exactly one choice of user namespace was made: maps, an automatic
    // range, or none.
    FUZZ_CHECK(!(o.userns && o.auto_userns));
    if (o.userns) {
      FUZZ_CHECK(podns::validate_id_map(o.userns->uid).has_value());
      FUZZ_CHECK(podns::validate_id_map(o.userns->gid).has_value());
    }
    if (o.auto_userns) FUZZ_CHECK(*o.auto_userns > 0);
  } else {
    FUZZ_CHECK(req.error().is_invalid_input());
    FUZZ_CHECK(!req.error().message().empty());
  }
  return 0;
}
