// One connection to an SQLite database, as the state store uses it: opened
// without SQLite's own mutex (a Store is used by one thread), statements
// compiled once and kept, errors turned into podns Errors with SQLite's
// words and, where an operator must act, what to look at.
#pragma once

#include <string>
#include <unordered_map>

#include "podns/error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace podns {

class Database {
 public:
  // Opens the existing file PATH read-write (never following a symlink),
  // with a busy timeout of busy_ms.
  static Result<Database> open(const std::string& path, int busy_ms);

  Database(Database&& o) noexcept;
  Database& operator=(Database&& o) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  Result<void> exec(const char* sql);
  // A compiled statement, cached for the connection's life, reset and with
  // its bindings cleared for reuse.
  Result<sqlite3_stmt*> prepare(const std::string& sql);
  // The last error of this connection, as the failure of `op`.
  Error error(const std::string& op) const;
  // Rows changed by the last statement.
  int changes() const;
  sqlite3* get() const { return db_; }

 private:
  Database(std::string path, sqlite3* db, int busy_ms)
      : path_(std::move(path)), db_(db), busy_ms_(busy_ms) {}
  void close();

  std::string path_;
  sqlite3* db_ = nullptr;
  int busy_ms_ = 0;
  std::unordered_map<std::string, sqlite3_stmt*> stmts_;
};

// Helpers for binding and reading columns.
void bind_text(sqlite3_stmt* st, int i, const std::string& v);
std::string column_text(sqlite3_stmt* st, int i);

}  // namespace podns
