#include "podns/sysctl.h"

#include <algorithm>

#include "podns/concat.h"

namespace podns::sysctl {

namespace {

// The key with anything unprintable shown as '?', for messages.
std::string shown(const std::string& key) {
  std::string out;
  for (char c : key) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

std::unexpected<Error> bad_key(const std::string& key, const std::string& why) {
  return invalid_argument(concat("sysctl \"", shown(key), "\": ", why));
}

// The form every key and value must have, whatever its namespace.
Result<void> check_form(const Setting& s) {
  const std::string& key = s.first;
  const std::string& value = s.second;
  if (key.size() > 200) return bad_key(key, "key is too long");
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) return bad_key(key, "key may contain only letters, digits, '_', '-' and '.'");
  }
  if (key.empty() || key.find("..") != std::string::npos || key.front() == '.' ||
      key.back() == '.')
    return bad_key(key, "key has an empty component");
  if (value.empty()) return bad_key(key, "value is empty (the kernel would keep its own)");
  if (value.size() > 4096) return bad_key(key, "value is too long");
  for (char c : value) {
    if (c == '\n' || c == '\0' || c == '\r')
      return bad_key(key, "value may not contain a newline or NUL");
  }
  return {};
}

bool is_ipc_key(const std::string& key) {
  // Each names a file of the IPC namespace's own sysctl tables
  // (ipc/ipc_sysctl.c, ipc/mq_sysctl.c); a prefix that matches no file is
  // refused by the kernel when it is written, inside the new namespace.
  return (key.starts_with("kernel.shm") && key.size() > 10) ||
         (key.starts_with("kernel.msg") && key.size() > 10) || key == "kernel.sem" ||
         (key.starts_with("fs.mqueue.") && key.size() > 10);
}

}  // namespace

Result<void> validate(const Setting& s) {
  if (!s.first.starts_with("net.") || s.first.size() == 4)
    return bad_key(s.first, "only network sysctls (net.*) can be set in a pod");
  return check_form(s);
}

Result<nsfs::Type> namespace_of(const Setting& s) {
  const std::string& key = s.first;
  if (key.starts_with("net.") && key.size() > 4) {
    PODNS_CHECK(check_form(s));
    return nsfs::Type::net;
  }
  if (is_ipc_key(key)) {
    PODNS_CHECK(check_form(s));
    return nsfs::Type::ipc;
  }
  return bad_key(key,
                 "not a namespaced sysctl: only net.*, kernel.shm*, kernel.msg*, kernel.sem and "
                 "fs.mqueue.* can be set in a pod");
}

Result<Setting> parse(std::string_view text) {
  auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0)
    return invalid_argument(concat("sysctl \"", text, "\" is not KEY=VALUE"));
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
