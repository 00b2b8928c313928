#include "podns/host_ranges.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <utility>

namespace podns::host_ranges {
namespace {

// A base in `pool` for `size` IDs free on both sides: just above every
// range in use while the pool has room there, else the lowest gap.
Result<std::optional<std::uint32_t>> free_base(Database& db, std::uint32_t size, IdPool pool) {
  // Usually the space above every range in use is free: one index probe.
  // Otherwise walk the ranges from the pool's start for the first gap.
  auto fits = [&](std::int64_t base) {
    return base >= pool.first && base + size - 1 <= std::int64_t{pool.last};
  };
  PODNS_TRY(top, db.prepare("SELECT MAX(last) FROM host_ranges"));
  std::int64_t base = pool.first;
  if (sqlite3_step(top) == SQLITE_ROW && sqlite3_column_type(top, 0) != SQLITE_NULL)
    base = std::max<std::int64_t>(base, sqlite3_column_int64(top, 0) + 1);
  sqlite3_reset(top);
  if (fits(base)) return std::optional<std::uint32_t>(static_cast<std::uint32_t>(base));

  PODNS_TRY(walk, db.prepare("SELECT first, last FROM host_ranges WHERE last >= ? ORDER BY first"));
  sqlite3_bind_int64(walk, 1, pool.first);
  base = pool.first;
  int rc = 0;
  while ((rc = sqlite3_step(walk)) == SQLITE_ROW) {
    std::int64_t first = sqlite3_column_int64(walk, 0);
    std::int64_t last = sqlite3_column_int64(walk, 1);
    if (first > base && first - base >= size) break;  // the gap before this range
    base = std::max(base, last + 1);
  }
  sqlite3_reset(walk);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return std::unexpected(db.error("find a free range"));
  if (fits(base)) return std::optional<std::uint32_t>(static_cast<std::uint32_t>(base));
  return std::optional<std::uint32_t>();
}

// The ID of a sandbox whose host range of `kind` overlaps [first, last], or
// "" when none does (no sandbox ID is empty).
Result<std::string> user_of(Database& db, const char* kind, std::int64_t first,
                            std::int64_t last) {
  // Among disjoint ranges, only the one starting last at or before `last`
  // can overlap; shared ranges (few, by choice) are each checked.
  static constexpr std::array<const char*, 2> kQueries = {
      "SELECT sandbox_id, last FROM host_ranges WHERE kind = ?1 AND shared = 0 AND first <= ?3 "
      "ORDER BY first DESC LIMIT 1",
      "SELECT sandbox_id, last FROM host_ranges WHERE kind = ?1 AND shared = 1 AND first <= ?3 "
      "AND last >= ?2 LIMIT 1",
  };
  for (const char* q : kQueries) {
    PODNS_TRY(st, db.prepare(q));
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, first);
    sqlite3_bind_int64(st, 3, last);
    int rc = sqlite3_step(st);
    std::string user;
    if (rc == SQLITE_ROW && sqlite3_column_int64(st, 1) >= first) user = column_text(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return std::unexpected(db.error("range check"));
    if (!user.empty()) return user;
  }
  return std::string();
}

}  // namespace

Result<void> check_pool(IdPool pool) {
  if (pool.first > pool.last) {
    return invalid_argument("the pool of host IDs " + std::to_string(pool.first) + "-" +
                            std::to_string(pool.last) + " is empty: its first ID is above its last");
  }
  if (pool.last > 4294967294u)
    return invalid_argument("the pool's last host ID is above 4294967294 (4294967295 is no ID)");
  return {};
}

Result<void> check_pool(IdPool pool, std::uint32_t size) {
  PODNS_CHECK(check_pool(pool));
  if (size == 0 || size - 1 > pool.last - pool.first) {
    return invalid_argument("automatic range of " + std::to_string(size) +
                            " IDs does not fit the pool " + std::to_string(pool.first) + "-" +
                            std::to_string(pool.last));
  }
  return {};
}

Result<void> add(Database& db, const Sandbox& s, bool shared) {
  for (const auto& [kind, map] : {std::pair{"uid", &s.uid_map}, std::pair{"gid", &s.gid_map}}) {
    for (const auto& m : *map) {
      std::int64_t first = m.host_id;
      std::int64_t last = std::int64_t{m.host_id} + m.size - 1;
      if (!shared) {
        PODNS_TRY(user, user_of(db, kind, first, last));
        if (!user.empty()) {
          return plain_error(EBUSY, std::string("host ") + kind + " range " +
                                        std::to_string(first) + "-" + std::to_string(last) +
                                        " overlaps sandbox " + user +
                                        "'s (allow it with --allow-overlap)");
        }
      }
      PODNS_TRY(ins, db.prepare("INSERT INTO host_ranges (sandbox_id, kind, first, last, shared) "
                                "VALUES (?,?,?,?,?)"));
      bind_text(ins, 1, s.id);
      sqlite3_bind_text(ins, 2, kind, -1, SQLITE_STATIC);
      sqlite3_bind_int64(ins, 3, first);
      sqlite3_bind_int64(ins, 4, last);
      sqlite3_bind_int(ins, 5, shared ? 1 : 0);
      int rc = sqlite3_step(ins);
      sqlite3_reset(ins);
      if (rc != SQLITE_DONE) return std::unexpected(db.error("insert range"));
    }
  }
  return {};
}

Result<IdMap> allocate(Database& db, std::uint32_t size, IdPool pool, bool allow_host_root) {
  PODNS_CHECK(check_pool(pool, size));
  PODNS_TRY(base, free_base(db, size, pool));
  std::string pool_text = "the pool " + std::to_string(pool.first) + "-" + std::to_string(pool.last);
  if (!base) {
    return plain_error(ENOSPC, "no free range of " + std::to_string(size) +
                                   " host IDs left in " + pool_text);
  }
  IdMap map{{0, *base, size}};
  PODNS_CHECK_CTX(validate_pod_maps(map, map, allow_host_root),
                  "automatic range " + to_string(map) + " from " + pool_text);
  return map;
}

Result<void> remove(Database& db, const std::string& id) {
  PODNS_TRY(st, db.prepare("DELETE FROM host_ranges WHERE sandbox_id = ?"));
  bind_text(st, 1, id);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_DONE) return std::unexpected(db.error("erase the host ranges of " + id));
  return {};
}

}  // namespace podns::host_ranges
