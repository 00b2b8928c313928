#include "podns/database.h"

#include <sqlite3.h>

#include <utility>

namespace podns {

Result<Database> Database::open(const std::string& path, int busy_ms) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW,
                           nullptr);
  // Even a failed open gives a handle, which holds the error and must be closed.
  Database d(path, db, busy_ms);
  if (rc != SQLITE_OK) return std::unexpected(d.error("open"));
  sqlite3_busy_timeout(db, busy_ms);
  return d;
}

Database::Database(Database&& o) noexcept
    : path_(std::move(o.path_)),
      db_(std::exchange(o.db_, nullptr)),
      busy_ms_(o.busy_ms_),
      stmts_(std::move(o.stmts_)) {}

Database& Database::operator=(Database&& o) noexcept {
  if (this != &o) {
    close();
    path_ = std::move(o.path_);
    db_ = std::exchange(o.db_, nullptr);
    busy_ms_ = o.busy_ms_;
    stmts_ = std::move(o.stmts_);
  }
  return *this;
}

Database::~Database() { close(); }

void Database::close() {
  for (auto& [sql, st] : stmts_) sqlite3_finalize(st);
  stmts_.clear();
  sqlite3_close_v2(std::exchange(db_, nullptr));
}

Error Database::error(const std::string& op) const {
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
  return {err, std::move(what), path_};
}

int Database::changes() const { return sqlite3_changes(db_); }

Result<void> Database::exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
    return std::unexpected(error(sql));
  return {};
}

Result<sqlite3_stmt*> Database::prepare(const std::string& sql) {
  // Compiling a statement costs more than running these: each is compiled
  // once per connection and reset for every use.
  auto it = stmts_.find(sql);
  if (it != stmts_.end()) {
    sqlite3_reset(it->second);
    sqlite3_clear_bindings(it->second);
    return it->second;
  }
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr) != SQLITE_OK)
    return std::unexpected(error("prepare \"" + sql + "\""));
  stmts_.emplace(sql, st);
  return st;
}

void bind_text(sqlite3_stmt* st, int i, const std::string& v) {
  sqlite3_bind_text(st, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

std::string column_text(sqlite3_stmt* st, int i) {
  const auto* p = sqlite3_column_text(st, i);
  return p ? std::string(reinterpret_cast<const char*>(p),
                         static_cast<std::size_t>(sqlite3_column_bytes(st, i)))
           : std::string();
}

}  // namespace podns
