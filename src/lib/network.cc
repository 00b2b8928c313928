// The pod's network: the Manager's side of its CNI attachment
// (network_attachment.h runs the plugins). CNI ADD after the pins exist,
// DEL before they go, the result kept in the state database so that no
// address is ever lost.
//
// What is recorded is decided here. The attachment's intent ("attaching",
// with the configuration bytes) is recorded before ADD runs, so a crash
// during ADD leaves a row that says which network to DEL, with which
// configuration, even if the configuration directory has changed since;
// "detaching" likewise before DEL.
#include <fcntl.h>

#include <algorithm>
#include <optional>

#include "podns/cni/exec.h"
#include "podns/cni/pod.h"
#include "podns/fault.h"
#include "podns/manager_impl.h"
#include "podns/network_attachment.h"
#include "podns/pin.h"
#include "podns/sys.h"

namespace podns {
namespace {

// The netns pin if it still holds the recorded namespace; "" otherwise, as
// the CNI spec asks for a netns that no longer exists.
std::string live_netns(const Sandbox& s) {
  if (s.host_network || !s.netns) return {};
  return pin::open_recorded(s.netns_path(), nsfs::Type::net, *s.netns) ? s.netns_path()
                                                                        : std::string();
}

// The pin of sandbox `id`'s netns under `root`: where its ADD ran.
std::string netns_pin(const std::string& root, const std::string& id) {
  return root + "/" + id + "/net";
}

// Whether this podns made the cached attachment of sandbox `id`: its
// container is the sandbox and its netns is the sandbox's pin under our
// root, or under the root our database recorded for it. Another podns
// sharing the cache (another --root and --state-dir) made the others: they
// are never ours to release, whatever our database holds.
bool made_here(const cni::CacheEntry& e, const std::string& id, const std::string& root,
               const std::optional<Sandbox>& row) {
  if (e.container_id != id) return false;
  return e.netns == netns_pin(root, id) || (row && e.netns == row->netns_path());
}

// GC for the configured networks: plugins of 1.1 networks release what no
// valid attachment holds. Every runtime's cached attachment counts as
// valid, so only what nobody holds is collected.
void collect_configured_networks(cni::Client& client, const std::string& conf_dir,
                                 const std::vector<cni::AttachmentKey>& valid,
                                 std::vector<RecoverAction>& actions) {
  // The same rule as for create: a malformed file, or a name declared
  // twice, is reported (and nothing is collected) rather than passed over.
  auto nets = cni::load_networks(conf_dir);
  if (!nets) {
    // ENOENT: no configuration directory, so no network to collect.
    if (nets.error().errno_value() != ENOENT) {
      actions.push_back({"-", "read the network configurations in " + conf_dir, false,
                         nets.error().message()});
    }
    return;
  }
  for (const auto& net : *nets) {
    if (net.disable_gc || !net.cni_version.starts_with("1.1")) continue;
    // Reported only when it fails: GC does not say what it released.
    if (auto done = client.gc(net, valid); !done) {
      actions.push_back(
          {"-", "garbage-collect network " + net.name, false, done.error().message()});
    }
  }
}

}  // namespace

Result<cni::Client> Manager::Impl::cni_client() const { return cni::Client::open(config_.cni); }

Result<std::optional<cni::NetworkConfig>> Manager::Impl::resolve_network(
    const std::optional<std::string>& name) const {
  if (name && *name == "none") return std::optional<cni::NetworkConfig>();
  if (!name) {
    // The default: the first configuration, if there is any.
    auto files = cni::network_files(config_.cni_conf_dir);
    if (!files && files.error().errno_value() == ENOENT) return std::optional<cni::NetworkConfig>();
    if (!files) return std::unexpected(files.error());
    if (files->empty()) return std::optional<cni::NetworkConfig>();
  }
  PODNS_TRY(net, cni::load_network(config_.cni_conf_dir, name));
  return std::optional<cni::NetworkConfig>(std::move(net));
}

Result<NetworkAttachment> Manager::Impl::attachment(const Sandbox& s) const {
  PODNS_TRY(net, cni::parse_network(s.net_config, "the state database's copy of network " + s.net_name));
  PODNS_TRY(client, cni_client());
  return NetworkAttachment(std::move(client), s.id, s.netns_path(), std::move(net), s.net_state);
}

Result<void> Manager::Impl::attach(Sandbox& s, const cni::NetworkConfig& net, Rollback& rollback) {
  if (s.host_network) return invalid_argument("a host-network pod cannot have a CNI network");
  PODNS_TRY(client, cni_client());
  NetworkAttachment a(std::move(client), s.id, s.netns_path(), net);
  PODNS_CHECK(a.check_plugins());
  s.net_name = net.name;
  s.net_config = net.bytes;
  auto record = [&](NetState intent) -> Result<void> {
    s.net_state = intent;
    PODNS_CHECK(store_.update(s));
    // Recorded: a failed ADD may have done part of its work, and the undo
    // is DEL, always.
    rollback.add("detach network " + net.name, [this, &s] { return detach(s); });
    return {};
  };
  PODNS_TRY(shown, a.add(record));
  // Recorded with the sandbox's state (ready), by create.
  s.network = shown.dump();
  s.net_state = a.state();
  return {};
}

Result<void> Manager::Impl::detach(Sandbox& s) {
  if (s.net_state == NetState::none) return {};
  PODNS_TRY(a, attachment(s));
  auto record = [&](NetState intent) {
    s.net_state = intent;
    return store_.update(s);
  };
  using Netns = NetworkAttachment::Netns;
  PODNS_CHECK(a.del(record, live_netns(s).empty() ? Netns::gone : Netns::pinned));
  s.net_state = a.state();
  s.network.clear();
  return store_.update(s);
}

Result<void> Manager::Impl::keep_for_recover(const Sandbox& s) const {
  PODNS_TRY(a, attachment(s));
  return a.keep_for_recover();
}

Result<void> Manager::Impl::check(const std::string& id) {
  PODNS_TRY(s, inspect(id));
  // No network at all (none, or the host's): nothing to check.
  if (s.net_name.empty()) return {};
  // A network that should be there and is not: stopped, notready (its
  // namespaces gone), or halfway through attaching or detaching.
  if (s.state != SandboxState::ready || s.net_state != NetState::attached) {
    const std::string where = to_string(s.net_state);  // "" for none
    return plain_error(ENOTCONN, "sandbox " + id + " is " + to_string(s.state) + ": its network " +
                                     s.net_name + " is not attached" +
                                     (where.empty() ? "" : " (" + where + ")"));
  }
  PODNS_TRY(a, attachment(s));
  return a.check();
}

std::optional<Fd> Manager::Impl::held_if_orphaned(const std::string& id, const cni::CacheEntry& e) {
  // Not while the sandbox is being worked on (its lock is held), nor when
  // its row cannot be read.
  auto lock = store_.lock(id, /*wait=*/false);
  if (!lock) return std::nullopt;
  auto row = store_.get(id);
  if (!row || !made_here(e, id, config_.root, *row)) return std::nullopt;
  const std::optional<Sandbox>& s = *row;
  if (s && s->net_state != NetState::none && s->net_name == e.network_name) return std::nullopt;
  return std::move(*lock);
}

void Manager::Impl::collect_network_garbage(std::vector<RecoverAction>& actions) {
  auto client = cni_client();
  if (!client) {
    actions.push_back({"-", "open CNI client", false, client.error().message()});
    return;
  }
  auto entries = client->cache().list();
  if (!entries) {
    if (entries.error().errno_value() != ENOENT)
      actions.push_back({"-", "read the CNI cache", false, entries.error().message()});
    return;
  }
  // What GC must leave alone: every cached attachment but those released
  // below (other runtimes', other podns instances', our live ones), and every
  // attachment our database holds, also one whose ADD is still running and
  // so not cached yet.
  std::vector<cni::AttachmentKey> valid;
  if (auto rows = store_.list()) {
    for (const auto& s : *rows) {
      if (s.net_state != NetState::none) valid.push_back({s.id, cni::kPodIfname});
    }
  } else {
    actions.push_back({"-", "read the state database for GC", false, rows.error().message()});
    return;
  }
  for (const auto& e : *entries) {
    auto owner = NetworkAttachment::owner(e);
    std::optional<Fd> lock;
    if (owner) lock = held_if_orphaned(*owner, e);
    if (!owner || !lock) {
      valid.push_back({e.container_id, e.ifname});
      continue;
    }
    // Listed before an rm that held the lock, ran DEL and removed the row:
    // nothing is left to release (and nothing to report). An unreadable
    // entry is released as it was listed.
    if (auto still = client->cache().read(e.network_name, e.container_id, e.ifname);
        still && !still->has_value()) {
      continue;
    }
    auto net = cni::parse_network(e.config, "cached configuration of " + e.network_name);
    Result<void> done = net ? client->del(*net, {e.container_id, "", e.ifname, e.cni_args,
                                                 e.capability_args})
                            : Result<void>(std::unexpected(net.error()));
    actions.push_back({*owner, "released the CNI attachment of a removed sandbox (" +
                                   e.network_name + ", " + e.ifname + ")",
                       done.has_value(), done ? "" : done.error().message()});
  }
  collect_configured_networks(*client, config_.cni_conf_dir, valid, actions);
}

}  // namespace podns
