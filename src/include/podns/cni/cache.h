// The result cache: what a successful ADD returned, kept for CHECK and DEL
// (which must be given it as prevResult) and for finding attachments again
// after a crash.
//
// Layout and format are libcni's, so that podns and other CNI runtimes
// (and tools that read libcni's cache) understand each other's files:
//   CACHE_DIR/results/NETWORK-CONTAINERID-IFNAME   (directory 0700, file 0600)
// holding one JSON object:
//   kind            "cniCacheV1"
//   containerId, ifName, networkName
//   config          the network configuration's bytes, base64 (Go's []byte)
//   netns           CNI_NETNS of the ADD (left out when empty)
//   cniArgs         [[key, value], ...] (left out when empty)
//   capabilityArgs  {...} (left out when empty)
//   result          the final ADD result (left out when empty)
//
// Files are replaced atomically (temporary file, fsync, rename, fsync of the
// directory); a crash leaves the old file or the new one, never half of one.
// The spec has the runtime serialise operations per container, and podns
// does so under its sandbox lock; the cache itself takes no locks.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "podns/cni/options.h"  // kDefaultCacheDir
#include "podns/cni/request.h"
#include "podns/error.h"

namespace podns::cni {

inline constexpr const char* kCacheKind = "cniCacheV1";

struct CacheEntry {
  std::string container_id;
  std::string ifname;
  std::string network_name;
  std::string netns;
  std::string config;  // the network configuration bytes, decoded
  std::vector<std::pair<std::string, std::string>> cni_args;
  nlohmann::json capability_args = nlohmann::json::object();
  nlohmann::json result = nlohmann::json::object();
};

// The file's JSON object, and back. Reading checks kind and field types.
nlohmann::json to_json(const CacheEntry& e);
Result<CacheEntry> cache_entry_from_json(const nlohmann::json& j);

// The attachment an entry was made for (to DEL it after a crash, together
// with parse_network(entry.config, ...)).
Attachment attachment_of(const CacheEntry& e);

// Standard base64 with padding, as Go's encoding/json writes []byte.
std::string base64_encode(std::string_view bytes);
Result<std::string> base64_decode(std::string_view text);

class ResultCache {
 public:
  explicit ResultCache(std::string dir = kDefaultCacheDir) : dir_(std::move(dir)) {}

  const std::string& dir() const { return dir_; }

  // DIR/results/NETWORK-CONTAINERID-IFNAME; the three are validated first.
  Result<std::string> path(const std::string& network, const std::string& container_id,
                           const std::string& ifname) const;

  // Creates DIR/results (0700) if needed and replaces the entry's file.
  Result<void> write(const CacheEntry& e) const;
  // nullopt when there is no file; EBADMSG when it is not a valid entry.
  Result<std::optional<CacheEntry>> read(const std::string& network,
                                         const std::string& container_id,
                                         const std::string& ifname) const;
  // Removes the file; absent counts as removed.
  Result<void> remove(const std::string& network, const std::string& container_id,
                      const std::string& ifname) const;
  // Every valid entry (only those of `container_id`, when given), ordered by
  // file name. Files that are not valid cniCacheV1 entries (other tools'
  // older formats, temporary files) are passed over, as libcni does.
  Result<std::vector<CacheEntry>> list(const std::string& container_id = {}) const;

 private:
  std::string dir_;
};

}  // namespace podns::cni
