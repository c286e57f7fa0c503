#include <catch2/catch.hpp>

#include "ledger_fixture.hpp"

using namespace ledger_test;
using namespace stockrelay::engine;

namespace {
const std::vector<std::string> kShops{"shop-a", "shop-b", "shop-c"};
}

TEST_CASE("a sale in one shop lowers the shared pool and every shop, the seller included") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 1000, 2000};
  auto d = on_sale(ctx, settled(pool, 10), "shop-b", q(2), "order 7 in shop-b", "7");
  REQUIRE(d.level);
  CHECK(d.level->quantity == q(8));
  // The seller gets the write too: an absolute write of ours may have landed
  // after the sale there and erased it.
  CHECK(targets(d) == kShops);
  CHECK(all_writes_are(d, 8));
  REQUIRE(baseline(d, "shop-b"));
  CHECK(baseline(d, "shop-b")->expected == q(8));
  REQUIRE(d.log.size() == 1);
  CHECK(d.log[0].kind == "sale");
  CHECK(d.log[0].old_quantity == q(10));
  CHECK(d.log[0].new_quantity == q(8));
  CHECK(d.log[0].order_id == "7");
}

TEST_CASE("a restore (negative sale) raises the pool again") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 1000, 2000};
  auto d = on_sale(ctx, settled(pool, 8), "shop-b", q(-2), "order 7 in shop-b", "7");
  REQUIRE(d.level);
  CHECK(d.level->quantity == q(10));
  CHECK(d.log.at(0).kind == "restore");
  CHECK(all_writes_are(d, 10));
}

TEST_CASE("our own write echoing back changes nothing") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 1000, 2000};
  auto d = on_level(ctx, settled(pool, 10), "shop-a", level(10), Pass::Fresh);
  CHECK_FALSE(d.level);
  CHECK(d.writes.empty());
  CHECK_FALSE(d.defer);
  CHECK(d.log.empty());
}

TEST_CASE("an unexplained level waits for its cause before it counts as a manual change") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 1000, 2000};
  auto d = on_level(ctx, settled(pool, 10), "shop-a", level(7), Pass::Fresh);
  CHECK_FALSE(d.level);
  CHECK(d.writes.empty());
  REQUIRE(d.defer);
  CHECK(d.defer->connection == "shop-a");
  CHECK(d.defer->observed == q(7));
  CHECK(d.defer->due_at == 3000);
  // No poll yet: the order's own webhook usually explains it within
  // milliseconds, and a poll per unexplained level swamps a busy shop.
  CHECK_FALSE(d.want_poll);
}

TEST_CASE("a waiting level still unexplained after the settle time asks for a poll and keeps waiting") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 1000, 2000};
  auto st = settled(pool, 10);
  auto first = on_level(ctx, st, "shop-a", level(7), Pass::Fresh);
  REQUIRE(first.defer);
  st.deferred = first.defer;
  LedgerContext later{pool, "A", 3100, 2000};
  auto again = on_level(later, st, "shop-a", level(7), Pass::Recheck);
  CHECK(again.want_poll);  // look at the shop's orders: a dropped webhook looks like this
  REQUIRE(again.defer);
  CHECK(again.defer->observed_at == 1000);  // judged after a poll that started later than this
  CHECK(again.defer->due_at == 3100 + 500);  // looked at again a quarter of the settle time later
  CHECK_FALSE(again.clear_deferred);
  CHECK_FALSE(again.level);
  CHECK(again.writes.empty());
}

TEST_CASE("a waiting level explained by the time it is looked at again is settled without a poll") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 1000, 2000};
  auto st = settled(pool, 10);
  auto first = on_level(ctx, st, "shop-a", level(9), Pass::Fresh);
  REQUIRE(first.defer);
  st.deferred = first.defer;
  auto sale = on_sale(ctx, st, "shop-a", q(1), "order 1 in shop-a", "1");
  st.level = sale.level;
  for (const auto& b : sale.baselines) st.baselines[b.connection] = b;
  LedgerContext later{pool, "A", 3100, 2000};
  auto again = on_level(later, st, "shop-a", level(9), Pass::Recheck);
  CHECK_FALSE(again.want_poll);
  CHECK_FALSE(again.defer);
  CHECK(again.clear_deferred);
  CHECK_FALSE(again.level);
}

TEST_CASE("a manual change in a shared pool applies its difference to every other shop") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 5000, 2000};
  auto d = on_level(ctx, settled(pool, 10), "shop-a", level(7), Pass::Due);
  REQUIRE(d.level);
  CHECK(d.level->quantity == q(7));
  CHECK(targets(d) == std::vector<std::string>{"shop-b", "shop-c"});
  CHECK(all_writes_are(d, 7));
  CHECK(d.clear_deferred);
  REQUIRE(d.log.size() == 1);
  CHECK(d.log[0].kind == "manual");
  CHECK(d.log[0].result == "applied");
  CHECK(d.log[0].cause.find("shop-a (10 -> 7)") != std::string::npos);
}

TEST_CASE("a sale that arrives while a level waits explains it: nothing is counted twice") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 1000, 2000};
  auto st = settled(pool, 10);
  // shop-a shows 9: a sale whose order webhook is late.
  auto waiting = on_level(ctx, st, "shop-a", level(9), Pass::Fresh);
  REQUIRE(waiting.defer);
  for (const auto& b : waiting.baselines) st.baselines[b.connection] = b;
  st.deferred = waiting.defer;
  // The order arrives.
  auto sale = on_sale(ctx, st, "shop-a", q(1), "order 1 in shop-a", "1");
  REQUIRE(sale.level);
  CHECK(sale.level->quantity == q(9));
  st.level = sale.level;
  for (const auto& b : sale.baselines) st.baselines[b.connection] = b;
  // Settle time passes: the level is explained, the pool stays at 9.
  LedgerContext later{pool, "A", 4000, 2000};
  auto judged = on_level(later, st, "shop-a", level(9), Pass::Due);
  CHECK_FALSE(judged.level);
  CHECK(judged.clear_deferred);
  CHECK(judged.log.empty());
}

TEST_CASE("an observation older than the newest accepted one is dropped") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 1000, 2000};
  auto st = settled(pool, 10);
  st.baselines["shop-a"].observed_version = "000000000009";
  auto d = on_level(ctx, st, "shop-a", level(3, "000000000004"), Pass::Fresh);
  CHECK_FALSE(d.level);
  CHECK_FALSE(d.defer);
  CHECK(d.writes.empty());
  REQUIRE(d.log.size() == 1);
  CHECK(d.log[0].result == "skipped");
}

TEST_CASE("a level seen while our write to that shop is pending is not judged yet") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 1000, 2000};
  auto st = settled(pool, 10);
  st.busy.insert("shop-c");
  auto d = on_level(ctx, st, "shop-c", level(4), Pass::Due);
  CHECK_FALSE(d.level);
  REQUIRE(d.defer);
  CHECK_FALSE(d.clear_deferred);
  CHECK(d.writes.empty());
}

TEST_CASE("a level of a product that does not track stock is skipped") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 1000, 0};
  auto l = level(3);
  l.managed = false;
  auto d = on_level(ctx, settled(pool, 10), "shop-a", l, Pass::Fresh);
  CHECK_FALSE(d.level);
  CHECK(d.writes.empty());
  REQUIRE(d.log.size() == 1);
  CHECK(d.log[0].result == "skipped");
}

TEST_CASE("a SKU seen first in one shop takes that shop's quantity and reaches shops that carry it") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 1000, 2000};
  SkuState st;  // nothing known yet
  store::Baseline b;
  b.connection = "shop-c";
  b.sku = "A";
  b.expected = q(0);
  st.baselines.emplace("shop-c", b);  // shop-c carries the SKU already
  auto d = on_level(ctx, st, "shop-b", level(12), Pass::Fresh);
  REQUIRE(d.level);
  CHECK(d.level->quantity == q(12));
  CHECK(d.level->origin == "shop-b");
  CHECK(targets(d) == std::vector<std::string>{"shop-c"});
  CHECK(all_writes_are(d, 12));
}

TEST_CASE("a shop that sees a pooled SKU for the first time takes the pool's quantity") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 1000, 2000};
  auto st = settled(pool, 10);
  st.baselines.erase("shop-c");
  auto d = on_level(ctx, st, "shop-c", level(3), Pass::Fresh);
  CHECK_FALSE(d.level);  // the pool does not move
  REQUIRE(d.writes.size() == 1);
  CHECK(d.writes[0].member == "shop-c");
  CHECK(d.writes[0].quantity == q(10));
  CHECK(d.log.at(0).kind == "join");
}

TEST_CASE("the pool buffer is held back from every shop, never below zero") {
  auto pool = shared_pool(kShops, 3);
  CHECK(shown(pool, q(10)) == q(7));
  CHECK(shown(pool, q(2)) == q(0));
  LedgerContext ctx{pool, "A", 1000, 2000};
  auto d = on_sale(ctx, settled(pool, 10), "shop-a", q(1), "order", "1");
  CHECK(d.level->quantity == q(9));
  CHECK(all_writes_are(d, 6));
}

TEST_CASE("a master's level is mirrored to every member but never written back to the master") {
  auto pool = master_pool("pos", {"pos", "shop-a", "shop-b"});
  LedgerContext ctx{pool, "A", 1000, 2000};
  auto d = on_level(ctx, settled(pool, 10), "pos", level(6), Pass::Fresh);
  REQUIRE(d.level);
  CHECK(d.level->quantity == q(6));
  CHECK(targets(d) == std::vector<std::string>{"shop-a", "shop-b"});
  CHECK(all_writes_are(d, 6));
  CHECK_FALSE(d.defer);  // the master is the truth: nothing to wait for
}

TEST_CASE("a sale in a member shop of a master pool does not move the pool: the master decides") {
  auto pool = master_pool("pos", {"pos", "shop-a"});
  LedgerContext ctx{pool, "A", 1000, 2000};
  auto d = on_sale(ctx, settled(pool, 10), "shop-a", q(2), "order 5 in shop-a", "5");
  CHECK_FALSE(d.level);
  CHECK(d.writes.empty());
  REQUIRE(baseline(d, "shop-a"));
  CHECK(baseline(d, "shop-a")->expected == q(8));
}

TEST_CASE("a manual change in a member of a master pool is overwritten by default") {
  auto pool = master_pool("pos", {"pos", "shop-a"});
  LedgerContext ctx{pool, "A", 1000, 2000};
  auto d = on_level(ctx, settled(pool, 10), "shop-a", level(50), Pass::Due);
  CHECK_FALSE(d.level);
  REQUIRE(d.writes.size() == 1);
  CHECK(d.writes[0].member == "shop-a");
  CHECK(d.writes[0].quantity == q(10));
  CHECK(d.log.at(0).result == "overwritten");
}

TEST_CASE("on_member_change keep leaves a member's manual change until the master changes") {
  auto pool = master_pool("pos", {"pos", "shop-a"}, config::MemberChange::Keep);
  LedgerContext ctx{pool, "A", 1000, 2000};
  auto st = settled(pool, 10);
  auto kept = on_level(ctx, st, "shop-a", level(50), Pass::Due);
  CHECK(kept.writes.empty());
  CHECK(kept.log.at(0).result == "kept");
  for (const auto& b : kept.baselines) st.baselines[b.connection] = b;
  auto master = on_level(ctx, st, "pos", level(9), Pass::Fresh);
  CHECK(targets(master) == std::vector<std::string>{"shop-a"});
  CHECK(all_writes_are(master, 9));
}

TEST_CASE("a goods receipt raises the shared pool by its quantity") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 1000, 2000};
  sr::StockDelta dl{"po-1", 0, "A", q(5), sr::DeltaCause::Receipt, "PO 1"};
  auto d = on_delta(ctx, settled(pool, 10), "shop-a", dl);
  REQUIRE(d.level);
  CHECK(d.level->quantity == q(15));
  CHECK(targets(d) == std::vector<std::string>{"shop-b", "shop-c"});
  CHECK(d.log.at(0).cause == "receipt PO 1 in shop-a");
}

TEST_CASE("a delta whose cause is a sale is counted exactly like an order line") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 1000, 2000};
  sr::StockDelta dl{"pos-sale-1", 0, "A", q(-3), sr::DeltaCause::Sale, "receipt 9"};
  auto d = on_delta(ctx, settled(pool, 10), "shop-a", dl);
  REQUIRE(d.level);
  CHECK(d.level->quantity == q(7));
  CHECK(d.log.at(0).kind == "sale");
}

TEST_CASE("sales counted while a compared write was on its way happened after it") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 7000, 2000};
  // We wrote 8 (compare-and-set against 10); meanwhile a sale of 3 and a
  // restore of 1 in shop-b were counted: shop-b shows 8 - 3 + 1.
  auto d = on_written(ctx, settled(pool, 10), "shop-b", q(8), q(8), "000000000010", q(-2));
  auto* b = baseline(d, "shop-b");
  REQUIRE(b);
  CHECK(b->expected == q(6));
  CHECK(b->last_written == q(8));
  // ...so the shop showing 6 is explained, not a manual change of -2.
  auto st = settled(pool, 6);
  st.baselines["shop-b"] = *b;
  auto seen = on_level(ctx, st, "shop-b", level(6, "000000000012"), Pass::Fresh);
  CHECK_FALSE(seen.defer);
  CHECK_FALSE(seen.level);
}

TEST_CASE("sales counted while a write compared by a read was on its way: the next reading tells before or after") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 7000, 2000};
  // We wrote 8 after reading 10 (no atomic compare); meanwhile a sale of 2
  // in shop-b was counted. It landed either between that read and our write
  // (replaced: shop-b shows 8) or after our write (shop-b shows 6).
  auto d = on_written(ctx, settled(pool, 10), "shop-b", q(8), q(8), "000000000010", q(-2), false);
  auto* b = baseline(d, "shop-b");
  REQUIRE(b);
  CHECK(b->expected == q(8));
  CHECK(b->expected_alt == std::optional<sr::Quantity>(q(6)));

  SECTION("it landed after: 6 is explained, not a manual change of -2") {
    auto st = settled(pool, 6);
    st.baselines["shop-b"] = *b;
    // Sales not heard of yet could bring it to 6 as well: it waits for the
    // member's orders to be read.
    auto fresh = on_level(ctx, st, "shop-b", level(6, "000000000012"), Pass::Fresh);
    REQUIRE(fresh.defer);
    CHECK_FALSE(fresh.level);
    CHECK(fresh.writes.empty());
    st.deferred = fresh.defer;
    auto seen = on_level(ctx, st, "shop-b", level(6, "000000000012"), Pass::Due);
    CHECK_FALSE(seen.defer);
    CHECK_FALSE(seen.level);
    CHECK(seen.writes.empty());  // it shows the pool's level already
    auto* now = baseline(seen, "shop-b");
    REQUIRE(now);
    CHECK(now->expected == q(6));
    CHECK_FALSE(now->expected_alt);
  }
  SECTION("a later sale there moves both levels") {
    auto st = settled(pool, 6);
    st.baselines["shop-b"] = *b;
    auto sale = on_sale(ctx, st, "shop-b", q(1), "order 9 in shop-b", "9");
    auto* now = baseline(sale, "shop-b");
    REQUIRE(now);
    CHECK(now->expected == q(7));
    CHECK(now->expected_alt == std::optional<sr::Quantity>(q(5)));
  }
  SECTION("a fresh reading after our writes that shows neither waits with both levels kept") {
    auto st = settled(pool, 6);
    st.baselines["shop-b"] = *b;
    auto seen = on_level(ctx, st, "shop-b", level(5, "000000000012"), Pass::Refused);
    REQUIRE(seen.defer);  // 5 against 8 or 6: unexplained, it waits for its cause
    auto* now = baseline(seen, "shop-b");
    REQUIRE(now);
    CHECK(now->expected_alt == std::optional<sr::Quantity>(q(6)));

    // Its cause: a sale of 1 there, counted while it waited. It moves both
    // levels, and the waiting reading is the second one: the sale of 2 had
    // landed after our write, and so had this one.
    st.baselines["shop-b"] = *now;
    st.deferred = *seen.defer;
    auto sale = on_sale(ctx, st, "shop-b", q(1), "order 9 in shop-b", "9");
    auto* after = baseline(sale, "shop-b");
    REQUIRE(after);
    CHECK(after->expected == q(7));
    CHECK(after->expected_alt == std::optional<sr::Quantity>(q(5)));
    st.baselines["shop-b"] = *after;
    auto due = on_level(ctx, st, "shop-b", level(5, "000000000012"), Pass::Due);
    CHECK_FALSE(due.defer);
    CHECK_FALSE(due.level);  // not a manual change
    REQUIRE(baseline(due, "shop-b"));
    CHECK(baseline(due, "shop-b")->expected == q(5));
    CHECK_FALSE(baseline(due, "shop-b")->expected_alt);
  }
  SECTION("judged after the member's orders were read, a reading that shows neither drops the second level") {
    auto st = settled(pool, 6);
    st.baselines["shop-b"] = *b;
    auto seen = on_level(ctx, st, "shop-b", level(5, "000000000012"), Pass::Due);
    REQUIRE(seen.level);  // 5 against 8: a manual change of -3
    CHECK(seen.level->quantity == q(3));
    REQUIRE(baseline(seen, "shop-b"));
    CHECK_FALSE(baseline(seen, "shop-b")->expected_alt);
  }
  SECTION("the target's answer showing the sale after the write settles it at once") {
    auto told = on_written(ctx, settled(pool, 10), "shop-b", q(8), q(6), "000000000010", q(-2), false);
    REQUIRE(baseline(told, "shop-b"));
    CHECK(baseline(told, "shop-b")->expected == q(6));
    CHECK_FALSE(baseline(told, "shop-b")->expected_alt);
  }
  SECTION("a write that compared atomically leaves no second level") {
    auto atomic = on_written(ctx, settled(pool, 10), "shop-b", q(8), q(8), "000000000010", q(-2), true);
    REQUIRE(baseline(atomic, "shop-b"));
    CHECK_FALSE(baseline(atomic, "shop-b")->expected_alt);
  }
}

TEST_CASE("a sale counted after our write there: before it by the shop's clock, the write replaced it") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 20000, 2000};
  auto st = settled(pool, 10);
  // Our write of 10 to shop-b (compared by a read first) was made at
  // 10.4 s on shop-b's clock; its answer was acknowledged.
  auto& b = st.baselines.at("shop-b");
  b.last_written = q(10);
  b.written_at = 19000;
  b.written_remote_at = 10400;
  b.written_compared = false;

  SECTION("the order was modified in an earlier second: replaced, shop-b shows the write") {
    auto d = on_sale(ctx, st, "shop-b", q(2), "order 7 in shop-b", "7", 9000);
    REQUIRE(d.level);
    CHECK(d.level->quantity == q(8));  // the pool counts the sale
    CHECK(baseline(d, "shop-b")->expected == q(10));
    CHECK_FALSE(baseline(d, "shop-b")->expected_alt);
    CHECK(targets(d) == kShops);  // and shop-b gets the pool's level again
    CHECK(all_writes_are(d, 8));
    bool said = false;
    for (const auto& e : d.log) said |= e.message.find("replaced it") != std::string::npos;
    CHECK(said);
  }
  SECTION("a restore (a cancel) before the write is replaced the same way") {
    auto d = on_sale(ctx, st, "shop-b", q(-3), "order 5 in shop-b", "5", 9999);
    CHECK(d.level->quantity == q(13));
    CHECK(baseline(d, "shop-b")->expected == q(10));
  }
  SECTION("modified in a later second: it landed after the write") {
    auto d = on_sale(ctx, st, "shop-b", q(2), "order 7 in shop-b", "7", 11000);
    CHECK(baseline(d, "shop-b")->expected == q(8));
    CHECK_FALSE(baseline(d, "shop-b")->expected_alt);
  }
  SECTION("in the same second: either, until a reading tells") {
    auto d = on_sale(ctx, st, "shop-b", q(2), "order 7 in shop-b", "7", 10000);
    CHECK(baseline(d, "shop-b")->expected == q(8));
    CHECK(baseline(d, "shop-b")->expected_alt == std::optional<sr::Quantity>(q(10)));
  }
  SECTION("a write that compared atomically replaced nothing") {
    st.baselines.at("shop-b").written_compared = true;
    CHECK(baseline(on_sale(ctx, st, "shop-b", q(2), "order 7 in shop-b", "7", 9000), "shop-b")->expected == q(8));
  }
  SECTION("in the same second, the shop's own record of the sale decides: replaced") {
    st.baselines.at("shop-b").written_version = "2026-11-24T00:00:10";
    auto d = on_sale(ctx, st, "shop-b", q(2), "order 7 in shop-b", "7", 10000,
                     sr::AgainstWrite{"2026-11-24T00:00:10", true});
    CHECK(d.level->quantity == q(8));
    CHECK(baseline(d, "shop-b")->expected == q(10));  // shows the write only
    CHECK_FALSE(baseline(d, "shop-b")->expected_alt);
    CHECK(targets(d) == kShops);
    bool said = false;
    for (const auto& e : d.log) said |= e.message.find("as shop-b records it") != std::string::npos;
    CHECK(said);
  }
  SECTION("in the same second, the shop's own record of the sale decides: after the write") {
    st.baselines.at("shop-b").written_version = "2026-11-24T00:00:10";
    auto d = on_sale(ctx, st, "shop-b", q(2), "order 7 in shop-b", "7", 10000,
                     sr::AgainstWrite{"2026-11-24T00:00:10", false});
    CHECK(baseline(d, "shop-b")->expected == q(8));
    CHECK_FALSE(baseline(d, "shop-b")->expected_alt);
  }
  SECTION("a record about another write than our last one there is not taken") {
    st.baselines.at("shop-b").written_version = "2026-11-24T00:00:10";
    auto d = on_sale(ctx, st, "shop-b", q(2), "order 7 in shop-b", "7", 10000,
                     sr::AgainstWrite{"2026-11-24T00:00:09", true});
    CHECK(baseline(d, "shop-b")->expected == q(8));
    CHECK(baseline(d, "shop-b")->expected_alt == std::optional<sr::Quantity>(q(10)));
  }
  SECTION("without times (a source that gives none) the shop moved by the sale") {
    CHECK(baseline(on_sale(ctx, st, "shop-b", q(2), "order 7 in shop-b", "7"), "shop-b")->expected == q(8));
    st.baselines.at("shop-b").written_remote_at = 0;
    CHECK(baseline(on_sale(ctx, st, "shop-b", q(2), "order 7 in shop-b", "7", 9000), "shop-b")->expected == q(8));
  }
}

TEST_CASE("a level that waited only for a write on its way is settled by the write's answer") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 7000, 2000};
  auto st = settled(pool, 10);
  // shop-b showed 9 (version ...09) while our write of 8 was on its way: it
  // waits, holding nothing.
  st.deferred = store::DeferredLevel{"shop-b", "A", q(9), "000000000009", 6000, 8000, false};
  SECTION("older than the answer: superseded") {
    CHECK(on_written(ctx, st, "shop-b", q(8), q(8), "000000000010").clear_deferred);
  }
  SECTION("showing what the answer shows: superseded") {
    st.deferred->observed = q(8);
    st.deferred->version = "000000000010";
    CHECK(on_written(ctx, st, "shop-b", q(8), q(8), "000000000010").clear_deferred);
  }
  SECTION("something else in the same second: still judged") {
    st.deferred->version = "000000000010";
    CHECK_FALSE(on_written(ctx, st, "shop-b", q(8), q(8), "000000000010").clear_deferred);
    SECTION("unless it was read before the answer came") {
      st.deferred->read_at = 6500;
      CHECK(on_written(ctx, st, "shop-b", q(8), q(8), "000000000010").clear_deferred);
    }
  }
  SECTION("a level that holds our writes (unexplained) is not the answer's to settle") {
    st.deferred->holds = true;
    CHECK_FALSE(on_written(ctx, st, "shop-b", q(8), q(8), "000000000010").clear_deferred);
  }
  SECTION("another member's level is not touched") {
    st.deferred->connection = "shop-c";
    CHECK_FALSE(on_written(ctx, st, "shop-b", q(8), q(8), "000000000010").clear_deferred);
  }
  SECTION("an answer without the level it left settles nothing") {
    CHECK_FALSE(on_written(ctx, st, "shop-b", q(8), std::nullopt, "000000000010").clear_deferred);
  }
}

TEST_CASE("an order first seen cancelled: the shop may show its give-back alone, and then gets the pool's level") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 7000, 2000};
  auto st = settled(pool, 10);
  // Order 18 in shop-a (placed at 6000) took 2 and gave them back before the
  // hub saw it. Our write there acknowledged at 6500 may have replaced the
  // taking: then shop-a shows 12.
  st.baselines.at("shop-a").written_at = 6500;
  st.baselines.at("shop-a").last_written = q(10);
  CHECK(on_unseen_give_back(ctx, st, "shop-a", q(2), 8000).baselines.empty());  // placed after that write
  auto atomic = st;
  atomic.baselines.at("shop-a").written_compared = true;  // that write could not replace a sale
  CHECK(on_unseen_give_back(ctx, atomic, "shop-a", q(2), 6000).baselines.empty());
  auto d = on_unseen_give_back(ctx, st, "shop-a", q(2), 6000);
  CHECK_FALSE(d.level);  // nothing sold, nothing to count
  auto* b = baseline(d, "shop-a");
  REQUIRE(b);
  CHECK(b->expected == q(10));
  CHECK(b->expected_alt == std::optional<sr::Quantity>(q(12)));
  st.baselines["shop-a"] = *b;
  auto seen = on_level(ctx, st, "shop-a", level(12, "000000000012"), Pass::Due);
  CHECK_FALSE(seen.level);  // not a manual change of +2
  REQUIRE(seen.writes.size() == 1);
  CHECK(seen.writes[0].member == "shop-a");
  CHECK(seen.writes[0].quantity == q(10));  // the pool's level goes back there
  // Showing 10, it never took the stock (or it was not replaced): as expected.
  auto plain = on_level(ctx, st, "shop-a", level(10, "000000000012"), Pass::Fresh);
  CHECK_FALSE(plain.defer);
  CHECK(plain.writes.empty());
}

TEST_CASE("an acknowledged write becomes what the hub expects that shop to show") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 7000, 2000};
  auto d = on_written(ctx, settled(pool, 10), "shop-b", q(8), q(8), "000000000010");
  auto* b = baseline(d, "shop-b");
  REQUIRE(b);
  CHECK(b->expected == q(8));
  CHECK(b->last_written == q(8));
  CHECK(b->written_at == 7000);
  CHECK(b->observed_version == "000000000010");
  // ...so its echo is recognised afterwards.
  auto st = settled(pool, 8);
  st.baselines["shop-b"] = *b;
  CHECK(on_level(ctx, st, "shop-b", level(8, "000000000010"), Pass::Fresh).log.empty());
}

TEST_CASE("a sale of a SKU the hub has never seen is not counted: the first level seen includes it") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 1000, 2000};
  auto d = on_sale(ctx, SkuState{}, "shop-a", q(3), "order 1 in shop-a", "1");
  CHECK_FALSE(d.level);
  CHECK(d.baselines.empty());  // no made-up expected level for shop-a
  CHECK(d.writes.empty());
  REQUIRE(d.log.size() == 1);
  CHECK(d.log[0].result == "skipped");
}

TEST_CASE("a sale in a shop that never showed the SKU lowers the pool and writes the pool's level there") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 1000, 2000};
  auto st = settled(pool, 10);
  st.baselines.erase("shop-c");
  auto d = on_sale(ctx, st, "shop-c", q(2), "order 9 in shop-c", "9");
  REQUIRE(d.level);
  CHECK(d.level->quantity == q(8));
  CHECK_FALSE(baseline(d, "shop-c"));
  CHECK(targets(d) == kShops);
  CHECK(all_writes_are(d, 8));
}

TEST_CASE("a level waiting for a pending write keeps the time it was first seen") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 9000, 2000};
  auto st = settled(pool, 10);
  st.busy.insert("shop-a");
  st.deferred = store::DeferredLevel{"shop-a", "A", q(7), "000000000002", 4000, 6000};
  auto again = on_level(ctx, st, "shop-a", level(7), Pass::Due);
  REQUIRE(again.defer);
  CHECK(again.defer->observed_at == 4000);  // not re-polled forever while the shop is down
  CHECK(again.defer->due_at == 6000);
  auto fresh = on_level(ctx, st, "shop-a", level(6, "000000000003"), Pass::Fresh);
  REQUIRE(fresh.defer);
  CHECK(fresh.defer->observed_at == 9000);  // a new observation needs its own cause search
}

TEST_CASE("an unexplained level holds our writes to that member until it is judged: a sale that explains it frees them") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 9000, 2000};
  auto st = settled(pool, 10);
  // shop-a shows 7 where 10 is expected: an order not read yet, or a manual
  // change. A write of ours now would erase it before its cause is known.
  auto d = on_level(ctx, st, "shop-a", level(7, "000000000003"), Pass::Fresh);
  REQUIRE(d.defer);
  CHECK(d.defer->holds);

  // Seen while a write of ours was on its way, a level only waits for it.
  auto busy = st;
  busy.busy.insert("shop-a");
  auto waits = on_level(ctx, busy, "shop-a", level(7, "000000000003"), Pass::Fresh);
  REQUIRE(waits.defer);
  CHECK_FALSE(waits.defer->holds);
  // ...unless it replaces one that holds already.
  busy.deferred = *d.defer;
  auto still = on_level(ctx, busy, "shop-a", level(6, "000000000004"), Pass::Fresh);
  REQUIRE(still.defer);
  CHECK(still.defer->holds);

  // The order arrives: 3 sold in shop-a explains the 7.
  st.deferred = *d.defer;
  auto sale = on_sale(ctx, st, "shop-a", q(3), "order 5 in shop-a", "5");
  // Judged at once, after whatever came with the order, not settled on the
  // spot.
  CHECK_FALSE(sale.clear_deferred);
  REQUIRE(sale.defer);
  CHECK(sale.defer->due_at == ctx.now);
  CHECK(sale.judge_now);
  CHECK(sale.defer->observed == q(7));
  REQUIRE(sale.level);
  CHECK(sale.level->quantity == q(7));
  // A sale that does not explain it leaves it waiting as it was.
  auto other = on_sale(ctx, st, "shop-a", q(1), "order 6 in shop-a", "6");
  CHECK_FALSE(other.clear_deferred);
  CHECK_FALSE(other.defer);
}

TEST_CASE("sales counted one after another that pass through a waiting level do not settle it") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 1000, 250};
  auto st = settled(pool, 10);
  // shop-a shows 8: a manual +1 after sales of 1, 1 and 1 not heard of yet.
  auto seen = on_level(ctx, st, "shop-a", level(8, "000000000005"), Pass::Fresh);
  REQUIRE(seen.defer);
  st.deferred = seen.defer;
  // A poll brings the three orders, counted one by one in one step.
  for (const char* id : {"1", "2", "3"}) {
    auto d = on_sale(ctx, st, "shop-a", q(1), std::string("order ") + id + " in shop-a", id);
    for (const auto& b : d.baselines) st.baselines[b.connection] = b;
    if (d.level) st.level = d.level;
    if (d.defer) st.deferred = d.defer;
    CHECK_FALSE(d.clear_deferred);
  }
  // After the second, 8 matched for a moment; judged after all three it is
  // a manual change of +1.
  REQUIRE(st.deferred);
  CHECK(st.deferred->due_at == ctx.now);
  auto judged = on_level(ctx, st, "shop-a", level(8, "000000000005"), Pass::Recheck);
  REQUIRE(judged.defer);  // unexplained: it waits out its settle time, then asks for a poll
  CHECK_FALSE(judged.want_poll);
  CHECK(judged.defer->due_at == 1250);
  auto due = on_level(ctx, st, "shop-a", level(8, "000000000005"), Pass::Due);
  REQUIRE(due.level);
  CHECK(due.level->quantity == q(8));  // 10 - 3 + 1
}

TEST_CASE("a level read before our write was acknowledged, in the same second, is stale") {
  auto pool = shared_pool(kShops);
  auto st = settled(pool, 10);
  auto& b = st.baselines.at("shop-b");
  b.expected = q(9);       // we wrote 9 there...
  b.last_written = q(9);
  b.written_at = 5000;     // ...acknowledged at 5000
  b.observed_version = "2026-11-23T03:21:01";
  LedgerContext ctx{pool, "A", 6000, 2000};
  auto before = level(10, "2026-11-23T03:21:01");
  before.read_at = 4990;   // a poll page read just before the write landed
  auto d = on_level(ctx, st, "shop-b", before, Pass::Fresh);
  CHECK_FALSE(d.defer);
  CHECK_FALSE(d.level);
  CHECK(d.writes.empty());
  REQUIRE(d.log.size() == 1);
  CHECK(d.log[0].result == "skipped");

  // Read after the acknowledgement, the same reading is a change to look into.
  auto after = before;
  after.read_at = 5010;
  CHECK(on_level(ctx, st, "shop-b", after, Pass::Fresh).defer);
  // And so is a newer version, whenever it was read.
  auto newer = level(10, "2026-11-23T03:21:02");
  newer.read_at = 4990;
  CHECK(on_level(ctx, st, "shop-b", newer, Pass::Fresh).defer);
}

TEST_CASE("a sale replaced by our write in the seller is not a manual change: the seller is written again") {
  auto pool = shared_pool(kShops);
  auto st = settled(pool, 10);
  // We wrote 10 to shop-b (acknowledged, version ...:01); a sale of 3 had
  // landed there between the shop's compare (a read) and our write, so
  // shop-b shows 10.
  auto& b = st.baselines.at("shop-b");
  b.last_written = q(10);
  b.written_at = 5000;
  b.written_version = "2026-11-23T03:21:01";
  b.observed_version = "2026-11-23T03:21:01";
  LedgerContext ctx{pool, "A", 6000, 2000};
  auto sale = on_sale(ctx, st, "shop-b", q(3), "order 42 in shop-b", "42");
  REQUIRE(sale.level);
  CHECK(sale.level->quantity == q(7));
  st.level = sale.level;
  for (const auto& nb : sale.baselines) st.baselines[nb.connection] = nb;
  REQUIRE(st.baselines.at("shop-b").expected == q(7));
  // A webhook showing that could have been built before the sale: it waits.
  CHECK(on_level(ctx, st, "shop-b", level(10, "2026-11-23T03:21:01"), Pass::Fresh).defer);
  // Our write of the pool's level to the seller is refused: read just now,
  // the seller shows our write, unmodified since.
  auto d = on_level(ctx, st, "shop-b", level(10, "2026-11-23T03:21:01"), Pass::Refused);
  CHECK_FALSE(d.defer);
  CHECK_FALSE(d.level);  // the pool keeps 7: no manual +3
  REQUIRE(d.writes.size() == 1);
  CHECK(d.writes[0].member == "shop-b");
  CHECK(d.writes[0].quantity == q(7));
  auto nb = baseline(d, "shop-b");
  REQUIRE(nb);
  CHECK(nb->expected == q(10));  // the next write compares against what it shows
  // A newer version at that level is a change of the shop's own: it waits.
  CHECK(on_level(ctx, st, "shop-b", level(10, "2026-11-23T03:21:02"), Pass::Refused).defer);
  // So is the level of an older write of ours that a change of the shop's
  // own happens to show again, at a version other than that write's.
  st.baselines.at("shop-b").written_version = "2026-11-23T03:20:40";
  auto again = on_level(ctx, st, "shop-b", level(10, "2026-11-23T03:21:01"), Pass::Refused);
  CHECK(again.defer);
  CHECK(again.writes.empty());
  // Nor can a write that compared atomically (or wrote nothing) have
  // replaced a sale: showing its level again is a change of the shop's own.
  st.baselines.at("shop-b").written_version = "2026-11-23T03:21:01";
  st.baselines.at("shop-b").written_compared = true;
  CHECK(on_level(ctx, st, "shop-b", level(10, "2026-11-23T03:21:01"), Pass::Refused).defer);
}

TEST_CASE("the same unexplained level seen again keeps the time it was first seen") {
  auto pool = shared_pool(kShops);
  auto st = settled(pool, 10);
  st.deferred = store::DeferredLevel{"shop-a", "A", q(7), "000000000002", 1000, 3000};
  LedgerContext ctx{pool, "A", 1800, 2000};
  auto d = on_level(ctx, st, "shop-a", level(7, "000000000002"), Pass::Fresh);
  REQUIRE(d.defer);
  CHECK(d.defer->observed_at == 1000);  // so a poll that started after 1000 settles it
  CHECK(d.defer->due_at == 3000);
  // A newer version of the same level may hold a newer sale: its own time.
  auto newer = on_level(ctx, st, "shop-a", level(7, "000000000003"), Pass::Fresh);
  REQUIRE(newer.defer);
  CHECK(newer.defer->observed_at == 1800);
  // A different level is a new observation.
  auto other = on_level(ctx, st, "shop-a", level(6, "000000000003"), Pass::Fresh);
  REQUIRE(other.defer);
  CHECK(other.defer->observed_at == 1800);
}

TEST_CASE("an explained level at least as new supersedes one waiting for its cause") {
  auto pool = shared_pool(kShops);
  auto st = settled(pool, 10);
  st.deferred = store::DeferredLevel{"shop-a", "A", q(7), "000000000002", 1000, 3000};
  LedgerContext ctx{pool, "A", 1800, 2000};
  CHECK(on_level(ctx, st, "shop-a", level(10, "000000000002"), Pass::Fresh).clear_deferred);
  CHECK_FALSE(on_level(ctx, st, "shop-a", level(10, "000000000001"), Pass::Fresh).clear_deferred);  // older: no
}

TEST_CASE("a join: a pool SKU takes the pool's level, a new one gives the member's to the pool") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 1000, 2000};
  auto st = settled(pool, 10);
  st.baselines.at("shop-c").expected = q(3);  // what it showed before it joined
  auto d = on_join(ctx, st, "shop-c");
  REQUIRE(d.writes.size() == 1);
  CHECK(d.writes[0].member == "shop-c");
  CHECK(d.writes[0].quantity == q(10));
  CHECK(d.cause == "join of shop-c");
  CHECK(on_join(ctx, settled(pool, 10), "shop-c").writes.empty());  // already shows it

  engine::SkuState fresh = settled(pool, 4);
  fresh.level.reset();  // new to the pool: shop-c's 4 becomes the pool's
  fresh.baselines.at("shop-a").expected = q(9);
  auto n = on_join(ctx, fresh, "shop-c");
  REQUIRE(n.level);
  CHECK(n.level->quantity == q(4));
  CHECK(n.level->origin == "shop-c");
  CHECK(targets(n) == std::vector<std::string>{"shop-a"});
}

namespace {
// shop-a's level 9 (read at 5.2 s on its clock, whole seconds: version 5 s)
// waits for its cause in a pool of 10.
struct Waiting {
  config::PoolConfig pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 6000, 250};
  SkuState st = settled(pool, 10);
  Waiting() {
    auto seen_at = level(9, "000000000005");
    seen_at.at = 5000;
    auto d = on_level(ctx, st, "shop-a", seen_at, Pass::Fresh);
    REQUIRE(d.defer);
    CHECK(d.defer->at == 5000);
    CHECK_FALSE(d.defer->stale);
    st.deferred = d.defer;
  }
  void take(const Decision& d) {
    if (d.level) st.level = d.level;
    for (const auto& b : d.baselines) st.baselines[b.connection] = b;
    if (d.defer) st.deferred = d.defer;
  }
  Decision judge() {
    auto again = level(9, "000000000005");
    again.at = 5000;
    return on_level(ctx, st, "shop-a", again, Pass::Due);
  }
};
}  // namespace

TEST_CASE("a waiting level that may predate a sale counted while it waited is read again, not judged") {
  Waiting w;
  // A sale of 2 made in the reading's second: the reading may show it or not.
  auto sale = on_sale(w.ctx, w.st, "shop-a", q(2), "order 4 in shop-a", "4", 5600);
  REQUIRE(sale.defer);
  CHECK(sale.defer->stale);
  CHECK(sale.defer->observed == q(9));
  w.take(sale);
  REQUIRE(w.st.level);
  CHECK(w.st.level->quantity == q(8));

  auto d = w.judge();
  CHECK_FALSE(d.level);  // no manual change of +1
  CHECK(d.clear_deferred);
  CHECK_FALSE(d.defer);
  REQUIRE(d.writes.size() == 1);  // the write that compares first reads shop-a again
  CHECK(d.writes[0].member == "shop-a");
  CHECK(d.writes[0].quantity == q(8));
  REQUIRE(baseline(d, "shop-a"));
  CHECK(baseline(d, "shop-a")->rereads == 1);
  REQUIRE(d.log.size() == 1);
  CHECK(d.log[0].result == "re-read");

  SECTION("after kMaxRereads in a row it is judged") {
    w.take(d);
    w.st.baselines["shop-a"].rereads = kMaxRereads;
    auto judged = w.judge();
    REQUIRE(judged.level);
    CHECK(judged.level->quantity == q(9));  // 9 against 8: a manual change of +1
    CHECK(baseline(judged, "shop-a")->rereads == 0);
  }
}

TEST_CASE("a sale made in an earlier second than a waiting level is in it: the level is judged") {
  Waiting w;
  auto sale = on_sale(w.ctx, w.st, "shop-a", q(2), "order 4 in shop-a", "4", 4900);
  CHECK_FALSE(sale.defer);
  w.take(sale);
  auto d = w.judge();
  REQUIRE(d.level);
  CHECK(d.level->quantity == q(9));  // 9 against 8: a manual change of +1
  CHECK(d.log.at(0).kind == "manual");
}

TEST_CASE("an order first seen after giving stock back may be newer than a waiting level") {
  Waiting w;
  auto d = on_unseen_give_back(w.ctx, w.st, "shop-a", q(1), 5000, 5300);
  REQUIRE(d.defer);
  CHECK(d.defer->stale);
  auto earlier = on_unseen_give_back(w.ctx, w.st, "shop-a", q(1), 3000, 4100);
  CHECK_FALSE(earlier.defer);
}

TEST_CASE("a level read in the same second as our last write there may predate it: read again, not judged") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 6000, 250};
  auto st = settled(pool, 10);
  // We wrote 9 over 10; the answer says the product was saved at 5.4 s.
  auto w = on_written(ctx, st, "shop-b", q(9), q(9), "000000000005", {}, false, 5400);
  for (const auto& b : w.baselines) st.baselines[b.connection] = b;
  // A webhook built before that write and received after its answer shows 10
  // at the same one-second version.
  auto before = level(10, "000000000005");
  before.at = 5000;
  auto d = on_level(ctx, st, "shop-b", before, Pass::Fresh);
  REQUIRE(d.defer);
  CHECK(d.defer->stale);
  st.deferred = d.defer;
  auto judged = on_level(ctx, st, "shop-b", before, Pass::Due);
  CHECK_FALSE(judged.level);  // not a manual change of +1
  REQUIRE(judged.writes.size() == 1);
  CHECK(judged.writes[0].member == "shop-b");

  SECTION("a level of a later second is judged") {
    auto later = level(10, "000000000006");
    later.at = 6000;
    auto seen = on_level(ctx, st, "shop-b", later, Pass::Fresh);
    REQUIRE(seen.defer);
    CHECK_FALSE(seen.defer->stale);
  }
  SECTION("what the target found when it refused a write of ours was read after it") {
    auto refused = on_level(ctx, st, "shop-b", before, Pass::Refused);
    REQUIRE(refused.defer);
    CHECK_FALSE(refused.defer->stale);
  }
}

TEST_CASE("a second level a reading showed is remembered when a manual change follows before the orders are read") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 7000, 250};
  auto st = settled(pool, 10);
  // We wrote 8 after reading 10; a sale of 2 counted meanwhile landed before
  // or after it: shop-b shows 8 or 6.
  auto w = on_written(ctx, st, "shop-b", q(8), q(8), "000000000010", q(-2), false);
  for (const auto& b : w.baselines) st.baselines[b.connection] = b;
  REQUIRE(st.baselines["shop-b"].expected_alt == std::optional<sr::Quantity>(q(6)));
  st.level = store::PoolLevel{"main", "A", q(8), "shop-a", 0};
  // A fresh read shows 6: noted, not yet proof.
  auto seen = on_level(ctx, st, "shop-b", level(6, "000000000011"), Pass::Refused);
  REQUIRE(seen.defer);
  REQUIRE(baseline(seen, "shop-b"));
  CHECK(baseline(seen, "shop-b")->alt_seen);
  CHECK(seen.want_poll);  // the orders are read at once to prove it
  CHECK(seen.defer->due_at == ctx.now);
  st.baselines["shop-b"] = *baseline(seen, "shop-b");
  st.deferred = seen.defer;
  // The merchant adds 3 before the orders are read: shop-b shows 9, neither
  // level. Judged after the poll, it is 6 + 3, not 8 + 1.
  auto later = on_level(ctx, st, "shop-b", level(9, "000000000012"), Pass::Fresh);
  REQUIRE(later.defer);
  st.baselines["shop-b"] = *baseline(later, "shop-b");
  CHECK(st.baselines["shop-b"].alt_seen);
  st.deferred = later.defer;
  auto due = on_level(ctx, st, "shop-b", level(9, "000000000012"), Pass::Due);
  REQUIRE(due.level);
  CHECK(due.level->quantity == q(11));  // the pool's 8 + 3
  REQUIRE(baseline(due, "shop-b"));
  CHECK(baseline(due, "shop-b")->expected == q(9));
  CHECK_FALSE(baseline(due, "shop-b")->expected_alt);
  CHECK_FALSE(baseline(due, "shop-b")->alt_seen);
}

TEST_CASE("a waiting level that shows the second level but may predate a sale counted since is read again first") {
  auto pool = shared_pool(kShops);
  LedgerContext ctx{pool, "A", 7000, 250};
  auto st = settled(pool, 10);
  // We wrote 8 (answer made at 5.1 s); shop-a then shows 9 at 5.2 s (a
  // restore of 1 counted while the write was on its way: expected 8, or 9).
  auto w = on_written(ctx, st, "shop-a", q(8), q(8), "000000000005", q(1), false, 5100);
  for (const auto& b : w.baselines) st.baselines[b.connection] = b;
  REQUIRE(st.baselines["shop-a"].expected_alt == std::optional<sr::Quantity>(q(9)));
  auto seen_at = level(9, "000000000005");
  seen_at.at = 5000;
  auto seen = on_level(ctx, st, "shop-a", seen_at, Pass::Fresh);
  REQUIRE(seen.defer);
  st.baselines["shop-a"] = *baseline(seen, "shop-a");
  st.deferred = seen.defer;
  // A sale of 1 in the same second is counted: 7 or 8 now. The reading may
  // predate it, and 9 then matches neither; it must not be taken as proof.
  // (Read in the second of our write, it may predate that too.)
  CHECK(st.deferred->stale);
  auto sale = on_sale(ctx, st, "shop-a", q(1), "order 3 in shop-a", "3", 5300);
  st.baselines["shop-a"] = *baseline(sale, "shop-a");
  if (sale.defer) st.deferred = sale.defer;
  CHECK(st.deferred->stale);
  st.level = sale.level;
  auto due = on_level(ctx, st, "shop-a", seen_at, Pass::Due);
  CHECK_FALSE(due.level);
  REQUIRE(due.log.size() == 1);
  CHECK(due.log[0].result == "re-read");
  REQUIRE(baseline(due, "shop-a"));
  CHECK(baseline(due, "shop-a")->expected_alt.has_value());  // still open
}
