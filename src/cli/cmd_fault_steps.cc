// podns fault-steps: the steps PODNS_FAULT can name.
#include <cstdio>

#include "command.h"
#include "podns/fault.h"

namespace podns::cli {

void add_fault_steps(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand(
      "fault-steps",
      "List the steps at which PODNS_FAULT=STEP:error or STEP:crash injects a failure (for tests)");
  cmd->callback([&g] {
    for (auto step : fault::steps()) std::printf("%.*s\n", static_cast<int>(step.size()), step.data());
    g.exit_code = kOk;
  });
}

}  // namespace podns::cli
