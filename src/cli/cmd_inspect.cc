// podns inspect ID
#include "command.h"
#include "podns/json.h"

namespace podns::cli {

void add_inspect(CLI::App& app, Globals& g) {
  auto id = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("inspect", "Print one sandbox as JSON");
  cmd->add_option("ID", *id, "Sandbox ID")->required();
  cmd->callback([id, &g] {
    auto m = open_manager(g);
    if (!m) return;
    auto s = m->inspect(*id);
    if (!s) {
      g.exit_code = fail(s.error());
      return;
    }
    print_json(to_json(*s));
  });
}

}  // namespace podns::cli
