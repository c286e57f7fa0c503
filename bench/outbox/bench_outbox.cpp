// bench_outbox: cost of the outbox look-ups the engine and the delivery
// loop make, as a target's Pending backlog and its history of Done commands
// grow (a shop that is down or slow while stock keeps changing; a hub that
// has run for months: Done items stay in the outbox).
//
//   outbox_busy   Processor::load calls Transaction::outbox_busy(member,
//                 "set_stock:<sku>") for every pool member on every stock
//                 event; measured for a SKU with nothing pending (the usual
//                 answer).
//   enqueue       Transaction::enqueue of a set_stock that coalesces with the
//                 Pending item of its SKU.
//   claim         Transaction::claim_due of one batch (100), oldest first.
//
// The backlog is one Pending set_stock per SKU for shop-b, and the history
// kHistory (10) Done ones per SKU for the same target (each SKU written before).
// The last lines run, against the same file, the SQL of schema version 7
// through its indexes (every item, in any state) next to the current SQL
// through the live-item indexes of version 8, with their query plans.
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
constexpr int kHistory = 10;  // Done set_stock items per SKU before the Pending one

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

// Time for `calls` runs of `sql` (?1 the target; `bind` binds the rest for call i).
template <class Bind>
bench::Sample time_sql(sqlite3* db, const std::string& sql, std::size_t calls, Bind bind) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "prepare: %s\n", sqlite3_errmsg(db));
    std::exit(1);
  }
  std::size_t rows = 0;
  bench::Stopwatch t0;
  for (std::size_t i = 0; i < calls; ++i) {
    sqlite3_bind_text(st, 1, "shop-b", -1, SQLITE_STATIC);
    bind(st, i);
    while (sqlite3_step(st) == SQLITE_ROW) ++rows;
    sqlite3_reset(st);
  }
  bench::Sample secs = t0.stop();
  sqlite3_finalize(st);
  if (rows == 0) std::fprintf(stderr, "no rows from: %s\n", sql.c_str());
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
  for (int round = 0; round <= kHistory; ++round) {  // the Done rounds, then the Pending backlog
    const char* target = "shop-b";
    for (std::size_t i = 0; i < backlog; ++i) {
      auto it = set_stock(target, i);
      sqlite3_bind_text(ins, 1, it.target.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(ins, 2, it.command.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(ins, 3, it.coalesce_key.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(ins, 4, it.payload.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(ins, 5, it.source_ref.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(ins, 6, round == kHistory ? "pending" : "done", -1, SQLITE_STATIC);
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

  // Schema version 7: indexes over every item, whatever its state.
  const char* v7_indexes =
      "CREATE INDEX IF NOT EXISTS v7_due ON outbox (target, state, next_attempt_at);"
      "CREATE INDEX IF NOT EXISTS v7_coalesce ON outbox (target, coalesce_key) WHERE coalesce_key <> '';";
  const std::string busy_v7 =
      "SELECT 1 FROM outbox INDEXED BY v7_coalesce WHERE target = ?1 AND coalesce_key = ?2 AND coalesce_key <> '' "
      "AND state IN ('in_flight', ?3) LIMIT 1";
  const std::string busy_now =
      "SELECT 1 FROM outbox INDEXED BY outbox_live WHERE target = ?1 AND coalesce_key = ?2 "
      "AND state IN ('pending', 'in_flight') AND state IN ('in_flight', ?3) LIMIT 1";
  const std::string due_where =
      "target = ?1 AND state = 'pending' AND next_attempt_at <= ?2 AND NOT (coalesce_key LIKE 'set_stock:%' AND "
      "EXISTS (SELECT 1 FROM deferred_levels d WHERE d.connection = outbox.target AND "
      "d.sku = substr(outbox.coalesce_key, 11) AND d.holds))";
  const std::string claim_v7 = "SELECT id FROM outbox INDEXED BY v7_due WHERE " + due_where + " ORDER BY id LIMIT 100";
  const std::string claim_now =
      "SELECT id FROM outbox INDEXED BY outbox_claim WHERE " + due_where + " ORDER BY id LIMIT 100";

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
    bench::Rates busy, enqueue, claim;
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
      if (backlog > 0) {
        auto tx = st->begin();
        const std::size_t batches = std::min<std::size_t>(calls, backlog / 100);
        bench::Stopwatch t0;
        for (std::size_t i = 0; i < batches; ++i) tx->claim_due("shop-b", kNow, 100);
        claim.add(static_cast<double>(batches), t0.stop());
      }  // rolled back
    }
    std::string d = "Pending backlog of " + std::to_string(backlog) + " for the target, " +
                    std::to_string(kHistory) + " Done items per SKU before it, " + std::to_string(calls) +
                    " calls per repetition";
    bench::report(("outbox_busy, backlog " + std::to_string(backlog)).c_str(), busy, d, "calls/s");
    if (backlog > 0) {
      bench::report(("enqueue (coalesced), backlog " + std::to_string(backlog)).c_str(), enqueue, d, "calls/s");
      bench::report(("claim_due of 100, backlog " + std::to_string(backlog)).c_str(), claim, d, "claims/s");
    }

    if (backlog == backlogs.back() && backlog > 0) {
      sqlite3* raw = nullptr;
      if (sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        std::fprintf(stderr, "cannot open %s\n", path.c_str());
        return 1;
      }
      exec(raw, v7_indexes);
      // A SKU with its Pending item and its history: is a write on its way?
      auto bind_busy = [&](sqlite3_stmt* q, std::size_t i) {
        std::string key = "set_stock:SKU-" + std::to_string(100000 + (i * 7919) % backlog);
        sqlite3_bind_text(q, 2, key.c_str(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 3, "pending", -1, SQLITE_STATIC);
      };
      auto bind_claim = [&](sqlite3_stmt* q, std::size_t) { sqlite3_bind_int64(q, 2, kNow); };
      const std::size_t claims = std::max<std::size_t>(5, calls / 20);
      bench::Rates b7, bnow, c7, cnow;
      for (int rep = 0; opt.another(rep); ++rep) {
        b7.add(static_cast<double>(calls), time_sql(raw, busy_v7, calls, bind_busy));
        bnow.add(static_cast<double>(calls), time_sql(raw, busy_now, calls, bind_busy));
        c7.add(static_cast<double>(claims), time_sql(raw, claim_v7, claims, bind_claim));
        cnow.add(static_cast<double>(claims), time_sql(raw, claim_now, claims, bind_claim));
      }
      const std::string b = ", backlog " + std::to_string(backlog);
      bench::report(("outbox_busy SQL of schema 7" + b).c_str(), b7, "plan: " + plan(raw, busy_v7), "calls/s");
      bench::report(("outbox_busy SQL now" + b).c_str(), bnow, "plan: " + plan(raw, busy_now), "calls/s");
      bench::report(("claim SQL of schema 7" + b).c_str(), c7, "plan: " + plan(raw, claim_v7), "claims/s");
      bench::report(("claim SQL now" + b).c_str(), cnow, "plan: " + plan(raw, claim_now), "claims/s");
      sqlite3_close_v2(raw);
    }
  }
  return 0;
}
