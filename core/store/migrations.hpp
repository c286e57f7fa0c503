// Versioned schema migrations.
//
// The store records each applied step in `schema_version`. Steps run in
// order, each in its own transaction, so a failed step leaves the store at
// the previous version, never half-migrated. Only the hub (OpenMode::Owner)
// migrates: a CLI beside a running older hub must not change its schema.
#pragma once

#include <span>

#include "common/error.hpp"
#include "store/sqlite_db.hpp"

namespace stockrelay::store {

struct Migration {
  int version;      // 1, 2, 3, ... without gaps
  const char* sql;  // one or more statements
};

// The store's schema history, oldest first. Append only: a released step is
// never edited, because stores in the field already ran it.
std::span<const Migration> schema_migrations();

// The newest applied version; 0 for an empty database.
int schema_version(Db& db);

// With apply: brings the store up to the newest of `steps`. Without: only
// checks that it is exactly there. Either way a store from a newer build, or
// an SQLite file that is not a stockrelay store, is refused.
Status prepare_schema(Db& db, std::span<const Migration> steps, bool apply);

}  // namespace stockrelay::store
