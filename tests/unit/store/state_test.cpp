#include <thread>

#include "store_test_util.hpp"

using namespace store_test;

TEST_CASE("a cursor cannot be moved by a stale compare-and-set") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  CHECK_FALSE(store->state_get("shop-a", "cursor").has_value());

  CHECK(store->state_put("shop-a", "cursor", "c1", std::nullopt));
  CHECK(store->state_put("shop-a", "cursor", "c2", std::string("c1")));
  CHECK(store->state_get("shop-a", "cursor") == std::optional<std::string>("c2"));

  // A second poller still holding "c1" must not move the cursor back.
  CHECK_FALSE(store->state_put("shop-a", "cursor", "c1-late", std::string("c1")));
  CHECK(store->state_get("shop-a", "cursor") == std::optional<std::string>("c2"));

  // Unconditional writes always win.
  CHECK(store->state_put("shop-a", "cursor", "c9", std::nullopt));
  CHECK(store->state_get("shop-a", "cursor") == std::optional<std::string>("c9"));
}

TEST_CASE("an absent key never matches a compare-and-set, not even the empty string") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  CHECK_FALSE(store->state_put("shop-a", "cursor", "c1", std::string("")));
  CHECK_FALSE(store->state_get("shop-a", "cursor").has_value());

  // The same key of another connection is a different key.
  CHECK(store->state_put("shop-b", "cursor", "b1", std::nullopt));
  CHECK_FALSE(store->state_put("shop-a", "cursor", "c1", std::string("b1")));
  CHECK_FALSE(store->state_get("shop-a", "cursor").has_value());
}

TEST_CASE("concurrent compare-and-sets never lose an update") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  store->state_put("shop-a", "counter", "0", std::nullopt);
  // Each thread adds 1 by read + compare-and-set, retrying when it lost the
  // race. Were the comparison and the write not atomic, two threads could
  // both succeed from the same value and the total would come up short.
  constexpr int kPerThread = 200;
  auto worker = [&] {
    for (int i = 0; i < kPerThread; ++i) {
      for (;;) {
        std::string seen = *store->state_get("shop-a", "counter");
        if (store->state_put("shop-a", "counter", std::to_string(std::stoi(seen) + 1), seen)) break;
      }
    }
  };
  std::thread a(worker);
  std::thread b(worker);
  a.join();
  b.join();
  CHECK(store->state_get("shop-a", "counter") == std::optional<std::string>(std::to_string(2 * kPerThread)));
}
