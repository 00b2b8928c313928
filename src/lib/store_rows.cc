#include "podns/store_rows.h"

#include <sqlite3.h>

#include <nlohmann/json.hpp>
#include <utility>

#include "podns/database.h"

namespace podns::store_rows {
namespace {

void bind_id(sqlite3_stmt* st, int i, const std::optional<nsfs::NsId>& id, bool dev) {
  if (!id) {
    sqlite3_bind_null(st, i);
  } else {
    sqlite3_bind_int64(st, i, static_cast<sqlite3_int64>(dev ? id->dev : id->ino));
  }
}

// The options that need no column of their own, as a JSON object.
std::string extra_json(const Sandbox& s) {
  nlohmann::json j = nlohmann::json::object();
  auto id = [](const std::optional<nsfs::NsId>& ns) {
    return ns ? nlohmann::json{{"dev", ns->dev}, {"ino", ns->ino}} : nlohmann::json(nullptr);
  };
  if (s.host_network) j["host_network"] = true;
  if (s.userns_owner != 0) j["userns_owner"] = s.userns_owner;
  if (s.ipcns) j["ipc"] = id(s.ipcns);
  if (s.utsns) j["uts"] = id(s.utsns);
  if (!s.hostname.empty()) j["hostname"] = s.hostname;
  if (!s.ip_netns.empty()) j["ip_netns"] = s.ip_netns;
  if (!s.sysctls.empty()) j["sysctls"] = s.sysctls;
  return j.dump();
}

Result<void> read_extra(const std::string& text, Sandbox& s) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return errno_error(EIO, "state database: sandbox " + s.id + " has bad options");
  try {
    auto id = [&](const char* key) -> std::optional<nsfs::NsId> {
      if (!j.contains(key) || j[key].is_null()) return std::nullopt;
      return nsfs::NsId{j[key]["dev"].get<dev_t>(), j[key]["ino"].get<ino_t>()};
    };
    s.host_network = j.value("host_network", false);
    s.userns_owner = j.value("userns_owner", uid_t{0});
    s.ipcns = id("ipc");
    s.utsns = id("uts");
    s.hostname = j.value("hostname", "");
    s.ip_netns = j.value("ip_netns", "");
    if (j.contains("sysctls")) s.sysctls = j["sysctls"].get<std::vector<std::pair<std::string, std::string>>>();
  } catch (const nlohmann::json::exception& e) {
    return errno_error(EIO, "state database: sandbox " + s.id + " has bad options: " + e.what());
  }
  return {};
}

std::optional<nsfs::NsId> column_id(sqlite3_stmt* st, int dev, int ino) {
  if (sqlite3_column_type(st, dev) == SQLITE_NULL) return std::nullopt;
  return nsfs::NsId{static_cast<dev_t>(sqlite3_column_int64(st, dev)),
                    static_cast<ino_t>(sqlite3_column_int64(st, ino))};
}

Result<IdMap> column_map(sqlite3_stmt* st, int i) {
  std::string text = column_text(st, i);
  if (text.empty()) return IdMap{};
  return parse_id_map(text);
}

}  // namespace

void bind(sqlite3_stmt* st, const Sandbox& s) {
  bind_text(st, 1, s.id);
  bind_text(st, 2, to_string(s.state));
  bind_text(st, 3, s.root);
  sqlite3_bind_int(st, 4, s.has_userns ? 1 : 0);
  bind_id(st, 5, s.netns, true);
  bind_id(st, 6, s.netns, false);
  bind_id(st, 7, s.userns, true);
  bind_id(st, 8, s.userns, false);
  bind_text(st, 9, to_string(s.uid_map));
  bind_text(st, 10, to_string(s.gid_map));
  bind_text(st, 11, s.network);
  bind_text(st, 12, s.reason);
  bind_text(st, 13, s.created_at);
  bind_text(st, 14, s.net_name);
  bind_text(st, 15, s.net_config);
  bind_text(st, 16, to_string(s.net_state));
  bind_text(st, 17, extra_json(s));
}

Result<Sandbox> read(sqlite3_stmt* st) {
  Sandbox s;
  s.id = column_text(st, 0);
  auto state = parse_state(column_text(st, 1));
  if (!state) return errno_error(EIO, "state database: sandbox " + s.id + " has an unknown state");
  s.state = *state;
  s.root = column_text(st, 2);
  s.has_userns = sqlite3_column_int(st, 3) != 0;
  s.netns = column_id(st, 4, 5);
  s.userns = column_id(st, 6, 7);
  PODNS_TRY(uid, column_map(st, 8));
  PODNS_TRY(gid, column_map(st, 9));
  s.uid_map = std::move(uid);
  s.gid_map = std::move(gid);
  s.network = column_text(st, 10);
  s.reason = column_text(st, 11);
  s.created_at = column_text(st, 12);
  s.net_name = column_text(st, 13);
  s.net_config = column_text(st, 14);
  const std::string net_state = column_text(st, 15);
  auto parsed_net_state = parse_net_state(net_state);
  if (!parsed_net_state) {
    return errno_error(EIO, "state database: sandbox " + s.id + " has an unknown network state \"" +
                                net_state + "\"");
  }
  s.net_state = *parsed_net_state;
  PODNS_CHECK(read_extra(column_text(st, 16), s));
  return s;
}

}  // namespace podns::store_rows
