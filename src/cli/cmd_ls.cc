// podns ls [--json]
#include <cstdio>

#include "command.h"
#include "podns/json.h"

namespace podns::cli {

void add_ls(CLI::App& app, Globals& g) {
  auto json = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("ls", "List sandboxes: a table, or a JSON array with --json");
  cmd->add_flag("--json", *json, "An array of the inspect objects");
  cmd->callback([json, &g] {
    auto m = open_manager(g);
    if (!m) return;
    auto all = m->list();
    if (!all) {
      g.exit_code = fail(all.error());
      return;
    }
    if (*json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& s : *all) out.push_back(to_json(s));
      print_json(out);
      return;
    }
    std::printf("%-24s %-9s %-22s %s\n", "ID", "STATE", "UID MAP", "NETNS");
    for (const auto& s : *all) {
      std::string map = s.has_userns ? to_string(s.uid_map) : "-";
      std::string netns = s.host_network ? "host" : s.netns_path();
      std::printf("%-24s %-9s %-22s %s\n", s.id.c_str(), to_string(s.state), map.c_str(),
                  netns.c_str());
    }
  });
}

}  // namespace podns::cli
