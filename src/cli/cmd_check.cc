// podns check ID: CNI CHECK of the sandbox's network.
#include "command.h"

namespace podns::cli {

void add_check(CLI::App& app, Globals& g) {
  auto id = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(
      "check", "Ask the sandbox's CNI plugins whether its network is as they set it up (CHECK)");
  cmd->add_option("ID", *id, "Sandbox ID")->required();
  cmd->callback([id, &g] {
    auto m = open_manager(g);
    if (!m) return;
    if (auto r = m->check(*id); !r) g.exit_code = fail(std::move(r.error()).context("check " + *id));
  });
}

}  // namespace podns::cli
