// The C API (podns/c.h): JSON in, the Manager, JSON out.
//
// Each function of the API runs its body in `guarded`, which turns an Error
// into NULL (or its errno) and *error, and catches every exception (nlohmann
// throws on some misuse, and anything may throw std::bad_alloc), so that none
// crosses into C. The JSON objects it is given are read in c_options.cc.
#include "podns/c.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <new>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "podns/c_options.h"
#include "podns/json.h"
#include "podns/podns.h"
#include "podns/spec.h"

struct podns_c_handle {
  podns::Manager manager;
};

namespace podns {
namespace {

using nlohmann::json;

// A copy for C: malloc'd, freed with podns_free. NULL when out of memory.
char* c_string(const std::string& s) {
  auto* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (out == nullptr) return nullptr;
  std::memcpy(out, s.c_str(), s.size() + 1);
  return out;
}

void set_error(char** error, const std::string& message) {
  if (error != nullptr) *error = c_string(message);
}

// JSON for C callers: compact; a byte that is not UTF-8 (none should be)
// becomes U+FFFD instead of an exception.
std::string text_of(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Runs `body`; on an Error or an exception sets *error and returns `failed`
// (for int results, the error's errno, never 0).
template <class T>
T guarded(char** error, T failed, const std::function<Result<T>()>& body) {
  if (error != nullptr) *error = nullptr;
  int err = EIO;
  std::string message;
  try {
    auto r = body();
    if (r) return std::move(*r);
    err = r.error().errno_value() != 0 ? r.error().errno_value() : EIO;
    message = r.error().message();
  } catch (const std::bad_alloc&) {
    err = ENOMEM;
    message = "out of memory";
  } catch (const std::exception& e) {
    message = std::string("internal error: ") + e.what();
  } catch (...) {
    message = "internal error: unknown exception";
  }
  try {
    set_error(error, message);
  } catch (...) {  // copying the message failed: the caller still sees the failure
    if (error != nullptr) *error = nullptr;
  }
  if constexpr (std::is_same_v<T, int>) {
    return err;
  } else {
    return failed;
  }
}

// A string result for C, or ENOMEM.
Result<char*> to_c(const std::string& s) {
  char* out = c_string(s);
  if (out == nullptr) return errno_error(ENOMEM, "copy the result");
  return out;
}

Result<void> need(const void* arg, const char* what) {
  if (arg == nullptr) return invalid_argument(std::string(what) + " is NULL");
  return {};
}

json recover_json(const std::vector<RecoverAction>& actions) {
  json out = json::array();
  for (const auto& a : actions) {
    out.push_back({{"sandbox", a.sandbox},
                   {"action", a.action},
                   {"ok", a.ok},
                   {"error", a.ok ? json(nullptr) : json(a.error)}});
  }
  return out;
}

}  // namespace
}  // namespace podns

using podns::Result;

extern "C" {

podns_t* podns_open(const char* config_json, char** error) {
  return podns::guarded<podns_t*>(error, nullptr, [&]() -> Result<podns_t*> {
    PODNS_TRY(config, podns::capi::config_from_json(config_json));
    PODNS_TRY(m, podns::Manager::open(std::move(config)));
    return new podns_t{std::move(m)};
  });
}

char* podns_create(podns_t* p, const char* options_json, char** error) {
  return podns::guarded<char*>(error, nullptr, [&]() -> Result<char*> {
    PODNS_CHECK(podns::need(p, "podns_t"));
    PODNS_TRY(in, podns::capi::create_from_json(options_json));
    PODNS_TRY(s, p->manager.create(in.options));
    auto out = podns::to_json(s);
    if (in.timings) out["timings"] = podns::to_json(s.timings);
    return podns::to_c(podns::text_of(out));
  });
}

char* podns_inspect(podns_t* p, const char* id, char** error) {
  return podns::guarded<char*>(error, nullptr, [&]() -> Result<char*> {
    PODNS_CHECK(podns::need(p, "podns_t"));
    PODNS_CHECK(podns::need(id, "sandbox ID"));
    PODNS_TRY(s, p->manager.inspect(id));
    return podns::to_c(podns::text_of(podns::to_json(s)));
  });
}

char* podns_list(podns_t* p, char** error) {
  return podns::guarded<char*>(error, nullptr, [&]() -> Result<char*> {
    PODNS_CHECK(podns::need(p, "podns_t"));
    PODNS_TRY(all, p->manager.list());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : all) out.push_back(podns::to_json(s));
    return podns::to_c(podns::text_of(out));
  });
}

int podns_stop(podns_t* p, const char* id, char** error) {
  return podns::guarded<int>(error, EIO, [&]() -> Result<int> {
    PODNS_CHECK(podns::need(p, "podns_t"));
    PODNS_CHECK(podns::need(id, "sandbox ID"));
    PODNS_CHECK(p->manager.stop(id));
    return 0;
  });
}

int podns_remove(podns_t* p, const char* id, char** error) {
  return podns::guarded<int>(error, EIO, [&]() -> Result<int> {
    PODNS_CHECK(podns::need(p, "podns_t"));
    PODNS_CHECK(podns::need(id, "sandbox ID"));
    PODNS_CHECK(p->manager.remove(id));
    return 0;
  });
}

char* podns_recover(podns_t* p, char** error) {
  return podns::guarded<char*>(error, nullptr, [&]() -> Result<char*> {
    PODNS_CHECK(podns::need(p, "podns_t"));
    PODNS_TRY(actions, p->manager.recover());
    return podns::to_c(podns::text_of(podns::recover_json(actions)));
  });
}

char* podns_spec(podns_t* p, const char* id, const char* oci_config_json, char** error) {
  return podns::guarded<char*>(error, nullptr, [&]() -> Result<char*> {
    PODNS_CHECK(podns::need(p, "podns_t"));
    PODNS_CHECK(podns::need(id, "sandbox ID"));
    PODNS_CHECK(podns::need(oci_config_json, "OCI config"));
    PODNS_TRY(s, p->manager.inspect(id));
    PODNS_TRY(out, podns::spec::join_sandbox(oci_config_json, s));
    return podns::to_c(out);
  });
}

void podns_close(podns_t* p) { delete p; }

void podns_free(void* ptr) { std::free(ptr); }  // NOLINT(cppcoreguidelines-no-malloc): C's allocator

}  // extern "C"
