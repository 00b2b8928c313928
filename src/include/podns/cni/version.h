// CNI specification versions: which ones podns speaks, and which one a
// network configuration is run with.
//
// A configuration names its versions in `cniVersion` and (since 1.1) in the
// `cniVersions` array; the runtime must run it with the highest of them that
// it supports. podns speaks exactly 1.0.0 and 1.1.0: the 0.x result formats
// differ in shape (ip4/ip6, no CHECK, no prevResult on DEL), and a runtime
// that keeps results as JSON cannot hand them on unconverted, so a network
// that offers only 0.x is refused with a message saying so rather than run
// half-right.
#pragma once

#include <array>
#include <compare>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "podns/error.h"

namespace podns::cni {

// The versions podns speaks, oldest first.
inline constexpr std::array<std::string_view, 2> kSupportedVersions{"1.0.0", "1.1.0"};
// The newest of them: what VERSION requests are sent with.
inline constexpr std::string_view kLatestVersion = kSupportedVersions.back();

// MAJOR.MINOR.PATCH, digits only (the spec's versions carry no pre-release tags).
struct Version {
  unsigned major = 0;
  unsigned minor = 0;
  unsigned patch = 0;
  auto operator<=>(const Version&) const = default;
};

Result<Version> parse_version(std::string_view text);
std::string to_string(const Version& v);

bool is_supported(std::string_view version);
// True when `version` is a valid version >= `min` (e.g. "1.1.0" for STATUS and GC).
bool at_least(std::string_view version, std::string_view min);

// The highest supported version among `cni_version` (the `cniVersion` field,
// when present) and `cni_versions` (the `cniVersions` array). Every version
// given must be well formed; versions podns does not speak are skipped, and
// an error lists them when none is left.
Result<std::string> select_version(const std::optional<std::string>& cni_version,
                                   const std::vector<std::string>& cni_versions);

}  // namespace podns::cni
