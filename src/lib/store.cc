#include "podns/store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <array>
#include <functional>
#include <unordered_map>
#include <utility>

#include "podns/secure_path.h"
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
-- The host side of every sandbox's ID map lines, to refuse (or avoid, for
-- automatic ranges) a range another live sandbox uses. Ranges inserted
-- without `shared` are pairwise disjoint per kind, so the one with the
-- greatest start below a new range's end is the only one that can overlap
-- it: one index probe, whatever the number of sandboxes.
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

constexpr const char* kColumns =
    "id, state, root, has_userns, netns_dev, netns_ino, userns_dev, userns_ino, uid_map, "
    "gid_map, network, reason, created_at, net_name, net_config, net_state, extra";
constexpr const char* kPlaceholders = "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?";

void bind_text(sqlite3_stmt* st, int i, const std::string& v) {
  sqlite3_bind_text(st, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

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

void bind_sandbox(sqlite3_stmt* st, const Sandbox& s) {
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

std::string column_text(sqlite3_stmt* st, int i) {
  const auto* p = sqlite3_column_text(st, i);
  return p ? std::string(reinterpret_cast<const char*>(p),
                         static_cast<std::size_t>(sqlite3_column_bytes(st, i)))
           : std::string();
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

Result<Sandbox> read_row(sqlite3_stmt* st) {
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

Result<void> make_private_dir(const std::string& path) {
  // mkdir -p, each new component 0700.
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    std::string partial = path.substr(0, pos);
    if (partial.empty()) continue;
    if (::mkdir(partial.c_str(), 0700) < 0 && errno != EEXIST) return sys_error("mkdir", partial);
  }
  return {};
}

// The bytes of STATE_DIR/locks: 0 for the pin root, 1 for the schema, 2
// for writing to the database, and one per sandbox ID from 3 up (two IDs may
// share a byte: then they are serialised, which is harmless).
constexpr off_t kRootLock = 0;
constexpr off_t kSchemaLock = 1;
constexpr off_t kWriteLock = 2;
off_t lock_offset(const std::string& id) {
  return 3 + static_cast<off_t>(std::hash<std::string>{}(id) % 0x3fffffff);
}

// Takes (or, with F_UNLCK, drops) the lock on one byte through `fd`.
int lock_op(int fd, off_t offset, short type, int cmd) {
  struct flock fl;
  std::memset(&fl, 0, sizeof fl);
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = offset;
  fl.l_len = 1;
  int rc;
  while ((rc = ::fcntl(fd, cmd, &fl)) < 0 && errno == EINTR) {
  }
  return rc;
}

// A lock on one byte of the lock file, taken (waiting) through a descriptor
// its owner keeps open, and dropped when this goes out of scope.
class HeldByte {
 public:
  HeldByte(const HeldByte&) = delete;
  HeldByte& operator=(const HeldByte&) = delete;
  HeldByte& operator=(HeldByte&&) = delete;
  HeldByte(HeldByte&& o) noexcept : fd_(std::exchange(o.fd_, -1)), offset_(o.offset_) {}
  ~HeldByte() {
    if (fd_ >= 0) lock_op(fd_, offset_, F_UNLCK, F_OFD_SETLK);
  }

  // `type` is F_RDLCK or F_WRLCK; `what` and `dir` name it in an error.
  static Result<HeldByte> take(int fd, off_t offset, short type, const char* what,
                               const std::string& dir) {
    if (lock_op(fd, offset, type, F_OFD_SETLKW) < 0) return sys_error(what, dir + "/locks");
    return HeldByte(fd, offset);
  }

 private:
  HeldByte(int fd, off_t offset) : fd_(fd), offset_(offset) {}
  int fd_;
  off_t offset_;
};

Result<Fd> lock_byte(const std::string& dir, off_t offset, bool wait, const std::string& what) {
  std::string path = dir + "/locks";
  PODNS_TRY(fd, sys::open_at(AT_FDCWD, path, O_RDWR | O_CREAT | O_NOFOLLOW, 0600));
  if (lock_op(fd.get(), offset, F_WRLCK, wait ? F_OFD_SETLKW : F_OFD_SETLK) < 0) {
    if (errno == EAGAIN || errno == EACCES)
      return plain_error(EBUSY, what + " is busy: another podns operation holds it");
    return sys_error("lock " + what + " in", path);
  }
  return fd;
}

}  // namespace

Store::Store(std::string dir, sqlite3* db) : dir_(std::move(dir)), db_(db) {}

Store::Store(Store&& o) noexcept
    : dir_(std::move(o.dir_)),
      db_(std::exchange(o.db_, nullptr)),
      lock_file_(std::move(o.lock_file_)),
      busy_ms_(o.busy_ms_),
      stmts_(std::move(o.stmts_)) {}

Store& Store::operator=(Store&& o) noexcept {
  if (this != &o) {
    close();
    dir_ = std::move(o.dir_);
    db_ = std::exchange(o.db_, nullptr);
    lock_file_ = std::move(o.lock_file_);
    busy_ms_ = o.busy_ms_;
    stmts_ = std::move(o.stmts_);
  }
  return *this;
}

Store::~Store() { close(); }

void Store::close() {
  for (auto& [sql, st] : stmts_) sqlite3_finalize(st);
  stmts_.clear();
  sqlite3_close_v2(std::exchange(db_, nullptr));
}

Error Store::db_error(const std::string& op) const {
  // SQLite's own words, and for the faults an operator must act on, what
  // to look at: the errno says the same to a program.
  std::string what = "state database: " + op + ": " + sqlite3_errmsg(db_);
  int err = 0;
  switch (sqlite3_errcode(db_)) {
    case SQLITE_FULL:
      err = ENOSPC;
      what += " (the state directory's filesystem is full)";
      break;
    case SQLITE_BUSY:
      err = EBUSY;
      what += " (another process holds a write transaction; waited " + std::to_string(busy_ms_) +
              " ms, PODNS_DB_TIMEOUT)";
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      err = EUCLEAN;
      what += " (the file is damaged; podns leaves it as it is)";
      break;
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR: err = sqlite3_system_errno(db_); break;
    default: break;
  }
  return {err, std::move(what), dir_ + "/podns.db"};
}

Result<void> Store::exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
    return std::unexpected(db_error(sql));
  return {};
}

Result<sqlite3_stmt*> Store::prepare(const std::string& sql) {
  // Compiling a statement costs more than running these: each is compiled
  // once per Store and reset for every use.
  auto it = stmts_.find(sql);
  if (it != stmts_.end()) {
    sqlite3_reset(it->second);
    sqlite3_clear_bindings(it->second);
    return it->second;
  }
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr) != SQLITE_OK)
    return std::unexpected(db_error("prepare \"" + sql + "\""));
  stmts_.emplace(sql, st);
  return st;
}

Result<void> Store::write(const std::function<Result<void>()>& body) {
  // Writers queue on a kernel lock, which wakes the next one at once, rather
  // than on SQLite's busy handler, which sleeps and polls (a millisecond or
  // more per collision). Readers never wait: WAL.
  PODNS_TRY(held, HeldByte::take(lock_file_.get(), kWriteLock, F_WRLCK,
                                 "lock the state database for writing", dir_));
  auto done = exec("BEGIN IMMEDIATE");
  if (done) {
    done = body();
    if (done) done = exec("COMMIT");
    if (!done) (void)exec("ROLLBACK");
  }
  return done;
}

Result<Store> Store::open(const std::string& state_dir) {
  PODNS_TRY(busy_ms, busy_timeout_ms());
  PODNS_CHECK(check_secure_path(state_dir, "state directory"));
  PODNS_CHECK_CTX(make_private_dir(state_dir), "create state directory");
  std::string path = state_dir + "/podns.db";
  // The file is created 0600 before SQLite sees it, so it is never readable by others.
  {
    PODNS_TRY(fd, sys::open_at(AT_FDCWD, path, O_RDWR | O_CREAT | O_NOFOLLOW, 0600));
  }
  PODNS_TRY(lock_file, sys::open_at(AT_FDCWD, state_dir + "/locks",
                                    O_RDWR | O_CREAT | O_NOFOLLOW, 0600));
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW,
                           nullptr);
  Store store(state_dir, db);
  store.lock_file_ = std::move(lock_file);
  if (rc != SQLITE_OK) return std::unexpected(store.db_error("open"));
  store.busy_ms_ = busy_ms;
  sqlite3_busy_timeout(db, busy_ms);
  PODNS_CHECK(store.exec("PRAGMA synchronous=NORMAL"));
  // Each podns command opens and closes the database once. By default the
  // last connection to close checkpoints the WAL (two fdatasyncs) and
  // unlinks it (milliseconds on ext4): leave both to the automatic
  // checkpoint. But the first connection to open the database reads the
  // whole WAL to rebuild its index, so keep the WAL short.
  int persist = 1;
  sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
  sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  sqlite3_wal_autocheckpoint(db, kWalPages);

  // Only one process sets the schema up, under the schema lock held for
  // writing; the others read the version under it held for reading, so none
  // reads while the journal mode changes (that change needs the database to
  // itself, and SQLite fails it at once rather than waiting).
  const int lock_fd = store.lock_file_.get();
  {
    PODNS_TRY(shared, HeldByte::take(lock_fd, kSchemaLock, F_RDLCK,
                                     "lock the state database schema for reading", state_dir));
    PODNS_TRY(version, store.schema_version());
    if (version == kSchemaVersion) return store;
  }
  PODNS_TRY(exclusive, HeldByte::take(lock_fd, kSchemaLock, F_WRLCK,
                                      "lock the state database schema for writing", state_dir));
  PODNS_TRY(version, store.schema_version());
  if (version == kSchemaVersion) return store;
  if (version > kSchemaVersion) {
    return errno_error(EPROTO, "state database is of a newer podns (schema " +
                                   std::to_string(version) + ")", path);
  }
  PODNS_CHECK(store.exec("PRAGMA journal_mode=WAL"));
  auto create_schema = [&]() -> Result<void> {
    PODNS_CHECK(store.exec(kSchema));
    return store.exec(("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str());
  };
  PODNS_CHECK(store.write(create_schema));
  return store;
}

Result<int> Store::schema_version() {
  PODNS_TRY(st, prepare("PRAGMA user_version"));
  if (sqlite3_step(st) != SQLITE_ROW) return std::unexpected(db_error("read schema version"));
  int v = sqlite3_column_int(st, 0);
  sqlite3_reset(st);
  return v;
}

Result<void> Store::insert(const Sandbox& s, bool shared_ranges) {
  return write([&] { return insert_locked(s, shared_ranges); });
}

Result<void> Store::insert_auto(Sandbox& s, std::uint32_t size, Pool pool,
                                bool allow_host_root) {
  PODNS_CHECK(check_pool(pool, size));
  return write([&]() -> Result<void> {
    PODNS_TRY(base, free_range(size, pool));
    if (!base) {
      return plain_error(ENOSPC, "no free range of " + std::to_string(size) +
                                     " host IDs left in the pool " + std::to_string(pool.first) +
                                     "-" + std::to_string(pool.last));
    }
    IdMap map{{0, *base, size}};
    PODNS_CHECK_CTX(validate_pod_maps(map, map, allow_host_root),
                    "automatic range " + to_string(map) + " from the pool " +
                        std::to_string(pool.first) + "-" + std::to_string(pool.last));
    s.uid_map = s.gid_map = std::move(map);
    return insert_locked(s, false);
  });
}

Result<void> Store::check_pool(Pool pool) {
  if (pool.first > pool.last) {
    return invalid_argument("the pool of host IDs " + std::to_string(pool.first) + "-" +
                            std::to_string(pool.last) + " is empty: its first ID is above its last");
  }
  if (pool.last > 4294967294u)
    return invalid_argument("the pool's last host ID is above 4294967294 (4294967295 is no ID)");
  return {};
}

Result<void> Store::check_pool(Pool pool, std::uint32_t size) {
  PODNS_CHECK(check_pool(pool));
  if (size == 0 || size - 1 > pool.last - pool.first) {
    return invalid_argument("automatic range of " + std::to_string(size) +
                            " IDs does not fit the pool " + std::to_string(pool.first) + "-" +
                            std::to_string(pool.last));
  }
  return {};
}

Result<std::optional<std::uint32_t>> Store::free_range(std::uint32_t size, Pool pool) {
  // Usually the space above every range in use is free: one index probe.
  // Otherwise walk the ranges from the pool's start for the first gap.
  auto fits = [&](std::int64_t base) {
    return base >= pool.first && base + size - 1 <= std::int64_t{pool.last};
  };
  PODNS_TRY(top, prepare("SELECT MAX(last) FROM host_ranges"));
  std::int64_t base = pool.first;
  if (sqlite3_step(top) == SQLITE_ROW && sqlite3_column_type(top, 0) != SQLITE_NULL)
    base = std::max<std::int64_t>(base, sqlite3_column_int64(top, 0) + 1);
  sqlite3_reset(top);
  if (fits(base)) return std::optional<std::uint32_t>(static_cast<std::uint32_t>(base));

  PODNS_TRY(walk, prepare("SELECT first, last FROM host_ranges WHERE last >= ? ORDER BY first"));
  sqlite3_bind_int64(walk, 1, pool.first);
  base = pool.first;
  int rc;
  while ((rc = sqlite3_step(walk)) == SQLITE_ROW) {
    std::int64_t first = sqlite3_column_int64(walk, 0);
    std::int64_t last = sqlite3_column_int64(walk, 1);
    if (first > base && first - base >= size) break;  // the gap before this range
    base = std::max(base, last + 1);
  }
  sqlite3_reset(walk);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return std::unexpected(db_error("find a free range"));
  if (fits(base)) return std::optional<std::uint32_t>(static_cast<std::uint32_t>(base));
  return std::optional<std::uint32_t>();
}

Result<void> Store::insert_locked(const Sandbox& s, bool shared_ranges) {
  PODNS_TRY(st, prepare(std::string("INSERT INTO sandboxes (") + kColumns + ") VALUES (" +
                        kPlaceholders + ")"));
  bind_sandbox(st, s);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc == SQLITE_CONSTRAINT) return plain_error(EEXIST, "sandbox " + s.id + " already exists");
  if (rc != SQLITE_DONE) return std::unexpected(db_error("insert " + s.id));

  for (const auto& [kind, map] : {std::pair{"uid", &s.uid_map}, std::pair{"gid", &s.gid_map}}) {
    for (const auto& m : *map) {
      std::int64_t first = m.host_id;
      std::int64_t last = std::int64_t{m.host_id} + m.size - 1;
      if (!shared_ranges) {
        PODNS_TRY(user, range_user(kind, first, last));
        if (user) {
          return plain_error(EBUSY, std::string("host ") + kind + " range " +
                                        std::to_string(first) + "-" + std::to_string(last) +
                                        " overlaps sandbox " + *user +
                                        "'s (allow it with --allow-overlap)");
        }
      }
      PODNS_TRY(ins, prepare("INSERT INTO host_ranges (sandbox_id, kind, first, last, shared) "
                             "VALUES (?,?,?,?,?)"));
      bind_text(ins, 1, s.id);
      sqlite3_bind_text(ins, 2, kind, -1, SQLITE_STATIC);
      sqlite3_bind_int64(ins, 3, first);
      sqlite3_bind_int64(ins, 4, last);
      sqlite3_bind_int(ins, 5, shared_ranges ? 1 : 0);
      rc = sqlite3_step(ins);
      sqlite3_reset(ins);
      if (rc != SQLITE_DONE) return std::unexpected(db_error("insert range"));
    }
  }
  return {};
}

Result<std::optional<std::string>> Store::range_user(const char* kind, std::int64_t first,
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
    PODNS_TRY(st, prepare(q));
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, first);
    sqlite3_bind_int64(st, 3, last);
    int rc = sqlite3_step(st);
    std::optional<std::string> user;
    if (rc == SQLITE_ROW && sqlite3_column_int64(st, 1) >= first) user = column_text(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return std::unexpected(db_error("range check"));
    if (user) return user;
  }
  return std::optional<std::string>();
}

Result<void> Store::update(const Sandbox& s) {
  return write([&]() -> Result<void> {
    PODNS_TRY(st, prepare(std::string("REPLACE INTO sandboxes (") + kColumns + ") SELECT " +
                          kPlaceholders + " WHERE EXISTS (SELECT 1 FROM sandboxes WHERE id = ?1)"));
    bind_sandbox(st, s);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return std::unexpected(db_error("update " + s.id));
    if (sqlite3_changes(db_) == 0) return plain_error(ENOENT, "no sandbox " + s.id);
    return {};
  });
}

Result<std::optional<Sandbox>> Store::get(const std::string& id) {
  PODNS_TRY(st, prepare(std::string("SELECT ") + kColumns + " FROM sandboxes WHERE id = ?"));
  bind_text(st, 1, id);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_DONE) {
    sqlite3_reset(st);
    return std::optional<Sandbox>();
  }
  if (rc != SQLITE_ROW) {
    sqlite3_reset(st);
    return std::unexpected(db_error("get " + id));
  }
  auto s = read_row(st);
  sqlite3_reset(st);
  if (!s) return std::unexpected(s.error());
  return std::optional<Sandbox>(std::move(*s));
}

Result<std::vector<Sandbox>> Store::list() {
  PODNS_TRY(st, prepare(std::string("SELECT ") + kColumns + " FROM sandboxes ORDER BY id"));
  std::vector<Sandbox> out;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    auto s = read_row(st);
    if (!s) {
      sqlite3_reset(st);
      return std::unexpected(s.error());
    }
    out.push_back(std::move(*s));
  }
  sqlite3_reset(st);
  if (rc != SQLITE_DONE) return std::unexpected(db_error("list"));
  return out;
}

Result<void> Store::erase(const std::string& id) {
  return write([&]() -> Result<void> {
    for (const char* q : {"DELETE FROM host_ranges WHERE sandbox_id = ?",
                          "DELETE FROM sandboxes WHERE id = ?"}) {
      PODNS_TRY(st, prepare(q));
      bind_text(st, 1, id);
      int rc = sqlite3_step(st);
      sqlite3_reset(st);
      if (rc != SQLITE_DONE) return std::unexpected(db_error("erase " + id));
    }
    return {};
  });
}

Result<Fd> Store::lock(const std::string& id, bool wait) {
  return lock_byte(dir_, lock_offset(id), wait, "sandbox " + id);
}

Result<Fd> Store::lock_root() { return lock_byte(dir_, kRootLock, true, "pin root"); }

}  // namespace podns
