// bench_ingest: durable ingest into the journal (store::Store::ingest).
//
// Measures, in one run and side by side:
//   - batched transactions of 1000 and of 100 events (100 is what one emit()
//     of a plugin batch becomes in the hub: Hub::ingest calls Store::ingest
//     once per emitted document),
//   - single-event transactions, for contrast (the ratio is printed),
//   - the hub's whole ingest path for batches of 100: EventParser::parse of
//     the emitted JSON document, then Store::ingest of the entries.
// Each repetition uses a fresh store file (created, migrated, WAL,
// synchronous=NORMAL, exactly as open_sqlite sets it up) in a temp directory
// that is removed afterwards. Opening the store is not timed.
//
// Target: >= 50,000 events/s durable ingest with batched transactions.
#include <cstdio>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "hub/ingest.hpp"
#include "store/store.hpp"

namespace {

using namespace stockrelay;

constexpr store::Millis kNow = 1714557600000;

// A stock level as a connector emits it (minified, as EventParser stores it).
std::string level_item(std::size_t i, std::size_t rep) {
  std::string sku = "SKU-" + std::to_string(100000 + i % 20000);
  std::string version = "2024-05-01T10:" + std::to_string(10 + rep) + ":" + std::to_string(10 + i % 50) + "." +
                        std::to_string(i);
  return R"({"kind":"stock_level","key":"level:)" + sku + ":" + version + R"(","at":)" +
         std::to_string(kNow + static_cast<store::Millis>(i)) + R"(,"sku":")" + sku + R"(","quantity":)" +
         std::to_string(i % 97) + R"(,"version":")" + version + R"(","remote_id":"p-)" + std::to_string(i % 20000) +
         R"("})";
}

// An order with two lines, about 600 bytes.
std::string order_item(std::size_t i, std::size_t rep) {
  std::string id = std::to_string(500000 + i);
  std::string when = std::to_string(kNow + static_cast<store::Millis>(i));
  return R"({"kind":"order","key":"order:)" + id + ":" + std::to_string(rep) + R"(","at":)" + when +
         R"(,"order":{"id":")" + id + R"(","number":"#)" + id +
         R"(","status":"processing","stock":"held","currency":"EUR","total":{"amount":"49.80","currency":"EUR"},"created_at":)" +
         when +
         R"(,"customer_name":"Erika Mustermann","customer_email":"erika@example.com","lines":[{"id":"1","sku":"SKU-)" +
         std::to_string(100000 + i % 20000) +
         R"(","quantity":2,"restocked":0,"name":"Blue mug","unit_price":{"amount":"12.45","currency":"EUR"},"remote_id":"p-1"},{"id":"2","sku":"SKU-)" +
         std::to_string(100000 + (i + 7) % 20000) +
         R"(","quantity":1,"restocked":0,"name":"Red plate","unit_price":{"amount":"24.90","currency":"EUR"},"remote_id":"p-2"}],"extra":{"channel":"web"}}})";
}

// 9 in 10 events are stock levels, 1 in 10 an order.
std::string item(std::size_t i, std::size_t rep) { return i % 10 == 9 ? order_item(i, rep) : level_item(i, rep); }

std::string kind_of(std::size_t i) { return i % 10 == 9 ? "order" : "stock_level"; }
std::string key_of(std::size_t i, std::size_t rep) {
  return "k:" + std::to_string(rep) + ":" + std::to_string(i);
}

std::vector<store::JournalEntry> make_entries(std::size_t n, std::size_t rep, std::size_t* bytes) {
  std::vector<store::JournalEntry> v;
  v.reserve(n);
  std::size_t total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    v.push_back(store::JournalEntry{"shop-a", key_of(i, rep), kind_of(i), item(i, rep), kNow});
    total += v.back().payload.size();
  }
  if (bytes) *bytes = n ? total / n : 0;
  return v;
}

std::unique_ptr<store::Store> open_store(const bench::TempDir& dir, const std::string& name) {
  auto s = store::open_sqlite((dir.path() / name).string(), store::OpenMode::Owner);
  if (!s) {
    std::fprintf(stderr, "cannot open store: %s\n", s.error().message().c_str());
    std::exit(1);
  }
  return std::move(*s);
}

// Ingests `entries` in transactions of `per_tx`; returns the time taken.
bench::Sample run_batched(store::Store& st, const std::vector<store::JournalEntry>& entries, std::size_t per_tx) {
  std::span<const store::JournalEntry> all(entries);
  std::size_t inserted = 0;
  bench::Stopwatch t0;
  for (std::size_t off = 0; off < all.size(); off += per_tx) {
    auto out = st.ingest(all.subspan(off, std::min(per_tx, all.size() - off)));
    inserted += out.inserted;
  }
  bench::Sample secs = t0.stop();
  if (inserted != entries.size()) {
    std::fprintf(stderr, "ingest: expected %zu inserted, got %zu\n", entries.size(), inserted);
    std::exit(1);
  }
  return secs;
}

std::string detail(std::size_t per_tx, std::size_t n, std::size_t avg_bytes) {
  return std::to_string(per_tx) + " per transaction, " + std::to_string(n) + " events, ~" +
         std::to_string(avg_bytes) + " B payload, WAL, synchronous=NORMAL";
}

}  // namespace

int main(int argc, char** argv) {
  auto opt = bench::parse_options(argc, argv);
  const std::size_t n_batched = opt.quick ? 20000 : 200000;
  const std::size_t n_100 = opt.quick ? 20000 : 100000;
  const std::size_t n_single = opt.quick ? 1000 : 5000;
  const std::size_t n_hub = opt.quick ? 20000 : 100000;

  bench::TempDir dir("ingest");
  std::printf("# bench_ingest: store at %s (%s)\n", dir.path().c_str(), opt.quick ? "quick" : "full");

  bench::Rates r1000, r100, r1, rhub;
  std::size_t bytes = 0;
  for (int rep = 0; opt.another(rep); ++rep) {
    // Interleaved, so that a noisy neighbour hurts every variant alike.
    {
      auto entries = make_entries(n_batched, rep * 4 + 0, &bytes);
      auto st = open_store(dir, "b1000-" + std::to_string(rep) + ".db");
      r1000.add(static_cast<double>(entries.size()), run_batched(*st, entries, 1000));
    }
    {
      auto entries = make_entries(n_100, rep * 4 + 1, nullptr);
      auto st = open_store(dir, "b100-" + std::to_string(rep) + ".db");
      r100.add(static_cast<double>(entries.size()), run_batched(*st, entries, 100));
    }
    {
      auto entries = make_entries(n_single, rep * 4 + 2, nullptr);
      auto st = open_store(dir, "b1-" + std::to_string(rep) + ".db");
      r1.add(static_cast<double>(entries.size()), run_batched(*st, entries, 1));
    }
    {
      // The hub's path: the emitted document is parsed, then journalled.
      std::vector<std::string> docs;
      for (std::size_t off = 0; off < n_hub; off += 100) {
        std::string d = R"({"schema":"stockrelay.events/1","items":[)";
        for (std::size_t i = off; i < off + 100 && i < n_hub; ++i) {
          if (i != off) d += ',';
          d += item(i, rep * 4 + 3);
        }
        d += "]}";
        docs.push_back(std::move(d));
      }
      auto st = open_store(dir, "hub-" + std::to_string(rep) + ".db");
      hub::EventParser parser;
      std::size_t inserted = 0;
      bench::Stopwatch t0;
      for (const auto& d : docs) {
        auto batch = parser.parse("shop-a", d, kNow);
        inserted += st->ingest(batch.entries).inserted;
      }
      bench::Sample secs = t0.stop();
      if (inserted != n_hub) {
        std::fprintf(stderr, "hub path: expected %zu inserted, got %zu\n", n_hub, inserted);
        return 1;
      }
      rhub.add(static_cast<double>(n_hub), secs);
    }
    // Each repetition's files go as soon as it is done.
    std::error_code ec;
    for (auto& e : std::filesystem::directory_iterator(dir.path(), ec)) std::filesystem::remove(e.path(), ec);
  }

  bench::report("ingest", r1000, detail(1000, n_batched, bytes));
  bench::report("ingest", r100, detail(100, n_100, bytes));
  bench::report("ingest", r1, detail(1, n_single, bytes));
  bench::report("ingest hub path", rhub,
                "EventParser::parse + Store::ingest per emitted document of 100, " + std::to_string(n_hub) +
                    " events, WAL, synchronous=NORMAL");
  std::printf("ingest ratio: batched (1000 per transaction) is %.1fx single-event transactions; 100 per transaction is %.1fx\n",
              r1000.median() / r1.median(), r100.median() / r1.median());
  std::printf("ingest target: >= 50000 events/s batched -> %s\n", r1000.median() >= 50000 ? "met" : "MISSED");
  return 0;
}
