// CNI network configurations (.conflist and .conf), and the requests each
// plugin of a parsed network would be sent.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "check.h"
#include "podns/cni/config.h"
#include "podns/cni/parse.h"
#include "podns/cni/request.h"
#include "podns/cni/validate.h"
#include "podns/cni/version.h"

namespace {

using nlohmann::json;
using namespace podns::cni;

void check_requests(const NetworkConfig& net) {
  Attachment a;
  a.container_id = "fuzz-1";
  a.netns = "/run/podns/fuzz-1/net";
  a.ifname = "eth0";
  a.args = {{"IgnoreUnknown", "1"}};
  a.capability_args = {{"portMappings", json::array({{{"hostPort", 8080}, {"containerPort", 80}}})},
                       {"bandwidth", {{"ingressRate", 1000}}}};
  const json prev = {{"cniVersion", net.cni_version}, {"ips", json::array()}};
  const std::vector<AttachmentKey> valid{{"fuzz-1", "eth0"}};
  for (const auto& plugin : net.plugins) {
    for (auto cmd : {Command::add, Command::del, Command::check, Command::status, Command::gc}) {
      json req = plugin_request(net, plugin, cmd, &prev, &a, &valid);
      FUZZ_CHECK(req.is_object());
      FUZZ_CHECK(req["name"] == net.name && req["cniVersion"] == net.cni_version);
      FUZZ_CHECK(!req.contains("capabilities"));
      FUZZ_CHECK(!dump_json(req).empty());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto net = parse_network(podns::fuzz::text(data, size), "fuzz.conflist");
  if (!net) {
    FUZZ_CHECK(!net.error().message().empty());
    return 0;
  }
  FUZZ_CHECK(validate_network_name(net->name));
  FUZZ_CHECK(is_supported(net->cni_version));
  FUZZ_CHECK(net->plugins.is_array() && !net->plugins.empty());
  for (const auto& p : net->plugins) {
    FUZZ_CHECK(p.is_object() && p.contains("type") && p["type"].is_string());
    FUZZ_CHECK(validate_plugin_type(p["type"].get<std::string>()));
  }
  FUZZ_CHECK(net->source_path == "fuzz.conflist");

  // The bytes kept in the result cache (to DEL after a crash) give the same
  // network back.
  auto again = parse_network(net->bytes, "cached");
  FUZZ_CHECK(again);
  FUZZ_CHECK(again->name == net->name && again->cni_version == net->cni_version);
  FUZZ_CHECK(again->plugins == net->plugins);
  FUZZ_CHECK(again->disable_check == net->disable_check && again->disable_gc == net->disable_gc);

  check_requests(*net);
  return 0;
}
