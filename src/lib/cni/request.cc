#include "podns/cni/request.h"

#include "podns/cni/validate.h"

namespace podns::cni {

using nlohmann::json;

const char* to_string(Command c) {
  switch (c) {
    case Command::add:
      return "ADD";
    case Command::del:
      return "DEL";
    case Command::check:
      return "CHECK";
    case Command::status:
      return "STATUS";
    case Command::gc:
      return "GC";
    case Command::version:
      return "VERSION";
  }
  return "?";
}

namespace {

bool per_attachment(Command cmd) {
  return cmd == Command::add || cmd == Command::del || cmd == Command::check;
}

}  // namespace

Result<void> validate_attachment(const Attachment& a, Command cmd) {
  PODNS_CHECK(validate_container_id(a.container_id));
  PODNS_CHECK(validate_ifname(a.ifname));
  PODNS_CHECK(validate_cni_args(a.args));
  if (!a.capability_args.is_object())
    return invalid_argument("capability arguments are not a JSON object");
  bool need_netns = cmd == Command::add || cmd == Command::check;
  if (need_netns && a.netns.empty())
    return invalid_argument(std::string(to_string(cmd)) + " needs a network namespace path");
  if (!a.netns.empty() && (a.netns[0] != '/' || a.netns.find('\0') != std::string::npos ||
                           a.netns.find('\n') != std::string::npos)) {
    return invalid_argument("network namespace path \"" + printable(a.netns) +
                            "\" is not an absolute path");
  }
  return {};
}

std::string format_cni_args(const std::vector<std::pair<std::string, std::string>>& args) {
  std::string out;
  for (const auto& [k, v] : args) {
    if (!out.empty()) out += ';';
    out += k + "=" + v;
  }
  return out;
}

namespace {

// The capabilities the plugin declares and the attachment has values for:
// nothing when that is nothing, as libcni does, so plugins that predate
// runtimeConfig see the configuration as written.
json runtime_config(const json& plugin, const Attachment* attachment) {
  json runtime = json::object();
  if (!attachment || !plugin.contains("capabilities") || !plugin["capabilities"].is_object())
    return runtime;
  for (const auto& [cap, enabled] : plugin["capabilities"].items()) {
    if (enabled.is_boolean() && enabled.get<bool>() && attachment->capability_args.contains(cap))
      runtime[cap] = attachment->capability_args[cap];
  }
  return runtime;
}

}  // namespace

json plugin_request(const NetworkConfig& net, const json& plugin, Command cmd,
                    const json* prev_result, const Attachment* attachment,
                    const std::vector<AttachmentKey>* valid) {
  if (cmd == Command::version) return json{{"cniVersion", net.cni_version}};
  json req = json::object();
  // Reserved: the runtime's to set, never the configuration's to pass on.
  for (const auto& [key, value] : plugin.items()) {
    if (key == "capabilities" || key.starts_with("cni.dev/")) continue;
    req[key] = value;
  }
  req["name"] = net.name;
  req["cniVersion"] = net.cni_version;

  if (per_attachment(cmd)) {
    if (prev_result && !prev_result->is_null()) req["prevResult"] = *prev_result;
    if (json runtime = runtime_config(plugin, attachment); !runtime.empty())
      req["runtimeConfig"] = std::move(runtime);
  }
  if (cmd == Command::gc) {
    json list = json::array();
    if (valid) {
      for (const auto& k : *valid)
        list.push_back({{"containerID", k.container_id}, {"ifname", k.ifname}});
    }
    req["cni.dev/valid-attachments"] = std::move(list);
  }
  return req;
}

std::vector<std::string> plugin_env(Command cmd, const Attachment* attachment,
                                    const std::vector<std::string>& bin_dirs) {
  std::string path;
  for (const auto& d : bin_dirs) path += (path.empty() ? "" : ":") + d;
  std::vector<std::string> env{std::string("CNI_COMMAND=") + to_string(cmd)};
  if (per_attachment(cmd) && attachment) {
    env.push_back("CNI_CONTAINERID=" + attachment->container_id);
    env.push_back("CNI_NETNS=" + attachment->netns);
    env.push_back("CNI_IFNAME=" + attachment->ifname);
    env.push_back("CNI_ARGS=" + format_cni_args(attachment->args));
  }
  env.push_back("CNI_PATH=" + path);
  env.push_back(std::string("PATH=") + kPluginPath);
  return env;
}

}  // namespace podns::cni
