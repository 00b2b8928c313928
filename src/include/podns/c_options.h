// The JSON the C API takes (podns/c.h documents every key), read into the
// library's own options. Private: for c_api.cc and the fuzzer.
#pragma once

#include "podns/error.h"
#include "podns/podns.h"

namespace podns::capi {

// podns_open's configuration; NULL gives every default.
Result<Config> config_from_json(const char* text);

// podns_create's options.
struct CreateRequest {
  CreateOptions options;
  bool timings = false;  // add "timings" to the returned object
};
Result<CreateRequest> create_from_json(const char* text);

}  // namespace podns::capi
