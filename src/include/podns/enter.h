// Entering a sandbox's namespaces from the calling process, the way
// `ip netns exec` does for a plain netns: for `podns exec`, and for library
// users that run something inside a pod.
#pragma once

#include "podns/error.h"
#include "podns/sandbox.h"

namespace podns {

// Joins the sandbox's user namespace (first: the others are owned by it),
// then its network, IPC and UTS namespaces, each checked to be the
// recorded one (device and inode) before joining; becomes the pod's root
// (uid and gid 0 inside); then makes a private mount namespace with a fresh
// sysfs of the pod's netns on /sys, as ip netns exec does. The caller must
// be single-threaded (the kernel refuses setns into a user namespace
// otherwise); on error the process may be half inside: exit.
Result<void> enter(const Sandbox& s);

}  // namespace podns
