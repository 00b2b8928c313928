// podns: the command line over libpodns. One file per subcommand.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <system_error>

#include "command.h"
#include "pinns.h"
#include "podns/version.h"

namespace {

using namespace podns::cli;

// Coreutils' rule: a command whose output could not be written has failed.
// Everything printed so far is flushed here, once, at the end.
int check_output(int code, const std::string& note) {
  // std::cout writes through stdout (synced with stdio): its flush is
  // stdout's, and the first failure's errno is the one to tell.
  errno = 0;
  std::cout.flush();
  int err = errno;
  if (std::fflush(stdout) != 0 && err == 0) err = errno;
  bool failed = std::ferror(stdout) != 0 || !std::cout;
  if (!failed) return code;
  std::string why = err != 0 ? std::generic_category().message(err) : "output lost";
  (void)std::fprintf(stderr, "podns: write error: %s%s\n", note.empty() ? "" : (note + ": ").c_str(),
                     why.c_str());
  return kFailed;
}

int parse_and_run(CLI::App& app, Globals& g, int argc, char** argv);

int run(int argc, char** argv) {
  CLI::App app{
      "podns: the namespaces of a pod sandbox, made right for a pod with its own user namespace.\n"
      "Creates the pod's user namespace, a network namespace owned by it, pins both under\n"
      "ROOT/ID/, and keeps the sandbox's state."};
  app.name("podns");
  app.require_subcommand(1);
  app.set_version_flag("--version", "podns " PODNS_VERSION, "Print the version and exit");
  // Global options are accepted after the subcommand too (`podns create X
  // --root R`): a subcommand passes what it does not know up to this app.
  // Set before the subcommands are added, which inherit it.
  app.fallthrough();
  Globals g;
  app.add_option("--root", g.config.root,
                 "Pin root: a tmpfs (mounted on first use) holding ROOT/ID/")
      ->capture_default_str();
  app.add_option("--state-dir", g.config.state_dir, "Directory of the state database")
      ->capture_default_str();
  app.add_option("--cni-conf-dir", g.config.cni_conf_dir,
                 "Directory of CNI network configurations (.conflist, .conf)")
      ->capture_default_str();
  app.add_option("--cni-bin-dir", g.cni_bin_dirs,
                 "Directory of CNI plugins (repeatable, or colon-separated; default "
                 "/usr/lib/cni:/opt/cni/bin); plugins are looked up nowhere else")
      ->take_all();
  app.add_option("--cni-cache-dir", g.config.cni.cache_dir,
                 "CNI result cache (RESULTS under it, as libcni lays it out)")
      ->capture_default_str();
  g.pool_first_opt = app.add_option("--auto-pool-first", g.pool_first,
                                    "First host ID of the pool for --userns auto (default " +
                                        std::to_string(g.config.auto_pool.first) + ")");
  g.pool_last_opt = app.add_option("--auto-pool-last", g.pool_last,
                                   "Last host ID of the pool for --userns auto (default " +
                                       std::to_string(g.config.auto_pool.last) + ")");
  g.cni_timeout_opt = app.add_option("--cni-timeout", g.cni_timeout,
                                     "Seconds a CNI plugin may run, above 0 (default 60)");

  add_create(app, g);
  add_inspect(app, g);
  add_ls(app, g);
  add_rm(app, g);
  add_userns_of(app, g);
  add_spec(app, g);
  add_stop(app, g);
  add_recover(app, g);
  add_fault_steps(app, g);
  add_check(app, g);
  add_verify(app, g);
  add_exec(app, g);
  add_doc(app, g);
  add_pinns(app, g);
  int code = parse_and_run(app, g, argc, argv);
  return check_output(code, g.write_note);
}

int parse_and_run(CLI::App& app, Globals& g, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // A word where a subcommand should be: name it (CLI11 says only that a
    // subcommand is required, or lists it among extra arguments).
    bool no_subcommand = dynamic_cast<const CLI::RequiredError*>(&e) != nullptr ||
                         dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr;
    if (no_subcommand && app.get_subcommands().empty()) {
      for (const auto& word : app.remaining()) {
        if (word.empty() || word[0] == '-') continue;
        (void)std::fprintf(stderr, "podns: unknown subcommand: %s\nRun with --help for more information.\n",
                           word.c_str());
        return kUsage;
      }
    }
    app.exit(e);  // prints the message and a hint to stderr
    return kUsage;
  }
  return g.exit_code;
}

// Started as CRI-O's pinns: the basename of argv[0] is "pinns".
bool started_as_pinns(const char* argv0) {
  if (argv0 == nullptr) return false;
  const char* slash = std::strrchr(argv0, '/');
  return std::string_view(slash ? slash + 1 : argv0) == "pinns";
}

}  // namespace

int main(int argc, char** argv) {
  // Errors are values in libpodns; what still throws (std::bad_alloc, a bug)
  // is reported as a failure rather than an abort.
  try {
    // CRI-O runs pinns for every pod: it goes straight to its parser,
    // without building the CLI11 app of every other subcommand.
    if (argc > 0 && started_as_pinns(argv[0])) podns::cli::run_pinns_and_exit(argc, argv);
    if (argc > 1 && std::string_view(argv[1]) == "pinns")
      podns::cli::run_pinns_and_exit(argc - 1, argv + 1);
    return run(argc, argv);
  } catch (const std::exception& e) {
    (void)std::fprintf(stderr, "podns: %s\n", e.what());
  } catch (...) {
    (void)std::fprintf(stderr, "podns: unknown exception\n");
  }
  return podns::cli::kFailed;
}
