#include "podns/fault.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <string>

namespace podns::fault {
namespace {

constexpr auto kSteps = std::to_array<std::string_view>({
    // create
    "create.reserve",     // the row is recorded as "creating"
    "create.directory",   // ROOT/ID exists
    "create.namespaces",  // the helper holds the new namespaces
    "create.pin-user",    // ROOT/ID/user is mounted
    "create.pin-net",     // ROOT/ID/net is mounted
    "create.network",     // CNI ADD has attached the pod
    "create.ready",       // the row says "ready"
    // stop
    "stop.begin",    // the lock is held, nothing changed yet
    "stop.network",  // CNI DEL has detached the pod
    "stop.stopped",  // the row says "stopped"
    // rm
    "rm.begin",      // the row says "removing"
    "rm.network",    // CNI DEL has detached the pod
    "rm.unpin",      // the pins and ROOT/ID are gone
    "rm.forget",     // the row is gone
    // recover
    "recover.begin",    // nothing done yet
    "recover.sandbox",  // one sandbox was reconciled
    "recover.orphan",   // one orphan pin directory or attachment was removed
    // pinns
    "pinns.directories",  // DIR, DIR/<type>ns and the pin files exist
    "pinns.namespaces",   // the helper holds the new namespaces
    "pinns.pin-user",     // DIR/userns/NAME is mounted
    "pinns.pins",         // every pin is mounted; the helper still runs
});

// "STEP:error" or "STEP:crash" for `step` in PODNS_FAULT, or "".
std::string_view mode_for(std::string_view step) {
  const char* env = std::getenv("PODNS_FAULT");
  if (!env) return {};
  std::string_view all(env);
  while (!all.empty()) {
    auto comma = all.find(',');
    auto item = all.substr(0, comma);
    all = comma == std::string_view::npos ? std::string_view() : all.substr(comma + 1);
    auto colon = item.rfind(':');
    if (colon != std::string_view::npos && item.substr(0, colon) == step) return item.substr(colon + 1);
  }
  return {};
}

}  // namespace

std::span<const std::string_view> steps() { return kSteps; }

Result<void> point(std::string_view step) {
  auto mode = mode_for(step);
  if (mode.empty()) return {};
  if (mode == "crash") {
    ::kill(::getpid(), SIGKILL);
    ::pause();
  }
  return plain_error(EIO, "injected fault at " + std::string(step));
}

}  // namespace podns::fault
