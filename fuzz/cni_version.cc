// CNI versions: one per line; the first is taken as `cniVersion` and the
// others as `cniVersions`, as a network configuration gives them.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "check.h"
#include "podns/cni/version.h"

namespace {

using namespace podns::cni;

std::vector<std::string> lines(std::string_view text) {
  std::vector<std::string> out;
  while (true) {
    auto end = text.find('\n');
    out.emplace_back(text.substr(0, end));
    if (end == std::string_view::npos) return out;
    text.remove_prefix(end + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto offered = lines(podns::fuzz::text(data, size));

  std::optional<Version> best;
  bool all_valid = true;
  for (const auto& text : offered) {
    auto v = parse_version(text);
    if (!v) {
      FUZZ_CHECK(v.error().is_invalid_input());
      FUZZ_CHECK(!is_supported(text) && !at_least(text, "0.0.0"));
      all_valid = false;
      continue;
    }
    auto again = parse_version(to_string(*v));
    FUZZ_CHECK(again && *again == *v);
    FUZZ_CHECK(at_least(text, to_string(*v)) && at_least(to_string(*v), text));
    FUZZ_CHECK(at_least(text, "1.1.0") == (*v >= Version{1, 1, 0}));
    if (is_supported(text) && (!best || *v > *best)) best = *v;
  }

  std::optional<std::string> first = offered.front();
  std::vector<std::string> rest(offered.begin() + 1, offered.end());
  auto chosen = select_version(first, rest);
  // The highest version podns speaks, when every version is well formed.
  FUZZ_CHECK(chosen.has_value() == (all_valid && best.has_value()));
  if (chosen) FUZZ_CHECK(*chosen == to_string(*best) && is_supported(*chosen));
  return 0;
}
