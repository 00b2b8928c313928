#include "podns/helper.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <optional>

#include "podns/sys.h"

namespace podns {
namespace {

// What the helper runs after the clone. A helper that shares our memory
// (sys::clone_vm) runs on a stack AddressSanitizer does not know, and with
// the calling thread's TLS, where ASan keeps that thread's fake stack
// frames: its functions are not instrumented. (The syscalls' own wrappers
// never were.)
#define PODNS_HELPER_CODE __attribute__((no_sanitize_address))

// The helper's stack when it shares our memory: it calls a few syscall
// wrappers from a few frames.
constexpr std::size_t kHelperStackSize = std::size_t{64} * 1024;

// What the helper reports: errno, the step that failed (errno 0: ready) and,
// for a sysctl, which one.
enum class Step : int {
  parent_check,
  become_owner,
  unshare_userns,
  wait_for_maps,
  become_root,
  unshare,
  hostname,
  sysctl,
};

const char* step_name(Step s) {
  switch (s) {
    case Step::parent_check: return "check parent";
    case Step::become_owner: return "become the user namespace's owner";
    case Step::unshare_userns: return "unshare user namespace";
    case Step::wait_for_maps: return "wait for ID maps";
    case Step::become_root: return "become root in the user namespace";
    case Step::unshare: return "unshare namespaces";
    case Step::hostname: return "set hostname";
    case Step::sysctl: return "write sysctl";
  }
  return "?";
}

struct Report {
  int err;
  Step step;
  int index;
};

// Everything the helper needs, laid out before the clone.
struct Plan {
  int sock;
  pid_t parent;
  // Accounting to the pod: create the user namespace as this host uid
  // (and gid), after the clone, instead of cloning into it as root.
  bool as_owner;
  uid_t owner_uid;
  gid_t owner_gid;
  // Once the maps are written: become uid and gid 0 of the new user
  // namespace (its root), for what checks the writer's uid rather than its
  // capabilities: the IPC namespace's sysctl files belong to that root.
  bool become_root;
  int unshare_flags;
  const char* hostname;  // null: leave it
  std::size_t hostname_len;
  const std::pair<std::string, std::string>* sysctls;
  std::size_t sysctl_count;
  const std::pair<std::string, std::string>* ipc_sysctls;
  std::size_t ipc_sysctl_count;
};

// Writes `value` to `path` in one write. Async-signal-safe.
PODNS_HELPER_CODE int write_file(const char* path, const std::string& value) {
  int fd = ::open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return errno;
  ssize_t n = ::write(fd, value.data(), value.size());
  int err = n < 0 ? errno : (static_cast<std::size_t>(n) != value.size() ? EIO : 0);
  ::close(fd);
  return err;
}

// A death signal, then the check that closes the race with a parent that
// died before it was set. Returns an errno, 0 when the parent is alive.
PODNS_HELPER_CODE int tie_to_parent(pid_t parent) {
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) return errno;
  return ::getppid() == parent ? 0 : ESRCH;
}

// Becomes owner_uid:owner_gid with no supplementary groups, keeping only
// CAP_SYS_ADMIN (so that creating the user namespace does not depend on
// the host allowing unprivileged ones). The credential change clears the
// death signal: it is set again, and the parent checked again, at once.
// Raw syscalls: glibc's set*id would signal the parent's threads, whose
// descriptors the child inherited.
PODNS_HELPER_CODE int become_owner(const Plan& p) {
  if (::prctl(PR_SET_KEEPCAPS, 1) < 0) return errno;
  if (::syscall(SYS_setgroups, 0, nullptr) < 0) return errno;
  if (::syscall(SYS_setresgid, p.owner_gid, p.owner_gid, p.owner_gid) < 0) return errno;
  if (::syscall(SYS_setresuid, p.owner_uid, p.owner_uid, p.owner_uid) < 0) return errno;
  if (int err = tie_to_parent(p.parent)) return err;
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  constexpr std::uint32_t kSysAdmin = 1u << CAP_SYS_ADMIN;
  std::array<__user_cap_data_struct, 2> data{{{kSysAdmin, kSysAdmin, 0}, {0, 0, 0}}};
  if (::syscall(SYS_capset, &header, data.data()) < 0) return errno;
  return 0;
}

// Becomes uid and gid 0 of the user namespace it was cloned into, with no
// supplementary groups, keeping its capabilities there (a change to the
// namespace's root keeps them). The credential change clears the death
// signal (CRI-O's pinns does this change and loses it): set again, and the
// parent checked again, at once. Raw syscalls, as in become_owner.
PODNS_HELPER_CODE int become_root(const Plan& p) {
  if (::syscall(SYS_setgroups, 0, nullptr) < 0) return errno;
  if (::syscall(SYS_setresgid, 0, 0, 0) < 0) return errno;
  if (::syscall(SYS_setresuid, 0, 0, 0) < 0) return errno;
  return tie_to_parent(p.parent);
}

// Sends a report; false when the parent is gone.
PODNS_HELPER_CODE bool send(int sock, const Report& r) { return ::write(sock, &r, sizeof r) == sizeof r; }

// Waits for the parent's word that the maps are written.
PODNS_HELPER_CODE int wait_for_maps(int sock) {
  char go = 0;
  ssize_t n;
  do n = ::read(sock, &go, 1);
  while (n < 0 && errno == EINTR);
  if (n == 1) return 0;
  return n < 0 ? errno : EPIPE;
}

// Once the maps are written: the other namespaces, inside the user namespace
// (so that it owns them), then what is set in them. Returns an errno, with
// the step it failed at in `r`.
PODNS_HELPER_CODE int make_namespaces(const Plan& p, Report& r) {
  r.step = Step::wait_for_maps;
  if (int err = wait_for_maps(p.sock)) return err;
  if (p.become_root) {
    r.step = Step::become_root;
    if (int err = become_root(p)) return err;
  }
  if (p.unshare_flags != 0) {
    r.step = Step::unshare;
    if (::unshare(p.unshare_flags) < 0) return errno;
  }
  if (p.hostname) {
    r.step = Step::hostname;
    if (::sethostname(p.hostname, p.hostname_len) < 0) return errno;
  }
  // Network sysctls, then IPC ones: index counts through both.
  for (std::size_t i = 0; i < p.sysctl_count + p.ipc_sysctl_count; ++i) {
    const auto& setting =
        i < p.sysctl_count ? p.sysctls[i] : p.ipc_sysctls[i - p.sysctl_count];
    r.step = Step::sysctl;
    r.index = static_cast<int>(i);
    if (int err = write_file(setting.first.c_str(), setting.second)) return err;
  }
  return 0;
}

// The helper's whole life. Async-signal-safe: no allocation, no locks, only
// raw syscalls on memory that was set up before the clone (std::string's
// data() and size() only read). The plan is copied first: a helper that
// shares our memory outlives the parent's frame that holds it (the request's
// strings are read only before the last report, while the parent waits).
[[noreturn]] PODNS_HELPER_CODE void helper_main(const Plan& plan) {
  const Plan p = plan;
  Report r{0, Step::parent_check, 0};
  r.err = tie_to_parent(p.parent);
  if (r.err == 0 && p.as_owner) {
    r.step = Step::become_owner;
    r.err = become_owner(p);
    if (r.err == 0) {
      r.step = Step::unshare_userns;
      if (::unshare(CLONE_NEWUSER) < 0) r.err = errno;
    }
    // The parent writes the maps on this report.
    if (!send(p.sock, r) || r.err != 0) ::_exit(1);
  }
  if (r.err == 0) r.err = make_namespaces(p, r);
  if (!send(p.sock, r) || r.err != 0) ::_exit(1);
  // Hold the namespaces until the parent kills us (or closes its end).
  char c = 0;
  while (::read(p.sock, &c, 1) < 0 && errno == EINTR) {
  }
  ::_exit(0);
}

// Reads the helper's report and turns a failure into an error.
// ENOSPC from clone or unshare of a namespace is the kernel's per-user
// namespace limit (user.max_*_namespaces, counted in this user namespace and
// every one above it): the message names the limit, as an operator would
// raise it.
constexpr const char* kUserLimit =
    "the kernel's limit on user namespaces is reached (sysctl user.max_user_namespaces)";

std::string limits_of(const NamespaceRequest& req) {
  std::string names;
  auto add = [&](bool asked, const char* name) {
    if (!asked) return;
    if (!names.empty()) names += ", ";
    names += "user.max_";
    names += name;
    names += "_namespaces";
  };
  add(req.net, "net");
  add(req.ipc, "ipc");
  add(req.uts, "uts");
  add(req.cgroup, "cgroup");
  add(req.mnt, "mnt");
  return "the kernel's limit on namespaces is reached (sysctl " + names + ")";
}

Result<void> read_report(const Fd& sock, const NamespaceRequest& req) {
  Report r{};
  ssize_t n;
  do n = ::read(sock.get(), &r, sizeof r);
  while (n < 0 && errno == EINTR);
  if (n < 0) return sys_error("read helper report");
  if (n != sizeof r) return plain_error(EPIPE, "helper died before reporting");
  if (r.err == 0) return {};
  if (r.step == Step::sysctl && r.index >= 0) {
    auto i = static_cast<std::size_t>(r.index);
    if (i < req.sysctls.size()) return errno_error(r.err, "helper: write sysctl", req.sysctls[i].first);
    i -= req.sysctls.size();
    if (i < req.ipc_sysctls.size())
      return errno_error(r.err, "helper: write sysctl", req.ipc_sysctls[i].first);
  }
  if (r.err == ENOSPC && r.step == Step::unshare_userns)
    return errno_error(r.err, std::string("helper: ") + step_name(r.step) + ": " + kUserLimit);
  if (r.err == ENOSPC && r.step == Step::unshare)
    return errno_error(r.err, std::string("helper: ") + step_name(r.step) + ": " + limits_of(req));
  if ((r.step == Step::become_owner || r.step == Step::unshare_userns) && req.owner) {
    return errno_error(r.err, std::string("helper: ") + step_name(r.step) + " as uid " +
                                  std::to_string(req.owner->uid) + " gid " +
                                  std::to_string(req.owner->gid));
  }
  return errno_error(r.err, std::string("helper: ") + step_name(r.step));
}

PODNS_HELPER_CODE int helper_entry(void* plan) { helper_main(*static_cast<const Plan*>(plan)); }

// Clones the helper, into a new user namespace if `userns`. One that
// changes no credential shares our memory, on `stack` (mapped here);
// one that does is forked (see sys::clone_vm), and runs the plan when
// this returns {0, -}.
Result<sys::Child> clone_helper(bool userns, const Plan& plan,
                                std::optional<sys::ChildStack>& stack) {
  int flags = userns ? CLONE_NEWUSER : 0;
  Result<sys::Child> child;
  if (!plan.as_owner && !plan.become_root) {
    PODNS_TRY(mapped, sys::ChildStack::map(kHelperStackSize));
    stack.emplace(std::move(mapped));
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast): clone(2)'s argument is void*; the helper only reads it.
    child = sys::clone_vm(helper_entry, const_cast<Plan*>(&plan), *stack, flags, SIGCHLD);
  } else {
    child = sys::clone3(static_cast<unsigned long long>(flags), SIGCHLD);
  }
  if (!child && userns && child.error().errno_value() == ENOSPC)
    return errno_error(ENOSPC, std::string("clone user namespace: ") + kUserLimit);
  return child;
}

Result<void> write_map(const std::string& proc_dir, const char* file, const IdMap& map) {
  std::string path = proc_dir + "/" + file;
  PODNS_TRY(fd, sys::open_at(AT_FDCWD, path, O_WRONLY));
  std::string text = to_kernel_text(map);
  // One write: the kernel accepts a map only once, and only whole.
  ssize_t n = ::write(fd.get(), text.data(), text.size());
  if (n < 0) return sys_error("write", path);
  if (static_cast<std::size_t>(n) != text.size()) return errno_error(EIO, "short write", path);
  return {};
}

}  // namespace

Result<Helper> Helper::spawn(const NamespaceRequest& req) {
  if (req.userns) {
    PODNS_CHECK_CTX(validate_id_map(req.userns->uid), "uid map");
    PODNS_CHECK_CTX(validate_id_map(req.userns->gid), "gid map");
  }
  int unshare_flags = (req.net ? CLONE_NEWNET : 0) | (req.ipc ? CLONE_NEWIPC : 0) |
                      (req.uts ? CLONE_NEWUTS : 0) | (req.cgroup ? CLONE_NEWCGROUP : 0) |
                      (req.mnt ? CLONE_NEWNS : 0);
  if (!req.net && !req.sysctls.empty())
    return invalid_argument("network sysctls need a network namespace");
  if (!req.ipc && !req.ipc_sysctls.empty())
    return invalid_argument("IPC sysctls need an IPC namespace");

  std::array<int, 2> sv{};
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv.data()) < 0)
    return sys_error("socketpair");
  Fd ours(sv[0]);
  Fd theirs(sv[1]);
  pid_t self = ::getpid();
  if (req.owner && !req.userns) return invalid_argument("an owner needs a user namespace");

  const Plan plan{theirs.get(),
                  self,
                  req.owner.has_value(),
                  req.owner ? req.owner->uid : 0,
                  req.owner ? req.owner->gid : 0,
                  req.userns && !req.owner && !req.ipc_sysctls.empty(),
                  unshare_flags,
                  req.uts && !req.hostname.empty() ? req.hostname.c_str() : nullptr,
                  req.hostname.size(),
                  req.sysctls.data(),
                  req.sysctls.size(),
                  req.ipc_sysctls.data(),
                  req.ipc_sysctls.size()};
  std::optional<sys::ChildStack> stack;
  PODNS_TRY(child, clone_helper(req.userns && !req.owner, plan, stack));
  if (child.pid == 0) helper_main(plan);
  theirs.reset();
  // Kills and reaps on any early return.
  Helper h(child.pid, std::move(child.pidfd), std::move(stack));

  if (req.owner) PODNS_CHECK(read_report(ours, req));  // its user namespace exists
  if (req.userns) {
    std::string proc_dir = "/proc/" + std::to_string(h.pid_);
    PODNS_CHECK_CTX(write_map(proc_dir, "gid_map", req.userns->gid), "write gid map");
    PODNS_CHECK_CTX(write_map(proc_dir, "uid_map", req.userns->uid), "write uid map");
  }
  if (::write(ours.get(), "g", 1) != 1) return sys_error("tell helper to go on");

  PODNS_CHECK(read_report(ours, req));
  return h;
}

Helper::~Helper() { (void)finish(); }

std::string Helper::ns_path(nsfs::Type t) const {
  return "/proc/" + std::to_string(pid_) + "/ns/" + nsfs::name(t);
}

Result<void> Helper::finish() {
  if (!pidfd_) return {};
  auto killed = sys::pidfd_kill(pidfd_, SIGKILL);
  auto reaped = sys::pidfd_wait(pidfd_);
  pidfd_.reset();
  // Its stack goes once it is reaped; if it might still run, never.
  if (stack_) {
    if (reaped) {
      stack_.reset();
    } else {
      stack_->release();
    }
  }
  if (!killed) return std::unexpected(killed.error());
  if (!reaped) return std::unexpected(reaped.error());
  return {};
}

}  // namespace podns
