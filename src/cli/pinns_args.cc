#include "pinns_args.h"

#include <getopt.h>

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "podns/idmap.h"
#include "podns/ns_types.h"

namespace podns::cli {
namespace {

enum : int { kUidMapping = 1000, kGidMapping = 1001 };

// pinns's table: the same names, the same kinds of argument.
constexpr std::array<option, 13> kLongOptions{{
    {"help", no_argument, nullptr, 'h'},
    {"uts", optional_argument, nullptr, 'u'},
    {"ipc", optional_argument, nullptr, 'i'},
    {"net", optional_argument, nullptr, 'n'},
    {"user", optional_argument, nullptr, 'U'},
    {"cgroup", optional_argument, nullptr, 'c'},
    {"mnt", optional_argument, nullptr, 'm'},
    {"dir", required_argument, nullptr, 'd'},
    {"filename", required_argument, nullptr, 'f'},
    {"uid-mapping", optional_argument, nullptr, kUidMapping},
    {"gid-mapping", optional_argument, nullptr, kGidMapping},
    {"sysctl", optional_argument, nullptr, 's'},
    {nullptr, 0, nullptr, 0},
}};
// A leading ':' makes a missing argument ':' rather than '?'.
constexpr const char* kShortOptions = ":hUnicumd:f:s:";

// "-n/--net" for messages.
std::string option_name(int c) {
  for (const auto& o : kLongOptions) {
    if (o.name != nullptr && o.val == c) {
      std::string out = c < 256 ? std::string("-") + static_cast<char>(c) + "/" : "";
      return out + "--" + o.name;
    }
  }
  return std::string("-") + static_cast<char>(c);
}

std::optional<nsfs::Type> namespace_option(int c) {
  for (const auto& row : nsfs::kTypes) {
    if (row.pinns_option != '\0' && c == row.pinns_option) return row.type;
  }
  return std::nullopt;
}

// Sets `slot` once; the same value again is fine, another is an error.
Result<void> set_once(std::optional<std::string>& slot, const char* value, int c) {
  if (slot && *slot != value) return invalid_argument(option_name(c) + " is given twice");
  slot = value;
  return {};
}

class Parser {
 public:
  Result<void> option(int c, const char* arg) {
    if (auto t = namespace_option(c)) return namespace_flag(c, *t, arg);
    switch (c) {
      case 'd': return set_once(dir_, arg, c);
      case 'f': return set_once(name_, arg, c);
      case kUidMapping: return mapping(c, arg, uid_);
      case kGidMapping: return mapping(c, arg, gid_);
      case 's': return sysctl(c, arg);
      default: return invalid_argument("unhandled option " + option_name(c));
    }
  }

  Result<pinned::Request> finish() {
    if (!dir_) return invalid_argument("-d/--dir DIR is required");
    if (!name_) return invalid_argument("-f/--filename NAME is required");
    if (uid_.has_value() != gid_.has_value())
      return invalid_argument("--uid-mapping and --gid-mapping go together");
    pinned::Request req;
    req.dir = *dir_;
    req.name = *name_;
    for (const auto& [type, host] : namespaces_) req.namespaces.push_back({type, host});
    if (uid_) req.maps = nsfs::Maps{*uid_, *gid_};
    req.sysctls = std::move(sysctls_);
    return req;
  }

 private:
  Result<void> namespace_flag(int c, nsfs::Type t, const char* arg) {
    bool host = arg != nullptr;
    if (host && std::string_view(arg) != "host") {
      return invalid_argument(option_name(c) + "=" + arg +
                              ": the only value it takes is \"host\"");
    }
    auto [it, inserted] = namespaces_.emplace(t, host);
    if (!inserted && it->second != host)
      return invalid_argument(option_name(c) + " is given both with and without =host");
    return {};
  }

  static Result<void> mapping(int c, const char* arg, std::optional<IdMap>& slot) {
    if (arg == nullptr) {
      return invalid_argument(option_name(c) + " needs its value after '=': " +
                              option_name(c) + "=C-H-S@C-H-S@...");
    }
    auto map = parse_pinns_id_map(arg);
    if (!map) return std::unexpected(std::move(map.error()).context(option_name(c)));
    if (slot && *slot != *map) return invalid_argument(option_name(c) + " is given twice");
    slot = std::move(*map);
    return {};
  }

  Result<void> sysctl(int c, const char* arg) {
    if (arg == nullptr) {
      return invalid_argument(option_name(c) +
                              " needs KEY=VALUE: -s KEY=VALUE or --sysctl=KEY=VALUE");
    }
    std::string_view text(arg);
    auto eq = text.find('=');
    if (eq == std::string_view::npos || eq == 0 || eq + 1 == text.size())
      return invalid_argument("sysctl \"" + std::string(text) + "\" is not KEY=VALUE");
    sysctls_.emplace_back(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
    return {};
  }

  std::optional<std::string> dir_, name_;
  std::map<nsfs::Type, bool> namespaces_;  // type -> host
  std::optional<IdMap> uid_, gid_;
  std::vector<sysctl::Setting> sysctls_;
};

}  // namespace

Result<PinnsArgs> parse_pinns_args(int argc, char** argv) {
  Parser p;
  PinnsArgs out;
  // getopt_long keeps its place in globals: start afresh (0 also resets
  // glibc's internal state), and report errors here, not on stderr.
  optind = 0;
  opterr = 0;
  for (;;) {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): the command line is parsed on one thread
    int c = ::getopt_long(argc, argv, kShortOptions, kLongOptions.data(), nullptr);
    if (c == -1) break;
    if (c == 'h') {
      out.help = true;
      return out;
    }
    if (c == '?') {
      // A long option is named by its element; a short one by its letter
      // (its element may hold several).
      std::string_view element = optind > 0 && optind <= argc ? argv[optind - 1] : "";
      std::string what = element.starts_with("--") || optopt == 0
                             ? std::string(element)
                             : std::string("-") + static_cast<char>(optopt);
      return invalid_argument("unknown or ambiguous option " + what);
    }
    if (c == ':') return invalid_argument(option_name(optopt) + " needs a value");
    PODNS_CHECK(p.option(c, optarg));
  }
  if (optind < argc) {
    std::string arg = argv[optind];
    return invalid_argument("unexpected argument \"" + arg +
                            "\" (an option's value is given after '=', as in --net=host)");
  }
  PODNS_TRY(req, p.finish());
  out.request = std::move(req);
  return out;
}

const char* pinns_usage() {
  return "Usage: podns pinns -d DIR -f NAME [NAMESPACES] [--uid-mapping=MAP --gid-mapping=MAP]\n"
         "                   [-s KEY=VALUE]...\n"
         "  (also the podns binary started under the name \"pinns\": a drop-in for CRI-O's\n"
         "  pinns_path)\n"
         "\n"
         "Makes the namespaces asked for, the user namespace first with its maps and the\n"
         "others inside it, writes the sysctls inside them, and pins each at\n"
         "DIR/<type>ns/NAME (userns, netns, ipcns, utsns, cgroupns, mntns). All or nothing:\n"
         "on any failure or SIGTERM nothing it made is left. Keeps no state: the caller\n"
         "removes the pins (umount, then rm).\n"
         "\n"
         "  -d, --dir DIR             directory of the pins, made 0755 if missing (required)\n"
         "  -f, --filename NAME       file name of every pin (required); an existing empty\n"
         "                            file is used as it is and keeps its owner and mode\n"
         "  -U, --user[=host]         a new user namespace (=host: pin the caller's own)\n"
         "  -n, --net[=host]          a new network namespace\n"
         "  -i, --ipc[=host]          a new IPC namespace\n"
         "  -u, --uts[=host]          a new UTS namespace\n"
         "  -c, --cgroup[=host]       a new cgroup namespace\n"
         "  -m, --mnt                 a new mount namespace\n"
         "      --uid-mapping=MAP     with a new user namespace: CONTAINER-HOST-SIZE lines,\n"
         "      --gid-mapping=MAP     each ended by '@' (0-100000-65536@); host ID 0 refused\n"
         "  -s, --sysctl KEY=VALUE    net.* in the new network namespace; kernel.shm*,\n"
         "                            kernel.msg*, kernel.sem, fs.mqueue.* in the new IPC\n"
         "                            namespace; nothing else (repeatable)\n"
         "  -h, --help                this text\n"
         "\n"
         "Exit status: 0 success (nothing printed), 1 the operation failed (one line on\n"
         "stderr: the step, the path, the system's error), 2 the command line was wrong.\n";
}

}  // namespace podns::cli
