#include "podns/cni/version.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "podns/concat.h"

namespace podns::cni {

Result<Version> parse_version(std::string_view text) {
  auto bad = [&] {
    return invalid_argument(
        concat("CNI version \"", text, "\" is not of the form MAJOR.MINOR.PATCH"));
  };
  std::array<unsigned, 3> parts{};
  std::string_view rest = text;
  for (int i = 0; i < 3; ++i) {
    std::size_t end = i < 2 ? rest.find('.') : rest.size();
    if (end == std::string_view::npos || end == 0 || end > 9) return bad();
    std::string_view digits = rest.substr(0, end);
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return bad();
    std::from_chars(digits.data(), digits.data() + digits.size(), parts[i]);
    rest = i < 2 ? rest.substr(end + 1) : std::string_view();
  }
  return Version{parts[0], parts[1], parts[2]};
}

std::string to_string(const Version& v) {
  return std::to_string(v.major) + "." + std::to_string(v.minor) + "." + std::to_string(v.patch);
}

bool is_supported(std::string_view version) {
  return std::find(kSupportedVersions.begin(), kSupportedVersions.end(), version) !=
         kSupportedVersions.end();
}

bool at_least(std::string_view version, std::string_view min) {
  auto v = parse_version(version);
  auto m = parse_version(min);
  return v && m && *v >= *m;
}

Result<std::string> select_version(const std::optional<std::string>& cni_version,
                                   const std::vector<std::string>& cni_versions) {
  std::vector<std::string> offered;
  if (cni_version) offered.push_back(*cni_version);
  offered.insert(offered.end(), cni_versions.begin(), cni_versions.end());
  if (offered.empty()) return invalid_argument("no cniVersion (nor cniVersions) is given");

  std::optional<Version> best;
  for (const auto& text : offered) {
    PODNS_TRY(v, parse_version(text));
    if (is_supported(text) && (!best || v > *best)) best = v;
  }
  if (!best) {
    std::string list;
    for (const auto& text : offered) list += (list.empty() ? "" : ", ") + text;
    std::string ours;
    for (auto v : kSupportedVersions) ours += (ours.empty() ? "" : " and ") + std::string(v);
    bool one = offered.size() == 1;
    return plain_error(EPROTONOSUPPORT, std::string(one ? "CNI version " : "CNI versions ") + list +
                                            (one ? " is" : " are") +
                                            " not supported: podns speaks " + ours);
  }
  return to_string(*best);
}

}  // namespace podns::cni
