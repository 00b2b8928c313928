// podns create ID (--userns MAPS | --uidmap MAPS --gidmap MAPS | --no-userns)
#include <cstdio>

#include "command.h"
#include "podns/json.h"
#include "podns/sysctl.h"

namespace podns::cli {

namespace {

struct Opts {
  std::string id, userns, uidmap, gidmap;
  bool no_userns = false;
  bool allow_host_root = false;
  bool allow_overlap = false;
  bool host_network = false, ipc = false, uts = false, no_default_sysctls = false;
  bool ip_netns = false;
  bool owned_by_pod = false;
  bool timings = false;
  std::string hostname;
  std::vector<std::string> sysctls;
  std::string network;
};

// auto or auto:SIZE: the size of the automatic range.
Result<std::uint32_t> parse_auto(const std::string& text) {
  if (text == "auto") return UsernsChoice::kDefaultAutoSize;
  auto n = text.starts_with("auto:") ? parse_id_map("0:0:" + text.substr(5))
                                     : Result<IdMap>(invalid_argument("x"));
  if (!n) return invalid_argument("--userns " + text + ": want auto or auto:SIZE (1..4294967294)");
  return (*n)[0].size;
}

// The library's options from the command line's; `given` says which of
// --userns, --uidmap and --network were on it.
struct Given {
  bool userns, uidmap, network, hostname;
};

Result<CreateOptions> options_from(const Opts& o, Given given) {
  if (!given.userns && !given.uidmap && !o.no_userns) {
    return invalid_argument(
        "create: give the pod's maps (--userns MAPS, or --uidmap MAPS --gidmap MAPS) or "
        "--no-userns");
  }
  if (given.hostname && o.hostname.empty()) return invalid_argument("--hostname is empty");
  CreateOptions opts;
  opts.id = o.id;
  opts.allow_host_root = o.allow_host_root;
  opts.allow_overlap = o.allow_overlap;
  opts.userns_owned_by_pod = o.owned_by_pod;
  opts.host_network = o.host_network;
  if (given.network) opts.network = o.network;
  opts.ipc = o.ipc;
  opts.ip_netns = o.ip_netns;
  opts.uts = o.uts;
  opts.hostname = o.hostname;
  opts.default_sysctls = !o.no_default_sysctls;
  for (const auto& text : o.sysctls) {
    PODNS_TRY_CTX(setting, sysctl::parse(text), "--sysctl");
    opts.sysctls.push_back(std::move(setting));
  }
  if (given.userns && o.userns.starts_with("auto")) {
    PODNS_TRY(size, parse_auto(o.userns));
    opts.userns = UsernsChoice::automatic(size);
  } else if (!o.no_userns) {
    PODNS_TRY_CTX(uid, parse_id_map(given.userns ? o.userns : o.uidmap),
                  given.userns ? "--userns" : "--uidmap");
    PODNS_TRY_CTX(gid, parse_id_map(given.userns ? o.userns : o.gidmap),
                  given.userns ? "--userns" : "--gidmap");
    opts.userns = UsernsChoice::with_maps({std::move(uid), std::move(gid)});
  }
  return opts;
}

// A create that a signal interrupted is undone: a failed one undid itself
// (said here), a finished one is removed, with force when its network
// cannot be detached (what was not undone is then said, as `rm --force`
// says it). Returns what happened, for interrupted().
std::string undo_create(Manager& m, const Result<Sandbox>& s) {
  if (!s) {
    (void)fail(s.error());
    return "create had failed (above); nothing of it is left";
  }
  if (m.remove(s->id)) return "sandbox " + s->id + " was created, and is removed";
  auto left = m.force_remove(s->id);
  if (!left) return "sandbox " + s->id + " was created; removing it failed: " + left.error().message();
  for (const auto& e : *left) {
    (void)std::fprintf(stderr, "podns: create %s, undone: not undone: %s\n", s->id.c_str(),
                       e.message().c_str());
  }
  return "sandbox " + s->id + " was created, and is removed (not all of it undone: above)";
}

}  // namespace

void add_create(CLI::App& app, Globals& g) {
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("create", "Create a sandbox's namespaces, pin them, print its JSON");
  cmd->add_option("ID", o->id, "Sandbox ID: [A-Za-z0-9][A-Za-z0-9_.-]*, at most 128 characters")
      ->required();
  auto* userns = cmd->add_option("--userns", o->userns,
                                 "uid and gid maps, CONTAINER:HOST:SIZE[,...] (the same for both); or auto[:SIZE] "
                                 "for a free host range of SIZE (65536) IDs from the pool");
  auto* uidmap = cmd->add_option("--uidmap", o->uidmap, "uid map, CONTAINER:HOST:SIZE[,...]");
  auto* gidmap = cmd->add_option("--gidmap", o->gidmap, "gid map, CONTAINER:HOST:SIZE[,...]");
  auto* none = cmd->add_flag("--no-userns", o->no_userns,
                             "No user namespace: a network namespace owned by the host's");
  cmd->add_flag("--allow-host-root", o->allow_host_root,
                "Allow maps that include host uid or gid 0 (refused by default)");
  cmd->add_flag("--userns-owned-by-pod", o->owned_by_pod,
                "Create the user namespace as the pod's first host uid instead of root, so that "
                "per-user kernel limits are charged to the pod");
  cmd->add_flag("--timings", o->timings,
                "Add \"timings\" to the output: the microseconds spent in each stage, in order");
  cmd->add_flag("--allow-overlap", o->allow_overlap,
                "Allow host ranges that overlap another sandbox's (refused by default)");
  auto* network = cmd->add_option(
      "--network", o->network,
      "CNI network to attach on eth0 (with loopback on lo); \"none\" for none. Default: the "
      "first configuration in --cni-conf-dir, if any");
  cmd->add_flag("--host-network", o->host_network,
                "No network namespace: the pod uses the host's network (its user namespace is "
                "still its own)");
  cmd->add_flag("--ip-netns", o->ip_netns,
                "Also pin the netns as /run/netns/ID, for ip netns list and ip netns exec");
  cmd->add_flag("--ipc", o->ipc, "Pin an IPC namespace owned by the pod's user namespace");
  cmd->add_flag("--uts", o->uts, "Pin a UTS namespace owned by the pod's user namespace");
  auto* hostname = cmd->add_option("--hostname", o->hostname,
                                   "The pod's hostname, an RFC 1123 host name (needs --uts)");
  cmd->add_option("--sysctl", o->sysctls,
                  "KEY=VALUE: a network sysctl (net.*) set inside the pod's netns before its "
                  "network is attached; repeatable")
      ->take_all()
      ->allow_extra_args(false);
  cmd->add_flag("--no-default-sysctls", o->no_default_sysctls,
                "Do not set net.ipv4.ping_group_range to the pod's gids");
  userns->excludes(uidmap)->excludes(gidmap)->excludes(none);
  none->excludes(uidmap)->excludes(gidmap);
  uidmap->needs(gidmap);
  gidmap->needs(uidmap);

  cmd->callback([o, &g, userns, uidmap, network, hostname] {
    auto opts = options_from(*o, {userns->count() != 0, uidmap->count() != 0,
                                  network->count() != 0, hostname->count() != 0});
    if (!opts) {
      g.exit_code = fail(opts.error());
      return;
    }
    const DeferredSignals signals;
    auto m = open_manager(g);
    if (!m) return;
    auto s = m->create(*opts);
    if (int sig = signals.arrived(); sig != 0) {
      g.exit_code = interrupted(sig, undo_create(*m, s));
      return;
    }
    if (!s) {
      g.exit_code = fail(s.error());
      return;
    }
    auto j = to_json(*s);
    if (o->timings) j["timings"] = to_json(s->timings);
    // The sandbox exists whether or not its JSON reaches anyone: it is kept,
    // and `podns inspect` shows it again.
    g.write_note = "sandbox " + s->id + " was created and is kept, but its JSON could not be written";
    print_json(j);
  });
}

}  // namespace podns::cli
