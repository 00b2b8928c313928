// The state database: one SQLite file (STATE_DIR/podns.db) holding every
// sandbox, shared by any number of podns processes.
//
// WAL mode with synchronous=NORMAL: a crash of podns itself loses nothing
// committed (the data is in the kernel's page cache); a power loss may lose
// the last transactions, after which the pins are gone too and `recover`
// reconciles. Writers take SQLite's write lock up front (BEGIN IMMEDIATE)
// and wait for it up to a timeout.
//
// Locks on sandboxes are locks on one byte each of STATE_DIR/locks
// (byte_lock.h): no file per sandbox to leak, and the kernel releases them
// when a process dies.
//
// The parts: the connection (database.h), the mapping of a Sandbox to a row
// (store_rows.h), the host ranges of ID maps and their allocator
// (host_ranges.h), the locks (byte_lock.h); this file opens the database,
// sets up its schema and runs each operation in its transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "podns/database.h"
#include "podns/error.h"
#include "podns/fd.h"
#include "podns/idmap.h"
#include "podns/sandbox.h"

namespace podns {

class Store {
 public:
  // Opens (creating, 0700 directory and 0600 file) STATE_DIR/podns.db.
  static Result<Store> open(const std::string& state_dir);

  // Adds a sandbox and the host ranges of its maps, in one transaction.
  // EEXIST if the ID is taken; EBUSY if a host range overlaps another
  // sandbox's, unless shared_ranges. Nothing is changed on error.
  Result<void> insert(const Sandbox& s, bool shared_ranges = false);
  // Like insert, but first allocates `size` host IDs from `pool` that no
  // live sandbox uses (the same range for uids and gids) and sets s's maps
  // to 0:BASE:SIZE (host_ranges::allocate). In the same transaction, so
  // allocations never collide and a crash leaves nothing allocated.
  Result<void> insert_auto(Sandbox& s, std::uint32_t size, IdPool pool,
                           bool allow_host_root = false);
  // Replaces the row of s.id; ENOENT if there is none.
  Result<void> update(const Sandbox& s);
  Result<std::optional<Sandbox>> get(const std::string& id);
  Result<std::vector<Sandbox>> list();
  // Removes the row and its host ranges; absent counts as removed.
  Result<void> erase(const std::string& id);

  // An exclusive lock on `id`, held while the returned Fd lives. With
  // wait=false a held lock gives EBUSY at once.
  Result<Fd> lock(const std::string& id, bool wait = true);
  // The lock that serialises setting up the pin root.
  Result<Fd> lock_root();

  const std::string& dir() const { return dir_; }

 private:
  Store(std::string dir, Database db, Fd lock_file)
      : dir_(std::move(dir)), db_(std::move(db)), lock_file_(std::move(lock_file)) {}
  // Runs `body` in a write transaction, queued behind other podns writers.
  Result<void> write(const std::function<Result<void>()>& body);
  Result<int> schema_version();
  Result<void> set_up_schema();
  Result<void> insert_locked(const Sandbox& s, bool shared_ranges);

  std::string dir_;
  Database db_;
  Fd lock_file_;  // STATE_DIR/locks, for the write and schema locks
};

}  // namespace podns
