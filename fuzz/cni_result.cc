// What a plugin that exited 0 printed: the result of ADD, and the
// supportedVersions of VERSION (whose versions are then chosen from).
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "check.h"
#include "podns/cni/result.h"
#include "podns/cni/version.h"

namespace {

using namespace podns::cni;

ExecOutput succeeded(std::string_view out) {
  ExecOutput o;
  o.out = std::string(out);
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto out = succeeded(podns::fuzz::text(data, size));

  auto add = interpret(out, Command::add, "1.0.0");
  if (add) {
    FUZZ_CHECK(add->is_object());
    FUZZ_CHECK(!add->contains("cniVersion") || (*add)["cniVersion"] == "1.0.0");
  } else {
    // Output that is not a result is EBADMSG, whatever is wrong with it.
    FUZZ_CHECK(add.error().errno_value() == EBADMSG);
  }

  auto version = interpret(out, Command::version, std::string(kLatestVersion));
  if (version) {
    FUZZ_CHECK(version->is_object() && (*version)["supportedVersions"].is_array());
    std::vector<std::string> offered;
    for (const auto& v : (*version)["supportedVersions"]) {
      FUZZ_CHECK(v.is_string());
      offered.push_back(v.get<std::string>());
    }
    // Choosing among what a plugin offers: a version podns speaks, or an error.
    auto chosen = select_version(std::nullopt, offered);
    FUZZ_CHECK(!chosen || is_supported(*chosen));
  } else {
    FUZZ_CHECK(version.error().errno_value() == EBADMSG);
  }

  // For the other commands stdout is not looked at.
  auto del = interpret(out, Command::del, "1.0.0");
  FUZZ_CHECK(del && del->is_null());
  return 0;
}
