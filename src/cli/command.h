// What every podns subcommand shares: the global options, the exit codes and
// how an error is shown.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "deferred_signals.h"
#include "exit.h"
#include "podns/error.h"
#include "podns/podns.h"

namespace podns::cli {


// Says on stderr "podns: interrupted by SIGNAME; WHAT" and returns the exit
// status for it, kSignalBase + sig.
int interrupted(int sig, const std::string& what);

struct Globals {
  Config config;
  std::vector<std::string> cni_bin_dirs;  // overrides config.cni.bin_dirs when given
  // As given; parsed and checked by open_manager (into config) when given.
  std::string cni_timeout;  // seconds
  std::string pool_first, pool_last;
  const CLI::Option* cni_timeout_opt = nullptr;
  const CLI::Option* pool_first_opt = nullptr;
  const CLI::Option* pool_last_opt = nullptr;
  int exit_code = kOk;
  // Said before the error when standard output cannot be written (what the
  // command did all the same); see main.cc.
  std::string write_note;
};

// The Config the global options give, every value checked
// (validate_config); invalid input when one is wrong.
Result<Config> config_from(const Globals& g);

// Prints "podns: <message>" to stderr; returns kUsage for invalid input,
// kFailed otherwise.
int fail(const Error& e);

// Opens the manager with config_from(g); prints and sets the exit code on
// failure.
std::optional<Manager> open_manager(Globals& g);

// Prints JSON (two-space indented) and a newline to stdout. Write errors
// are found when main flushes stdout at the end: exit 1, "podns: write
// error: ...".
void print_json(const nlohmann::json& j);

// Each subcommand adds itself to the app; its callback sets g.exit_code.
void add_create(CLI::App& app, Globals& g);
void add_inspect(CLI::App& app, Globals& g);
void add_ls(CLI::App& app, Globals& g);
void add_rm(CLI::App& app, Globals& g);
void add_userns_of(CLI::App& app, Globals& g);
void add_spec(CLI::App& app, Globals& g);
void add_stop(CLI::App& app, Globals& g);
void add_recover(CLI::App& app, Globals& g);
void add_fault_steps(CLI::App& app, Globals& g);
void add_check(CLI::App& app, Globals& g);
void add_verify(CLI::App& app, Globals& g);
void add_exec(CLI::App& app, Globals& g);
// Hidden: the man pages and the bash completion, for the build.
void add_doc(CLI::App& app, Globals& g);
void add_pinns(CLI::App& app, Globals& g);

}  // namespace podns::cli
