#include "podns/network_attachment.h"

#include "podns/cni/exec.h"
#include "podns/cni/pod.h"

namespace podns {
namespace {

constexpr const char* kSandboxArg = "PODNS_SANDBOX";

}  // namespace

NetworkAttachment::NetworkAttachment(cni::Client client, std::string sandbox_id,
                                     std::string netns_pin, cni::NetworkConfig net, NetState state)
    : client_(std::move(client)),
      sandbox_id_(std::move(sandbox_id)),
      netns_pin_(std::move(netns_pin)),
      net_(std::move(net)),
      state_(state),
      args_{{"IgnoreUnknown", "1"}, {kSandboxArg, sandbox_id_}} {}

cni::Attachment NetworkAttachment::on(std::string netns, const char* ifname) const {
  return {sandbox_id_, std::move(netns), ifname, args_, nlohmann::json::object()};
}

Result<void> NetworkAttachment::check_plugins() const {
  for (const auto* chain : {&cni::loopback_network(), &net_}) {
    for (const auto& plugin : chain->plugins) {
      std::string type = plugin.value("type", "");
      if (auto found = cni::find_plugin(client_.options().bin_dirs, type); !found) {
        return std::unexpected(std::move(found.error())
                                   .context("CNI plugin " + type + " (ADD, network " + chain->name + ")"));
      }
    }
  }
  return {};
}

Result<nlohmann::json> NetworkAttachment::add(const Record& record) {
  if (state_ != NetState::none) {
    return plain_error(EEXIST, "network " + net_.name + " of sandbox " + sandbox_id_ + " is " +
                                   to_string(state_) + " already");
  }
  PODNS_CHECK(record(NetState::attaching));
  state_ = NetState::attaching;
  const cni::Pod pod{sandbox_id_, netns_pin_, args_, nlohmann::json::object()};
  PODNS_TRY(result, cni::attach_pod(client_, net_, pod));
  state_ = NetState::attached;
  nlohmann::json shown{{"name", net_.name}};
  for (const char* key : {"cniVersion", "interfaces", "ips", "routes", "dns"}) {
    if (result.contains(key)) shown[key] = result[key];
  }
  return shown;
}

Result<void> NetworkAttachment::del(const Record& record, Netns netns) {
  if (state_ == NetState::none) return {};
  if (state_ != NetState::detaching) {
    PODNS_CHECK(record(NetState::detaching));
    state_ = NetState::detaching;
  }
  const std::string live = netns == Netns::pinned ? netns_pin_ : std::string();
  // An unreadable cache entry does not stop DEL.
  auto cached = client_.cache().read(net_.name, sandbox_id_, cni::kPodIfname);
  bool anothers = false;
  if (cached) {
    const std::optional<cni::CacheEntry>& entry = *cached;
    anothers = entry.has_value() && entry->netns != netns_pin_;
  }
  if (anothers) {
    PODNS_CHECK_CTX(client_.del(cni::loopback_network(), on(live, cni::kLoopbackIfname),
                                cni::Caching::off),
                    "detach loopback");
  } else {
    const cni::Pod pod{sandbox_id_, live, args_, nlohmann::json::object()};
    PODNS_CHECK_CTX(cni::detach_pod(client_, net_, pod), "detach network " + net_.name);
  }
  state_ = NetState::none;
  return {};
}

Result<void> NetworkAttachment::check() {
  if (state_ != NetState::attached) {
    return plain_error(ENOTCONN, "network " + net_.name + " of sandbox " + sandbox_id_ +
                                     " is not attached");
  }
  return client_.check(net_, on(netns_pin_, cni::kPodIfname));
}

Result<void> NetworkAttachment::keep_for_recover() const {
  PODNS_TRY(cached, client_.cache().read(net_.name, sandbox_id_, cni::kPodIfname));
  if (cached) return {};
  cni::CacheEntry e;
  e.container_id = sandbox_id_;
  e.ifname = cni::kPodIfname;
  e.network_name = net_.name;
  e.netns = netns_pin_;
  e.config = net_.bytes;
  e.cni_args = args_;
  return client_.cache().write(e);
}

std::optional<std::string> NetworkAttachment::owner(const cni::CacheEntry& e) {
  for (const auto& [k, v] : e.cni_args) {
    if (k == kSandboxArg) return v;
  }
  return std::nullopt;
}

}  // namespace podns
