#include <vector>

#include "store_test_util.hpp"

using namespace store_test;

TEST_CASE("a duplicate event key is stored once") {
  TempDir dir;
  const std::string path = dir.file("store.db");
  {
    auto store = open_store(path);
    std::vector<JournalEntry> first{event("shop-a", "k1"), event("shop-a", "k2")};
    IngestOutcome a = store->ingest(first);
    CHECK(a.inserted == 2);
    CHECK(a.duplicates == 0);

    // k2 again, k1 twice in one batch, and k1 from another connection (not a duplicate).
    std::vector<JournalEntry> second{event("shop-a", "k2", "{\"changed\":1}"), event("shop-a", "k3"),
                                     event("shop-a", "k3"), event("shop-b", "k1")};
    IngestOutcome b = store->ingest(second);
    CHECK(b.inserted == 2);
    CHECK(b.duplicates == 2);
    CHECK(store->journal_count() == 4);
  }
  // The key is remembered across restarts, and the first payload is kept.
  auto store = open_store(path);
  std::vector<JournalEntry> again{event("shop-a", "k1"), event("shop-a", "k2", "{\"later\":1}")};
  IngestOutcome c = store->ingest(again);
  CHECK(c.inserted == 0);
  CHECK(c.duplicates == 2);
  CHECK(store->journal_count() == 4);
  auto records = store->unprocessed(10);
  REQUIRE(records.size() == 4);
  CHECK(records[1].key == "k2");
  CHECK(records[1].payload == "{}");
}

TEST_CASE("unprocessed journal records come in ingest order and leave once marked processed") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  std::vector<JournalEntry> batch1{event("shop-b", "z", "{\"n\":1}"), event("shop-a", "a", "{\"n\":2}")};
  std::vector<JournalEntry> batch2{event("shop-a", "m", "{\"n\":3}")};
  batch2[0].kind = "stock_level";
  batch2[0].received_at = 4242;
  store->ingest(batch1);
  store->ingest(batch2);

  auto all = store->unprocessed(10);
  REQUIRE(all.size() == 3);
  CHECK(all[0].key == "z");
  CHECK(all[1].key == "a");
  CHECK(all[2].key == "m");
  CHECK(all[0].seq < all[1].seq);
  CHECK(all[1].seq < all[2].seq);
  CHECK(all[2].connection == "shop-a");
  CHECK(all[2].kind == "stock_level");
  CHECK(all[2].payload == "{\"n\":3}");
  CHECK(all[2].received_at == 4242);

  CHECK(store->unprocessed(2).size() == 2);

  {
    auto tx = store->begin();
    tx->mark_processed(all[1].seq);
    tx->commit();
  }
  auto rest = store->unprocessed(10);
  REQUIRE(rest.size() == 2);
  CHECK(rest[0].key == "z");
  CHECK(rest[1].key == "m");
  CHECK(store->journal_count() == 3);  // processed records stay in the journal
}

TEST_CASE("ingesting an empty batch changes nothing") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  IngestOutcome out = store->ingest({});
  CHECK(out.inserted == 0);
  CHECK(out.duplicates == 0);
  CHECK(store->journal_count() == 0);
}
