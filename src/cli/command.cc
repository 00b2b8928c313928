#include "command.h"

#include <string.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace podns::cli {

int fail(const Error& e) {
  (void)std::fprintf(stderr, "podns: %s\n", e.message().c_str());  // nowhere to report a failure
  return e.is_invalid_input() ? kUsage : kFailed;
}

int interrupted(int sig, const std::string& what) {
  (void)std::fprintf(stderr, "podns: interrupted by SIG%s; %s\n", ::sigabbrev_np(sig), what.c_str());
  return kSignalBase + sig;
}

namespace {

// A host ID: decimal digits only, at most 4294967294.
Result<std::uint32_t> parse_host_id(const char* option, const std::string& text) {
  std::uint64_t v = 0;
  bool digits = !text.empty() && text.size() <= 10 &&
                std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits) std::from_chars(text.data(), text.data() + text.size(), v);
  if (!digits || v > 4294967294u) {
    return invalid_argument(std::string(option) + " \"" + text +
                            "\": want a host ID, 0 to 4294967294");
  }
  return static_cast<std::uint32_t>(v);
}

// Seconds, above 0 and at most a day, to the millisecond.
Result<std::chrono::milliseconds> parse_seconds(const char* option, const std::string& text) {
  double v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v, std::chars_format::fixed);
  bool number = !text.empty() && ec == std::errc() && ptr == end && std::isfinite(v);
  auto ms = number ? std::llround(v * 1000) : 0;
  if (!number || ms <= 0 || v > 86400) {
    return invalid_argument(std::string(option) + " \"" + text +
                            "\": want seconds, a number above 0 (at least 0.001) and at most 86400");
  }
  return std::chrono::milliseconds(ms);
}

}  // namespace

Result<Config> config_from(const Globals& g) {
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
  if (g.cni_timeout_opt && g.cni_timeout_opt->count() > 0) {
    PODNS_TRY(timeout, parse_seconds("--cni-timeout", g.cni_timeout));
    config.cni.timeout = timeout;
  }
  if (g.pool_first_opt && g.pool_first_opt->count() > 0) {
    PODNS_TRY(first, parse_host_id("--auto-pool-first", g.pool_first));
    config.auto_pool.first = first;
  }
  if (g.pool_last_opt && g.pool_last_opt->count() > 0) {
    PODNS_TRY(last, parse_host_id("--auto-pool-last", g.pool_last));
    config.auto_pool.last = last;
  }
  PODNS_CHECK(validate_config(config));
  return config;
}

std::optional<Manager> open_manager(Globals& g) {
  auto config = config_from(g);
  if (!config) {
    g.exit_code = fail(config.error());
    return std::nullopt;
  }
  auto m = Manager::open(std::move(*config));
  if (!m) {
    g.exit_code = fail(m.error());
    return std::nullopt;
  }
  return std::move(*m);
}

void print_json(const nlohmann::json& j) { std::cout << j.dump(2) << "\n"; }

}  // namespace podns::cli
