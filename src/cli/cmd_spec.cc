// podns spec ID [--bundle DIR]: make an OCI container join the sandbox.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include "command.h"
#include "podns/atomic_file.h"
#include "podns/file.h"
#include "podns/spec.h"

namespace podns::cli {
namespace {

// Standard input to standard output.
Result<void> filter(const Sandbox& s) {
  int raw = ::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0);
  if (raw < 0) return sys_error("dup", "standard input");
  PODNS_TRY(config, file::read_all(Fd(raw), "standard input", atomic_file::kMaxSize));
  PODNS_TRY(out, spec::join_sandbox(config, s));
  // A write error is found and reported when main flushes stdout.
  (void)std::fwrite(out.data(), 1, out.size(), stdout);
  return {};
}

}  // namespace

void add_spec(CLI::App& app, Globals& g) {
  auto id = std::make_shared<std::string>();
  auto bundle = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(
      "spec",
      "Make an OCI container join a sandbox: set its user and network namespaces to the pins\n"
      "and its uidMappings/gidMappings to the pod's maps. Rewrites BUNDLE/config.json in place\n"
      "(atomically), or without --bundle reads a config on stdin and writes it to stdout.");
  cmd->add_option("ID", *id, "Sandbox ID")->required();
  auto* in_bundle =
      cmd->add_option("--bundle", *bundle, "OCI bundle directory whose config.json is rewritten");
  cmd->callback([id, bundle, in_bundle, &g] {
    auto m = open_manager(g);
    if (!m) return;
    auto s = m->inspect(*id);
    if (!s) {
      g.exit_code = fail(s.error());
      return;
    }
    Result<void> done;
    if (in_bundle->count() == 0) {
      done = filter(*s);
    } else {
      const std::string path = *bundle + "/config.json";
      done = atomic_file::rewrite(*bundle, "config.json",
                                  [&](const std::string& old) -> Result<std::string> {
                                    auto out = spec::join_sandbox(old, *s);
                                    if (!out)
                                      return std::unexpected(std::move(out.error()).context(path));
                                    return out;
                                  });
    }
    if (!done) g.exit_code = fail(std::move(done.error()).context("spec"));
  });
}

}  // namespace podns::cli
