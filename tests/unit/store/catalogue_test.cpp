// Products per connection, pool membership, and the outbox queries a pool
// join and leave use, on a real SQLite file.
#include "store_test_util.hpp"

using namespace store_test;

namespace {

Product product(std::string conn, std::string id, std::string sku, bool active = true) {
  Product p;
  p.connection = std::move(conn);
  p.remote_id = std::move(id);
  p.sku = std::move(sku);
  p.active = active;
  p.updated_at = 1;
  return p;
}

OutboxItem set_stock(std::string target, std::string sku, Millis created) {
  OutboxItem i;
  i.target = std::move(target);
  i.command = "set_stock";
  i.coalesce_key = "set_stock:" + sku;
  i.payload = "{}";
  i.created_at = created;
  i.next_attempt_at = created;
  return i;
}

}  // namespace

TEST_CASE("products are keyed by remote ids: a changed SKU moves the product") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  {
    auto tx = store->begin();
    tx->put_product(product("shop-a", "10", "MUG"));
    tx->put_product(product("shop-a", "11", "MUG"));
    tx->put_product(product("shop-a", "12", "MUG", false));  // trashed: not a holder of the SKU
    tx->put_product(product("shop-b", "10", "MUG"));
    CHECK(tx->products_with_sku("shop-a", "MUG").size() == 2);
    CHECK(tx->products_with_sku("shop-b", "MUG").size() == 1);
    tx->put_product(product("shop-a", "11", "MUG-2"));  // renamed in the shop
    auto left = tx->products_with_sku("shop-a", "MUG");
    REQUIRE(left.size() == 1);
    CHECK(left[0].remote_id == "10");
    tx->commit();
  }
  auto all = store->products(std::string("shop-a"));
  REQUIRE(all.size() == 3);
  CHECK(all[0].sku == "MUG");
  CHECK(store->products(std::nullopt).size() == 4);
}

TEST_CASE("a product is found by its remote ids, and a connection's active products are listed") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  auto tx = store->begin();
  tx->put_product(product("shop-a", "10", "CAP\xE2\x80\x93" "1"));
  tx->put_product(product("shop-a", "11", "MUG", false));
  tx->put_product(product("shop-b", "10", "CAP-1"));
  auto p = tx->product("shop-a", "10", "");
  REQUIRE(p);
  CHECK(p->sku == "CAP\xE2\x80\x93" "1");
  CHECK(tx->product("shop-a", "10", "7") == std::nullopt);  // a variation of it is another product
  CHECK(tx->product("shop-a", "11", "")->active == false);   // inactive ones too
  tx->put_product(product("shop-a", "10", "CAP-1"));  // the merchant fixed the SKU
  CHECK(tx->product("shop-a", "10", "")->sku == "CAP-1");
  auto active = tx->active_products("shop-a");
  REQUIRE(active.size() == 1);
  CHECK(active[0].remote_id == "10");
  CHECK(tx->active_products("shop-c").empty());
}

TEST_CASE("a copied product is found by its shop product id, and links keep their state, master and reason") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  {
    auto tx = store->begin();
    auto a = product("shop-a", "10", "MUG-1");
    a.shop_product_id = "2003";
    a.ean = "5701234567892";
    a.status = "publish";
    tx->put_product(a);
    auto copy = product("shop-a", "11", "MUG-1-BLUE");
    copy.shop_product_id = "2003";
    tx->put_product(copy);
    auto gone = product("shop-a", "12", "MUG-1-OLD", false);
    gone.shop_product_id = "2003";
    gone.status = "trash";
    tx->put_product(gone);
    auto same = tx->products_with_shop_id("shop-a", "2003");
    REQUIRE(same.size() == 2);  // active ones only
    CHECK(same[0].remote_id == "10");
    CHECK(same[0].ean == "5701234567892");
    CHECK(same[0].status == "publish");
    CHECK(tx->products_with_shop_id("shop-b", "2003").empty());
    CHECK(tx->product("shop-a", "12", "")->status == "trash");

    Link l;
    l.connection = "shop-a";
    l.sku = "MUG-1";
    l.remote_id = "10";
    l.state = "linked";
    l.via = "warehouse";
    l.via_ref = "55";
    l.updated_at = 5;
    tx->put_link(l);
    Link c = l;
    c.sku = "MUG-1-BLUE";
    c.remote_id = "11";
    c.active = false;
    c.state = "conflict";
    c.via.clear();
    c.via_ref.clear();
    c.reason = "copied product";
    tx->put_link(c);
    tx->commit();
  }
  auto links = store->links(std::string("shop-a"));
  REQUIRE(links.size() == 2);
  CHECK(links[0].sku == "MUG-1");
  CHECK(links[0].state == "linked");
  CHECK(links[0].via == "warehouse");
  CHECK(links[0].via_ref == "55");
  CHECK(links[1].state == "conflict");
  CHECK(links[1].reason == "copied product");
  CHECK_FALSE(links[1].active);
}

TEST_CASE("pool membership rows round trip and replace") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  {
    auto tx = store->begin();
    tx->put_pool_member(PoolMember{"main", "shop-c", MemberState::Joining, 5, "import started"});
    tx->put_pool_member(PoolMember{"main", "shop-c", MemberState::Active, 5, "12 SKUs linked"});
    tx->put_pool_member(PoolMember{"main", "shop-d", MemberState::Left, 9, "left"});
    tx->commit();
  }
  auto rows = store->pool_members();
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].connection == "shop-c");
  CHECK(rows[0].state == MemberState::Active);
  CHECK(rows[0].message == "12 SKUs linked");
  CHECK(rows[1].state == MemberState::Left);
  CHECK(member_state_from("joining") == MemberState::Joining);
  CHECK_FALSE(member_state_from("gone"));
}

TEST_CASE("cancelling a member's pending stock writes leaves in-flight ones and other targets alone") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  auto tx = store->begin();
  tx->enqueue(set_stock("shop-c", "A", 100));
  tx->enqueue(set_stock("shop-c", "B", 100));
  tx->enqueue(set_stock("shop-a", "A", 100));
  auto claimed = tx->claim_due("shop-c", 100, 1);  // one is in flight already
  REQUIRE(claimed.size() == 1);
  CHECK(tx->outbox_cancel("shop-c", "set_stock:", "left pool main") == 1);
  tx->commit();
  CHECK(store->outbox_depth("shop-c") == 1);  // the in-flight one
  CHECK(store->outbox_depth("shop-a") == 1);
}

TEST_CASE("outbox progress counts what was created since a time") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  std::int64_t a, b;
  {
    auto tx = store->begin();
    tx->enqueue(set_stock("shop-c", "OLD", 10));
    a = tx->enqueue(set_stock("shop-c", "A", 200));
    b = tx->enqueue(set_stock("shop-c", "B", 200));
    tx->enqueue(set_stock("shop-c", "C", 200));
    tx->commit();
  }
  CHECK(store->outbox_progress("shop-c", 100) == std::pair<std::size_t, std::size_t>{0, 3});
  {
    auto tx = store->begin();
    tx->outbox_done(a);
    tx->outbox_failed(b, "manage_stock is off");
    tx->commit();
  }
  CHECK(store->outbox_progress("shop-c", 100) == std::pair<std::size_t, std::size_t>{2, 3});
  CHECK(store->outbox_progress("shop-a", 0) == std::pair<std::size_t, std::size_t>{0, 0});
}

TEST_CASE("pool levels and baselines are listed per pool and per connection") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  {
    auto tx = store->begin();
    tx->put_pool_level(PoolLevel{"main", "B", sr::Quantity::units(3), "shop-a", 1});
    tx->put_pool_level(PoolLevel{"main", "A", sr::Quantity::units(7), "shop-b", 1});
    tx->put_pool_level(PoolLevel{"other", "A", sr::Quantity::units(1), "shop-x", 1});
    Baseline b;
    b.connection = "shop-a";
    b.sku = "A";
    b.expected = sr::Quantity::units(7);
    b.last_written = sr::Quantity::units(7);
    b.observed_version = "v9";
    tx->put_baseline(b);
    tx->commit();
  }
  auto levels = store->pool_levels("main");
  REQUIRE(levels.size() == 2);
  CHECK(levels[0].sku == "A");
  CHECK(levels[0].origin == "shop-b");
  auto bs = store->baselines("shop-a");
  REQUIRE(bs.size() == 1);
  CHECK(bs[0].expected == sr::Quantity::units(7));
  CHECK(bs[0].last_written == sr::Quantity::units(7));
  CHECK_FALSE(bs[0].last_observed);
  CHECK(bs[0].observed_version == "v9");
  CHECK(store->baselines("shop-b").empty());
}
