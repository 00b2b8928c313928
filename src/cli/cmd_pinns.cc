// `podns pinns ARGS...` as a CLI11 subcommand: for a command line that has
// global options before `pinns` (main() runs pinns.cc directly otherwise).
#include <string>
#include <vector>

#include "command.h"
#include "pinns.h"

namespace podns::cli {

void add_pinns(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand(
      "pinns",
      "CRI-O's pinns command line: make a pod's namespaces and pin them at DIR/<type>ns/NAME "
      "(`podns pinns --help`; the podns binary started as `pinns` does the same)");
  cmd->prefix_command();
  // Every word after `pinns` is pinns's own: none goes up to the global
  // options, as the other subcommands' unknown words do.
  cmd->fallthrough(false);
  cmd->set_help_flag();  // --help goes to pinns's own parser
  cmd->callback([cmd, &g] {
    std::vector<std::string> rest = cmd->remaining();
    std::vector<char*> argv{const_cast<char*>("pinns")};
    for (auto& a : rest) argv.push_back(a.data());
    argv.push_back(nullptr);
    g.exit_code = run_pinns(static_cast<int>(argv.size() - 1), argv.data());
  });
}

}  // namespace podns::cli
