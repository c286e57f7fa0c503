// bench_rules: rules evaluation (engine::Routes::route) and the stock ledger
// (engine::on_level / on_sale), single-threaded: the numbers are per core.
//
// The routes are what a small merchant writes: stock levels from the ERP to
// two shops (glob filter, SKU prefix rewrite, buffer), orders from the shops
// to the ERP (status filter, SKU strip), delivery of completed orders,
// receipts and counts from the ERP to one shop (a sku_regex transform) and
// prices (sku_map + prefix). The event mix is 50% stock levels, 20% orders
// (two lines each), 20% stock deltas, 10% product changes, from three
// connections; some events match no route.
//
// Events are built as sr::Event values before timing: the rules line
// measures route() alone (matching, transforms, building the commands). The
// "decode + rules" line adds what the processor does before it, turning the
// journalled JSON payload back into an sr::Event (nlohmann::json::parse +
// sr::event_from_json), for context.
//
// Target: >= 1,000,000 events/s per core (rules).
#include <cstdio>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "config/config.hpp"
#include "engine/ledger.hpp"
#include "engine/rules.hpp"

namespace {

using namespace stockrelay;
using config::Transform;
using config::Where;
using sr::Quantity;

Where where(std::string field, Where::Op op, std::vector<std::string> values) {
  Where w;
  w.field = std::move(field);
  w.op = op;
  w.values = std::move(values);
  return w;
}

Transform tf(Transform::Kind k, std::string text = {}, std::string replacement = {}) {
  Transform t;
  t.kind = k;
  t.text = std::move(text);
  t.replacement = std::move(replacement);
  return t;
}

Transform amount(Transform::Kind k, int units) {
  Transform t;
  t.kind = k;
  t.amount = Quantity::units(units);
  return t;
}

config::Action action(std::string command, std::vector<std::string> to, std::vector<Transform> ts) {
  config::Action a;
  a.command = std::move(command);
  a.to = std::move(to);
  a.transforms = std::move(ts);
  return a;
}

config::RouteConfig route(std::string name, std::vector<std::string> on, std::vector<std::string> from,
                          std::vector<Where> wh, std::vector<config::Action> actions) {
  config::RouteConfig r;
  r.name = std::move(name);
  r.on = std::move(on);
  r.from = std::move(from);
  r.where = std::move(wh);
  r.actions = std::move(actions);
  return r;
}

// `regex`: the receipts route rewrites SKUs with sku_regex (std::regex);
// without it, with sku_strip_prefix + sku_prefix (same result).
std::vector<config::RouteConfig> routes(bool regex) {
  using K = Transform::Kind;
  using Op = Where::Op;
  std::vector<config::RouteConfig> v;
  v.push_back(route("levels-to-shops", {"stock_level"}, {"erp"}, {where("sku", Op::Matches, {"SKU-*"})},
                    {action("set_stock", {"shop-a", "shop-b"},
                            {tf(K::SkuStripPrefix, "SKU-"), tf(K::SkuPrefix, "WEB-"), amount(K::Buffer, 2)})}));
  v.push_back(route("orders-to-erp", {"order"}, {"shop-a", "shop-b"},
                    {where("status", Op::In, {"processing", "completed"})},
                    {action("create_order", {"erp"}, {tf(K::SkuStripPrefix, "WEB-"), tf(K::SkuPrefix, "SKU-")})}));
  v.push_back(route("deliver-completed", {"order"}, {"shop-a", "shop-b"},
                    {where("order.status", Op::Equals, {"completed"})}, {action("deliver", {"erp"}, {})}));
  std::vector<Transform> receipt_ts;
  if (regex) receipt_ts = {tf(K::SkuRegex, "^SKU-([0-9]+)$", "WEB-$1")};
  else receipt_ts = {tf(K::SkuStripPrefix, "SKU-"), tf(K::SkuPrefix, "WEB-")};
  v.push_back(route("receipts-to-shop", {"stock_delta"}, {"erp"},
                    {where("cause", Op::In, {"receipt", "count", "correction"})},
                    {action("adjust_stock", {"shop-a"}, receipt_ts)}));
  Transform map = tf(K::SkuMap);
  for (int i = 0; i < 50; ++i) map.sku_map["SKU-" + std::to_string(100000 + i * 7)] = "SKU-R" + std::to_string(i);
  v.push_back(route("prices-to-shops", {"product"}, {"erp"}, {where("active", Op::Equals, {"true"})},
                    {action("set_price", {"shop-a", "shop-b"}, {map, tf(K::SkuStripPrefix, "SKU-"), tf(K::SkuPrefix, "WEB-")})}));
  return v;
}

struct Sourced {
  std::string source;
  sr::Event event;
};

std::string sku(std::size_t i) { return "SKU-" + std::to_string(100000 + i % 5000); }

// 100 events per cycle: 50 levels (40 from the ERP, 10 echoes from shop-a),
// 20 orders (shop-a/shop-b; 12 processing, 4 completed, 4 pending),
// 20 deltas from the ERP (receipt, count, sale, return), 10 products.
std::vector<Sourced> events(std::size_t n) {
  std::vector<Sourced> v;
  v.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t slot = i % 100;
    if (slot < 50) {
      sr::StockLevel l;
      l.key = "level:" + sku(i) + ":" + std::to_string(i);
      l.sku = sku(i);
      l.quantity = Quantity::units(static_cast<std::int64_t>(i % 90));
      l.version = "2024-05-01T10:00:" + std::to_string(i % 60);
      l.remote_id = "p-" + std::to_string(i % 5000);
      v.push_back({slot < 40 ? "erp" : "shop-a", l});
    } else if (slot < 70) {
      sr::OrderEvent o;
      o.key = "order:" + std::to_string(i);
      o.order.id = std::to_string(700000 + i);
      o.order.number = "#" + o.order.id;
      o.order.status = slot < 62 ? "processing" : slot < 66 ? "completed" : "pending";
      o.order.stock = slot < 66 ? sr::OrderStock::Held : sr::OrderStock::None;
      o.order.currency = "EUR";
      o.order.customer_name = "Erika Mustermann";
      o.order.customer_email = "erika@example.com";
      o.order.extra = {{"channel", "web"}};
      for (int l = 0; l < 2; ++l) {
        sr::OrderLine line;
        line.id = std::to_string(l + 1);
        line.sku = "WEB-" + std::to_string(100000 + (i + l * 13) % 5000);
        line.quantity = Quantity::units(l + 1);
        line.name = "Blue mug";
        line.unit_price = sr::Money{1245, "EUR", 2};
        o.order.lines.push_back(std::move(line));
      }
      v.push_back({slot % 2 ? "shop-a" : "shop-b", o});
    } else if (slot < 90) {
      sr::StockDelta d;
      d.key = "delta:" + std::to_string(i);
      d.sku = sku(i);
      d.delta = Quantity::units(slot % 4 == 2 ? -1 : 5);
      static const sr::DeltaCause causes[] = {sr::DeltaCause::Receipt, sr::DeltaCause::Count, sr::DeltaCause::Sale,
                                              sr::DeltaCause::Return};
      d.cause = causes[slot % 4];
      d.reference = "PO " + std::to_string(i);
      v.push_back({"erp", d});
    } else {
      sr::ProductChange p;
      p.key = "product:" + std::to_string(i);
      p.sku = sku(i * 7);
      p.name = "Blue mug";
      p.active = slot != 99;
      p.price = sr::Money{1990, "EUR", 2};
      v.push_back({"erp", p});
    }
  }
  return v;
}

engine::Routes compile(bool regex) {
  auto r = engine::Routes::compile(routes(regex));
  if (!r) {
    std::fprintf(stderr, "routes: %s\n", r.error().message().c_str());
    std::exit(1);
  }
  return std::move(*r);
}

// Routes `calls` events (cycling through `evs`); returns the time taken, sets the
// number of commands to *commands.
bench::Sample run_rules(const engine::Routes& routes, const std::vector<Sourced>& evs, std::size_t calls,
                 std::size_t* commands) {
  std::size_t produced = 0;
  bench::Stopwatch t0;
  for (std::size_t i = 0, j = 0; i < calls; ++i, j = j + 1 == evs.size() ? 0 : j + 1) {
    auto out = routes.route(evs[j].source, evs[j].event);
    produced += out.size();
    bench::keep(out.data());
  }
  bench::Sample secs = t0.stop();
  *commands = produced;
  return secs;
}

// ---- ledger -------------------------------------------------------------------

config::PoolConfig pool() {
  config::PoolConfig p;
  p.name = "main";
  p.members = {"erp", "shop-a", "shop-b"};
  p.buffer = Quantity::units(2);
  return p;
}

engine::SkuState state(const std::string& s) {
  engine::SkuState st;
  st.level = store::PoolLevel{"main", s, Quantity::units(50), "erp", 1};
  for (const char* m : {"erp", "shop-a", "shop-b"}) {
    store::Baseline b;
    b.connection = m;
    b.sku = s;
    b.expected = Quantity::units(48);
    b.last_written = Quantity::units(48);
    b.observed_version = "2024-05-01T09:00:00";
    st.baselines.emplace(m, b);
  }
  return st;
}

}  // namespace

int main(int argc, char** argv) {
  auto opt = bench::parse_options(argc, argv);
  const std::size_t calls = opt.quick ? 100000 : 1000000;
  const std::size_t decode_calls = opt.quick ? 20000 : 200000;
  const std::size_t ledger_calls = opt.quick ? 100000 : 500000;

  std::printf("# bench_rules: 1 thread (%s)\n", opt.quick ? "quick" : "full");
  auto evs = events(10000);
  auto with_regex = compile(true);
  auto without_regex = compile(false);

  // The same events as journalled JSON, for the decode line.
  std::vector<std::pair<std::string, std::string>> payloads;
  for (const auto& e : evs) payloads.emplace_back(e.source, sr::to_json(e.event).dump());

  bench::Rates r_rules, r_noregex, r_decode;
  std::size_t cmds = 0, cmds_noregex = 0;
  for (int rep = 0; opt.another(rep); ++rep) {
    r_rules.add(static_cast<double>(calls), run_rules(with_regex, evs, calls, &cmds));
    r_noregex.add(static_cast<double>(calls), run_rules(without_regex, evs, calls, &cmds_noregex));
    {
      std::size_t produced = 0;
      bench::Stopwatch t0;
      for (std::size_t i = 0, j = 0; i < decode_calls; ++i, j = j + 1 == payloads.size() ? 0 : j + 1) {
        sr::Event e = sr::event_from_json(nlohmann::json::parse(payloads[j].second));
        produced += with_regex.route(payloads[j].first, e).size();
      }
      r_decode.add(static_cast<double>(decode_calls), t0.stop());
      bench::keep(produced);
    }
  }
  char per[64];
  std::snprintf(per, sizeof per, "%.2f", static_cast<double>(cmds) / static_cast<double>(calls));
  bench::report("rules", r_rules,
                std::to_string(with_regex.size()) + " routes incl. one sku_regex, mix 50% stock_level / 20% order / "
                "20% stock_delta / 10% product, " + per + " commands per event, " + std::to_string(calls) +
                    " events, 1 thread");
  bench::report("rules without sku_regex", r_noregex,
                "same routes, the regex replaced by sku_strip_prefix + sku_prefix, " + std::to_string(calls) +
                    " events, 1 thread");
  bench::report("decode + rules", r_decode,
                "nlohmann::json::parse + sr::event_from_json + route, as the processor does per journal record, " +
                    std::to_string(decode_calls) + " events, 1 thread");

  // The ledger, on in-memory state (no store): three members, buffer 2.
  auto p = pool();
  std::vector<std::string> skus;
  std::vector<engine::SkuState> states;
  for (int i = 0; i < 1000; ++i) {
    skus.push_back(sku(static_cast<std::size_t>(i)));
    states.push_back(state(skus.back()));
  }
  sr::StockLevel echo, manual;
  echo.quantity = Quantity::units(48);  // what the member should show: explained, no action
  manual.quantity = Quantity::units(45);  // a manual change: new pool level, writes to the others
  echo.version = manual.version = "2024-05-01T10:00:00";

  bench::Rates r_echo, r_manual, r_sale, r_mix;
  std::size_t effects = 0;
  auto ledger_run = [&](int which) {
    bench::Stopwatch t0;
    for (std::size_t i = 0; i < ledger_calls; ++i) {
      std::size_t k = i % skus.size();
      engine::LedgerContext ctx{p, skus[k], 1714557600000, 2000};
      int w = which >= 0 ? which : static_cast<int>(i % 3);
      engine::Decision d;
      if (w == 0) {
        echo.sku = skus[k];
        d = engine::on_level(ctx, states[k], "shop-a", echo, engine::Pass::Fresh);
      } else if (w == 1) {
        manual.sku = skus[k];
        d = engine::on_level(ctx, states[k], "shop-b", manual, engine::Pass::Due);
      } else {
        d = engine::on_sale(ctx, states[k], "shop-a", Quantity::units(1), "order #1001 in shop-a", "1001");
      }
      effects += d.writes.size() + d.log.size();
    }
    return t0.stop();
  };
  for (int rep = 0; opt.another(rep); ++rep) {
    r_echo.add(static_cast<double>(ledger_calls), ledger_run(0));
    r_manual.add(static_cast<double>(ledger_calls), ledger_run(1));
    r_sale.add(static_cast<double>(ledger_calls), ledger_run(2));
    r_mix.add(static_cast<double>(ledger_calls), ledger_run(-1));
  }
  bench::keep(effects);
  std::string n = std::to_string(ledger_calls) + " calls, 1000 SKUs, pool of 3 members, buffer 2, 1 thread";
  bench::report("ledger on_level (echo)", r_echo, "level equals expected: nothing to do; " + n);
  bench::report("ledger on_level (manual change)", r_manual, "applied to the pool, 2 writes + 1 log entry; " + n);
  bench::report("ledger on_sale", r_sale, "sale counted, 2 writes + 1 log entry; " + n);
  bench::report("ledger mix", r_mix, "1/3 each of the above; " + n);
  std::printf("rules target: >= 1000000 events/s per core -> %s\n", r_rules.median() >= 1e6 ? "met" : "MISSED");
  return 0;
}
