// The OCI runtimes as the end-to-end tests drive them: runc and crun with a
// state directory of the test's own, containers that are always deleted,
// bundles made by scripts/lib/bundle.sh, and host network namespaces for the
// negative control.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "process.h"

namespace podns::e2e {

// The runtimes under test.
inline const std::vector<std::string> kRuntimes = {"runc", "crun"};

class Runtime {
 public:
  // `name` is "runc" or "crun"; its state goes to `state_dir` (--root).
  Runtime(std::string name, std::string state_dir);
  const std::string& name() const { return name_; }

  // Why the runtime cannot be used here (not installed); empty when it can.
  std::string why_not() const;
  // The first line of `NAME --version`.
  std::string version() const;

  // `NAME --root STATE args...`, as it must be started on this machine
  // (see runtime.cc for crun on a hybrid cgroup layout).
  std::vector<std::string> command(const std::vector<std::string>& args) const;
  Outcome exec(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 60s,
               const std::string& input = {}) const;

  // The IDs of the containers in our state directory.
  std::vector<std::string> list() const;

 private:
  std::string name_;
  std::string state_dir_;
  bool hybrid_cgroups_;
};

// A container ID no other test uses: podns-e2e-PID-N.
std::string unique_id(const std::string& what = "c");

// One container, deleted (`delete -f`) when the object dies, however the
// test ended.
class Container {
 public:
  Container(const Runtime& rt, std::string bundle, std::string id = unique_id());
  ~Container();
  Container(const Container&) = delete;
  Container& operator=(const Container&) = delete;
  const std::string& id() const { return id_; }

  // `run`: in the foreground, until the container's process exits.
  Outcome run(std::chrono::milliseconds timeout = 60s) const;
  // `run` started but not waited for, to run several at once.
  Process start() const;
  // `run -d`: returns once the container's process runs.
  Outcome run_detached(std::chrono::milliseconds timeout = 60s) const;
  // The "status" of `state`: "running", "stopped", ...; empty if unknown.
  std::string status() const;
  // Polls status() until it is "stopped" or `timeout` passes.
  bool wait_stopped(std::chrono::milliseconds timeout) const;

 private:
  const Runtime& rt_;
  std::string bundle_, id_;
};

// A host directory bound into the container (rbind, rw).
struct Bind {
  std::string host;
  std::string container;
};

// Makes an OCI bundle in `dir` with scripts/lib/bundle.sh, then sets
// process.args and adds the binds. The config is still the runtime's own:
// `podns spec` is what makes it join a pod.
::testing::AssertionResult make_bundle(const std::string& dir, const std::vector<std::string>& args,
                                       const std::vector<Bind>& binds = {});

// A bundle's config.json, to read and edit.
nlohmann::json read_config(const std::string& bundle);
void write_config(const std::string& bundle, const nlohmann::json& config);

// A network namespace made on the host (`ip netns add`), owned by the host's
// user namespace; deleted (`ip netns del`) when the object dies.
class HostNetns {
 public:
  HostNetns();
  ~HostNetns();
  HostNetns(const HostNetns&) = delete;
  HostNetns& operator=(const HostNetns&) = delete;
  bool ok() const { return made_.ok(); }
  const Outcome& made() const { return made_; }
  std::string path() const { return "/run/netns/" + name_; }

 private:
  std::string name_;
  Outcome made_;
};

// The sorted names in a directory, without "." and "..".
std::vector<std::string> list_dir(const std::string& dir);
// The lines of `text`, without empty ones.
std::vector<std::string> lines(const std::string& text);
// Cgroup directories /sys/fs/cgroup/*/ID (and /sys/fs/cgroup/ID) that exist.
std::vector<std::string> cgroups_of(const std::string& id);

}  // namespace podns::e2e
