// podns: the command line over libpodns. One file per subcommand.
#include <cstdio>

#include "command.h"

int main(int argc, char** argv) {
  using namespace podns::cli;
  CLI::App app{
      "podns: the namespaces of a pod sandbox, made right for a pod with its own user namespace.\n"
      "Creates the pod's user namespace, a network namespace owned by it, pins both under\n"
      "ROOT/ID/, and keeps the sandbox's state."};
  app.name("podns");
  app.require_subcommand(1);
  Globals g;
  app.add_option("--root", g.root, "Pin root: a tmpfs (mounted on first use) holding ROOT/ID/")
      ->capture_default_str();
  app.add_option("--state-dir", g.state_dir, "Directory of the state database")
      ->capture_default_str();

  add_create(app, g);
  add_inspect(app, g);
  add_ls(app, g);
  add_rm(app, g);
  add_userns_of(app, g);
  add_stop(app, g);
  add_recover(app, g);
  add_fault_steps(app, g);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // prints the message and a hint to stderr
    return kUsage;
  }
  return g.exit_code;
}
