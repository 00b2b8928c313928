// podns rm ID
#include "command.h"

namespace podns::cli {

void add_rm(CLI::App& app, Globals& g) {
  auto id = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("rm", "Unpin a sandbox's namespaces and forget it");
  cmd->add_option("ID", *id, "Sandbox ID")->required();
  cmd->callback([id, &g] {
    auto m = open_manager(g);
    if (!m) return;
    if (auto r = m->remove(*id); !r) g.exit_code = fail(r.error());
  });
}

}  // namespace podns::cli
