// The JSON objects of the C API (podns/c.h): podns_open's configuration
// and podns_create's options, read into a Config and CreateOptions.
//
// Every key is one row of a table (kConfigKeys, kCreateKeys): its name and a
// function that checks its value and sets it. A new option is a new row. An
// unknown key, a value of the wrong type or out of range is invalid input,
// found before anything is made; the library checks the rest (IDs, maps,
// sysctls, hostnames) as it does for the command line.
#include "podns/c_options.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "podns/concat.h"
#include "podns/json.h"

namespace podns::capi {
namespace {

using nlohmann::json;

// The JSON object `text` (NULL: an empty object when `optional`).
Result<json> parse_object(const char* text, const char* what, bool optional) {
  if (text == nullptr) {
    if (optional) return json::object();
    return invalid_argument(std::string(what) + " is NULL");
  }
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return invalid_argument(std::string(what) + " is not valid JSON");
  if (!j.is_object()) return invalid_argument(std::string(what) + " is not a JSON object");
  return j;
}

// --- Values of keys, checked before any is used.

std::string named(std::string_view key) { return concat("\"", key, "\""); }

Result<bool> boolean(std::string_view key, const json& v) {
  if (!v.is_boolean()) return invalid_argument(named(key) + " must be true or false");
  return v.get<bool>();
}

Result<std::string> text_value(std::string_view key, const json& v) {
  if (!v.is_string()) return invalid_argument(named(key) + " must be a string");
  return v.get<std::string>();
}

Result<std::uint64_t> unsigned_in(std::string_view key, const json& v, std::uint64_t lo,
                                  std::uint64_t hi) {
  if (!v.is_number_unsigned() || v.get<std::uint64_t>() < lo || v.get<std::uint64_t>() > hi) {
    return invalid_argument(named(key) + " must be an integer in " + std::to_string(lo) + ".." +
                            std::to_string(hi));
  }
  return v.get<std::uint64_t>();
}

Result<std::uint32_t> id_value(std::string_view key, const json& v) {
  PODNS_TRY(n, unsigned_in(key, v, 0, 0xFFFFFFFFULL));
  return static_cast<std::uint32_t>(n);
}

Result<std::vector<std::string>> strings(std::string_view key, const json& v) {
  if (!v.is_array()) return invalid_argument(named(key) + " must be an array of strings");
  std::vector<std::string> out;
  for (const auto& e : v) {
    if (!e.is_string()) return invalid_argument(named(key) + " must be an array of strings");
    out.push_back(e.get<std::string>());
  }
  return out;
}

// --- The tables.

// One key of a JSON object and what it sets in T.
template <class T>
struct Key {
  const char* name;
  Result<void> (*set)(T& target, std::string_view key, const json& value);
};

// Applies each member of `object` through its row of `keys`; an unknown key
// is an error naming the known ones.
template <class T>
Result<void> apply(std::span<const Key<T>> keys, const json& object, T& target, const char* what) {
  for (const auto& [name, value] : object.items()) {
    const Key<T>* row = nullptr;
    for (const auto& k : keys) {
      if (name == k.name) row = &k;
    }
    if (row == nullptr) {
      std::string known;
      for (const auto& k : keys) known += (known.empty() ? "" : ", ") + std::string(k.name);
      return invalid_argument(std::string(what) + ": unknown key " + named(name) +
                              " (known: " + known + ")");
    }
    PODNS_CHECK_CTX(row->set(target, name, value), what);
  }
  return {};
}

// podns_open's configuration.
constexpr auto kConfigKeys = std::to_array<Key<Config>>({
    {"root",
     [](Config& c, std::string_view k, const json& v) -> Result<void> {
       PODNS_TRY(s, text_value(k, v));
       c.root = std::move(s);
       return {};
     }},
    {"state_dir",
     [](Config& c, std::string_view k, const json& v) -> Result<void> {
       PODNS_TRY(s, text_value(k, v));
       c.state_dir = std::move(s);
       return {};
     }},
    {"cni_conf_dir",
     [](Config& c, std::string_view k, const json& v) -> Result<void> {
       PODNS_TRY(s, text_value(k, v));
       c.cni_conf_dir = std::move(s);
       return {};
     }},
    {"cni_bin_dirs",
     [](Config& c, std::string_view k, const json& v) -> Result<void> {
       PODNS_TRY(dirs, strings(k, v));
       c.cni.bin_dirs = std::move(dirs);
       return {};
     }},
    {"cni_cache_dir",
     [](Config& c, std::string_view k, const json& v) -> Result<void> {
       PODNS_TRY(s, text_value(k, v));
       c.cni.cache_dir = std::move(s);
       return {};
     }},
    {"cni_timeout",
     [](Config& c, std::string_view k, const json& v) -> Result<void> {
       // Seconds, as --cni-timeout; at most a day.
       if (!v.is_number() || !(v.get<double>() > 0) || v.get<double>() > 86400)
         return invalid_argument(named(k) + " must be a number of seconds in (0, 86400]");
       c.cni.timeout = std::chrono::milliseconds(
           std::max<std::int64_t>(1, static_cast<std::int64_t>(v.get<double>() * 1000)));
       return {};
     }},
    {"cni_max_output",
     [](Config& c, std::string_view k, const json& v) -> Result<void> {
       PODNS_TRY(n, unsigned_in(k, v, 1, std::uint64_t{1} << 32));
       c.cni.max_output = static_cast<std::size_t>(n);
       return {};
     }},
    {"auto_pool_first",
     [](Config& c, std::string_view k, const json& v) -> Result<void> {
       PODNS_TRY(n, id_value(k, v));
       c.auto_pool.first = n;
       return {};
     }},
    {"auto_pool_last",
     [](Config& c, std::string_view k, const json& v) -> Result<void> {
       PODNS_TRY(n, id_value(k, v));
       c.auto_pool.last = n;
       return {};
     }},
    {"ip_netns_dir",
     [](Config& c, std::string_view k, const json& v) -> Result<void> {
       PODNS_TRY(s, text_value(k, v));
       c.ip_netns_dir = std::move(s);
       return {};
     }},
});

// podns_create's options: CreateOptions, and what the command line says
// that CreateOptions spells otherwise.
struct CreateInput {
  CreateOptions opts;
  bool has_id = false;
  std::optional<IdMap> uid, gid;
  std::optional<std::uint32_t> auto_size;
  bool no_userns = false;
  bool timings = false;
};

// A boolean key that sets one member.
template <bool CreateOptions::*member>
Result<void> set_flag(CreateInput& in, std::string_view k, const json& v) {
  PODNS_TRY(b, boolean(k, v));
  in.opts.*member = b;
  return {};
}

Result<void> set_map(std::optional<IdMap>& out, std::string_view k, const json& v) {
  PODNS_TRY_CTX(map, id_map_from_json(v), named(k));
  out = std::move(map);
  return {};
}

constexpr auto kCreateKeys = std::to_array<Key<CreateInput>>({
    {"id",
     [](CreateInput& in, std::string_view k, const json& v) -> Result<void> {
       PODNS_TRY(s, text_value(k, v));
       in.opts.id = std::move(s);
       in.has_id = true;
       return {};
     }},
    {"uid_mappings",
     [](CreateInput& in, std::string_view k, const json& v) { return set_map(in.uid, k, v); }},
    {"gid_mappings",
     [](CreateInput& in, std::string_view k, const json& v) { return set_map(in.gid, k, v); }},
    {"userns_auto",
     [](CreateInput& in, std::string_view k, const json& v) -> Result<void> {
       // true for the default size, or the size.
       if (v.is_boolean()) {
         if (v.get<bool>()) in.auto_size = UsernsChoice::kDefaultAutoSize;
         return {};
       }
       PODNS_TRY(n, unsigned_in(k, v, 1, 4294967294ULL));
       in.auto_size = static_cast<std::uint32_t>(n);
       return {};
     }},
    {"no_userns",
     [](CreateInput& in, std::string_view k, const json& v) -> Result<void> {
       PODNS_TRY(b, boolean(k, v));
       in.no_userns = b;
       return {};
     }},
    {"network",
     [](CreateInput& in, std::string_view k, const json& v) -> Result<void> {
       if (v.is_null()) {
         in.opts.network.reset();
         return {};
       }
       PODNS_TRY(s, text_value(k, v));
       in.opts.network = std::move(s);
       return {};
     }},
    {"host_network", set_flag<&CreateOptions::host_network>},
    {"ipc", set_flag<&CreateOptions::ipc>},
    {"uts", set_flag<&CreateOptions::uts>},
    {"ip_netns", set_flag<&CreateOptions::ip_netns>},
    {"allow_host_root", set_flag<&CreateOptions::allow_host_root>},
    {"allow_overlap", set_flag<&CreateOptions::allow_overlap>},
    {"userns_owned_by_pod", set_flag<&CreateOptions::userns_owned_by_pod>},
    {"no_default_sysctls",
     [](CreateInput& in, std::string_view k, const json& v) -> Result<void> {
       PODNS_TRY(b, boolean(k, v));
       in.opts.default_sysctls = !b;
       return {};
     }},
    {"hostname",
     [](CreateInput& in, std::string_view k, const json& v) -> Result<void> {
       PODNS_TRY(s, text_value(k, v));
       in.opts.hostname = std::move(s);
       return {};
     }},
    {"sysctls",
     [](CreateInput& in, std::string_view k, const json& v) -> Result<void> {
       // As inspect shows them: {"KEY": "VALUE", ...}.
       if (!v.is_object()) return invalid_argument(named(k) + " must be an object of strings");
       in.opts.sysctls.clear();
       for (const auto& [key, value] : v.items()) {
         if (!value.is_string())
           return invalid_argument(named(k) + ": the value of " + named(key) + " must be a string");
         in.opts.sysctls.emplace_back(key, value.get<std::string>());
       }
       return {};
     }},
    {"timings",
     [](CreateInput& in, std::string_view k, const json& v) -> Result<void> {
       PODNS_TRY(b, boolean(k, v));
       in.timings = b;
       return {};
     }},
});

// The rules the command line's create has for the user namespace: maps
// (both), an automatic range, or none, exactly one of them, said outright.
Result<CreateInput> create_input(const json& j) {
  CreateInput in;
  PODNS_CHECK(apply<CreateInput>(kCreateKeys, j, in, "create options"));
  if (!in.has_id) return invalid_argument("create options: \"id\" is required");
  if (in.uid.has_value() != in.gid.has_value())
    return invalid_argument(R"(create options: give both "uid_mappings" and "gid_mappings")");
  int choices = (in.uid ? 1 : 0) + (in.auto_size ? 1 : 0) + (in.no_userns ? 1 : 0);
  if (choices != 1) {
    return invalid_argument(
        "create options: give exactly one of the pod's maps (\"uid_mappings\" and "
        "\"gid_mappings\"), \"userns_auto\" or \"no_userns\": true");
  }
  if (in.uid) in.opts.userns = UsernsChoice::with_maps({std::move(*in.uid), std::move(*in.gid)});
  if (in.auto_size) in.opts.userns = UsernsChoice::automatic(*in.auto_size);
  return in;
}


}  // namespace

Result<Config> config_from_json(const char* text) {
  PODNS_TRY(j, parse_object(text, "configuration", /*optional=*/true));
  Config config;
  PODNS_CHECK(apply<Config>(kConfigKeys, j, config, "configuration"));
  return config;
}

Result<CreateRequest> create_from_json(const char* text) {
  PODNS_TRY(j, parse_object(text, "create options", /*optional=*/false));
  PODNS_TRY(in, create_input(j));
  return CreateRequest{std::move(in.opts), in.timings};
}

}  // namespace podns::capi
