// How a Sandbox maps to a row of the state database's `sandboxes` table:
// one column per field that queries or people look at, and the options
// that need none as one JSON object (`extra`), so that adding one needs no
// new schema.
#pragma once

#include "podns/error.h"
#include "podns/sandbox.h"

struct sqlite3_stmt;

namespace podns::store_rows {

// The columns, in the order bind() and read() use, and as many "?".
inline constexpr const char* kColumns =
    "id, state, root, has_userns, netns_dev, netns_ino, userns_dev, userns_ino, uid_map, "
    "gid_map, network, reason, created_at, net_name, net_config, net_state, extra";
inline constexpr const char* kPlaceholders = "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?";

// Binds s to parameters 1 to 17 of `st`, in kColumns's order.
void bind(sqlite3_stmt* st, const Sandbox& s);
// The sandbox in the current row of `st` (columns in kColumns's order); an
// EIO error naming the sandbox if a column holds what podns never writes.
Result<Sandbox> read(sqlite3_stmt* st);

}  // namespace podns::store_rows
