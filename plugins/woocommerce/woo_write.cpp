// deliver(): set_stock and set_price through the batch endpoints (simple
// products via /products/batch, variations via
// /products/{parent}/variations/batch, at most 100 items per request),
// add_note through /orders/{id}/notes (its meta through PUT /orders/{id}).
// Every command gets its own result: one bad SKU never fails the batch.
//
// With verify_before_write the current levels are read first (one
// GET /products?sku=A,B,... per 100 SKUs) and a SKU whose level is not the
// one the hub expects is reported as a conflict instead of being
// overwritten. WooCommerce has no conditional write, so a sale can still
// land between that read and the write; the hub's ledger covers that case.
#include <algorithm>
#include <set>

#include "woo_connector.hpp"
#include "woo_crypto.hpp"

namespace woo {

struct WooConnector::WriteItem {
  const sr::Command* command = nullptr;
  std::string sku;
  std::int64_t id = 0;
  std::int64_t parent = 0;   // variations: their variable product
  bool price = false;        // set_price (regular_price) rather than set_stock
  sr::Quantity quantity;     // set_stock
  std::optional<sr::Quantity> read;  // set_stock: the level read just before the write
  std::string amount;        // set_price, decimal text
};

namespace {

constexpr std::size_t kBatchItems = 100;   // WooCommerce's limit per batch request
constexpr std::size_t kSkusPerLookup = 100;
constexpr std::size_t kLookupChars = 2000;  // encoded length of the list: URLs stay below common limits
constexpr std::size_t kRememberedWrites = 100000;  // echo(): the last writes' outcomes kept

sr::CommandResult result(const sr::Command& c, sr::Outcome outcome, std::string message = "") {
  sr::CommandResult r;
  r.id = c.id;
  r.outcome = outcome;
  r.message = std::move(message);
  return r;
}

const Product* by_id(const std::vector<Product>& found, std::int64_t id) {
  for (const auto& p : found)
    if (p.id == id) return &p;
  return nullptr;
}

bool same_amount(const std::string& a, const std::string& b) {
  auto x = sr::Money::parse(a, "", 6), y = sr::Money::parse(b, "", 6);
  return x && y && x->minor == y->minor;
}

std::string ids_text(const std::vector<Product>& found) {
  std::string out;
  for (std::size_t i = 0; i < found.size(); ++i)
    out += (i ? (i + 1 == found.size() ? " and " : ", ") : "") + std::to_string(found[i].id);
  return out;
}

}  // namespace

std::map<std::string, std::vector<Product>> WooConnector::lookup_skus(const std::vector<std::string>& skus) {
  std::map<std::string, std::vector<Product>> out;
  std::set<std::string> wanted(skus.begin(), skus.end());
  wanted.erase("");
  // WooCommerce splits the sku parameter on commas, so a SKU that contains
  // one is looked up on its own (the whole value is matched as well).
  std::vector<std::vector<std::string>> chunks;
  std::vector<std::string> current;
  std::size_t chars = 0;
  for (const auto& sku : wanted) {
    if (sku.find(',') != std::string::npos) {
      chunks.push_back({sku});
      continue;
    }
    std::size_t encoded = percent_encode(sku).size() + 3;  // and the %2C before it
    if (!current.empty() && (current.size() >= kSkusPerLookup || chars + encoded > kLookupChars)) {
      chunks.push_back(std::move(current));
      current.clear();
      chars = 0;
    }
    current.push_back(sku);
    chars += encoded;
  }
  if (!current.empty()) chunks.push_back(std::move(current));

  for (const auto& chunk : chunks) {
    std::string list;
    for (const auto& s : chunk) list += (list.empty() ? "" : ",") + s;
    api_.pages("/products", {{"sku", list}, {"per_page", "100"}}, [&](const sr::HttpResponse& r) {
      std::vector<Product> page;
      std::string error;
      if (!parser_.products(r.body, page, error))
        throw sr::retryable_error(api_.where() + ": GET /products?sku=...: " + error);
      for (auto& p : page)
        if (wanted.count(p.sku)) out[p.sku].push_back(std::move(p));
      return page.size();
    });
  }
  for (auto& [sku, found] : out)
    std::sort(found.begin(), found.end(), [](const Product& a, const Product& b) { return a.id < b.id; });
  return out;
}

void WooConnector::write_stock(const std::vector<const sr::Command*>& commands, std::vector<sr::CommandResult>& results) {
  if (commands.empty()) return;
  std::vector<std::string> to_read;
  for (const auto* c : commands) {
    const auto& s = std::get<sr::SetStock>(c->body);
    bool linked = s.link && !s.link->remote_id.empty();
    if (settings_.verify_before_write || !linked) to_read.push_back(s.sku);
  }
  auto found = lookup_skus(to_read);

  std::vector<WriteItem> items;
  for (const auto* c : commands) {
    const auto& s = std::get<sr::SetStock>(c->body);
    if (!s.quantity.is_whole()) {
      results.push_back(result(*c, sr::Outcome::Invalid,
                               "WooCommerce keeps stock in whole units; cannot set SKU " + s.sku + " to " +
                                   s.quantity.to_string()));
      continue;
    }
    WriteItem it;
    it.command = c;
    it.sku = s.sku;
    it.quantity = s.quantity;
    const auto& candidates = found[s.sku];
    const Product* now = nullptr;
    if (s.link && !s.link->remote_id.empty()) {
      // A product integration names the product: no search by SKU.
      bool variation = !s.link->remote_variation_id.empty();
      try {
        it.id = std::stoll(variation ? s.link->remote_variation_id : s.link->remote_id);
        it.parent = variation ? std::stoll(s.link->remote_id) : 0;
      } catch (const std::exception&) {
        results.push_back(result(*c, sr::Outcome::Invalid, "the link of SKU " + s.sku + " does not name WooCommerce ids"));
        continue;
      }
      now = by_id(candidates, it.id);
    } else if (candidates.empty()) {
      results.push_back(result(*c, sr::Outcome::Failed,
                               "unknown SKU " + s.sku + ": no product or variation in " + api_.where() + " has it"));
      continue;
    } else if (candidates.size() > 1) {
      results.push_back(result(*c, sr::Outcome::Failed,
                               "SKU " + s.sku + " is used by products " + ids_text(candidates) + " in " +
                                   api_.where() + ": not written"));
      continue;
    } else {
      now = &candidates.front();
      it.id = now->id;
      it.parent = now->is_variation() ? now->parent_id : 0;
    }
    // A variation may keep its stock on the parent (the REST answer looks
    // the same); find out once, the catalogue remembers it.
    if (it.parent > 0 && !catalog_.contains(it.id) && (!now || now->manage_stock)) learn_variation(it.parent, it.id, s.sku);
    const auto known = catalog_.find(it.id);
    if ((known && !known->holder.empty()) || (now && now->manage_parent)) {
      std::string holder = known && !known->holder.empty() ? known->holder : "the parent product";
      results.push_back(result(*c, sr::Outcome::Failed,
                               "SKU " + s.sku + " takes its stock from " + holder + ": not written (set " + holder +
                                   " instead)"));
      continue;
    }
    if (now) {
      if (!now->manage_stock) {
        results.push_back(result(*c, sr::Outcome::Failed, "manage_stock is off for SKU " + s.sku + ": not written"));
        continue;
      }
      if (settings_.verify_before_write && s.expected && now->stock_quantity != s.expected) {
        sr::CommandResult r = result(*c, sr::Outcome::Conflict,
                                     "WooCommerce shows " +
                                         (now->stock_quantity ? now->stock_quantity->to_string() : std::string("no level")) +
                                         " for SKU " + s.sku + ", not the expected " + s.expected->to_string() +
                                         ": not written");
        r.level = now->stock_quantity;
        r.version = now->date_modified_gmt;
        r.at = gmt_ms(now->date_modified_gmt);
        results.push_back(std::move(r));
        continue;
      }
      it.read = now->stock_quantity;
      if (now->stock_quantity == s.quantity) {  // already there: nothing to write
        sr::CommandResult r = result(*c, sr::Outcome::Ok);
        r.level = now->stock_quantity;
        r.version = now->date_modified_gmt;
        r.at = gmt_ms(now->date_modified_gmt);
        // Nothing was written, so nothing was replaced; and with the
        // expected level found, whatever the hub counted there since came
        // after this read: as good as a compare and write in one step.
        r.compared = settings_.verify_before_write && s.expected.has_value();
        results.push_back(std::move(r));
        continue;
      }
    }
    items.push_back(std::move(it));
  }
  host().report(results);
  results.clear();
  save_catalog();
  send_batches(items, results);
}

void WooConnector::write_prices(const std::vector<const sr::Command*>& commands, std::vector<sr::CommandResult>& results) {
  if (commands.empty()) return;
  std::vector<std::string> skus;
  for (const auto* c : commands) skus.push_back(std::get<sr::SetPrice>(c->body).sku);
  auto found = lookup_skus(skus);
  std::vector<WriteItem> items;
  for (const auto* c : commands) {
    const auto& p = std::get<sr::SetPrice>(c->body);
    const auto& candidates = found[p.sku];
    if (p.price.minor < 0) {
      results.push_back(result(*c, sr::Outcome::Invalid, "a price cannot be negative (SKU " + p.sku + ")"));
      continue;
    }
    if (candidates.empty()) {
      results.push_back(result(*c, sr::Outcome::Failed,
                               "unknown SKU " + p.sku + ": no product or variation in " + api_.where() + " has it"));
      continue;
    }
    if (candidates.size() > 1) {
      results.push_back(result(*c, sr::Outcome::Failed,
                               "SKU " + p.sku + " is used by products " + ids_text(candidates) + " in " +
                                   api_.where() + ": price not written"));
      continue;
    }
    WriteItem it;
    it.command = c;
    it.sku = p.sku;
    it.price = true;
    it.amount = p.price.amount_string();
    it.id = candidates.front().id;
    it.parent = candidates.front().is_variation() ? candidates.front().parent_id : 0;
    items.push_back(std::move(it));
  }
  host().report(results);
  results.clear();
  send_batches(items, results);
}

void WooConnector::send_batches(std::vector<WriteItem>& items, std::vector<sr::CommandResult>& results) {
  std::map<std::int64_t, std::vector<WriteItem*>> groups;  // parent id (0: products) -> items
  for (auto& it : items) groups[it.parent].push_back(&it);
  for (auto& [parent, group] : groups) {
    std::string path = parent ? "/products/" + std::to_string(parent) + "/variations/batch" : "/products/batch";
    for (std::size_t i = 0; i < group.size(); i += kBatchItems) {
      std::vector<WriteItem*> chunk(group.begin() + static_cast<std::ptrdiff_t>(i),
                                    group.begin() + static_cast<std::ptrdiff_t>(std::min(group.size(), i + kBatchItems)));
      send_batch(path, std::move(chunk), results);
      host().report(results);
      results.clear();
    }
  }
}

sr::CommandResult WooConnector::written(const WriteItem& item, const Product& now) {
  if (!item.price && !now.manage_stock)
    return result(*item.command, sr::Outcome::Failed, "manage_stock is off for SKU " + item.sku + ": not written");
  sr::CommandResult r = result(*item.command, sr::Outcome::Ok);
  if (!item.price) {
    r.level = now.stock_quantity ? now.stock_quantity : std::optional<sr::Quantity>(item.quantity);
    r.version = now.date_modified_gmt;
    r.at = gmt_ms(now.date_modified_gmt);  // the time base of the orders' `at`
    if (written_.size() >= kRememberedWrites) written_.clear();  // bounded: a forgotten echo is merely journalled
    written_[item.id] = Left{r.level->milli(), r.version,
                             item.read ? std::optional<std::int64_t>(item.read->milli()) : std::nullopt};
  }
  return r;
}

bool WooConnector::echo(const Product& p) const {
  auto it = written_.find(p.id);
  return it != written_.end() && p.manage_stock && !p.manage_parent && p.stock_quantity &&
         p.stock_quantity->milli() == it->second.milli && p.date_modified_gmt == it->second.version &&
         catalog_.reported(p.id) == product_print(p, true);
}

void WooConnector::send_batch(const std::string& path, std::vector<WriteItem*> items,
                              std::vector<sr::CommandResult>& results) {
  if (items.empty()) return;
  if (stopping()) throw sr::stopped_error();
  nlohmann::json update = nlohmann::json::array();
  for (const auto* it : items) {
    if (it->price) update.push_back({{"id", it->id}, {"regular_price", it->amount}});
    else update.push_back({{"id", it->id}, {"stock_quantity", it->quantity.whole()}});
  }
  const std::string body = nlohmann::json{{"update", std::move(update)}}.dump();
  sr::HttpResponse r;
  try {
    r = api_.send("POST", path, {}, body, 120000);
  } catch (const sr::retryable_error& e) {
    reread_after_failure(std::move(items), "no answer to POST " + path, results);
    return;
  }
  if (r.status == 413) {
    // Too large for this store (a lower woocommerce_rest_batch_items_limit): halve.
    if (items.size() == 1) {
      results.push_back(result(*items[0]->command, sr::Outcome::Failed,
                               "SKU " + items[0]->sku + ": " + api_.where() + " refuses even a batch of one (" +
                                   api_.error_text(r) + ")"));
      return;
    }
    host().info(api_.where() + ": POST " + path + " with " + std::to_string(items.size()) +
                " items answered 413; sending it in two halves");
    std::size_t half = items.size() / 2;
    send_batch(path, std::vector<WriteItem*>(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(half)), results);
    send_batch(path, std::vector<WriteItem*>(items.begin() + static_cast<std::ptrdiff_t>(half), items.end()), results);
    return;
  }
  if (r.status == 401 || r.status == 403 || (r.status >= 300 && r.status < 400)) api_.throw_if_fatal("POST", path, r);
  if (r.status == 429 || r.status >= 500 || r.status < 200 || !Api::looks_like_json(r.body)) {
    // Partial effect unknown (PHP may have died after some items): look.
    reread_after_failure(std::move(items), "POST " + path + " answered " + api_.error_text(r), results);
    return;
  }
  if (!r.ok()) {
    std::string why = api_.error_text(r);
    for (const auto* it : items)
      results.push_back(result(*it->command, sr::Outcome::Failed,
                               "SKU " + it->sku + ": " + api_.where() + " refused the batch (" + why + ")"));
    return;
  }
  std::vector<BatchItem> answers;
  std::string error;
  if (!parser_.batch(r.body, "update", answers, error)) {
    reread_after_failure(std::move(items), "POST " + path + " answered something unreadable (" + error + ")", results);
    return;
  }
  std::vector<WriteItem*> unanswered;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const WriteItem& it = *items[i];
    // In request order; the id confirms the match.
    const BatchItem* a = i < answers.size() && answers[i].id == it.id ? &answers[i] : nullptr;
    for (std::size_t k = 0; !a && k < answers.size(); ++k)
      if (answers[k].id == it.id) a = &answers[k];
    if (!a) {
      unanswered.push_back(items[i]);
    } else if (a->failed) {
      results.push_back(result(*it.command, sr::Outcome::Failed,
                               "SKU " + it.sku + ": WooCommerce refused the write (" +
                                   api_.scrub(a->code + (a->message.empty() ? "" : ": " + a->message)) + ")"));
    } else {
      results.push_back(written(it, a->product));
    }
  }
  if (!unanswered.empty()) reread_after_failure(std::move(unanswered), "POST " + path + " left items unanswered", results);
}

void WooConnector::reread_after_failure(std::vector<WriteItem*> items, const std::string& why,
                                        std::vector<sr::CommandResult>& results) {
  host().warn(api_.where() + ": " + why + "; reading " + std::to_string(items.size()) +
              " SKU(s) again to see which writes landed");
  std::vector<std::string> skus;
  for (const auto* it : items) skus.push_back(it->sku);
  std::map<std::string, std::vector<Product>> found;
  try {
    found = lookup_skus(skus);
  } catch (const sr::retryable_error& e) {
    for (const auto* it : items)
      results.push_back(result(*it->command, sr::Outcome::Retry,
                               "SKU " + it->sku + ": " + why + ", and the re-read failed too; will retry"));
    return;
  }
  for (const auto* it : items) {
    const Product* now = by_id(found[it->sku], it->id);
    bool landed = now && (it->price ? same_amount(now->regular_price, it->amount)
                                    : now->manage_stock && now->stock_quantity == it->quantity);
    if (landed) results.push_back(written(*it, *now));
    else
      results.push_back(result(*it->command, sr::Outcome::Retry,
                               "SKU " + it->sku + ": not confirmed after " + why + "; will retry"));
  }
}

sr::OrderEvent WooConnector::order_to_event(const OrderRecord& o, std::int64_t read_at, const std::string& read_tag) {
  auto e = order_event(o, [this](const OrderLineRecord& l) { return line_sku(l); }, read_at, read_tag);
  place_against_writes(o, e);
  return e;
}

void WooConnector::place_against_writes(const OrderRecord& o, sr::OrderEvent& e) {
  const std::int64_t first = gmt_ms(o.date_created_gmt) / 1000, last = e.at / 1000;
  if (first <= 0 || last < first || e.order.lines.size() != o.lines.size()) return;
  std::vector<std::pair<std::size_t, std::int64_t>> near;  // line, the product our last write went to
  for (std::size_t i = 0; i < o.lines.size(); ++i) {
    const auto& l = o.lines[i];
    auto it = written_.find(l.variation_id > 0 ? l.variation_id : l.product_id);
    if (it == written_.end() || !it->second.read_milli) continue;
    const std::int64_t second = gmt_ms(it->second.version) / 1000;
    // Made after the order was created and no later than just after its
    // last change (a write in the next second may have compared against a
    // read made before it).
    if (second >= first && second <= last + 1) near.emplace_back(i, it->first);
  }
  if (near.empty()) return;
  const std::string path = "/orders/" + std::to_string(o.id) + "/notes";
  std::vector<NoteRecord> notes;
  try {
    auto r = api_.call("GET", path);
    std::string error;
    if (!r.ok() || !parser_.notes(r.body, notes, error)) {
      host().debug(api_.where() + ": GET " + path + ": " + (r.ok() ? error : api_.error_text(r)) +
                   "; order " + std::to_string(o.id) + " is counted by its times alone");
      return;
    }
  } catch (const sr::stopped_error&) {
    throw;
  } catch (const std::exception& ex) {
    host().debug(api_.where() + ": GET " + path + ": " + ex.what() + "; order " + std::to_string(o.id) +
                 " is counted by its times alone");
    return;
  }
  for (const auto& [i, product] : near) {
    auto it = written_.find(product);
    if (it == written_.end()) continue;
    Left& w = it->second;
    const auto& l = o.lines[i];
    auto n = latest_stock_note(notes, l.sku, product);
    if (!n) continue;
    const std::int64_t from = n->from * 1000;
    std::optional<bool> replaced;
    if (w.after_note > 0 && n->note_id > w.after_note) {
      replaced = false;  // made after a change that came after our write
    } else if (from == w.milli) {
      replaced = false;  // on top of our write
      if (w.after_note == 0 || n->note_id < w.after_note) w.after_note = n->note_id;
    } else if (from == *w.read_milli) {
      replaced = true;   // between our read and our write (no later change is known to precede it)
    }
    if (!replaced) continue;
    e.order.lines[i].against_write = sr::AgainstWrite{w.version, *replaced};
    host().debug(api_.where() + ": order " + std::to_string(o.id) + " SKU " + e.order.lines[i].sku + ": the stock note (" +
                 std::to_string(n->from) + " -> " + std::to_string(n->to) + ") " +
                 (*replaced ? "landed between our read and our write, which replaced it"
                            : "came after our write") +
                 " (written at " + w.version + ")");
  }
}

sr::CommandResult WooConnector::add_note(const sr::Command& c) {
  const auto& n = std::get<sr::AddNote>(c.body);
  if (n.order_id.empty() || !std::all_of(n.order_id.begin(), n.order_id.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
    return result(c, sr::Outcome::Invalid, "a WooCommerce order id is a number, not '" + n.order_id + "'");
  if (n.note.empty()) return result(c, sr::Outcome::Invalid, "an order note needs text");
  if (!n.meta.empty()) {
    // Meta first: a retry after a failed meta write does not repeat the note.
    const std::string order_path = "/orders/" + n.order_id;
    nlohmann::json meta = nlohmann::json::array();
    for (const auto& [k, v] : n.meta) meta.push_back({{"key", k}, {"value", v}});
    sr::HttpResponse m;
    try {
      m = api_.send("PUT", order_path, {}, nlohmann::json{{"meta_data", meta}}.dump());
    } catch (const sr::retryable_error& e) {
      return result(c, sr::Outcome::Retry, "meta on order " + n.order_id + ": " + e.what());
    }
    if (m.status == 401 || m.status == 403 || (m.status >= 300 && m.status < 400)) api_.throw_if_fatal("PUT", order_path, m);
    if (m.status == 429 || m.status >= 500 || m.status < 200)
      return result(c, sr::Outcome::Retry, "meta on order " + n.order_id + ": PUT " + order_path + " answered " + api_.error_text(m));
    if (!m.ok())
      return result(c, sr::Outcome::Failed, "meta on order " + n.order_id + " not written: " + api_.error_text(m));
  }
  const std::string path = "/orders/" + n.order_id + "/notes";
  nlohmann::json body{{"note", n.note}, {"customer_note", n.customer_visible}};
  sr::HttpResponse r;
  try {
    r = api_.send("POST", path, {}, body.dump());
  } catch (const sr::retryable_error& e) {
    return result(c, sr::Outcome::Retry, "note on order " + n.order_id + ": " + e.what());
  }
  if (r.status == 401 || r.status == 403 || (r.status >= 300 && r.status < 400)) api_.throw_if_fatal("POST", path, r);
  if (r.status == 429 || r.status >= 500 || r.status < 200 || !Api::looks_like_json(r.body))
    return result(c, sr::Outcome::Retry, "note on order " + n.order_id + ": POST " + path + " answered " + api_.error_text(r));
  if (!r.ok())
    return result(c, sr::Outcome::Failed, "note on order " + n.order_id + " not written: " + api_.error_text(r));
  sr::CommandResult ok = result(c, sr::Outcome::Ok);
  std::int64_t id = 0;
  std::string error;
  if (parser_.object_id(r.body, id, error)) ok.remote_ref = std::to_string(id);
  return ok;
}

}  // namespace woo
