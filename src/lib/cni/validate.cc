#include "podns/cni/validate.h"

#include <algorithm>

#include "podns/concat.h"

namespace podns::cni {
namespace {

bool alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// The spec's rule for network names and container IDs.
Result<void> spec_name(std::string_view what, std::string_view s) {
  if (s.empty()) return invalid_argument(std::string(what) + " is empty");
  bool ok = alnum(s[0]) && std::all_of(s.begin(), s.end(), [](char c) {
              return alnum(c) || c == '_' || c == '.' || c == '-';
            });
  if (!ok) {
    return invalid_argument(concat(what, " \"", printable(s),
                                   "\" is invalid: it must match [A-Za-z0-9][A-Za-z0-9_.-]*"));
  }
  return {};
}

bool control(char c) {
  return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
}

}  // namespace

std::string printable(std::string_view s, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < max; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      constexpr std::string_view kHex = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (s.size() > max) out += "...";
  return out;
}

Result<void> validate_plugin_type(std::string_view type) {
  auto bad = [&](const char* why) {
    return invalid_argument(concat("plugin type \"", printable(type), "\" is invalid: ", why));
  };
  if (type.empty()) return invalid_argument("plugin type is empty");
  if (type.find('/') != std::string_view::npos || type.find('\\') != std::string_view::npos)
    return bad("it must be a file name, not a path");
  if (type.find("..") != std::string_view::npos || type == ".")
    return bad("it must not contain \"..\"");
  if (std::any_of(type.begin(), type.end(), [](char c) { return control(c) || c == ' '; }))
    return bad("it holds a space or a control character");
  if (type.size() > 255) return bad("it is longer than a file name can be");
  return {};
}

Result<void> validate_network_name(std::string_view name) {
  return spec_name("network name", name);
}

Result<void> validate_container_id(std::string_view id) {
  return spec_name("container ID", id);
}

Result<void> validate_ifname(std::string_view name) {
  if (name.empty()) return invalid_argument("interface name is empty");
  if (name.size() > 15) {
    return invalid_argument(
        concat("interface name \"", printable(name), "\" is longer than 15 characters"));
  }
  if (name == "." || name == "..")
    return invalid_argument(concat("interface name \"", name, "\" is invalid"));
  if (std::any_of(name.begin(), name.end(), [](char c) {
        return c == '/' || c == ':' || c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
               c == '\v' || c == '\f' || c == '\0';
      })) {
    return invalid_argument(
        concat("interface name \"", printable(name), "\" holds '/', ':' or white space"));
  }
  return {};
}

Result<void> validate_cni_args(const std::vector<std::pair<std::string, std::string>>& args) {
  auto bad_char = [](char c) { return c == '\0' || c == '\n' || c == ';'; };
  for (const auto& [k, v] : args) {
    if (k.empty()) return invalid_argument("CNI_ARGS has an empty key");
    if (std::any_of(k.begin(), k.end(), [&](char c) { return bad_char(c) || c == '='; }))
      return invalid_argument(concat("CNI_ARGS key \"", printable(k), "\" holds '=', ';' or a newline"));
    if (std::any_of(v.begin(), v.end(), bad_char))
      return invalid_argument(concat("CNI_ARGS value of ", printable(k), " holds ';' or a newline"));
  }
  return {};
}

Result<void> validate_bin_dir(std::string_view dir) {
  if (dir.empty() || dir[0] != '/') {
    return invalid_argument(
        concat("plugin directory \"", printable(dir), "\" is not an absolute path"));
  }
  if (dir.find(':') != std::string_view::npos) {
    return invalid_argument(
        concat("plugin directory \"", printable(dir), "\" holds ':', the separator of CNI_PATH"));
  }
  if (std::any_of(dir.begin(), dir.end(), control)) {
    return invalid_argument(
        concat("plugin directory \"", printable(dir), "\" holds a control character"));
  }
  return {};
}

}  // namespace podns::cni
