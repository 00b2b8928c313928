// The CNI operations over a network configuration (spec section 3): ADD,
// DEL and CHECK of one attachment, STATUS and GC of a network, VERSION of
// a plugin.
//
//   ADD    runs the plugins in order, each given the previous one's result
//          as prevResult, and stops at the first error. The final result
//          is written to the result cache and returned. A failed ADD is not
//          undone here: as the spec says, the caller must DEL the attachment
//          (which is safe whatever the ADD got to).
//   DEL    runs the plugins in reverse, each given the cached result, and
//          runs all of them even when one fails (the first error is
//          returned). With no cached result (or an unreadable one) there is
//          no prevResult. A netns that no longer exists is passed as an empty
//          CNI_NETNS, so plugins release what lives outside it. The cache
//          entry is removed only when every plugin succeeded; DEL of what is
//          already gone succeeds.
//   CHECK  runs the plugins in order with the cached result, stops at the
//          first error; a success without running anything when the network
//          has disableCheck.
//   STATUS runs the plugins in order and stops at the first error; a 1.0
//          network (STATUS is 1.1) counts as ready without running any.
//   GC     for a network without disableGC: first DELs each cached attachment
//          of this network that is not among `valid` (as libcni does), then,
//          for a 1.1 network, sends GC with `cni.dev/valid-attachments` to
//          every plugin, going on past errors. The first error is returned.
//
// Every plugin error names the plugin, the command and the network:
//   "CNI plugin bridge (ADD, network podns): error 11: failed to ...: details"
//
// The caller serialises operations on one container, and GC against ADD
// and DEL on the network, as the spec asks; a Client holds no lock. A
// Client is cheap and may be used from several threads at once.
#pragma once

#include <chrono>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "podns/cni/cache.h"
#include "podns/cni/config.h"
#include "podns/cni/options.h"  // Options: public, a part of the Manager's Config
#include "podns/cni/request.h"
#include "podns/error.h"

namespace podns::cni {

// Whether ADD and DEL keep a cache entry. Off is for built-in networks such
// as the pod's loopback, which have nothing to check or to find again.
enum class Caching { on, off };

// Checks the options: at least one plugin directory, each absolute and
// without ':', cache directory absolute, timeout and output bound positive.
// Invalid input otherwise.
Result<void> validate_options(const Options& options);

class Client {
 public:
  // validate_options, then a client with them.
  static Result<Client> open(Options options);

  Result<nlohmann::json> add(const NetworkConfig& net, const Attachment& a,
                             Caching caching = Caching::on);
  Result<void> del(const NetworkConfig& net, const Attachment& a, Caching caching = Caching::on);
  Result<void> check(const NetworkConfig& net, const Attachment& a);
  Result<void> status(const NetworkConfig& net);
  Result<void> gc(const NetworkConfig& net, const std::vector<AttachmentKey>& valid);
  // The plugin's VERSION answer: {"cniVersion": ..., "supportedVersions": [...]}.
  Result<nlohmann::json> version(const std::string& plugin_type);

  const Options& options() const { return options_; }
  const ResultCache& cache() const { return cache_; }

 private:
  explicit Client(Options options) : options_(std::move(options)), cache_(options_.cache_dir) {}

  // Runs one plugin of `net` for `cmd` and interprets its output; errors
  // carry the "CNI plugin TYPE (CMD, network NAME)" context.
  Result<nlohmann::json> run(const NetworkConfig& net, const nlohmann::json& plugin, Command cmd,
                             const nlohmann::json* prev_result, const Attachment* a,
                             const std::vector<AttachmentKey>* valid = nullptr);

  Options options_;
  ResultCache cache_;
};

}  // namespace podns::cni
