// podns-cmdbench: times commands as whole processes, several cases side by
// side, and reports each case's median wall time (and the median CPU time,
// user + system, of its processes and what they reaped: less disturbed by
// other load on the machine).
//
//   podns-cmdbench SPEC RUNS WARMUP > result.json
//
// SPEC has one directive per line ('#' starts a comment line):
//   case LABEL                            starts a case
//   run ARG...                            a command of the case (split on blanks)
//   after ARG...                          a command run after the case's timed
//                                         part, each round (a cleanup): not timed
//   cni BIN_DIR CONFLIST NETNS CONTAINER_ID
//       ADD then DEL of a pod on a network, done as a CRI runtime does it
//       (see include/podns/cni/pod.h) by executing the plugins directly:
//       loopback on lo, then the CONFLIST's plugins on eth0 (each given the
//       previous one's result), then DEL of those in reverse with the final
//       result, then loopback's DEL.
//
// One run of a case runs its commands in order; it is timed from the first
// spawn to the last reap of its `run` and `cni` steps; then its `after`
// commands run, untimed. The cases take turns, one run each, starting with
// a different one each round, so that a busy machine slows them alike. The
// first WARMUP rounds are not counted. Any command that fails (or a plugin
// error) stops everything with exit status 1; SIGINT or SIGTERM stops it after the
// command in flight, with status 130.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace {

using nlohmann::json;

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_signal(int /*sig*/) {
  g_stop = 1;
}

struct Finished {
  int status = 0;
  std::string out;  // standard output, when captured
};

// The CPU time (user + system) of every process spawn() reaped, in ms.
double g_cpu_ms = 0;

std::string describe(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    // sigdescr_np: strsignal's text, thread-safe; null for an unknown signal.
    const char* name = sigdescr_np(WTERMSIG(status));
    return name ? std::string("killed by ") + name
                : "killed by signal " + std::to_string(WTERMSIG(status));
  }
  return "status " + std::to_string(status);
}

void check(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error(what + ": " + std::generic_category().message(errno));
}

// Pointers to the strings of `v`, and a null pointer: an argv or envp.
std::vector<char*> c_strings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// What `fd` gives until its end (or an error).
std::string read_to_end(int fd) {
  std::string out;
  std::array<char, 4096> buf;
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n > 0) {
      out.append(buf.data(), static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      return out;
    }
  }
}

// Runs argv (searched in PATH) with `env` (ours when null), `input` on its
// stdin (/dev/null when null), its stdout captured or sent to /dev/null, and
// our stderr. Returns once it is reaped.
Finished spawn(const std::vector<std::string>& argv, const std::vector<std::string>* env,
               const std::string* input, bool capture) {
  std::array<int, 2> in{-1, -1};
  std::array<int, 2> out{-1, -1};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (input) {
    check(::pipe2(in.data(), O_CLOEXEC) == 0, "pipe");
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  } else {
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  }
  if (capture) {
    check(::pipe2(out.data(), O_CLOEXEC) == 0, "pipe");
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  } else {
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  }
  std::vector<char*> args = c_strings(argv);
  std::vector<char*> envp = env ? c_strings(*env) : std::vector<char*>();
  pid_t pid = 0;
  int err = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), env ? envp.data() : environ);
  posix_spawn_file_actions_destroy(&fa);
  for (int fd : {in[0], out[1]})
    if (fd >= 0) ::close(fd);
  if (err != 0) {
    for (int fd : {in[1], out[0]})
      if (fd >= 0) ::close(fd);
    errno = err;
    check(false, "spawn " + argv[0]);
  }
  Finished f;
  if (input) {  // a configuration: far below a pipe's capacity, so no deadlock
    [[maybe_unused]] ssize_t written = ::write(in[1], input->data(), input->size());
    ::close(in[1]);
  }
  if (capture) {
    f.out = read_to_end(out[0]);
    ::close(out[0]);
  }
  struct rusage ru;
  while (::wait4(pid, &f.status, 0, &ru) < 0) check(errno == EINTR, "wait4");
  for (const timeval& t : {ru.ru_utime, ru.ru_stime})
    g_cpu_ms += static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3;
  return f;
}

struct Cni {
  std::string bin_dir, netns, container_id;
  json net;  // the network configuration list
};

// Runs one plugin of `net` for `cmd` and returns its result (null for none).
json run_plugin(const Cni& c, const json& net, const json& plugin, const std::string& cmd,
                const std::string& ifname, const json* prev) {
  json conf = plugin;
  conf["cniVersion"] = net.at("cniVersion");
  conf["name"] = net.at("name");
  if (prev) conf["prevResult"] = *prev;
  const std::string type = plugin.at("type");
  std::vector<std::string> env{"CNI_COMMAND=" + cmd,
                               "CNI_CONTAINERID=" + c.container_id,
                               "CNI_NETNS=" + c.netns,
                               "CNI_IFNAME=" + ifname,
                               "CNI_ARGS=",
                               "CNI_PATH=" + c.bin_dir,
                               "PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
  const std::string input = conf.dump();
  Finished f = spawn({c.bin_dir + "/" + type}, &env, &input, true);
  if (f.status != 0) {
    throw std::runtime_error("CNI plugin " + type + " " + cmd + ": " + describe(f.status) + ": " +
                             f.out);
  }
  return f.out.empty() ? json() : json::parse(f.out);
}

void cni_add_del(const Cni& c) {
  static const json loopback = json::parse(
      R"({"cniVersion": "1.0.0", "name": "podns-loopback", "plugins": [{"type": "loopback"}]})");
  const json& lo = loopback["plugins"][0];
  const json& plugins = c.net.at("plugins");
  run_plugin(c, loopback, lo, "ADD", "lo", nullptr);
  json result;
  for (const auto& p : plugins)
    result = run_plugin(c, c.net, p, "ADD", "eth0", result.is_null() ? nullptr : &result);
  for (auto it = plugins.rbegin(); it != plugins.rend(); ++it)
    run_plugin(c, c.net, *it, "DEL", "eth0", &result);
  run_plugin(c, loopback, lo, "DEL", "lo", nullptr);
}

struct Step {
  std::string what;  // the directive's line, for messages
  std::vector<std::string> argv;
  std::optional<Cni> cni;
  bool timed = true;  // false: an `after` command

  void run() {
    if (cni) return cni_add_del(*cni);
    Finished f = spawn(argv, nullptr, nullptr, false);
    if (f.status != 0) throw std::runtime_error(what + ": " + describe(f.status));
  }
};

struct Case {
  std::string label;
  std::vector<Step> steps;
  std::vector<double> ms, cpu_ms;
};

std::vector<Case> parse_spec(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<Case> cases;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string directive;
    if (!(words >> directive) || directive[0] == '#') continue;
    std::vector<std::string> rest;
    for (std::string w; words >> w;) rest.push_back(w);
    if (directive == "case" && rest.size() == 1) {
      cases.push_back({rest[0], {}, {}, {}});
      continue;
    }
    if (cases.empty()) throw std::runtime_error(path + ": \"" + line + "\" before any case");
    if ((directive == "run" || directive == "after") && !rest.empty()) {
      cases.back().steps.push_back({line, rest, std::nullopt, directive == "run"});
    } else if (directive == "cni" && rest.size() == 4) {
      std::ifstream conf(rest[1]);
      if (!conf) throw std::runtime_error("cannot read " + rest[1]);
      cases.back().steps.push_back({line, {}, Cni{rest[0], rest[2], rest[3], json::parse(conf)}});
    } else {
      throw std::runtime_error(path + ": cannot parse \"" + line + "\"");
    }
  }
  if (cases.empty()) throw std::runtime_error(path + ": no case");
  return cases;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return (v[(v.size() - 1) / 2] + v[v.size() / 2]) / 2;
}

json summary(const Case& c) {
  json steps = json::array();
  for (const auto& s : c.steps) steps.push_back(s.what);
  auto [min, max] = std::minmax_element(c.ms.begin(), c.ms.end());
  return {{"label", c.label},
          {"runs", c.ms.size()},
          {"median_ms", median(c.ms)},
          {"min_ms", c.ms.empty() ? 0 : *min},
          {"max_ms", c.ms.empty() ? 0 : *max},
          {"median_cpu_ms", median(c.cpu_ms)},
          {"steps", steps}};
}

// One run of a case: its timed steps, recorded when `counted`, then its
// `after` steps.
void run_once(Case& c, bool counted) {
  g_cpu_ms = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (auto& s : c.steps) {
    if (s.timed) s.run();
  }
  auto t1 = std::chrono::steady_clock::now();
  if (counted) {
    c.ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    c.cpu_ms.push_back(g_cpu_ms);
  }
  for (auto& s : c.steps) {
    if (!s.timed) s.run();
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    (void)std::fprintf(stderr, "usage: podns-cmdbench SPEC RUNS WARMUP > result.json\n");
    return 2;
  }
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  try {
    std::vector<Case> cases = parse_spec(argv[1]);
    int runs = std::stoi(argv[2]);
    int warmup = std::stoi(argv[3]);
    for (int round = 0; round < warmup + runs; ++round) {
      for (std::size_t k = 0; k < cases.size(); ++k) {
        if (g_stop != 0) return 130;
        run_once(cases[(static_cast<std::size_t>(round) + k) % cases.size()], round >= warmup);
      }
    }
    json out{{"runs", runs}, {"warmup", warmup}, {"cases", json::array()}};
    for (const auto& c : cases) out["cases"].push_back(summary(c));
    std::printf("%s\n", out.dump(2).c_str());
  } catch (const std::exception& e) {
    (void)std::fprintf(stderr, "podns-cmdbench: %s\n", e.what());
    return 1;
  }
  return 0;
}
