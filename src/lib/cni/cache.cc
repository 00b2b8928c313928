#include "podns/cni/cache.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>

#include "podns/file.h"
#include "podns/cni/parse.h"
#include "podns/cni/validate.h"

namespace podns::cni {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxCacheFile = 4 << 20;
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

Result<std::string> string_field(const json& j, const char* key, bool required) {
  if (!j.contains(key)) {
    if (required) return invalid_argument(std::string("no \"") + key + "\"");
    return std::string();
  }
  if (!j[key].is_string()) return invalid_argument(std::string("\"") + key + "\" is not a string");
  return j[key].get<std::string>();
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto at = [&](std::size_t k) {
    return static_cast<unsigned>(static_cast<unsigned char>(bytes[k]));
  };
  for (; i + 3 <= bytes.size(); i += 3) {
    unsigned v = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    unsigned v = at(i) << 16 | (rest == 2 ? at(i + 1) << 8 : 0u);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  std::array<int, 256> value;
  value.fill(-1);
  for (int k = 0; k < 64; ++k) value[static_cast<unsigned char>(kAlphabet[k])] = k;
  if (text.size() % 4 != 0) return invalid_argument("base64 text has a length not a multiple of 4");
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    // Padding only at the very end: "xx==" or "xxx=".
    int pad = 0;
    if (i + 4 == text.size()) {
      if (text[i + 3] == '=') pad = text[i + 2] == '=' ? 2 : 1;
    }
    unsigned v = 0;
    for (int k = 0; k < 4; ++k) {
      v <<= 6;
      if (k >= 4 - pad) continue;
      int d = value[static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)])];
      if (d < 0) return invalid_argument("base64 text holds an invalid character");
      v |= static_cast<unsigned>(d);
    }
    out += static_cast<char>((v >> 16) & 0xff);
    if (pad < 2) out += static_cast<char>((v >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(v & 0xff);
  }
  return out;
}

json to_json(const CacheEntry& e) {
  json j = json::object();
  j["kind"] = kCacheKind;
  j["containerId"] = e.container_id;
  j["config"] = base64_encode(e.config);
  j["ifName"] = e.ifname;
  j["networkName"] = e.network_name;
  if (!e.netns.empty()) j["netns"] = e.netns;
  if (!e.cni_args.empty()) {
    json args = json::array();
    for (const auto& [k, v] : e.cni_args) args.push_back(json::array({k, v}));
    j["cniArgs"] = std::move(args);
  }
  if (e.capability_args.is_object() && !e.capability_args.empty())
    j["capabilityArgs"] = e.capability_args;
  if (!e.result.is_null() && !e.result.empty()) j["result"] = e.result;
  return j;
}

Result<CacheEntry> cache_entry_from_json(const json& j) {
  if (!j.is_object()) return invalid_argument("cache entry is not a JSON object");
  PODNS_TRY(kind, string_field(j, "kind", true));
  if (kind != kCacheKind) {
    return invalid_argument("cache entry is of kind \"" + printable(kind) + "\", not " +
                            kCacheKind);
  }
  CacheEntry e;
  PODNS_TRY(cid, string_field(j, "containerId", true));
  PODNS_TRY(ifname, string_field(j, "ifName", true));
  PODNS_TRY(network, string_field(j, "networkName", true));
  PODNS_TRY(netns, string_field(j, "netns", false));
  PODNS_TRY(config64, string_field(j, "config", false));
  PODNS_TRY_CTX(config, base64_decode(config64), "cache entry \"config\"");
  if (cid.empty() || ifname.empty() || network.empty())
    return invalid_argument("cache entry has an empty containerId, ifName or networkName");
  e.container_id = std::move(cid);
  e.ifname = std::move(ifname);
  e.network_name = std::move(network);
  e.netns = std::move(netns);
  e.config = std::move(config);
  if (j.contains("cniArgs") && !j["cniArgs"].is_null()) {
    if (!j["cniArgs"].is_array())
      return invalid_argument("cache entry \"cniArgs\" is not an array");
    for (const auto& pair : j["cniArgs"]) {
      if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string()) {
        return invalid_argument("cache entry \"cniArgs\" holds " + printable(pair.dump()) +
                                ", not a [key, value] pair");
      }
      e.cni_args.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
    }
  }
  if (j.contains("capabilityArgs") && !j["capabilityArgs"].is_null()) {
    if (!j["capabilityArgs"].is_object())
      return invalid_argument("cache entry \"capabilityArgs\" is not an object");
    e.capability_args = j["capabilityArgs"];
  }
  if (j.contains("result") && !j["result"].is_null()) {
    if (!j["result"].is_object())
      return invalid_argument("cache entry \"result\" is not an object");
    e.result = j["result"];
  }
  return e;
}

Attachment attachment_of(const CacheEntry& e) {
  return Attachment{e.container_id, e.netns, e.ifname, e.cni_args, e.capability_args};
}

Result<std::string> ResultCache::path(const std::string& network, const std::string& container_id,
                                      const std::string& ifname) const {
  PODNS_CHECK(validate_network_name(network));
  PODNS_CHECK(validate_container_id(container_id));
  PODNS_CHECK(validate_ifname(ifname));
  std::string name = network + "-" + container_id + "-" + ifname;
  if (name.size() > 255) {
    return invalid_argument("cache file name " + name.substr(0, 40) +
                            "... is longer than 255 bytes");
  }
  return dir_ + "/results/" + name;
}

Result<void> ResultCache::write(const CacheEntry& e) const {
  PODNS_TRY(entry, path(e.network_name, e.container_id, e.ifname));
  PODNS_CHECK_CTX(file::make_dirs(dir_ + "/results", 0700), "create result cache directory");
  // Not synced: two fsyncs cost ~7 ms per ADD on this ext4, more than all
  // of podns's own work. After a power loss the pins are gone and recover
  // DELs with the configuration kept in the state database; host-local
  // releases by container ID even without a cached result.
  PODNS_CHECK_CTX(file::write_atomic(entry, dump_json(to_json(e)), 0600, /*sync=*/false),
                  "write result cache");
  return {};
}

Result<std::optional<CacheEntry>> ResultCache::read(const std::string& network,
                                                    const std::string& container_id,
                                                    const std::string& ifname) const {
  PODNS_TRY(entry, path(network, container_id, ifname));
  auto bytes = file::read_file(entry, kMaxCacheFile);
  if (!bytes) {
    if (bytes.error().errno_value() == ENOENT) return std::optional<CacheEntry>();
    return std::unexpected(std::move(bytes.error()).context("read result cache"));
  }
  std::string ctx = "result cache " + entry;
  PODNS_TRY(doc, parse_json(*bytes, ctx));
  auto e = cache_entry_from_json(doc);
  if (!e) return plain_error(EBADMSG, ctx + ": " + e.error().message());
  return std::optional<CacheEntry>(std::move(*e));
}

Result<void> ResultCache::remove(const std::string& network, const std::string& container_id,
                                 const std::string& ifname) const {
  PODNS_TRY(file, path(network, container_id, ifname));
  if (::unlink(file.c_str()) < 0 && errno != ENOENT) return sys_error("remove result cache", file);
  return {};
}

Result<std::vector<CacheEntry>> ResultCache::list(const std::string& container_id) const {
  std::string results = dir_ + "/results";
  auto names = file::list_dir(results);
  if (!names) {
    if (names.error().errno_value() == ENOENT) return std::vector<CacheEntry>();
    return std::unexpected(std::move(names.error()).context("list result cache"));
  }
  std::sort(names->begin(), names->end());
  std::vector<CacheEntry> out;
  for (const auto& name : *names) {
    if (name.starts_with(".")) continue;
    if (!container_id.empty() && name.find("-" + container_id + "-") == std::string::npos) continue;
    auto bytes = file::read_file(results + "/" + name, kMaxCacheFile);
    if (!bytes) continue;
    auto doc = parse_json(*bytes, "cache file");
    if (!doc) continue;
    auto e = cache_entry_from_json(*doc);
    if (!e) continue;
    if (!container_id.empty() && e->container_id != container_id) continue;
    out.push_back(std::move(*e));
  }
  return out;
}

}  // namespace podns::cni
