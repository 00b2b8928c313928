#include "podns/sandbox.h"

#include <time.h>

#include <algorithm>
#include <array>
#include <cstdio>

namespace podns {

const char* to_string(SandboxState s) {
  switch (s) {
    case SandboxState::creating: return "creating";
    case SandboxState::ready: return "ready";
    case SandboxState::stopped: return "stopped";
    case SandboxState::notready: return "notready";
    case SandboxState::removing: return "removing";
    case SandboxState::unknown: return "unknown";
  }
  return "?";
}

std::optional<SandboxState> parse_state(std::string_view s) {
  for (auto st : {SandboxState::creating, SandboxState::ready, SandboxState::stopped,
                  SandboxState::notready, SandboxState::removing, SandboxState::unknown}) {
    if (s == to_string(st)) return st;
  }
  return std::nullopt;
}

const char* to_string(NetState s) {
  switch (s) {
    case NetState::none: return "";
    case NetState::attaching: return "attaching";
    case NetState::attached: return "attached";
    case NetState::detaching: return "detaching";
  }
  return "?";
}

std::optional<NetState> parse_net_state(std::string_view s) {
  for (auto st : {NetState::none, NetState::attaching, NetState::attached, NetState::detaching}) {
    if (s == to_string(st)) return st;
  }
  return std::nullopt;
}

Result<void> validate_id(std::string_view id) {
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (id.empty()) return invalid_argument("sandbox ID is empty");
  if (id.size() > 128) {
    return invalid_argument("sandbox ID is " + std::to_string(id.size()) +
                            " characters long; at most 128 are allowed");
  }
  bool ok = alnum(id[0]) && std::all_of(id.begin(), id.end(), [&](char c) {
              return alnum(c) || c == '_' || c == '.' || c == '-';
            });
  if (!ok) {
    std::string shown;
    for (char c : id) shown += (c >= 0x20 && c < 0x7f) ? std::string(1, c) : "?";
    return invalid_argument("sandbox ID \"" + shown +
                            "\" is invalid: it must match [A-Za-z0-9][A-Za-z0-9_.-]*");
  }
  return {};
}

std::string now_rfc3339() {
  struct timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  ::gmtime_r(&ts.tv_sec, &tm);
  // At most 37 characters (an int year): never truncated.
  std::array<char, 64> buf{};
  (void)std::snprintf(buf.data(), buf.size(), "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ",
                      tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                      tm.tm_sec, ts.tv_nsec);
  return buf.data();
}

}  // namespace podns
