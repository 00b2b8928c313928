#include "command.h"

#include <cstdio>
#include <iostream>

namespace podns::cli {

int fail(const Error& e) {
  std::fprintf(stderr, "podns: %s\n", e.message().c_str());
  return e.is_invalid_input() ? kUsage : kFailed;
}

std::optional<Manager> open_manager(Globals& g) {
  auto m = Manager::open(Config{g.root, g.state_dir});
  if (!m) {
    g.exit_code = fail(m.error());
    return std::nullopt;
  }
  return std::move(*m);
}

void print_json(const nlohmann::json& j) { std::cout << j.dump(2) << "\n"; }

}  // namespace podns::cli
