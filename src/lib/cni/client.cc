#include "podns/cni/client.h"

#include <algorithm>
#include <optional>

#include "podns/cni/exec.h"
#include "podns/cni/parse.h"
#include "podns/cni/result.h"
#include "podns/cni/validate.h"
#include "podns/cni/version.h"
#include "podns/nsfs.h"

namespace podns::cni {

using nlohmann::json;

namespace {

// The first of several errors, and how many came after it.
class Errors {
 public:
  void add(Error e) {
    if (!first_) {
      first_ = std::move(e);
    } else {
      ++more_;
    }
  }
  // What `total` steps came to.
  Result<void> result(std::size_t total) && {
    if (!first_) return {};
    if (more_ > 0) {
      first_->context(std::to_string(more_ + 1) + " of " + std::to_string(total) +
                      " steps failed; the first");
    }
    return std::unexpected(std::move(*first_));
  }

 private:
  std::optional<Error> first_;
  std::size_t more_ = 0;
};

// A NetworkConfig may be built by hand rather than parsed: the checks
// parse_network makes, once more, cheaply.
Result<void> check_network(const NetworkConfig& net) {
  PODNS_CHECK(validate_network_name(net.name));
  if (!is_supported(net.cni_version)) {
    return plain_error(EPROTONOSUPPORT, "network " + net.name + ": CNI version \"" +
                                            printable(net.cni_version) + "\" is not supported");
  }
  if (!net.plugins.is_array() || net.plugins.empty())
    return invalid_argument("network " + net.name + " has no plugins");
  for (const auto& p : net.plugins) {
    if (!p.is_object() || !p.contains("type") || !p["type"].is_string())
      return invalid_argument("network " + net.name + " has a plugin without a \"type\"");
  }
  return {};
}

std::string describe(const NetworkConfig& net, const Attachment& a) {
  return "network " + net.name + ", container " + a.container_id + ", interface " + a.ifname;
}

}  // namespace

Result<void> validate_options(const Options& options) {
  if (options.bin_dirs.empty()) return invalid_argument("no CNI plugin directory is given");
  for (const auto& d : options.bin_dirs) PODNS_CHECK(validate_bin_dir(d));
  if (options.cache_dir.empty() || options.cache_dir[0] != '/') {
    return invalid_argument("CNI cache directory \"" + printable(options.cache_dir) +
                            "\" is not an absolute path");
  }
  if (options.timeout.count() <= 0) return invalid_argument("CNI plugin timeout is not positive");
  if (options.max_output == 0) return invalid_argument("CNI plugin output bound is 0");
  return {};
}

Result<Client> Client::open(Options options) {
  PODNS_CHECK(validate_options(options));
  return Client(std::move(options));
}

Result<json> Client::run(const NetworkConfig& net, const json& plugin, Command cmd,
                         const json* prev_result, const Attachment* a,
                         const std::vector<AttachmentKey>* valid) {
  std::string type = plugin.contains("type") && plugin["type"].is_string()
                         ? plugin["type"].get<std::string>()
                         : std::string();
  std::string ctx =
      "CNI plugin " + printable(type) + " (" + to_string(cmd) + ", network " + net.name + ")";
  PODNS_TRY_CTX(path, find_plugin(options_.bin_dirs, type), ctx);
  json request = plugin_request(net, plugin, cmd, prev_result, a, valid);
  ExecLimits limits{options_.timeout, options_.max_output};
  PODNS_TRY_CTX(
      out,
      run_plugin_process(path, plugin_env(cmd, a, options_.bin_dirs), dump_json(request), limits),
      ctx);
  PODNS_TRY_CTX(result, interpret(out, cmd, net.cni_version), ctx);
  return result;
}

Result<json> Client::add(const NetworkConfig& net, const Attachment& a, Caching caching) {
  PODNS_CHECK(check_network(net));
  PODNS_CHECK_CTX(validate_attachment(a, Command::add), "ADD " + describe(net, a));
  if (caching == Caching::on) {
    // A second ADD would overwrite the result DEL needs; the spec forbids it.
    auto cached = cache_.read(net.name, a.container_id, a.ifname);
    if (cached && *cached) {
      return plain_error(EEXIST,
                         "ADD " + describe(net, a) +
                             ": it is attached already (its result is cached); DEL it first");
    }
  }
  json result(nullptr);
  for (const auto& plugin : net.plugins) {
    PODNS_TRY(r, run(net, plugin, Command::add, result.is_null() ? nullptr : &result, &a));
    result = std::move(r);
  }
  if (caching == Caching::on) {
    CacheEntry e;
    e.container_id = a.container_id;
    e.ifname = a.ifname;
    e.network_name = net.name;
    e.netns = a.netns;
    e.config = net.bytes;
    e.cni_args = a.args;
    e.capability_args = a.capability_args;
    e.result = result;
    PODNS_CHECK_CTX(cache_.write(e), "ADD " + describe(net, a) +
                                         " succeeded, but its result could not be kept; DEL it");
  }
  return result;
}

Result<void> Client::del(const NetworkConfig& net, const Attachment& a, Caching caching) {
  PODNS_CHECK(check_network(net));
  PODNS_CHECK_CTX(validate_attachment(a, Command::del), "DEL " + describe(net, a));
  Attachment call = a;
  // A namespace that is gone (or a pin that no longer holds one) is passed
  // as none: plugins then release what they hold outside it.
  if (!call.netns.empty() && !nsfs::open(call.netns, nsfs::Type::net)) call.netns.clear();

  std::optional<CacheEntry> cached;
  if (caching == Caching::on) {
    // An unreadable entry is as good as none: DEL must still run.
    if (auto r = cache_.read(net.name, a.container_id, a.ifname)) cached = std::move(*r);
  }
  const json* prev = cached && !cached->result.empty() ? &cached->result : nullptr;

  Errors errors;
  for (std::size_t i = net.plugins.size(); i-- > 0;) {
    if (auto r = run(net, net.plugins[i], Command::del, prev, &call); !r) errors.add(r.error());
  }
  PODNS_CHECK(std::move(errors).result(net.plugins.size()));
  if (caching == Caching::on) PODNS_CHECK(cache_.remove(net.name, a.container_id, a.ifname));
  return {};
}

Result<void> Client::check(const NetworkConfig& net, const Attachment& a) {
  PODNS_CHECK(check_network(net));
  if (net.disable_check) return {};
  std::string what = "CHECK " + describe(net, a);
  PODNS_CHECK_CTX(validate_attachment(a, Command::check), what);
  PODNS_TRY_CTX(cached, cache_.read(net.name, a.container_id, a.ifname), what);
  if (!cached) return plain_error(ENOENT, what + ": no cached result; it is not attached");
  for (const auto& plugin : net.plugins) {
    PODNS_CHECK(run(net, plugin, Command::check, &cached->result, &a));
  }
  return {};
}

Result<void> Client::status(const NetworkConfig& net) {
  PODNS_CHECK(check_network(net));
  if (!at_least(net.cni_version, "1.1.0")) return {};
  for (const auto& plugin : net.plugins) {
    PODNS_CHECK(run(net, plugin, Command::status, nullptr, nullptr));
  }
  return {};
}

Result<void> Client::gc(const NetworkConfig& net, const std::vector<AttachmentKey>& valid) {
  PODNS_CHECK(check_network(net));
  if (net.disable_gc) return {};
  Errors errors;
  std::size_t steps = 0;

  auto cached = cache_.list();
  if (!cached) {
    errors.add(std::move(cached.error()).context("GC network " + net.name));
    ++steps;
  } else {
    for (const auto& e : *cached) {
      if (e.network_name != net.name) continue;
      AttachmentKey key{e.container_id, e.ifname};
      if (std::find(valid.begin(), valid.end(), key) != valid.end()) continue;
      ++steps;
      if (auto r = del(net, attachment_of(e)); !r) {
        errors.add(
            std::move(r.error()).context("GC network " + net.name + ": DEL stale attachment"));
      }
    }
  }

  if (at_least(net.cni_version, "1.1.0")) {
    for (const auto& plugin : net.plugins) {
      ++steps;
      if (auto r = run(net, plugin, Command::gc, nullptr, nullptr, &valid); !r)
        errors.add(r.error());
    }
  }
  return std::move(errors).result(steps);
}

Result<json> Client::version(const std::string& plugin_type) {
  std::string ctx = "CNI plugin " + printable(plugin_type) + " (VERSION)";
  PODNS_TRY_CTX(path, find_plugin(options_.bin_dirs, plugin_type), ctx);
  json request{{"cniVersion", kLatestVersion}};
  ExecLimits limits{options_.timeout, options_.max_output};
  PODNS_TRY_CTX(out,
                run_plugin_process(path, plugin_env(Command::version, nullptr, options_.bin_dirs),
                                   dump_json(request), limits),
                ctx);
  PODNS_TRY_CTX(result, interpret(out, Command::version, std::string(kLatestVersion)), ctx);
  return result;
}

}  // namespace podns::cni
