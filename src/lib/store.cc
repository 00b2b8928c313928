#include "podns/store.h"

#include <fcntl.h>
#include <sqlite3.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <utility>

#include "podns/byte_lock.h"
#include "podns/file.h"
#include "podns/host_ranges.h"
#include "podns/secure_path.h"
#include "podns/store_rows.h"
#include "podns/sys.h"

namespace podns {
namespace {

constexpr int kSchemaVersion = 2;
// How long a write waits for another process's write transaction on the
// database (SQLite's busy timeout): PODNS_DB_TIMEOUT seconds, 30 by default.
constexpr int kBusyTimeoutMs = 30000;
constexpr double kMaxBusyTimeoutSeconds = 3600;

Result<int> busy_timeout_ms() {
  const char* env = std::getenv("PODNS_DB_TIMEOUT");
  if (env == nullptr || *env == '\0') return kBusyTimeoutMs;
  char* end = nullptr;
  errno = 0;
  double seconds = std::strtod(env, &end);
  if (errno != 0 || *end != '\0' || !std::isfinite(seconds) || seconds < 0 ||
      seconds > kMaxBusyTimeoutSeconds) {
    return invalid_argument("PODNS_DB_TIMEOUT=" + std::string(env) +
                            ": not a number of seconds from 0 to 3600");
  }
  return static_cast<int>(seconds * 1000);
}
// WAL pages before an automatic checkpoint (SQLite's default is 1000). A
// create and a remove write about a dozen pages; the first connection of
// every podns command rereads the whole WAL, so a short one is cheaper than
// the checkpoint's two fdatasyncs every few dozen operations.
constexpr int kWalPages = 128;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS sandboxes (
  id          TEXT PRIMARY KEY NOT NULL,
  state       TEXT NOT NULL,
  root        TEXT NOT NULL,
  has_userns  INTEGER NOT NULL,
  netns_dev   INTEGER,
  netns_ino   INTEGER,
  userns_dev  INTEGER,
  userns_ino  INTEGER,
  uid_map     TEXT NOT NULL,
  gid_map     TEXT NOT NULL,
  network     TEXT NOT NULL DEFAULT '',
  reason      TEXT NOT NULL DEFAULT '',
  created_at  TEXT NOT NULL,
  net_name    TEXT NOT NULL DEFAULT '',
  net_config  TEXT NOT NULL DEFAULT '',
  net_state   TEXT NOT NULL DEFAULT '',
  extra       TEXT NOT NULL DEFAULT '{}'
) WITHOUT ROWID;
-- The host side of every sandbox's ID map lines (host_ranges.h).
CREATE TABLE IF NOT EXISTS host_ranges (
  sandbox_id  TEXT NOT NULL,
  kind        TEXT NOT NULL,     -- 'uid' or 'gid'
  first       INTEGER NOT NULL,
  last        INTEGER NOT NULL,  -- inclusive
  shared      INTEGER NOT NULL   -- inserted with overlaps allowed
);
CREATE INDEX IF NOT EXISTS host_ranges_by_first ON host_ranges (kind, shared, first);
CREATE INDEX IF NOT EXISTS host_ranges_by_sandbox ON host_ranges (sandbox_id);
)sql";

// The bytes of STATE_DIR/locks: 0 for the pin root, 1 for the schema, 2
// for writing to the database, and one per sandbox ID from 3 up (two IDs may
// share a byte: then they are serialised, which is harmless).
constexpr off_t kRootLock = 0;
constexpr off_t kSchemaLock = 1;
constexpr off_t kWriteLock = 2;
off_t lock_offset(const std::string& id) {
  return 3 + static_cast<off_t>(std::hash<std::string>{}(id) % 0x3fffffff);
}

}  // namespace

Result<Store> Store::open(const std::string& state_dir) {
  PODNS_TRY(busy_ms, busy_timeout_ms());
  PODNS_CHECK(check_secure_path(state_dir, "state directory"));
  // mkdir -p, each new component 0700.
  PODNS_CHECK_CTX(file::make_dirs(state_dir, 0700), "create state directory");
  std::string path = state_dir + "/podns.db";
  // The file is created 0600 before SQLite sees it, so it is never readable by others.
  {
    PODNS_TRY(fd, sys::open_at(AT_FDCWD, path, O_RDWR | O_CREAT | O_NOFOLLOW, 0600));
  }
  PODNS_TRY(lock_file, sys::open_at(AT_FDCWD, state_dir + "/locks",
                                    O_RDWR | O_CREAT | O_NOFOLLOW, 0600));
  PODNS_TRY(db, Database::open(path, busy_ms));
  Store store(state_dir, std::move(db), std::move(lock_file));
  PODNS_CHECK(store.db_.exec("PRAGMA synchronous=NORMAL"));
  // Each podns command opens and closes the database once. By default the
  // last connection to close checkpoints the WAL (two fdatasyncs) and
  // unlinks it (milliseconds on ext4): leave both to the automatic
  // checkpoint. But the first connection to open the database reads the
  // whole WAL to rebuild its index, so keep the WAL short.
  int persist = 1;
  sqlite3* raw = store.db_.get();
  sqlite3_file_control(raw, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
  sqlite3_db_config(raw, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  sqlite3_wal_autocheckpoint(raw, kWalPages);
  PODNS_CHECK(store.set_up_schema());
  return store;
}

Result<void> Store::set_up_schema() {
  // Only one process sets the schema up, under the schema lock held for
  // writing; the others read the version under it held for reading, so none
  // reads while the journal mode changes (that change needs the database to
  // itself, and SQLite fails it at once rather than waiting).
  const std::string locks = dir_ + "/locks";
  {
    PODNS_TRY(shared, byte_lock::Held::take(lock_file_, kSchemaLock, byte_lock::Mode::shared,
                                            "lock the state database schema for reading", locks));
    PODNS_TRY(version, schema_version());
    if (version == kSchemaVersion) return {};
  }
  PODNS_TRY(exclusive, byte_lock::Held::take(lock_file_, kSchemaLock, byte_lock::Mode::exclusive,
                                             "lock the state database schema for writing", locks));
  PODNS_TRY(version, schema_version());
  if (version == kSchemaVersion) return {};
  if (version > kSchemaVersion) {
    return errno_error(EPROTO, "state database is of a newer podns (schema " +
                                   std::to_string(version) + ")", dir_ + "/podns.db");
  }
  PODNS_CHECK(db_.exec("PRAGMA journal_mode=WAL"));
  return write([&]() -> Result<void> {
    PODNS_CHECK(db_.exec(kSchema));
    return db_.exec(("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str());
  });
}

Result<int> Store::schema_version() {
  PODNS_TRY(st, db_.prepare("PRAGMA user_version"));
  if (sqlite3_step(st) != SQLITE_ROW) return std::unexpected(db_.error("read schema version"));
  int v = sqlite3_column_int(st, 0);
  sqlite3_reset(st);
  return v;
}

Result<void> Store::write(const std::function<Result<void>()>& body) {
  // Writers queue on a kernel lock, which wakes the next one at once, rather
  // than on SQLite's busy handler, which sleeps and polls (a millisecond or
  // more per collision). Readers never wait: WAL.
  PODNS_TRY(held, byte_lock::Held::take(lock_file_, kWriteLock, byte_lock::Mode::exclusive,
                                        "lock the state database for writing", dir_ + "/locks"));
  auto done = db_.exec("BEGIN IMMEDIATE");
  if (done) {
    done = body();
    if (done) done = db_.exec("COMMIT");
    if (!done) (void)db_.exec("ROLLBACK");
  }
  return done;
}

Result<void> Store::insert(const Sandbox& s, bool shared_ranges) {
  return write([&] { return insert_locked(s, shared_ranges); });
}

Result<void> Store::insert_auto(Sandbox& s, std::uint32_t size, IdPool pool,
                                bool allow_host_root) {
  PODNS_CHECK(host_ranges::check_pool(pool, size));
  return write([&]() -> Result<void> {
    PODNS_TRY(map, host_ranges::allocate(db_, size, pool, allow_host_root));
    s.uid_map = s.gid_map = std::move(map);
    return insert_locked(s, false);
  });
}

Result<void> Store::insert_locked(const Sandbox& s, bool shared_ranges) {
  PODNS_TRY(st, db_.prepare(std::string("INSERT INTO sandboxes (") + store_rows::kColumns +
                            ") VALUES (" + store_rows::kPlaceholders + ")"));
  store_rows::bind(st, s);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc == SQLITE_CONSTRAINT) return plain_error(EEXIST, "sandbox " + s.id + " already exists");
  if (rc != SQLITE_DONE) return std::unexpected(db_.error("insert " + s.id));
  return host_ranges::add(db_, s, shared_ranges);
}

Result<void> Store::update(const Sandbox& s) {
  return write([&]() -> Result<void> {
    PODNS_TRY(st, db_.prepare(std::string("REPLACE INTO sandboxes (") + store_rows::kColumns +
                              ") SELECT " + store_rows::kPlaceholders +
                              " WHERE EXISTS (SELECT 1 FROM sandboxes WHERE id = ?1)"));
    store_rows::bind(st, s);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return std::unexpected(db_.error("update " + s.id));
    if (db_.changes() == 0) return plain_error(ENOENT, "no sandbox " + s.id);
    return {};
  });
}

Result<std::optional<Sandbox>> Store::get(const std::string& id) {
  PODNS_TRY(st, db_.prepare(std::string("SELECT ") + store_rows::kColumns +
                            " FROM sandboxes WHERE id = ?"));
  bind_text(st, 1, id);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_DONE) {
    sqlite3_reset(st);
    return std::optional<Sandbox>();
  }
  if (rc != SQLITE_ROW) {
    sqlite3_reset(st);
    return std::unexpected(db_.error("get " + id));
  }
  auto s = store_rows::read(st);
  sqlite3_reset(st);
  if (!s) return std::unexpected(s.error());
  return std::optional<Sandbox>(std::move(*s));
}

Result<std::vector<Sandbox>> Store::list() {
  PODNS_TRY(st, db_.prepare(std::string("SELECT ") + store_rows::kColumns +
                            " FROM sandboxes ORDER BY id"));
  std::vector<Sandbox> out;
  int rc = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    auto s = store_rows::read(st);
    if (!s) {
      sqlite3_reset(st);
      return std::unexpected(s.error());
    }
    out.push_back(std::move(*s));
  }
  sqlite3_reset(st);
  if (rc != SQLITE_DONE) return std::unexpected(db_.error("list"));
  return out;
}

Result<void> Store::erase(const std::string& id) {
  return write([&]() -> Result<void> {
    PODNS_CHECK(host_ranges::remove(db_, id));
    PODNS_TRY(st, db_.prepare("DELETE FROM sandboxes WHERE id = ?"));
    bind_text(st, 1, id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return std::unexpected(db_.error("erase " + id));
    return {};
  });
}

Result<Fd> Store::lock(const std::string& id, bool wait) {
  return byte_lock::lock(dir_ + "/locks", lock_offset(id), wait, "sandbox " + id);
}

Result<Fd> Store::lock_root() {
  return byte_lock::lock(dir_ + "/locks", kRootLock, true, "pin root");
}

}  // namespace podns
