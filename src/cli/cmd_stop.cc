// podns stop ID
#include "command.h"
#include "podns/json.h"

namespace podns::cli {

void add_stop(CLI::App& app, Globals& g) {
  auto id = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(
      "stop", "Detach a sandbox's network (CNI DEL) and mark it stopped; its pins are kept");
  cmd->add_option("ID", *id, "Sandbox ID")->required();
  cmd->callback([id, &g] {
    const DeferredSignals signals;
    auto m = open_manager(g);
    if (!m) return;
    auto s = m->stop(*id);
    if (!s) {
      g.exit_code = fail(s.error());
    } else {
      print_json(to_json(*s));
    }
    if (int sig = signals.arrived(); sig != 0) {
      g.exit_code = interrupted(sig, s ? "stop had finished: sandbox " + *id + " is stopped"
                                       : "stop had failed (above)");
    }
  });
}

}  // namespace podns::cli
