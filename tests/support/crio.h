// CRI-O's side of a pinns call, as its internal/config/nsmgr does it, for
// the tests of `podns pinns`: the namespaces its sandbox code asks for, the
// command line it builds, the pin files it makes and chowns first, and how
// it removes the pins.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "podns/nsfs.h"

namespace podns::test {

// A pod as CRI-O's sandbox code describes it to NewPodNamespaces.
struct CrioPod {
  bool host_ipc = false;
  bool host_network = false;
  std::optional<nsfs::Maps> maps;                            // IDMappings
  std::vector<std::pair<std::string, std::string>> sysctls;  // Sysctls
};

// {type, host}: IPC, NET, UTS, and USER when the pod has ID mappings, in
// the order configureGeneratorForSandboxNamespaces lists them.
std::vector<std::pair<std::string, bool>> crio_namespaces(const CrioPod& pod);

// getMappingsForPinns: "C-H-S@" per line.
std::string pinns_form(const IdMap& map);

// The arguments NewPodNamespaces gives pinns:
//   -d DIR -f NAME [-s KEY=VALUE]... --ipc[=host] --net[=host] --uts [--user]
//   [--uid-mapping=MAP --gid-mapping=MAP]
std::vector<std::string> crio_args(const std::string& dir, const std::string& name,
                                   const CrioPod& pod);

// DIR/<type>ns/NAME
std::string pin_of(const std::string& dir, const std::string& type, const std::string& name);

// chownDirToIDPair, for each namespace of a pod with ID mappings: the
// directory, an empty file (os.Create: 0666 less the umask), chowned to the
// pod's root. Nothing for a pod without.
void crio_prepare(const std::string& dir, const std::string& name, const CrioPod& pod);

// Namespace.Remove for each pin: unmount with MNT_DETACH (not mounted is
// fine), then a recursive remove.
void crio_remove(const std::string& dir, const std::string& name, const CrioPod& pod);

}  // namespace podns::test
