// Checks on the strings that reach a path, an environment variable or a
// plugin's command line, made before anything is run.
//
// A plugin `type` names a file in the plugin directories; a type with a `/`
// or `..` would name some other executable on the machine, so it is refused
// rather than resolved. Names that become part of a cache file name
// (network, container ID, interface) are held to the spec's character set so
// that they cannot climb out of the cache directory either.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "podns/error.h"

namespace podns::cni {

// Not empty, no `/` or `\`, not containing "..", not ".", no control
// characters or spaces.
Result<void> validate_plugin_type(std::string_view type);

// [A-Za-z0-9][A-Za-z0-9_.-]* : the spec's rule for network names.
Result<void> validate_network_name(std::string_view name);
// [A-Za-z0-9][A-Za-z0-9_.-]* : the spec's rule for container IDs.
Result<void> validate_container_id(std::string_view id);

// What the kernel accepts as a network interface name: 1 to 15 bytes, not
// "." or "..", no `/`, `:` or white space.
Result<void> validate_ifname(std::string_view name);

// CNI_ARGS pairs: a key is not empty and holds no `=` or `;`; a value holds
// no `;` (the separator); neither holds a NUL or a newline.
Result<void> validate_cni_args(const std::vector<std::pair<std::string, std::string>>& args);

// A plugin directory: an absolute path without `:` (CNI_PATH's separator).
Result<void> validate_bin_dir(std::string_view dir);

// `s` with control and non-ASCII bytes shown as \xNN, cut to `max` bytes
// (with "..." after): for putting untrusted text into an error message.
std::string printable(std::string_view s, std::size_t max = 200);

}  // namespace podns::cni
