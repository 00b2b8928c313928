#include "podns/sysctl.h"

#include <algorithm>

namespace podns::sysctl {

Result<void> validate(const Setting& s) {
  const std::string& key = s.first;
  const std::string& value = s.second;
  auto bad_key = [&](const std::string& why) {
    std::string shown;
    for (char c : key) shown += (c >= 0x20 && c < 0x7f) ? c : '?';
    return invalid_argument("sysctl \"" + shown + "\": " + why);
  };
  if (!key.starts_with("net.") || key.size() == 4)
    return bad_key("only network sysctls (net.*) can be set in a pod");
  if (key.size() > 200) return bad_key("key is too long");
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) return bad_key("key may contain only letters, digits, '_', '-' and '.'");
  }
  if (key.find("..") != std::string::npos || key.back() == '.')
    return bad_key("key has an empty component");
  if (value.empty()) return bad_key("value is empty (the kernel would keep its own)");
  if (value.size() > 4096) return bad_key("value is too long");
  for (char c : value) {
    if (c == '\n' || c == '\0' || c == '\r')
      return bad_key("value may not contain a newline or NUL");
  }
  return {};
}

Result<Setting> parse(std::string_view text) {
  auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0)
    return invalid_argument("sysctl \"" + std::string(text) + "\" is not KEY=VALUE");
  Setting s{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
  PODNS_CHECK(validate(s));
  return s;
}

std::string proc_path(const std::string& key) {
  std::string path = "/proc/sys/" + key;
  std::replace(path.begin() + 10, path.end(), '.', '/');
  return path;
}

std::vector<Setting> defaults(const IdMap& gid_map) {
  // The run of container gids from 0 that map to the host, across lines.
  std::uint64_t end = 0;
  bool grew = true;
  while (grew) {
    grew = false;
    for (const auto& m : gid_map) {
      if (m.container_id <= end && std::uint64_t{m.container_id} + m.size > end) {
        end = std::uint64_t{m.container_id} + m.size;
        grew = true;
      }
    }
  }
  if (end == 0) return {};
  // The kernel takes at most a signed 32-bit gid here.
  end = std::min<std::uint64_t>(end, 0x7fffffffULL);
  return {{"net.ipv4.ping_group_range", "0 " + std::to_string(end - 1)}};
}

std::vector<Setting> merge(std::vector<Setting> defaults, const std::vector<Setting>& given) {
  for (const auto& g : given) {
    auto same = [&](const Setting& d) { return d.first == g.first; };
    defaults.erase(std::remove_if(defaults.begin(), defaults.end(), same), defaults.end());
    defaults.push_back(g);
  }
  return defaults;
}

}  // namespace podns::sysctl
