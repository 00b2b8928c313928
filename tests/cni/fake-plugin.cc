// A fake CNI plugin for the tests: succeeds like a well-behaved chained
// plugin, or fails in a way its configuration asks for.
//
// Configuration keys (beside the CNI ones):
//   "fault":     "error-json"   error object on stdout, exit 1 ("faultCode", default 11)
//                "error-stderr" error object on stderr, exit 1
//                "exit"         a line on stderr, exit 3, no error object
//                "crash"        a line on stderr, then SIGSEGV
//                "hang"         never finishes ("hangChild": true forks a sleeping child too)
//                "garbage"      "this is {not json" on stdout, exit 0
//                "flood"        endless stdout;  "flood-stderr": endless stderr
//                "deep"         20000 '[' on stdout, exit 0
//                "wrong-version" a result of cniVersion 0.4.0
//                "silent"       exit 0, no output at all
//                "slow"         sleeps "slowMs" milliseconds (default 1000), then succeeds
//   "faultOn":   a command or list of commands the fault applies to (default: all)
//   "record":    a file to which each call appends a JSON line:
//                {"command", "env": [...], "stdin": {...}, "pid", "fds": [...], "sigblk"}
//   "pidFile":   where "hang" writes "PID [CHILD_PID]\n"
//   "tag":       on ADD, an interface of that name is appended to the result
//
// On success: ADD prints prevResult (or an empty result) with its tag added,
// VERSION prints its supported versions, the other commands print nothing.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

using nlohmann::json;

namespace {

void write_all(int fd, const std::string& s) {
  const char* p = s.data();
  std::size_t left = s.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n <= 0) return;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

void append_file(const std::string& path, const std::string& line) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  write_all(fd, line);
  ::close(fd);
}

[[noreturn]] void sleep_forever() {
  for (;;) ::pause();
}

// The descriptors open here, but for the one listing them.
json open_fds() {
  json fds = json::array();
  DIR* d = ::opendir("/proc/self/fd");
  if (!d) return fds;
  while (auto* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    int fd = -1;
    std::from_chars(e->d_name, e->d_name + std::strlen(e->d_name), fd);
    if (fd != ::dirfd(d)) fds.push_back(fd);
  }
  ::closedir(d);
  return fds;
}

// The blocked-signal mask, as /proc shows it.
std::string blocked_signals() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("SigBlk:", 0) == 0) return line.substr(line.find_first_not_of(" \t", 7));
  }
  return "?";
}

bool fault_applies(const json& conf, const std::string& command) {
  if (!conf.contains("faultOn")) return true;
  const json& on = conf["faultOn"];
  if (on.is_string()) return on.get<std::string>() == command;
  if (on.is_array()) {
    for (const auto& c : on) {
      if (c.is_string() && c.get<std::string>() == command) return true;
    }
  }
  return false;
}

int run() {
  std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  const char* cmd_env = std::getenv("CNI_COMMAND");
  std::string command = cmd_env ? cmd_env : "";
  json conf = json::parse(input, nullptr, false);
  if (conf.is_discarded() || !conf.is_object()) {
    write_all(1, R"({"cniVersion":"1.0.0","code":6,"msg":"fake: cannot decode configuration"})");
    return 1;
  }
  std::string version = conf.value("cniVersion", "1.0.0");

  if (conf.contains("record") && conf["record"].is_string()) {
    json env = json::array();
    for (char** e = environ; *e; ++e) env.push_back(*e);
    json line{{"command", command}, {"env", env},        {"stdin", conf},
              {"pid", ::getpid()},  {"fds", open_fds()}, {"sigblk", blocked_signals()}};
    append_file(conf["record"].get<std::string>(), line.dump() + "\n");
  }

  std::string fault = conf.value("fault", "");
  if (!fault.empty() && fault_applies(conf, command)) {
    if (fault == "error-json" || fault == "error-stderr") {
      json err{{"cniVersion", version},
               {"code", conf.value("faultCode", 11)},
               {"msg", "fake failure"},
               {"details", "asked to fail on " + command}};
      write_all(fault == "error-json" ? 1 : 2, err.dump());
      return 1;
    }
    if (fault == "exit") {
      write_all(2, "fake: something went wrong\n");
      return 3;
    }
    if (fault == "crash") {
      ::prctl(PR_SET_DUMPABLE, 0);  // no core dump
      write_all(2, "fake: about to crash\n");
      (void)::signal(SIGSEGV, SIG_DFL);
      (void)::raise(SIGSEGV);
      return 99;
    }
    if (fault == "hang") {
      std::string pids = std::to_string(::getpid());
      if (conf.value("hangChild", false)) {
        pid_t child = ::fork();
        if (child == 0) sleep_forever();
        pids += " " + std::to_string(child);
      }
      if (conf.contains("pidFile")) append_file(conf["pidFile"].get<std::string>(), pids + "\n");
      sleep_forever();
    }
    if (fault == "garbage") {
      write_all(1, "this is {not json");
      return 0;
    }
    if (fault == "flood" || fault == "flood-stderr") {
      std::string chunk(65536, 'x');
      for (;;) write_all(fault == "flood" ? 1 : 2, chunk);
    }
    if (fault == "deep") {
      write_all(1, std::string(20000, '['));
      return 0;
    }
    if (fault == "wrong-version") {
      write_all(1, R"({"cniVersion":"0.4.0","interfaces":[],"ips":[]})");
      return 0;
    }
    if (fault == "silent") return 0;
    if (fault == "slow") {
      std::this_thread::sleep_for(std::chrono::milliseconds(conf.value("slowMs", 1000)));
    }
  }

  if (command == "VERSION") {
    json v{{"cniVersion", version}, {"supportedVersions", {"0.4.0", "1.0.0", "1.1.0"}}};
    write_all(1, v.dump());
    return 0;
  }
  if (command == "ADD") {
    json result = conf.contains("prevResult") && conf["prevResult"].is_object()
                      ? conf["prevResult"]
                      : json{{"interfaces", json::array()}, {"ips", json::array()}};
    result["cniVersion"] = version;
    if (conf.contains("tag")) {
      if (!result.contains("interfaces")) result["interfaces"] = json::array();
      result["interfaces"].push_back({{"name", conf["tag"]}});
    }
    write_all(1, result.dump());
    return 0;
  }
  return 0;
}

}  // namespace

int main() {
  // A configuration a test got wrong (a field of the wrong type) fails the
  // plugin loudly rather than aborting it.
  try {
    return run();
  } catch (const std::exception& e) {
    write_all(2, std::string("fake: ") + e.what() + "\n");
  }
  return 1;
}
