#include "runtime.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace podns::e2e {
namespace {

namespace fs = std::filesystem;

// True when a cgroup2 file system is mounted on /sys/fs/cgroup/unified beside
// cgroup v1 controllers: systemd's "hybrid" layout.
bool hybrid_cgroups() {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string id;
    std::string parent;
    std::string devno;
    std::string root;
    std::string mountpoint;
    f >> id >> parent >> devno >> root >> mountpoint;
    auto dash = line.find(" - ");
    if (mountpoint == "/sys/fs/cgroup/unified" && dash != std::string::npos &&
        line.compare(dash + 3, 8, "cgroup2 ") == 0)
      return true;
  }
  return false;
}

std::atomic<int> next_id{0};

}  // namespace

Runtime::Runtime(std::string name, std::string state_dir)
    : name_(std::move(name)), state_dir_(std::move(state_dir)), hybrid_cgroups_(hybrid_cgroups()) {}

std::string Runtime::why_not() const {
  auto r = run({name_, "--version"}, 10s);
  if (!r.ok()) return name_ + " is not installed or does not run: " + r.describe();
  return {};
}

std::string Runtime::version() const {
  auto r = run({name_, "--version"}, 10s);
  return r.out.substr(0, r.out.find('\n'));
}

std::vector<std::string> Runtime::command(const std::vector<std::string>& args) const {
  std::vector<std::string> argv;
  if (name_ == "crun" && hybrid_cgroups_) {
    // crun 1.8 refuses the hybrid layout while the cgroup2 hierarchy has a
    // controller ("cgroups in hybrid mode not supported, drop all controllers
    // from cgroupv2"), before it looks at the container. It runs happily on
    // the v1 controllers alone, so each crun command runs in a private mount
    // namespace of its own, with /sys/fs/cgroup/unified unmounted there
    // only. The host's mounts are untouched, and the container's namespaces,
    // mappings and /sys are made exactly as without this.
    argv = {"unshare",
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            "umount /sys/fs/cgroup/unified && exec \"$@\"",
            "sh"};
  }
  argv.insert(argv.end(), {name_, "--root", state_dir_});
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

Outcome Runtime::exec(const std::vector<std::string>& args, std::chrono::milliseconds timeout,
                      const std::string& input) const {
  return run(command(args), timeout, input);
}

std::vector<std::string> Runtime::list() const {
  if (!fs::exists(state_dir_)) return {};
  auto r = exec({"list", "-q"}, 30s);
  if (!r.ok()) return {"(" + name_ + " list failed: " + r.describe() + ")"};
  return lines(r.out);
}

std::string unique_id(const std::string& what) {
  return "podns-e2e-" + std::to_string(::getpid()) + "-" + what + std::to_string(next_id++);
}

Container::Container(const Runtime& rt, std::string bundle, std::string id)
    : rt_(rt), bundle_(std::move(bundle)), id_(std::move(id)) {}

Container::~Container() {
  // "does not exist" is fine: it was never made, or `run` removed it.
  (void)rt_.exec({"delete", "-f", id_}, 60s);
}

Outcome Container::run(std::chrono::milliseconds timeout) const {
  return start().wait(timeout);
}

Process Container::start() const {
  return Process::start(rt_.command({"run", "--bundle", bundle_, id_}));
}

Outcome Container::run_detached(std::chrono::milliseconds timeout) const {
  return rt_.exec({"run", "--detach", "--bundle", bundle_, id_}, timeout);
}

std::string Container::status() const {
  auto r = rt_.exec({"state", id_}, 30s);
  if (!r.ok()) return {};
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  if (!j.is_object() || !j.contains("status") || !j["status"].is_string()) return {};
  return j["status"];
}

bool Container::wait_stopped(std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (status() == "stopped") return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

::testing::AssertionResult make_bundle(const std::string& dir, const std::vector<std::string>& args,
                                       const std::vector<Bind>& binds) {
  auto made = run({"bash", PODNS_BUNDLE_SH, dir}, 60s);
  if (!made.ok())
    return ::testing::AssertionFailure() << "bundle.sh " << dir << ": " << made.describe();
  auto config = read_config(dir);
  if (!config.is_object())
    return ::testing::AssertionFailure() << dir << "/config.json is not JSON";
  config["process"]["args"] = args;
  for (const auto& b : binds) {
    config["mounts"].push_back({{"destination", b.container},
                                {"type", "bind"},
                                {"source", b.host},
                                {"options", {"rbind", "rw"}}});
  }
  write_config(dir, config);
  return ::testing::AssertionSuccess();
}

nlohmann::json read_config(const std::string& bundle) {
  std::ifstream in(bundle + "/config.json");
  return nlohmann::json::parse(in, nullptr, false);
}

void write_config(const std::string& bundle, const nlohmann::json& config) {
  std::ofstream(bundle + "/config.json") << config.dump(2) << "\n";
}

HostNetns::HostNetns() : name_(unique_id("netns")) {
  made_ = run({"ip", "netns", "add", name_}, 30s);
}

HostNetns::~HostNetns() {
  if (made_.ok()) (void)run({"ip", "netns", "del", name_}, 30s);
}

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

std::vector<std::string> cgroups_of(const std::string& id) {
  std::vector<std::string> found;
  std::error_code ec;
  if (fs::exists("/sys/fs/cgroup/" + id, ec)) found.push_back("/sys/fs/cgroup/" + id);
  for (const auto& e : fs::directory_iterator("/sys/fs/cgroup", ec)) {
    auto p = e.path().string() + "/" + id;
    if (e.is_directory(ec) && fs::exists(p, ec)) found.push_back(p);
  }
  return found;
}

}  // namespace podns::e2e
