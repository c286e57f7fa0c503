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
    auto seen = on_level(ctx, st, "shop-b", level(6, "000000000012"), Pass::Fresh);
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
  SECTION("a fresh reading after our writes that shows neither is judged against the written level") {
    auto st = settled(pool, 6);
    st.baselines["shop-b"] = *b;
    auto seen = on_level(ctx, st, "shop-b", level(5, "000000000012"), Pass::Refused);
    auto* now = baseline(seen, "shop-b");
    REQUIRE(now);
    CHECK_FALSE(now->expected_alt);
    REQUIRE(seen.defer);  // 5 against 8: unexplained, it waits for its cause
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
  CHECK(sale.clear_deferred);
  REQUIRE(sale.level);
  CHECK(sale.level->quantity == q(7));
  // A sale that does not explain it leaves it waiting.
  CHECK_FALSE(on_sale(ctx, st, "shop-a", q(1), "order 6 in shop-a", "6").clear_deferred);
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
