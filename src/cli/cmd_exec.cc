// podns exec [--keep-path] ID -- CMD [ARG...]: run a command as the pod's
// root inside its namespaces, the way `ip netns exec` does for a plain netns.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "command.h"
#include "podns/enter.h"

namespace podns::cli {
namespace {

// The PATH the command runs with unless --keep-path: the caller's may name
// directories the pod's root cannot search (its home, 0700), which turn
// "not found" into "Permission denied".
constexpr const char* kPodPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Whether `name` is a file that exists, as execvp would look for it: itself
// when it holds a '/', else in a directory of PATH.
bool exists_for_exec(const std::string& name) {
  struct stat st;
  if (name.find('/') != std::string::npos) return ::stat(name.c_str(), &st) == 0;
  const char* env = std::getenv("PATH");
  const std::string path = env ? env : "/bin:/usr/bin";  // execvp's default
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t colon = path.find(':', start);
    std::string dir = path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    std::string file = (dir.empty() ? "." : dir) + "/" + name;
    if (::stat(file.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) return true;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return false;
}

}  // namespace

void add_exec(CLI::App& app, Globals& g) {
  struct Opts {
    std::string id;
    std::vector<std::string> cmd;
    bool keep_path = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand(
      "exec",
      "Run CMD as the pod's root in its user, network, IPC and UTS namespaces, with the pod's "
      "own sysfs on /sys (like ip netns exec). Exit: CMD's, 127 if it is not found, 126 if it "
      "cannot be run");
  cmd->add_option("ID", o->id, "Sandbox ID")->required();
  cmd->add_option("CMD", o->cmd, "The command and its arguments (after --)")->required();
  // The directories one by one, so that the help (and its man page) can
  // break the line between them.
  std::string dirs = kPodPath;
  for (std::size_t at = 0; (at = dirs.find(':', at)) != std::string::npos; at += 2)
    dirs.replace(at, 1, ", ");
  cmd->add_flag("--keep-path", o->keep_path,
                "Look CMD up in the caller's PATH, and pass it on; by default the command runs "
                "with a standard PATH, the directories " + dirs);
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
    // NOLINTNEXTLINE(concurrency-mt-unsafe): one thread, and exec replaces the process next
    if (!o->keep_path && ::setenv("PATH", kPodPath, 1) < 0) {
      g.exit_code = fail(sys_error("exec in sandbox " + o->id + ": set PATH").error());
      return;
    }
    std::vector<char*> argv;
    for (auto& a : o->cmd) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    int err = errno;
    // As a shell says it: 127 when there is no such command (also when a
    // PATH directory could not be searched and the command is nowhere
    // else), 126 when it is there but cannot be run.
    const std::string what = "exec in sandbox " + o->id + ": " + o->cmd[0];
    if (err == ENOENT || err == ENOTDIR || (err == EACCES && !exists_for_exec(o->cmd[0]))) {
      (void)std::fprintf(stderr, "podns: %s: not found\n", what.c_str());
      g.exit_code = 127;
      return;
    }
    fail(Error(err, what));
    g.exit_code = 126;
  });
}

}  // namespace podns::cli
