// What is behind a Manager: the state database, the pin root and the CNI
// runtime. Private: the installed podns.h names only Manager::Impl. The
// operations live in manager.cc, create.cc, remove.cc, network.cc and
// recover.cc; Manager's own members (manager.cc) forward to these.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "podns/cni/client.h"
#include "podns/cni/config.h"
#include "podns/error.h"
#include "podns/fd.h"
#include "podns/network_attachment.h"
#include "podns/podns.h"
#include "podns/rollback.h"
#include "podns/sandbox.h"
#include "podns/store.h"
#include "podns/timings.h"

namespace podns {

class Manager::Impl {
 public:
  Impl(Config config, Store store) : config_(std::move(config)), store_(std::move(store)) {}

  Result<Sandbox> create(const CreateOptions& opts);
  Result<Sandbox> inspect(const std::string& id);
  Result<std::vector<Sandbox>> list();
  Result<Sandbox> stop(const std::string& id);
  Result<void> check(const std::string& id);
  Result<void> remove(const std::string& id);
  Result<std::vector<Error>> force_remove(const std::string& id);
  Result<std::vector<RecoverAction>> recover();

  const Config& config() const { return config_; }

 private:
  // The pin root's fd, set up (tmpfs, shared) on first use.
  Result<const Fd*> root();
  Result<void> create_namespaces(const Fd& root, Sandbox& s, const CreateOptions& opts,
                                 StageTimer& timer, Rollback& rollback);
  // Removes whatever of `s` exists (network, pins, directory), then its row.
  // On failure the row is kept, marked unknown with the reason. With
  // `left` (force_remove), a network that cannot be detached is added to it
  // and kept for recover instead.
  Result<void> teardown(Sandbox& s, std::vector<Error>* left = nullptr);
  Result<void> remove(const std::string& id, std::vector<Error>* left);
  // For recover: the sandbox's pins are still what the row says.
  static bool pins_intact(const Sandbox& s);

  // create.cc: the second pin of the netns, for `ip netns`.
  Result<void> pin_ip_netns(Sandbox& s, Rollback& rollback);
  static Result<void> unpin_ip_netns(const Sandbox& s);

  // network.cc: the pod's CNI attachment. NetworkAttachment runs the
  // plugins and says when intent is due; these decide what the row records,
  // before each action and after it.
  Result<cni::Client> cni_client() const;
  Result<std::optional<cni::NetworkConfig>> resolve_network(
      const std::optional<std::string>& name) const;
  // The attachment the row records (its configuration, its state).
  Result<NetworkAttachment> attachment(const Sandbox& s) const;
  // Records the intent, registers the undo (DEL), runs ADD; s.network gets
  // the result (recorded by create with the ready state).
  Result<void> attach(Sandbox& s, const cni::NetworkConfig& net, Rollback& rollback);
  // DEL with the recorded configuration, "detaching" recorded before it and
  // no network after it; what is already gone counts as detached.
  Result<void> detach(Sandbox& s);
  // For force_remove, after a failed DEL: makes sure a cache entry of the
  // attachment exists under our root's pin path, for recover to DEL.
  Result<void> keep_for_recover(const Sandbox& s) const;
  // recover: DEL of cached attachments whose sandbox is gone, then GC.
  void collect_network_garbage(std::vector<RecoverAction>& actions);
  // The lock of sandbox `id`, held, when its cached attachment `e` is this
  // instance's and outlived the sandbox or its network; nullopt otherwise
  // (another's, in use, or being worked on).
  std::optional<Fd> held_if_orphaned(const std::string& id, const cni::CacheEntry& e);

  Config config_;
  Store store_;
  Fd root_;
};

}  // namespace podns
