// The Events SPI over real HTTP to a local receiver (sitoo.md §8, §10 item
// 8): event shape, Basic auth, arrays of <= 10 in chronological order,
// block-and-retry on 429/503/504 with the same array first, drop on other
// 4xx, give-up, and the duplicates knob.
#include <set>

#include "test_support.hpp"

using namespace sitoo_sim;
using namespace sitoo_sim::testing;

namespace {

Options quick(const Receiver& rx) {
  Options o;
  o.events_url = rx.url();
  o.event_retry_delays_ms = {20};
  o.event_batch_window_ms = 20;
  return o;
}

bool is_hex32(const json& v) {
  if (!v.is_string() || v.get<std::string>().size() != 32) return false;
  for (char c : v.get<std::string>()) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// n goods-received transactions queued before the simulator starts, so the
// worker finds them all waiting.
std::vector<std::int64_t> queue_transactions(Simulator& sim, int n) {
  sim.add_product("A-1", 0);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < n; ++i) ids.push_back(sim.goods_received(sim.warehouse_id(), "A-1", 1));
  return ids;
}

std::vector<std::int64_t> transaction_ids(const std::vector<json>& events) {
  std::vector<std::int64_t> out;
  for (const auto& e : events) out.push_back(e["data"]["warehouse_transaction_id"].get<std::int64_t>());
  return out;
}

}  // namespace

TEST_CASE("events: an order, its delivery and the delivery's transaction arrive in order, with Basic auth") {
  Receiver rx;
  Options o = quick(rx);
  o.events_user = "hook-user";
  o.events_password = "hook-pass";
  Simulator sim(o);
  sim.add_product("A-1", 5);
  sim.start();
  Api api(sim);
  auto order = api.post("/sites/1/orders.json", {{"ordertypeid", 10},
                                                 {"warehouseid", sim.warehouse_id()},
                                                 {"orderitems", json::array({{{"productname", "A"}, {"sku", "A-1"}, {"quantity", 2}}})}});
  REQUIRE(order.status == 200);
  auto order_id = body_of(order).get<std::int64_t>();
  auto delivery = api.post("/sites/1/orders/" + std::to_string(order_id) + "/orderdeliveries.json",
                           {{"warehouseid", sim.warehouse_id()},
                            {"orderdeliveryitems", json::array({{{"orderitemid", 0}, {"quantity", 2}}})}});
  REQUIRE(delivery.status == 200);
  REQUIRE(api.put("/sites/1/orders/" + std::to_string(order_id) + ".json", {{"orderstateid", 10}}).status == 200);
  REQUIRE(sim.wait_events_idle(10000));

  auto posts = rx.received();
  REQUIRE(!posts.empty());
  for (const auto& p : posts) {
    CHECK(p.header("authorization") == "Basic " + http::base64_encode("hook-user:hook-pass"));
    CHECK(p.header("content-type") == "application/json");
    CHECK(p.path == "/events");
  }
  auto events = rx.events();
  REQUIRE(events.size() == 4);
  std::vector<std::string> types;
  for (const auto& e : events) {
    types.push_back(e["event_type"]);
    CHECK(is_hex32(e["event_id"]));
    CHECK(e["account_id"] == 10020);
    CHECK(e["event_date"].is_number_integer());
  }
  CHECK(types == std::vector<std::string>{"order", "order-delivery", "warehouse-transaction", "order"});
  const auto& add = events[0]["data"];
  CHECK(add["eshop_id"] == 1);
  CHECK(add["order_id"] == order_id);
  CHECK(add["warehouse_id"] == sim.warehouse_id());
  CHECK(add["order_event_type"] == "add");
  CHECK(add["order_state_changed"] == "open");
  const auto& del = events[1]["data"];
  CHECK(del["order_delivery_id"] == body_of(delivery));
  CHECK(del["order_id"] == order_id);
  CHECK(del["warehouse_id"] == sim.warehouse_id());
  const auto& tx = events[2]["data"];
  CHECK(tx["warehouse_id"] == sim.warehouse_id());
  auto t = body_of(api.get("/sites/1/warehousetransactions.json"))["items"][0];
  CHECK(tx["warehouse_transaction_id"] == t["warehousetransactionid"]);
  CHECK(events[3]["data"]["order_event_type"] == "update");
  CHECK(events[3]["data"]["order_state_changed"] == "closed");
  CHECK(sim.counters().events_delivered == 4);
}

TEST_CASE("events: arrays carry at most 10 events, in chronological order") {
  Receiver rx;
  Simulator sim(quick(rx));
  auto ids = queue_transactions(sim, 25);
  sim.start();
  REQUIRE(sim.wait_events_idle(10000));
  auto posts = rx.received();
  REQUIRE(posts.size() == 3);
  std::vector<std::size_t> sizes;
  for (const auto& p : posts) sizes.push_back(json::parse(p.body).size());
  CHECK(sizes == std::vector<std::size_t>{10, 10, 5});
  CHECK(transaction_ids(rx.events()) == ids);
  std::int64_t last = 0;
  for (const auto& e : rx.events()) {
    CHECK(e["event_date"].get<std::int64_t>() >= last);
    last = e["event_date"].get<std::int64_t>();
  }
  CHECK(sim.counters().event_posts == 3);
}

TEST_CASE("events: 429, 503 and 504 block the queue - the same array is resent before any later event") {
  Receiver rx;
  rx.script({429, 503, 504});
  Simulator sim(quick(rx));
  auto ids = queue_transactions(sim, 12);
  sim.start();
  REQUIRE(rx.wait_for(5).size() == 5);
  REQUIRE(sim.wait_events_idle(10000));
  auto posts = rx.received();
  REQUIRE(posts.size() == 5);
  for (int i = 1; i < 4; ++i) CHECK(posts[static_cast<std::size_t>(i)].body == posts[0].body);  // same array, same event_ids
  CHECK(json::parse(posts[0].body).size() == 10);
  CHECK(json::parse(posts[4].body).size() == 2);
  std::vector<std::int64_t> delivered = transaction_ids(json::parse(posts[0].body));
  auto rest = transaction_ids(json::parse(posts[4].body));
  delivered.insert(delivered.end(), rest.begin(), rest.end());
  CHECK(delivered == ids);
  auto c = sim.counters();
  CHECK(c.event_retries == 3);
  CHECK(c.event_posts == 5);
  CHECK(c.events_delivered == 12);
  CHECK(c.events_dropped == 0);
}

TEST_CASE("events: a blocked queue holds events created meanwhile behind the retried array") {
  Receiver rx(503);
  Simulator sim(quick(rx));
  sim.add_product("A-1", 0);
  sim.start();
  auto first = sim.goods_received(sim.warehouse_id(), "A-1", 1);
  REQUIRE(rx.wait_for(2).size() >= 2);  // blocked and retrying
  auto second = sim.goods_received(sim.warehouse_id(), "A-1", 1);
  rx.wait_for(4);
  for (const auto& p : rx.received()) CHECK(transaction_ids(json::parse(p.body)) == std::vector<std::int64_t>{first});
  rx.set_status(200);
  REQUIRE(sim.wait_events_idle(10000));
  auto events = rx.events();
  CHECK(transaction_ids({events.end() - 2, events.end()}) == std::vector<std::int64_t>{first, second});
}

TEST_CASE("events: another 4xx drops the array and the queue moves on") {
  Receiver rx;
  rx.script({400});
  Simulator sim(quick(rx));
  auto ids = queue_transactions(sim, 12);
  sim.start();
  REQUIRE(rx.wait_for(2).size() == 2);
  REQUIRE(sim.wait_events_idle(10000));
  auto posts = rx.received();
  REQUIRE(posts.size() == 2);  // no retry of the dropped array
  CHECK(transaction_ids(json::parse(posts[1].body)) == std::vector<std::int64_t>{ids[10], ids[11]});
  auto c = sim.counters();
  CHECK(c.events_dropped == 10);
  CHECK(c.events_delivered == 2);
  CHECK(c.event_retries == 0);
}

TEST_CASE("events: a blocked array is dropped once it has waited event_give_up_ms") {
  Receiver rx(503);
  Options o = quick(rx);
  o.event_give_up_ms = 150;
  Simulator sim(o);
  queue_transactions(sim, 1);
  sim.start();
  REQUIRE(sim.wait_events_idle(10000));
  auto c = sim.counters();
  CHECK(c.events_dropped == 1);
  CHECK(c.event_retries >= 1);
  CHECK(c.events_delivered == 0);
  CHECK(sim.events_pending() == 0);
}

TEST_CASE("events: the duplicates knob sends a delivered array a second time with the same event_ids") {
  Receiver rx;
  Simulator sim(quick(rx));
  Faults f;
  f.duplicate_events_next = 1;
  sim.set_faults(f);
  queue_transactions(sim, 3);
  sim.start();
  REQUIRE(rx.wait_for(2).size() == 2);
  REQUIRE(sim.wait_events_idle(10000));
  auto posts = rx.received();
  REQUIRE(posts.size() == 2);
  CHECK(posts[0].body == posts[1].body);
  std::set<std::string> ids;
  for (const auto& e : rx.events()) ids.insert(e["event_id"].get<std::string>());
  CHECK(ids.size() == 3);  // 6 events received, 3 distinct
  CHECK(sim.counters().event_duplicates == 3);
  CHECK(sim.counters().events_delivered == 3);
}

TEST_CASE("events: without an events URL nothing is queued") {
  Simulator sim;
  queue_transactions(sim, 3);
  sim.start();
  CHECK(sim.events_pending() == 0);
  CHECK(sim.wait_events_idle(1000));
  CHECK(sim.counters().event_posts == 0);
}
