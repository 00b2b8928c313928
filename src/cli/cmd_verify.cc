// podns verify NETNS_PATH USERNS_PATH: exit 0 only if the user namespace at
// the second path owns the network namespace at the first, compared by
// device and inode, so that a runtime or a script can check before it joins.
#include <cstdio>

#include "command.h"
#include "podns/nsfs.h"

namespace podns::cli {
namespace {

// Empty when `userns` owns `netns`; otherwise why not.
Result<std::string> mismatch(const std::string& netns_path, const std::string& userns_path) {
  PODNS_TRY(netns, nsfs::open(netns_path, nsfs::Type::net));
  PODNS_TRY(userns, nsfs::open(userns_path, nsfs::Type::user));
  PODNS_TRY(owner, nsfs::owning_userns(netns));
  PODNS_TRY(owner_id, nsfs::id(owner));
  PODNS_TRY(user_id, nsfs::id(userns));
  if (owner_id == user_id) return std::string();
  return "the network namespace at " + netns_path + " is owned by user namespace " +
         std::to_string(owner_id.ino) + ", not by " + userns_path + " (" +
         std::to_string(user_id.ino) + ")";
}

}  // namespace

void add_verify(CLI::App& app, Globals& g) {
  auto paths = std::make_shared<std::pair<std::string, std::string>>();
  auto* cmd = app.add_subcommand(
      "verify",
      "Exit 0 only if the user namespace at USERNS_PATH owns the network namespace at "
      "NETNS_PATH (by device and inode)");
  cmd->add_option("NETNS_PATH", paths->first, "A network namespace file")->required();
  cmd->add_option("USERNS_PATH", paths->second, "A user namespace file")->required();
  cmd->callback([paths, &g] {
    auto why = mismatch(paths->first, paths->second);
    if (!why) {
      g.exit_code = fail(std::move(why.error()).context("verify"));
    } else if (!why->empty()) {
      (void)std::fprintf(stderr, "podns: verify: %s\n", why->c_str());
      g.exit_code = kFailed;
    }
  });
}

}  // namespace podns::cli
