// Network configurations: what an administrator puts in /etc/cni/net.d.
//
// A `.conflist` holds a network (name, versions, flags) and its chain of
// plugin objects. A single-plugin `.conf` (pre-1.0, still common) is read as
// a list of that one plugin, as libcni does, so the rest of podns sees one
// shape only. Which of the two a file is follows from its content (a
// `plugins` array, or a `type` at the top), not its extension.
//
// The version the network is run with is chosen here, once (see version.h);
// every plugin of the chain is sent that version.
//
// Not supported: aggregating plugin objects from a directory named after the
// network (`loadOnlyInlinedPlugins`, a "may" of spec 1.1); a list without an
// inline `plugins` array is refused.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "podns/cni/options.h"  // kDefaultConfDir
#include "podns/error.h"

namespace podns::cni {

// Configuration files larger than this are refused unread.
inline constexpr std::size_t kMaxConfigSize = 1 << 20;

struct NetworkConfig {
  std::string name;
  // The version selected from cniVersion/cniVersions: what plugins are sent.
  std::string cni_version;
  // The plugin objects, in chain order, as written (each has a valid `type`).
  nlohmann::json plugins = nlohmann::json::array();
  // The whole list object (for a `.conf`, the list wrapped around it).
  nlohmann::json raw = nlohmann::json::object();
  // The bytes kept in the result cache: the file as read, or for a `.conf`
  // the wrapped list, serialised.
  std::string bytes;
  bool disable_check = false;
  bool disable_gc = false;
  // Where it was read from; "" when built in memory.
  std::string source_path;
};

// Parses a `.conflist` or `.conf`. `source` names it in errors (a path, or
// something like "built-in loopback").
Result<NetworkConfig> parse_network(std::string_view bytes, const std::string& source);

// The configuration files in `conf_dir` (*.conflist, *.conf, *.json),
// sorted by file name. ENOENT when the directory does not exist.
Result<std::vector<std::string>> network_files(const std::string& conf_dir);

// Every configuration in `conf_dir` (network_files), parsed, in file-name
// order. One rule for every use, the default network, a named one and GC
// alike: a file that cannot be read or parsed is an error that names it
// (never passed over), and two files declaring the same network name are
// an error that names both. ENOENT when the directory does not exist.
Result<std::vector<NetworkConfig>> load_networks(const std::string& conf_dir);

// From load_networks: with a name, the network of that name; without, the
// lexically first file's. ENOENT when there is none (the error lists the
// names there are).
Result<NetworkConfig> load_network(const std::string& conf_dir,
                                   const std::optional<std::string>& name = std::nullopt);

}  // namespace podns::cni
