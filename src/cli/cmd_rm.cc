// podns rm [--force] ID
#include <cstdio>

#include "command.h"

namespace podns::cli {

void add_rm(CLI::App& app, Globals& g) {
  struct Opts {
    std::string id;
    bool force = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("rm", "Unpin a sandbox's namespaces and forget it");
  cmd->add_option("ID", o->id, "Sandbox ID")->required();
  cmd->add_flag("--force", o->force,
                "Remove it even when its network cannot be detached (CNI DEL fails, e.g. its "
                "plugin is gone): the pins, the directory and the record go; what could not be "
                "undone is printed, and the CNI cache entry is kept so that `podns recover` "
                "releases the address later. Exit 0 when the sandbox is gone");
  cmd->callback([o, &g] {
    const DeferredSignals signals;
    auto m = open_manager(g);
    if (!m) return;
    if (!o->force) {
      if (auto r = m->remove(o->id); !r) g.exit_code = fail(r.error());
    } else if (auto left = m->force_remove(o->id); !left) {
      g.exit_code = fail(left.error());
    } else {
      // The sandbox is gone (exit 0); what it left is said, on stderr.
      for (const auto& e : *left) {
        (void)std::fprintf(stderr, "podns: rm --force %s: not undone: %s\n", o->id.c_str(),
                           e.message().c_str());
      }
    }
    if (int sig = signals.arrived(); sig != 0) {
      g.exit_code = interrupted(sig, g.exit_code == kOk ? "rm had finished: sandbox " + o->id +
                                                              " is removed"
                                                        : "rm had failed (above)");
    }
  });
}

}  // namespace podns::cli
