// podns exec ID -- CMD [ARG...]: run a command as the pod's root inside its
// namespaces, the way `ip netns exec` does for a plain netns.
#include <unistd.h>

#include <cerrno>

#include "command.h"
#include "podns/enter.h"

namespace podns::cli {

void add_exec(CLI::App& app, Globals& g) {
  struct Opts {
    std::string id;
    std::vector<std::string> cmd;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand(
      "exec",
      "Run CMD as the pod's root in its user, network, IPC and UTS namespaces, with the pod's "
      "own sysfs on /sys (like ip netns exec)");
  cmd->add_option("ID", o->id, "Sandbox ID")->required();
  cmd->add_option("CMD", o->cmd, "The command and its arguments (after --)")->required();
  cmd->callback([o, &g] {
    std::optional<Sandbox> s;
    {
      auto m = open_manager(g);
      if (!m) return;
      auto found = m->inspect(o->id);
      if (!found) {
        g.exit_code = fail(found.error());
        return;
      }
      s = std::move(*found);
    }  // the database is closed before entering: nothing of ours stays open
    if (auto r = enter(*s); !r) {
      g.exit_code = fail(std::move(r.error()).context("exec in sandbox " + o->id));
      return;
    }
    std::vector<char*> argv;
    for (auto& a : o->cmd) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    int err = errno;
    fail(Error(err, "exec in sandbox " + o->id + ": " + argv[0]));
    g.exit_code = err == ENOENT ? 127 : 126;
  });
}

}  // namespace podns::cli
