// podns userns-of PATH: which user namespace owns the network namespace at PATH.
#include "command.h"
#include "podns/json.h"
#include "podns/nsfs.h"

namespace podns::cli {
namespace {

Result<nlohmann::json> describe_owner(const std::string& path) {
  PODNS_TRY(netns, nsfs::open(path, nsfs::Type::net));
  PODNS_TRY(net_id, nsfs::id(netns));
  PODNS_TRY(userns, nsfs::owning_userns(netns));
  PODNS_TRY(user_id, nsfs::id(userns));
  PODNS_TRY(owner, nsfs::owner_uid(userns));
  PODNS_TRY(initial, nsfs::is_initial_userns(userns));
  PODNS_TRY(maps, nsfs::read_maps(userns));
  return nlohmann::json{{"netns", path},
                        {"netns_inode", net_id.ino},
                        {"userns_inode", user_id.ino},
                        {"owner_uid", owner},
                        {"initial", initial},
                        {"uid_mappings", to_json(maps.uid)},
                        {"gid_mappings", to_json(maps.gid)}};
}

}  // namespace

void add_userns_of(CLI::App& app, Globals& g) {
  auto path = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(
      "userns-of", "Print the user namespace that owns the network namespace at PATH, as JSON");
  cmd->add_option("PATH", *path, "A network namespace file (a pin, /run/netns/X, /proc/PID/ns/net)")
      ->required();
  cmd->callback([path, &g] {
    auto j = describe_owner(*path);
    if (!j) {
      g.exit_code = fail(std::move(j.error()).context("userns-of"));
      return;
    }
    print_json(*j);
  });
}

}  // namespace podns::cli
