// bench_outbox: cost of the outbox look-ups the engine makes for every stock
// event, as the Pending backlog of one target grows (a shop that is down or
// slow while stock keeps changing).
//
//   outbox_busy   Processor::load calls Transaction::outbox_busy(member,
//                 "set_stock:<sku>") for every pool member on every stock
//                 event; measured for a SKU with nothing pending (the usual
//                 answer, and the worst case for a scan).
//   enqueue       Transaction::enqueue of a set_stock that coalesces with the
//                 Pending item of its SKU.
//
// The schema has a partial index for exactly these look-ups,
// `outbox_coalesce ON outbox (target, coalesce_key) WHERE coalesce_key <> ''`,
// but SQLite can only use a partial index when the query's WHERE clause
// implies the index's, and `coalesce_key = ?2` does not imply
// `coalesce_key <> ''`. The queries therefore walk every Pending item of the
// target through outbox_due. The last lines run the store's SQL and the same
// SQL with `AND coalesce_key <> ''` added directly against the store file,
// with their query plans, to show the difference.
#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <string_view>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "store/store.hpp"

namespace {

using namespace stockrelay;

constexpr store::Millis kNow = 1714557600000;

store::OutboxItem set_stock(const std::string& target, std::size_t i) {
  store::OutboxItem it;
  std::string sku = "SKU-" + std::to_string(100000 + i);
  it.target = target;
  it.command = "set_stock";
  it.coalesce_key = "set_stock:" + sku;
  it.payload = R"({"options":{},"set_stock":{"sku":")" + sku + R"(","quantity":)" + std::to_string(i % 90) +
               R"(,"link":{"remote_id":"p-)" + std::to_string(i) + R"(","remote_variation_id":""}}})";
  it.source_ref = "level in erp";
  it.created_at = it.next_attempt_at = kNow;
  return it;
}

std::string plan(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &st, nullptr) != SQLITE_OK) return "?";
  while (sqlite3_step(st) == SQLITE_ROW) {
    if (!out.empty()) out += "; ";
    out += reinterpret_cast<const char*>(sqlite3_column_text(st, 3));
  }
  sqlite3_finalize(st);
  return out;
}

// Time for `calls` runs of `sql` with (?1 target, ?2 a key with nothing pending).
bench::Sample time_sql(sqlite3* db, const std::string& sql, std::size_t calls, std::size_t backlog) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "prepare: %s\n", sqlite3_errmsg(db));
    std::exit(1);
  }
  std::size_t hits = 0;
  bench::Stopwatch t0;
  for (std::size_t i = 0; i < calls; ++i) {
    std::string key = "set_stock:SKU-" + std::to_string(100000 + backlog + 1 + i);  // not pending
    sqlite3_bind_text(st, 1, "shop-b", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key.c_str(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) ++hits;
    sqlite3_reset(st);
  }
  bench::Sample secs = t0.stop();
  sqlite3_finalize(st);
  if (hits != 0) std::fprintf(stderr, "unexpected rows: %zu\n", hits);
  return secs;
}

void exec(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
    std::exit(1);
  }
}

void fill(const std::string& path, std::size_t backlog) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "cannot open %s\n", path.c_str());
    std::exit(1);
  }
  sqlite3_busy_timeout(db, 5000);
  exec(db, "BEGIN IMMEDIATE");
  sqlite3_stmt* ins = nullptr;
  sqlite3_prepare_v2(db,
                     "INSERT INTO outbox (target, command, coalesce_key, payload, source_ref, state, attempts, "
                     "next_attempt_at, created_at, updated_at, last_error) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?7, ?7, '')",
                     -1, &ins, nullptr);
  for (const char* target : {"shop-b", "shop-a"}) {
    for (std::size_t i = 0; i < backlog; ++i) {
      auto it = set_stock(target, i);
      sqlite3_bind_text(ins, 1, it.target.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(ins, 2, it.command.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(ins, 3, it.coalesce_key.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(ins, 4, it.payload.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(ins, 5, it.source_ref.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(ins, 6, std::string_view(target) == "shop-b" ? "pending" : "done", -1, SQLITE_STATIC);
      sqlite3_bind_int64(ins, 7, kNow);
      if (sqlite3_step(ins) != SQLITE_DONE) {
        std::fprintf(stderr, "insert: %s\n", sqlite3_errmsg(db));
        std::exit(1);
      }
      sqlite3_reset(ins);
    }
  }
  sqlite3_finalize(ins);
  exec(db, "COMMIT");
  sqlite3_close_v2(db);
}

}  // namespace

int main(int argc, char** argv) {
  auto opt = bench::parse_options(argc, argv);
  const std::vector<std::size_t> backlogs = opt.quick ? std::vector<std::size_t>{0, 1000}
                                                      : std::vector<std::size_t>{0, 1000, 10000, 30000};
  const std::size_t base_calls = opt.quick ? 100 : 300;  // at backlogs <= 1000; fewer above
  bench::TempDir dir("outbox");
  std::printf("# bench_outbox: store at %s (%s)\n", dir.path().c_str(), opt.quick ? "quick" : "full");

  const std::string store_sql =
      "SELECT 1 FROM outbox WHERE target = ?1 AND coalesce_key = ?2 AND state IN ('pending', 'in_flight') LIMIT 1";
  const std::string fixed_sql =
      "SELECT 1 FROM outbox WHERE target = ?1 AND coalesce_key = ?2 AND coalesce_key <> '' "
      "AND state IN ('pending', 'in_flight') LIMIT 1";

  for (std::size_t backlog : backlogs) {
    const std::string path = (dir.path() / ("outbox-" + std::to_string(backlog) + ".db")).string();
    auto opened = store::open_sqlite(path, store::OpenMode::Owner);
    if (!opened) {
      std::fprintf(stderr, "cannot open store: %s\n", opened.error().message().c_str());
      return 1;
    }
    auto& st = *opened;
    // The backlog: one Pending set_stock per SKU for shop-b (down), plus the
    // same amount already Done for shop-a (history the index skips). Written
    // with the store's own INSERT through a second connection: building it
    // with enqueue() would itself be quadratic, for the reason measured here.
    if (backlog > 0) fill(path, backlog);
    const std::size_t calls = std::max<std::size_t>(opt.quick ? 20 : 40, base_calls * 1000 / std::max<std::size_t>(backlog, 1000));
    bench::Rates busy, enqueue;
    for (int rep = 0; opt.another(rep); ++rep) {
      {
        auto tx = st->begin();
        std::size_t found = 0;
        bench::Stopwatch t0;
        for (std::size_t i = 0; i < calls; ++i)
          found += tx->outbox_busy("shop-b", "set_stock:SKU-" + std::to_string(100000 + backlog + 1 + i));
        busy.add(static_cast<double>(calls), t0.stop());
        if (found) std::fprintf(stderr, "unexpected busy: %zu\n", found);
      }  // rolled back
      if (backlog > 0) {
        auto tx = st->begin();
        bench::Stopwatch t0;
        for (std::size_t i = 0; i < calls; ++i) tx->enqueue(set_stock("shop-b", (i * 7919) % backlog));
        enqueue.add(static_cast<double>(calls), t0.stop());
      }  // rolled back
    }
    std::string d = "Pending backlog of " + std::to_string(backlog) + " for the target, " + std::to_string(calls) +
                    " calls per repetition";
    bench::report(("outbox_busy, backlog " + std::to_string(backlog)).c_str(), busy, d, "calls/s");
    if (backlog > 0)
      bench::report(("enqueue (coalesced), backlog " + std::to_string(backlog)).c_str(), enqueue, d, "calls/s");

    if (backlog == backlogs.back()) {
      sqlite3* raw = nullptr;
      if (sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        std::fprintf(stderr, "cannot open %s read-only\n", path.c_str());
        return 1;
      }
      bench::Rates as_is, fixed;
      for (int rep = 0; opt.another(rep); ++rep) {
        as_is.add(static_cast<double>(calls), time_sql(raw, store_sql, calls, backlog));
        fixed.add(static_cast<double>(calls), time_sql(raw, fixed_sql, calls, backlog));
      }
      bench::report(("outbox_busy SQL before the fix, backlog " + std::to_string(backlog)).c_str(), as_is,
                    "plan: " + plan(raw, store_sql), "calls/s");
      bench::report(("same SQL + AND coalesce_key <> '', backlog " + std::to_string(backlog)).c_str(), fixed,
                    "plan: " + plan(raw, fixed_sql), "calls/s");
      sqlite3_close_v2(raw);
    }
  }
  return 0;
}
