// podns recover [--json]
#include <cstdio>

#include "command.h"

namespace podns::cli {

void add_recover(CLI::App& app, Globals& g) {
  auto json = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand(
      "recover",
      "Reconcile state with what exists: roll back interrupted creates, finish removals, mark\n"
      "sandboxes whose namespaces vanished notready, remove pins no sandbox owns. Safe to run\n"
      "at any time and more than once (at boot, see packaging/podns-recover.service)");
  cmd->add_flag("--json", *json, "Print the actions as a JSON array");
  cmd->callback([json, &g] {
    auto m = open_manager(g);
    if (!m) return;
    auto actions = m->recover();
    if (!actions) {
      g.exit_code = fail(std::move(actions.error()).context("recover"));
      return;
    }
    bool all_ok = true;
    nlohmann::json out = nlohmann::json::array();
    for (const auto& a : *actions) {
      all_ok = all_ok && a.ok;
      nlohmann::json j{{"sandbox", a.sandbox}, {"action", a.action}, {"ok", a.ok}};
      if (!a.ok) j["error"] = a.error;
      out.push_back(j);
      if (!*json) {
        if (a.ok) {
          std::printf("%s: %s\n", a.sandbox.c_str(), a.action.c_str());
        } else {
          (void)std::fprintf(stderr, "podns: recover %s: %s failed: %s\n", a.sandbox.c_str(),
                             a.action.c_str(), a.error.c_str());
        }
      }
    }
    if (*json) print_json(out);
    if (!all_ok) g.exit_code = kFailed;
  });
}

}  // namespace podns::cli
