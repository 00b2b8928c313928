#include "podns/cni/config.h"

#include <algorithm>

#include "podns/file.h"
#include "podns/cni/parse.h"
#include "podns/cni/validate.h"
#include "podns/cni/version.h"

namespace podns::cni {
namespace {

using nlohmann::json;

// A flag that libcni also accepts as the strings "true" and "false".
Result<bool> read_flag(const json& obj, const char* key) {
  if (!obj.contains(key)) return false;
  const json& v = obj[key];
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    if (s == "true") return true;
    if (s == "false") return false;
  }
  return invalid_argument(std::string("\"") + key + "\" is " + v.dump() + ", not true or false");
}

Result<std::optional<std::string>> read_version(const json& obj) {
  if (!obj.contains("cniVersion")) return std::optional<std::string>();
  if (!obj["cniVersion"].is_string()) return invalid_argument("\"cniVersion\" is not a string");
  return std::optional<std::string>(obj["cniVersion"].get<std::string>());
}

Result<std::vector<std::string>> read_versions(const json& obj) {
  std::vector<std::string> out;
  if (!obj.contains("cniVersions")) return out;
  const json& list = obj["cniVersions"];
  if (!list.is_array()) return invalid_argument("\"cniVersions\" is not an array");
  for (const auto& v : list) {
    if (!v.is_string())
      return invalid_argument("\"cniVersions\" holds " + v.dump() + ", not a string");
    out.push_back(v.get<std::string>());
  }
  return out;
}

Result<std::string> read_name(const json& obj) {
  if (!obj.contains("name")) return invalid_argument("no network \"name\"");
  if (!obj["name"].is_string()) return invalid_argument("network \"name\" is not a string");
  std::string name = obj["name"].get<std::string>();
  PODNS_CHECK(validate_network_name(name));
  return name;
}

Result<void> check_plugin(const json& plugin, std::size_t index) {
  std::string where = "plugin " + std::to_string(index);
  if (!plugin.is_object()) return invalid_argument(where + " is not a JSON object");
  if (!plugin.contains("type")) return invalid_argument(where + " has no \"type\"");
  if (!plugin["type"].is_string()) return invalid_argument(where + ": \"type\" is not a string");
  PODNS_CHECK_CTX(validate_plugin_type(plugin["type"].get<std::string>()), where);
  if (plugin.contains("capabilities") && !plugin["capabilities"].is_object())
    return invalid_argument(where + ": \"capabilities\" is not a JSON object");
  return {};
}

Result<NetworkConfig> parse_list(const json& list, std::string bytes) {
  NetworkConfig net;
  PODNS_TRY(name, read_name(list));
  PODNS_TRY(version, read_version(list));
  PODNS_TRY(versions, read_versions(list));
  PODNS_TRY(selected, select_version(version, versions));
  PODNS_TRY(disable_check, read_flag(list, "disableCheck"));
  PODNS_TRY(disable_gc, read_flag(list, "disableGC"));
  const json& plugins = list["plugins"];
  if (!plugins.is_array()) return invalid_argument("\"plugins\" is not an array");
  if (plugins.empty()) return invalid_argument("\"plugins\" is empty");
  for (std::size_t i = 0; i < plugins.size(); ++i) PODNS_CHECK(check_plugin(plugins[i], i));
  net.name = std::move(name);
  net.cni_version = std::move(selected);
  net.plugins = plugins;
  net.raw = list;
  net.bytes = std::move(bytes);
  net.disable_check = disable_check;
  net.disable_gc = disable_gc;
  return net;
}

// A single-plugin `.conf`: the list libcni would make of it.
json wrap_single(const json& conf) {
  json list = json::object();
  list["name"] = conf["name"];
  if (conf.contains("cniVersion")) list["cniVersion"] = conf["cniVersion"];
  if (conf.contains("cniVersions")) list["cniVersions"] = conf["cniVersions"];
  for (const char* flag : {"disableCheck", "disableGC"}) {
    if (conf.contains(flag)) list[flag] = conf[flag];
  }
  list["plugins"] = json::array({conf});
  return list;
}

}  // namespace

Result<NetworkConfig> parse_network(std::string_view bytes, const std::string& source) {
  std::string ctx = "network configuration " + source;
  if (bytes.size() > kMaxConfigSize)
    return plain_error(EFBIG, ctx + " is larger than " + std::to_string(kMaxConfigSize) + " bytes");
  PODNS_TRY(doc, parse_json(bytes, ctx));
  if (!doc.is_object()) return invalid_argument(ctx + " is not a JSON object");

  Result<NetworkConfig> net;
  if (doc.contains("plugins")) {
    net = parse_list(doc, std::string(bytes));
  } else if (doc.contains("type")) {
    PODNS_CHECK_CTX(read_name(doc), ctx);
    json list = wrap_single(doc);
    net = parse_list(list, list.dump());
  } else {
    return invalid_argument(ctx + R"( has neither a "plugins" list nor a plugin "type")");
  }
  if (!net) return std::unexpected(std::move(net.error()).context(ctx));
  net->source_path = source;
  return net;
}

Result<std::vector<std::string>> network_files(const std::string& conf_dir) {
  PODNS_TRY_CTX(names, file::list_dir(conf_dir), "list network configurations");
  std::vector<std::string> files;
  for (auto& n : names) {
    if (n.starts_with(".")) continue;
    if (n.ends_with(".conflist") || n.ends_with(".conf") || n.ends_with(".json"))
      files.push_back(std::move(n));
  }
  std::sort(files.begin(), files.end());
  for (auto& f : files) f = conf_dir + "/" + f;
  return files;
}

Result<std::vector<NetworkConfig>> load_networks(const std::string& conf_dir) {
  PODNS_TRY(files, network_files(conf_dir));
  std::vector<NetworkConfig> nets;
  for (const auto& path : files) {
    auto bytes = file::read_file(path, kMaxConfigSize);
    // Removed since the directory was listed: no longer one of them.
    if (!bytes && bytes.error().errno_value() == ENOENT) continue;
    if (!bytes) return std::unexpected(std::move(bytes.error()).context("read network configuration"));
    auto net = parse_network(*bytes, path);
    // A file that is no network configuration is one error, whatever is
    // wrong with it (not JSON, nested too deep, a field of the wrong type):
    // the configuration given is wrong, as a bad value would be.
    if (!net) {
      if (net.error().is_invalid_input()) return std::unexpected(std::move(net.error()));
      return invalid_argument(net.error().message());
    }
    for (const auto& other : nets) {
      if (other.name == net->name) {
        return invalid_argument("network " + net->name + " is declared twice, in " +
                                other.source_path + " and in " + path +
                                ": which one is meant is not clear; rename or remove one");
      }
    }
    nets.push_back(std::move(*net));
  }
  return nets;
}

Result<NetworkConfig> load_network(const std::string& conf_dir,
                                   const std::optional<std::string>& name) {
  PODNS_TRY(nets, load_networks(conf_dir));
  if (nets.empty()) {
    return plain_error(ENOENT,
                       "no network configuration (*.conflist, *.conf, *.json) in " + conf_dir);
  }
  if (!name) return std::move(nets.front());
  std::string names;
  for (auto& net : nets) {
    if (net.name == *name) return std::move(net);
    names += (names.empty() ? "" : ", ") + net.name;
  }
  return plain_error(ENOENT, "no network named " + *name + " in " + conf_dir + " (it has " +
                                 names + ")");
}

}  // namespace podns::cni
