// Manager::create: reserve the ID, make the namespaces, pin them, record
// the sandbox as ready. Each step registers its undo as it succeeds.
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>

#include "podns/cni/pod.h"
#include "podns/cni/validate.h"
#include "podns/fault.h"
#include "podns/file.h"
#include "podns/helper.h"
#include "podns/host_ranges.h"
#include "podns/pin.h"
#include "podns/manager_impl.h"
#include "podns/secure_path.h"
#include "podns/sys.h"
#include "podns/sysctl.h"

namespace podns {
namespace {

std::string join_messages(const std::vector<Error>& errors) {
  std::string out;
  for (const auto& e : errors) out += (out.empty() ? "" : "; ") + e.message();
  return out;
}

// An RFC 1123 host name, within the kernel's 64 bytes: labels of 1 to 63
// letters, digits and '-', each beginning and ending with a letter or a
// digit, separated by single dots.
Result<void> validate_hostname(const std::string& h) {
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  std::string shown;
  for (char c : h) shown += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (h.size() > 64) return invalid_argument("hostname \"" + shown + "\" is longer than 64 characters");
  std::size_t start = 0;
  while (true) {
    std::size_t dot = h.find('.', start);
    std::string_view label(h.data() + start, (dot == std::string::npos ? h.size() : dot) - start);
    bool ok = !label.empty() && label.size() <= 63 && alnum(label.front()) && alnum(label.back()) &&
              std::all_of(label.begin(), label.end(), [&](char c) { return alnum(c) || c == '-'; });
    if (!ok) {
      return invalid_argument("hostname \"" + shown +
                              "\" is not an RFC 1123 host name: labels of letters, digits and '-', "
                              "separated by dots, each beginning and ending with a letter or digit");
    }
    if (dot == std::string::npos) return {};
    start = dot + 1;
  }
}

// The host ID the lowest container ID maps to.
std::uint32_t first_host_id(const IdMap& map) {
  return std::min_element(map.begin(), map.end(), [](const auto& a, const auto& b) {
           return a.container_id < b.container_id;
         })->host_id;
}

// What the helper is to make, from the options.
NamespaceRequest request_for(const CreateOptions& opts, const Sandbox& s) {
  NamespaceRequest req;
  if (s.has_userns) req.userns = nsfs::Maps{s.uid_map, s.gid_map};
  if (s.userns_owner != 0) req.owner = NamespaceRequest::Owner{s.userns_owner, first_host_id(s.gid_map)};
  req.net = !opts.host_network;
  req.ipc = opts.ipc;
  req.uts = opts.uts;
  req.hostname = opts.hostname;
  for (const auto& [key, value] : s.sysctls) req.sysctls.emplace_back(sysctl::proc_path(key), value);
  return req;
}

// Every check of the options that needs nothing but them, before anything
// is locked or made. Returns the sysctls to write in the pod's netns.
Result<std::vector<sysctl::Setting>> check_options(const CreateOptions& opts) {
  PODNS_CHECK(validate_id(opts.id));
  const nsfs::Maps* maps = opts.userns.maps();
  if (maps) PODNS_CHECK(validate_pod_maps(maps->uid, maps->gid, opts.allow_host_root));
  if (!opts.hostname.empty()) {
    if (!opts.uts) return invalid_argument("a hostname needs the pod's own UTS namespace (--uts)");
    PODNS_CHECK(validate_hostname(opts.hostname));
  }
  if (opts.network && *opts.network != "none")
    PODNS_CHECK_CTX(cni::validate_network_name(*opts.network), "--network");
  if (opts.userns_owned_by_pod && opts.userns.is_none())
    return invalid_argument("a pod without a user namespace cannot own one");
  std::vector<sysctl::Setting> sysctls;
  if (!opts.host_network) {
    for (const auto& setting : opts.sysctls) PODNS_CHECK(sysctl::validate(setting));
    // The defaults depend only on the container side of the gid map, known
    // even for an automatic range: 0:BASE:SIZE.
    auto auto_size = opts.userns.auto_size();
    IdMap gid_map = maps ? maps->gid : auto_size ? IdMap{{0, 0, *auto_size}} : IdMap{};
    sysctls = sysctl::merge(opts.default_sysctls ? sysctl::defaults(gid_map)
                                                 : std::vector<sysctl::Setting>{},
                            opts.sysctls);
  } else if (!opts.sysctls.empty()) {
    return invalid_argument("a host-network pod has no network namespace to set sysctls in");
  }
  if (opts.host_network && opts.ip_netns)
    return invalid_argument("a host-network pod has no network namespace for ip netns");
  return sysctls;
}

// The row that records the intent: what is about to be made.
Sandbox new_sandbox(const CreateOptions& opts, const std::string& root,
                    std::vector<sysctl::Setting> sysctls) {
  Sandbox s;
  s.id = opts.id;
  s.state = SandboxState::creating;
  s.root = root;
  s.has_userns = !opts.userns.is_none();
  if (const auto* maps = opts.userns.maps()) {
    s.uid_map = maps->uid;
    s.gid_map = maps->gid;
  }
  s.created_at = now_rfc3339();
  s.host_network = opts.host_network;
  s.hostname = opts.hostname;
  s.sysctls = std::move(sysctls);
  return s;
}

// Undoes what was made; if an undo fails, keeps the row, marked unknown, so
// that nothing is silently forgotten. Returns the error that caused it.
Error abandon(Store& store, Sandbox& s, Rollback& rollback, Error cause, const std::string& ctx) {
  if (auto failures = rollback.run(); failures.empty()) {
    (void)store.erase(s.id);
  } else {
    s.state = SandboxState::unknown;
    s.reason = cause.message() + "; then " + join_messages(failures);
    (void)store.update(s);
    // Something is left: whatever the cause, it is no longer a mistake in
    // the input that changed nothing (the CLI's exit 2).
    if (cause.is_invalid_input()) cause = Error::plain(cause.errno_value(), cause.message());
  }
  return std::move(cause).context(ctx);
}

}  // namespace

Result<void> Manager::Impl::create_namespaces(const Fd& root, Sandbox& s, const CreateOptions& opts,
                                       StageTimer& timer, Rollback& rollback) {
  PODNS_TRY_CTX(dir, pin::make_pod_dir(root, s.id), "make pod directory " + s.dir());
  rollback.add("remove pod directory",
               [&] { return pin::remove_pod_dir(root, s.root, s.id, pin::expected(s)); });
  PODNS_CHECK(fault::point("create.directory"));
  timer.mark("directory");

  PODNS_TRY_CTX(helper, Helper::spawn(request_for(opts, s)), "create namespaces");
  PODNS_CHECK(fault::point("create.namespaces"));
  timer.mark("namespaces");
  auto pin = [&](nsfs::Type t) -> Result<nsfs::NsId> {
    auto id = pin::pin(dir, s.dir(), t, helper.ns_path(t));
    if (!id) return std::unexpected(std::move(id.error()).context(std::string("pin ") + nsfs::name(t) + " namespace"));
    return id;
  };
  if (s.has_userns) {
    PODNS_TRY(id, pin(nsfs::Type::user));
    s.userns = id;
    PODNS_CHECK(fault::point("create.pin-user"));
  }
  if (opts.ipc) {
    PODNS_TRY(id, pin(nsfs::Type::ipc));
    s.ipcns = id;
  }
  if (opts.uts) {
    PODNS_TRY(id, pin(nsfs::Type::uts));
    s.utsns = id;
  }
  if (!s.host_network) {
    PODNS_TRY(id, pin(nsfs::Type::net));
    s.netns = id;
  }
  if (opts.ip_netns) PODNS_CHECK_CTX(pin_ip_netns(s, rollback), "pin for ip netns");
  PODNS_CHECK(fault::point("create.pin-net"));
  timer.mark("pins");
  PODNS_CHECK_CTX(helper.finish(), "stop helper");
  timer.mark("helper exit");
  return {};
}

Result<void> Manager::Impl::pin_ip_netns(Sandbox& s, Rollback& rollback) {
  const std::string& dir_path = config_.ip_netns_dir;
  PODNS_CHECK(check_secure_path(dir_path, "ip netns directory"));
  if (::mkdir(dir_path.c_str(), 0755) < 0 && errno != EEXIST) return sys_error("mkdir", dir_path);
  PODNS_TRY(dir, sys::open_at(AT_FDCWD, dir_path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  s.ip_netns = dir_path + "/" + s.id;
  // Recorded before the mount, so that a crash leaves a path teardown knows.
  PODNS_CHECK(store_.update(s));
  PODNS_TRY(id, pin::pin_as(dir, dir_path, s.id, nsfs::Type::net, s.netns_path()));
  (void)id;
  rollback.add("unpin " + s.ip_netns, [&s] { return unpin_ip_netns(s); });
  return {};
}

Result<void> Manager::Impl::unpin_ip_netns(const Sandbox& s) {
  if (s.ip_netns.empty()) return {};
  auto slash = s.ip_netns.rfind('/');
  std::string dir_path = s.ip_netns.substr(0, slash);
  std::string name = s.ip_netns.substr(slash + 1);
  PODNS_CHECK(check_secure_path(dir_path, "ip netns directory"));
  PODNS_TRY(dir, file::open_if_exists(dir_path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  if (!dir) return {};
  return pin::unpin_as(*dir, dir_path, name, s.netns);
}

Result<Sandbox> Manager::Impl::create(const CreateOptions& opts) {
  std::vector<StageTime> timings;
  StageTimer timer(timings);
  PODNS_TRY(sysctls, check_options(opts));
  const auto auto_size = opts.userns.auto_size();
  if (auto_size) PODNS_CHECK(host_ranges::check_pool(config_.auto_pool, *auto_size));
  const std::string ctx = "create sandbox " + opts.id;
  std::optional<cni::NetworkConfig> network;
  if (!opts.host_network) {
    PODNS_TRY_CTX(net, resolve_network(opts.network), ctx);
    network = std::move(net);
    // The cache file's name (at most 255 bytes) is known now: a refusal
    // after ADD would leave an attachment behind.
    if (network) {
      PODNS_CHECK_CTX(
          cni::ResultCache(config_.cni.cache_dir).path(network->name, opts.id, cni::kPodIfname),
          ctx);
    }
  } else if (opts.network && *opts.network != "none") {
    return invalid_argument("a host-network pod cannot have a CNI network");
  }
  timer.mark("checks");
  PODNS_TRY_CTX(lock, store_.lock(opts.id), ctx);
  PODNS_TRY_CTX(root_fd, root(), ctx);
  timer.mark("lock");

  Sandbox s = new_sandbox(opts, config_.root, std::move(sysctls));

  // Intent first: the row says what is about to exist before it does, so a
  // crash at any later instant leaves something `recover` can find.
  if (auto_size) {
    PODNS_CHECK_CTX(store_.insert_auto(s, *auto_size, config_.auto_pool, opts.allow_host_root),
                    ctx);
  } else {
    PODNS_CHECK_CTX(store_.insert(s, opts.allow_overlap), ctx);
  }
  if (opts.userns_owned_by_pod) {
    // Known only now for an automatic range. Host uid 0 would be root's own
    // accounting: mapping it is refused above unless allowed, and then the
    // namespace is simply root's.
    s.userns_owner = first_host_id(s.uid_map);
  }
  timer.mark("reserve");
  Rollback rollback;
  auto made = fault::point("create.reserve");
  if (made) made = create_namespaces(*root_fd, s, opts, timer, rollback);
  if (made && network) {
    made = attach(s, *network, rollback);
    timer.mark("network");
  }
  if (made) made = fault::point("create.network");
  if (made) {
    s.state = SandboxState::ready;
    made = store_.update(s);
    if (made) made = fault::point("create.ready");
    timer.mark("record");
  }
  if (!made) return std::unexpected(abandon(store_, s, rollback, std::move(made.error()), ctx));
  rollback.dismiss();
  s.timings = std::move(timings);
  return s;
}

}  // namespace podns
