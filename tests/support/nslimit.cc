// podns-nslimit MODE PROGRAM ARGS...: runs PROGRAM as if the kernel's
// per-user namespace limit (user.max_net_namespaces or
// user.max_user_namespaces) were reached. Root cannot lower those sysctls
// in a test without changing the host, so a seccomp filter gives the answer
// the kernel gives at the limit, ENOSPC, to the calls the kernel would
// refuse:
//   net:           unshare or clone asking CLONE_NEWNET;
//   user:          unshare or clone asking CLONE_NEWUSER, and every clone3
//                  (its flags are in memory seccomp cannot read; podns's
//                  first clone3 in a create is the one that makes the
//                  user namespace);
//   user-unshare:  unshare or clone asking CLONE_NEWUSER, clone3 allowed
//                  (for --userns-owned-by-pod, whose helper unshares it).
// Everything else is allowed. The filter is inherited by every child.
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

namespace {

constexpr std::uint32_t kErrnoEnospc = SECCOMP_RET_ERRNO | (ENOSPC & SECCOMP_RET_DATA);

sock_filter stmt(std::uint16_t code, std::uint32_t k) { return BPF_STMT(code, k); }
sock_filter jump(std::uint16_t code, std::uint32_t k, std::uint8_t jt, std::uint8_t jf) {
  return BPF_JUMP(code, k, jt, jf);
}

// nr's first argument (the flags of unshare and of x86-64's clone) tested
// against mask: ENOSPC if any bit is set.
void refuse_flags(std::vector<sock_filter>& f, std::uint32_t nr, std::uint32_t mask) {
  f.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 3));
  f.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[0])));
  f.push_back(jump(BPF_JMP | BPF_JSET | BPF_K, mask, 0, 1));
  f.push_back(stmt(BPF_RET | BPF_K, kErrnoEnospc));
  // Not refused: reload the syscall number for the next test.
  f.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
}

}  // namespace

int main(int argc, char** argv) {
  std::span<char*> args(argv, static_cast<std::size_t>(argc));
  if (args.size() < 3) {
    (void)std::fprintf(stderr, "usage: podns-nslimit net|user|user-unshare PROGRAM ARGS...\n");
    return 2;
  }
  std::string_view mode = args[1];
  std::uint32_t mask = 0;
  bool refuse_clone3 = false;
  if (mode == "net") {
    mask = CLONE_NEWNET;
  } else if (mode == "user") {
    mask = CLONE_NEWUSER;
    refuse_clone3 = true;
  } else if (mode == "user-unshare") {
    mask = CLONE_NEWUSER;
  } else {
    (void)std::fprintf(stderr, "podns-nslimit: unknown mode %s\n", args[1]);
    return 2;
  }

  std::vector<sock_filter> f;
  f.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
  f.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0));
  f.push_back(stmt(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
  f.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
  refuse_flags(f, SYS_unshare, mask);
  refuse_flags(f, SYS_clone, mask);
  if (refuse_clone3) {
    f.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1));
    f.push_back(stmt(BPF_RET | BPF_K, kErrnoEnospc));
  }
  f.push_back(stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));

  sock_fprog prog{static_cast<unsigned short>(f.size()), f.data()};
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
    std::perror("podns-nslimit: PR_SET_NO_NEW_PRIVS");
    return 1;
  }
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
    std::perror("podns-nslimit: seccomp");
    return 1;
  }
  ::execv(args[2], &args[2]);
  (void)std::fprintf(stderr, "podns-nslimit: exec %s: %s\n", args[2], std::strerror(errno));
  return 127;
}
