// libpodns: the namespaces of a pod sandbox, made right when the pod has its
// own user namespace.
//
// A Manager creates, lists and removes sandboxes. Each sandbox is a user
// namespace with the pod's ID maps and a network namespace owned by it, both
// pinned by bind mounts under ROOT/ID/, and a row in the state database.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "podns/error.h"
#include "podns/fd.h"
#include "podns/nsfs.h"
#include "podns/rollback.h"
#include "podns/sandbox.h"
#include "podns/store.h"

namespace podns {

struct Config {
  std::string root = "/run/podns";           // pins: ROOT/ID/{user,net}
  std::string state_dir = "/var/lib/podns";  // podns.db and its lock file
};

struct CreateOptions {
  std::string id;
  // The pod's uid and gid maps; nullopt for a pod without a user namespace.
  std::optional<nsfs::Maps> userns;
};

class Manager {
 public:
  static Result<Manager> open(Config config);

  // Creates and pins the sandbox's namespaces and records it as ready. On
  // any error everything done is undone; EEXIST if the ID is taken.
  Result<Sandbox> create(const CreateOptions& opts);
  // ENOENT if there is no such sandbox.
  Result<Sandbox> inspect(const std::string& id);
  Result<std::vector<Sandbox>> list();
  // Unpins, removes ROOT/ID and forgets the sandbox. ENOENT if unknown.
  Result<void> remove(const std::string& id);

  const Config& config() const { return config_; }
  Store& store() { return store_; }

 private:
  Manager(Config config, Store store) : config_(std::move(config)), store_(std::move(store)) {}
  // The pin root's fd, set up (tmpfs, shared) on first use.
  Result<const Fd*> root();
  Result<void> create_namespaces(const Fd& root, Sandbox& s, const CreateOptions& opts,
                                 Rollback& rollback);

  Config config_;
  Store store_;
  Fd root_;
};

}  // namespace podns
