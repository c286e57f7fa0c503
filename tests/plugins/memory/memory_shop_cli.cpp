// memory-shop: act as the merchant or a customer of a memory test shop from
// a shell or another process (demos, integration tests that kill the hub).
// Every command is one locked change of the shop file, like the library.
#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "shop.hpp"
#include "shop_file.hpp"

namespace {

constexpr const char* kUsage = R"(usage: memory-shop FILE COMMAND [ARGS]
  create SKU QTY               add a product with QTY in stock
  order ID SKU:QTY...          place an order (processing, stock held)
  cancel ID                    cancel an order (stock released, once)
  refund ID LINE QTY [restock] refund QTY of line LINE, optionally back to stock
  set SKU QTY                  change a level by hand, as the merchant
  retry N                      the next N deliver calls fail with RETRY
  fail-skus [SKU...]           stock and price commands for these SKUs fail
  show                         print the shop file
exit status: 0 done, 1 refused by the shop (reason on stderr), 2 bad usage
)";

int usage(const std::string& why) {
  std::cerr << "memory-shop: " << why << "\n" << kUsage;
  return 2;
}

int outcome(const memory_shop::Result& r) {
  if (r.ok()) return 0;
  std::cerr << "memory-shop: " << r.error << "\n";
  return 1;
}

int run(const std::string& file, const std::string& cmd, const std::vector<std::string>& a) {
  memory_shop::Shop shop(file);
  auto qty = [](const std::string& s) {
    auto q = sr::Quantity::parse(s);
    if (!q) throw std::invalid_argument("'" + s + "' is not a quantity");
    return *q;
  };
  if (cmd == "create" && a.size() == 2) return outcome(shop.create_product(a[0], qty(a[1])));
  if (cmd == "order" && a.size() >= 2) {
    std::vector<memory_shop::LineItem> lines;
    for (std::size_t i = 1; i < a.size(); ++i) {
      auto colon = a[i].rfind(':');
      if (colon == std::string::npos) return usage("order lines are SKU:QTY, not '" + a[i] + "'");
      lines.push_back({a[i].substr(0, colon), qty(a[i].substr(colon + 1))});
    }
    return outcome(shop.place_order(a[0], lines));
  }
  if (cmd == "cancel" && a.size() == 1) return outcome(shop.cancel_order(a[0]));
  if (cmd == "refund" && (a.size() == 3 || (a.size() == 4 && a[3] == "restock")))
    return outcome(shop.refund_line(a[0], a[1], qty(a[2]), a.size() == 4));
  if (cmd == "set" && a.size() == 2) return outcome(shop.manual_set(a[0], qty(a[1])));
  if (cmd == "retry" && a.size() == 1) {
    shop.set_retry_next(std::stoi(a[0]));
    return 0;
  }
  if (cmd == "fail-skus") {
    shop.set_fail_skus(a);
    return 0;
  }
  if (cmd == "show" && a.empty()) {
    std::cout << memory_shop::file::to_text(shop.read());
    return 0;
  }
  return usage("unknown command or wrong arguments: " + cmd);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage("a shop file and a command are required");
  try {
    return run(argv[1], argv[2], std::vector<std::string>(argv + 3, argv + argc));
  } catch (const std::invalid_argument& e) {
    return usage(e.what());
  } catch (const std::exception& e) {
    std::cerr << "memory-shop: " << e.what() << "\n";
    return 1;
  }
}
