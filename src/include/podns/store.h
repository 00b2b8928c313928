// The state database: one SQLite file (STATE_DIR/podns.db) holding every
// sandbox, shared by any number of podns processes.
//
// WAL mode with synchronous=NORMAL: a crash of podns itself loses nothing
// committed (the data is in the kernel's page cache); a power loss may lose
// the last transactions, after which the pins are gone too and `recover`
// reconciles. Writers take SQLite's write lock up front (BEGIN IMMEDIATE)
// and wait for it up to a timeout.
//
// Locks on sandboxes are OFD locks on one byte each of STATE_DIR/locks: no
// file per sandbox to leak, and the kernel releases them when a process dies.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <optional>
#include <string>
#include <vector>

#include "podns/error.h"
#include "podns/fd.h"
#include "podns/sandbox.h"

struct sqlite3;
struct sqlite3_stmt;

namespace podns {

class Store {
 public:
  // Opens (creating, 0700 directory and 0600 file) STATE_DIR/podns.db.
  static Result<Store> open(const std::string& state_dir);

  Store(Store&& o) noexcept;
  Store& operator=(Store&& o) noexcept;
  ~Store();

  // Adds a sandbox and the host ranges of its maps, in one transaction.
  // EEXIST if the ID is taken; EBUSY if a host range overlaps another
  // sandbox's, unless shared_ranges. Nothing is changed on error.
  Result<void> insert(const Sandbox& s, bool shared_ranges = false);
  // A pool of host IDs for automatic ranges: [first, last] (idmap.h).
  using Pool = IdPool;
  // Like insert, but first allocates `size` host IDs from `pool` that no
  // live sandbox uses (the same range for uids and gids) and sets s's maps
  // to 0:BASE:SIZE. In the same transaction, so allocations never collide
  // and a crash leaves nothing allocated. ENOSPC when the pool is full. The
  // range chosen obeys the rules explicit maps obey (validate_pod_maps):
  // one that holds host ID 0 (a pool from 0) is refused, as invalid input,
  // unless allow_host_root.
  Result<void> insert_auto(Sandbox& s, std::uint32_t size, Pool pool,
                           bool allow_host_root = false);
  // Invalid input unless first <= last <= 4294967294 (4294967295 is no ID).
  static Result<void> check_pool(Pool pool);
  // check_pool, and invalid input unless `size` IDs (at least 1) fit in it.
  static Result<void> check_pool(Pool pool, std::uint32_t size);
  // Replaces the row of s.id; ENOENT if there is none.
  Result<void> update(const Sandbox& s);
  Result<std::optional<Sandbox>> get(const std::string& id);
  Result<std::vector<Sandbox>> list();
  // Removes the row; absent counts as removed.
  Result<void> erase(const std::string& id);

  // An exclusive lock on `id`, held while the returned Fd lives. With
  // wait=false a held lock gives EBUSY at once.
  Result<Fd> lock(const std::string& id, bool wait = true);
  // The lock that serialises setting up the pin root.
  Result<Fd> lock_root();

  const std::string& dir() const { return dir_; }

 private:
  Store(std::string dir, sqlite3* db);
  void close();
  Result<void> exec(const char* sql);
  // A compiled statement, cached for the Store's life, reset for reuse.
  Result<sqlite3_stmt*> prepare(const std::string& sql);
  // Runs `body` in a write transaction, queued behind other podns writers.
  Result<void> write(const std::function<Result<void>()>& body);
  Result<int> schema_version();
  Result<void> insert_locked(const Sandbox& s, bool shared_ranges);
  // The lowest base >= pool.first of `size` IDs free on both sides.
  Result<std::optional<std::uint32_t>> free_range(std::uint32_t size, Pool pool);
  // The ID of a sandbox whose host range of `kind` overlaps [first, last].
  Result<std::optional<std::string>> range_user(const char* kind, std::int64_t first,
                                                std::int64_t last);
  Error db_error(const std::string& op) const;

  std::string dir_;
  sqlite3* db_ = nullptr;
  Fd lock_file_;  // STATE_DIR/locks, for the write lock
  int busy_ms_ = 0;  // SQLite's busy timeout (PODNS_DB_TIMEOUT)
  std::unordered_map<std::string, sqlite3_stmt*> stmts_;
};

}  // namespace podns
