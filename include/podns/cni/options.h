// How podns runs CNI plugins: the part of the CNI runtime a Manager's
// Config carries (Config::cni). The runtime itself is internal.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace podns::cni {

// Where network configurations are read from by default.
inline constexpr const char* kDefaultConfDir = "/etc/cni/net.d";
// The result cache's default directory, libcni's (results/ below it).
inline constexpr const char* kDefaultCacheDir = "/var/lib/cni";

struct Options {
  // Where plugins are looked up, in order; also the plugins' CNI_PATH.
  std::vector<std::string> bin_dirs{"/usr/lib/cni", "/opt/cni/bin"};
  std::string cache_dir = kDefaultCacheDir;
  // Per plugin run.
  std::chrono::milliseconds timeout{60000};
  // Per plugin run and stream (stdout, stderr).
  std::size_t max_output = 1 << 20;
};

}  // namespace podns::cni
