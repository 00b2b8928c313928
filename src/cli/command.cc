#include "command.h"

#include <chrono>
#include <cstdio>
#include <iostream>

namespace podns::cli {

int fail(const Error& e) {
  (void)std::fprintf(stderr, "podns: %s\n", e.message().c_str());  // nowhere to report a failure
  return e.is_invalid_input() ? kUsage : kFailed;
}

std::optional<Manager> open_manager(Globals& g) {
  Config config = g.config;
  if (!g.cni_bin_dirs.empty()) {
    // Several --cni-bin-dir, or one with a colon-separated list.
    config.cni.bin_dirs.clear();
    for (const auto& item : g.cni_bin_dirs) {
      std::size_t start = 0;
      while (start <= item.size()) {
        auto colon = item.find(':', start);
        auto dir = item.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
        if (!dir.empty()) config.cni.bin_dirs.push_back(dir);
        if (colon == std::string::npos) break;
        start = colon + 1;
      }
    }
  }
  if (g.cni_timeout_s > 0)
    config.cni.timeout = std::chrono::milliseconds(static_cast<long>(g.cni_timeout_s * 1000));
  auto m = Manager::open(std::move(config));
  if (!m) {
    g.exit_code = fail(m.error());
    return std::nullopt;
  }
  return std::move(*m);
}

void print_json(const nlohmann::json& j) { std::cout << j.dump(2) << "\n"; }

}  // namespace podns::cli
