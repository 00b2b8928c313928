// podns create ID (--userns MAPS | --uidmap MAPS --gidmap MAPS | --no-userns)
#include "command.h"
#include "podns/json.h"

namespace podns::cli {

void add_create(CLI::App& app, Globals& g) {
  struct Opts {
    std::string id, userns, uidmap, gidmap;
    bool no_userns = false;
    bool allow_host_root = false;
    bool allow_overlap = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("create", "Create a sandbox's namespaces, pin them, print its JSON");
  cmd->add_option("ID", o->id, "Sandbox ID: [A-Za-z0-9][A-Za-z0-9_.-]*, at most 128 characters")
      ->required();
  auto* userns = cmd->add_option("--userns", o->userns,
                                 "uid and gid maps, CONTAINER:HOST:SIZE[,...] (the same for both)");
  auto* uidmap = cmd->add_option("--uidmap", o->uidmap, "uid map, CONTAINER:HOST:SIZE[,...]");
  auto* gidmap = cmd->add_option("--gidmap", o->gidmap, "gid map, CONTAINER:HOST:SIZE[,...]");
  auto* none = cmd->add_flag("--no-userns", o->no_userns,
                             "No user namespace: a network namespace owned by the host's");
  cmd->add_flag("--allow-host-root", o->allow_host_root,
                "Allow maps that include host uid or gid 0 (refused by default)");
  cmd->add_flag("--allow-overlap", o->allow_overlap,
                "Allow host ranges that overlap another sandbox's (refused by default)");
  userns->excludes(uidmap)->excludes(gidmap)->excludes(none);
  none->excludes(uidmap)->excludes(gidmap);
  uidmap->needs(gidmap);
  gidmap->needs(uidmap);

  cmd->callback([o, &g, userns, uidmap, none] {
    if (userns->count() == 0 && uidmap->count() == 0 && none->count() == 0) {
      g.exit_code = fail(Error::invalid_input(
          "create: give the pod's maps (--userns MAPS, or --uidmap MAPS --gidmap MAPS) or "
          "--no-userns"));
      return;
    }
    CreateOptions opts;
    opts.id = o->id;
    opts.allow_host_root = o->allow_host_root;
    opts.allow_overlap = o->allow_overlap;
    if (!o->no_userns) {
      auto uid = parse_id_map(userns->count() ? o->userns : o->uidmap);
      if (!uid) {
        g.exit_code = fail(std::move(uid.error()).context(userns->count() ? "--userns" : "--uidmap"));
        return;
      }
      auto gid = parse_id_map(userns->count() ? o->userns : o->gidmap);
      if (!gid) {
        g.exit_code = fail(std::move(gid.error()).context("--gidmap"));
        return;
      }
      opts.userns = nsfs::Maps{std::move(*uid), std::move(*gid)};
    }
    auto m = open_manager(g);
    if (!m) return;
    auto s = m->create(opts);
    if (!s) {
      g.exit_code = fail(s.error());
      return;
    }
    print_json(to_json(*s));
  });
}

}  // namespace podns::cli
