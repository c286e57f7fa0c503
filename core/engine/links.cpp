// Product integrations: in a pool whose master takes product uploads (a
// warehouse such as PeakWMS, capability products.out), each member product
// is uploaded to the master, and the member gets stock for a SKU only once
// the master acknowledged that upload (the link, one per product per shop).
// Conflicts are recorded and logged, never merged: a SKU on two products
// of one shop, or a copied product that carries another's shop product id
// (the first link is kept). A product gone inactive in a shop loses its
// link there only; the master keeps the product and its history.
#include "common/log.hpp"
#include "engine/log_entry.hpp"
#include "engine/processor.hpp"
#include "engine/sku.hpp"
#include "engine/sku_audit.hpp"

namespace stockrelay::engine {
namespace {

bool is_linked(const std::optional<store::Link>& l) { return l && l->state == "linked" && l->active; }

// The shop product id a master keys its integration on.
std::string shop_id(const sr::ProductChange& p) { return p.shop_product_id.empty() ? p.remote_id : p.shop_product_id; }

std::string product_ref(const std::string& remote_id, const std::string& variation) {
  return variation.empty() ? remote_id : remote_id + "/" + variation;
}

std::string upload_key(const std::string& member, const std::string& remote_id, const std::string& variation) {
  return "upsert_product:" + member + ":" + product_ref(remote_id, variation);
}

}  // namespace

const config::PoolConfig* Processor::linked_pool(const std::string& member, const std::string& sku) const {
  const auto* pool = pool_for(cfg_, member, sku);
  if (!pool || !pool->master || *pool->master == member) return nullptr;
  return facts_.has_capability(*pool->master, "products.out") ? pool : nullptr;
}

bool Processor::stock_linked(store::Transaction& tx, const config::PoolConfig& pool, const std::string& member,
                             const std::string& sku, store::Millis now) {
  if (!pool.master || *pool.master == member || !facts_.has_capability(*pool.master, "products.out")) return true;
  auto link = tx.link(member, sku);
  if (is_linked(link)) return true;
  if (!link || link->state.empty()) {
    // Nothing said why yet: say it once, where `links list --missing` shows it.
    store::Link l = link ? *link : store::Link{};
    l.connection = member;
    l.sku = sku;
    l.active = false;
    l.state = "missing";
    l.updated_at = now;
    l.reason = member + " has no product with this SKU that " + *pool.master + " knows (never uploaded)";
    tx.put_link(l);
    std::string msg = "no product integration for SKU '" + visible_sku(sku) + "' in " + member + ": stock from " +
                      *pool.master + " is not sent there (" + l.reason + ")";
    log::warn({member, sku, {}}, msg);
    tx.append_log(log_entry(now, "warn", member, sku, {}, "link", "no product integration", "skipped", msg));
  }
  return false;
}

void Processor::integrate_product(store::Transaction& tx, const config::PoolConfig& pool, const std::string& member,
                                  const sr::ProductChange& p, const std::optional<store::Product>& prev,
                                  store::Millis now, StepEffects& fx) {
  const std::string& master = *pool.master;
  if (p.sku.empty() || p.remote_id.empty()) return;
  const auto old = tx.link(member, p.sku);
  const bool same_product =
      !old || old->remote_id.empty() || (old->remote_id == p.remote_id && old->remote_variation_id == p.remote_variation_id);
  store::Link l = old ? *old : store::Link{};
  l.connection = member;
  l.sku = p.sku;
  l.updated_at = now;

  sr::Command upload;
  sr::UpsertProduct u{member, p.sku, p.remote_id, p.remote_variation_id, p.shop_product_id, p.name, p.ean, p.active};
  upload.body = u;
  const std::string cause = "product " + product_ref(p.remote_id, p.remote_variation_id) + " in " + member;

  if (!p.active) {
    if (!same_product) return;  // another product with this SKU went inactive; the link is not its
    const bool had = old && (old->state == "linked" || old->state == "pending" || old->state == "refetch");
    l.remote_id = p.remote_id;
    l.remote_variation_id = p.remote_variation_id;
    l.active = false;
    l.state = "inactive";
    l.reason = "the product is " + (p.status.empty() ? std::string("inactive") : p.status) + " in " + member;
    const bool said = old && old->state == "inactive";
    tx.put_link(l);
    if (!had) {
      if (said) return;
      std::string msg = "SKU '" + visible_sku(p.sku) + "' is not linked in " + member + " (" + l.reason +
                        "): stock from " + master + " is not sent there";
      log::info({member, p.sku, {}}, msg);
      tx.append_log(log_entry(now, "info", member, p.sku, {}, "link", cause, "skipped", msg));
      return;
    }
    std::string msg = l.reason + ": its product integration in " + master + " ends and " + member +
                      " gets no more stock for it (" + master + " keeps the product and its history)";
    log::warn({member, p.sku, {}}, msg);
    tx.append_log(log_entry(now, "warn", member, p.sku, {}, "link", cause, "unlinked", msg));
    enqueue(tx, master, upload, upload_key(member, p.remote_id, p.remote_variation_id), cause, now, fx);
    return;
  }

  // The same SKU twice in this shop: neither is synced there (excluded() says so).
  auto same_sku = tx.products_with_sku(member, p.sku);
  if (same_sku.size() > 1) {
    if (!is_linked(old)) {
      l.active = false;
      l.state = "conflict";
      l.reason = "SKU is on " + std::to_string(same_sku.size()) + " products in " + member;
      tx.put_link(l);
    }
    duplicated(tx, member, p.sku, same_sku, now, {});
    return;
  }
  // A copy carrying another product's shop product id: the first keeps the link.
  if (!p.shop_product_id.empty()) {
    for (const auto& other : tx.products_with_shop_id(member, p.shop_product_id)) {
      if (other.remote_variation_id != p.remote_variation_id) continue;
      if (other.remote_id == p.remote_id) continue;
      auto their = tx.link(member, other.sku);
      if (!their || (their->state != "linked" && their->state != "pending")) continue;
      l.remote_id = p.remote_id;
      l.remote_variation_id = p.remote_variation_id;
      l.active = false;
      l.state = "conflict";
      l.reason = "copied product: shop product id " + product_ref(shop_id(p), p.remote_variation_id) +
                 " is already linked to SKU '" + other.sku + "' (product " +
                 product_ref(other.remote_id, other.remote_variation_id) + "); give this product its own id in " +
                 member + ", then refetch it";
      const bool said = old && old->state == "conflict" && old->reason == l.reason;
      tx.put_link(l);
      if (said) return;
      std::string msg = "product " + product_ref(p.remote_id, p.remote_variation_id) + " (SKU '" + visible_sku(p.sku) +
                        "') is not linked to " + master + ": " + l.reason;
      log::warn({member, p.sku, {}}, msg);
      tx.append_log(log_entry(now, "warn", member, p.sku, {}, "link", cause, "conflict", msg));
      return;
    }
  }
  const bool linked = is_linked(old) && same_product && old->remote_id == p.remote_id;
  const bool changed = !prev || !prev->active || prev->sku != p.sku || prev->name != p.name || prev->ean != p.ean ||
                       prev->shop_product_id != p.shop_product_id;
  if (linked && !changed) return;
  if (!linked) {
    l.remote_id = p.remote_id;
    l.remote_variation_id = p.remote_variation_id;
    l.active = false;
    l.state = "pending";
    l.reason = "uploaded to " + master + ", waiting for it to answer";
    tx.put_link(l);
  }
  enqueue(tx, master, upload, upload_key(member, p.remote_id, p.remote_variation_id), cause, now, fx);
}

void Processor::sku_moved(store::Transaction& tx, const std::string& conn, const store::Product& prev,
                          const std::string& sku, store::Millis now) {
  auto old = tx.link(conn, prev.sku);
  if (!old || old->remote_id != prev.remote_id || old->remote_variation_id != prev.remote_variation_id) return;
  if (old->state.empty()) return;  // an observed link: apply_product's own rules
  old->active = false;
  old->state = "missing";
  old->reason = "the product's SKU changed to '" + sku + "' in " + conn;
  old->updated_at = now;
  tx.put_link(*old);
}

void Processor::upload_done(store::Transaction& tx, const store::OutboxItem& item, const sr::UpsertProduct& u,
                            sr::Outcome outcome, const std::string& remote_ref, const std::string& message,
                            store::Millis now, StepEffects& fx) {
  auto link = tx.link(u.connection, u.sku);
  const bool ours = link && link->remote_id == u.remote_id && link->remote_variation_id == u.remote_variation_id;
  const std::string cause = "product " + product_ref(u.remote_id, u.remote_variation_id) + " in " + u.connection;
  if (outcome != sr::Outcome::Ok) {
    tx.outbox_failed(item.id, message);
    if (ours && u.active) {
      link->active = false;
      link->state = "failed";
      link->reason = item.target + " refused the upload: " + message;
      link->updated_at = now;
      tx.put_link(*link);
    }
    std::string msg = "upload of SKU '" + visible_sku(u.sku) + "' from " + u.connection + " to " + item.target +
                      " failed: " + message;
    log::error({u.connection, u.sku, {}}, msg);
    tx.append_log(log_entry(now, "error", u.connection, u.sku, {}, "link", cause, sr::to_string(outcome), msg));
    return;
  }
  tx.outbox_done(item.id);
  if (!u.active) {
    tx.append_log(log_entry(now, "info", u.connection, u.sku, {}, "link", cause, "unlinked",
                            "product integration in " + item.target + " ended" +
                                (message.empty() ? std::string() : ": " + message)));
    return;
  }
  // Still the product the link waits for (not gone inactive or moved meanwhile)?
  if (!ours || link->state == "inactive" || link->state == "conflict") return;
  const bool was_linked = link->state == "linked";
  link->active = true;
  link->state = "linked";
  link->via = item.target;
  if (!remote_ref.empty()) link->via_ref = remote_ref;
  link->reason.clear();
  link->updated_at = now;
  tx.put_link(*link);
  if (was_linked) return;  // a product update: the link stands
  tx.append_log(log_entry(now, "info", u.connection, u.sku, {}, "link", cause, "linked",
                          "product integration in " + item.target +
                              (remote_ref.empty() ? std::string() : " (id " + remote_ref + ")")));
  // From now on the shop gets the master's stock for it: send it at once.
  const auto* pool = linked_pool(u.connection, u.sku);
  if (!pool) return;
  auto level = tx.pool_level(pool->name, u.sku);
  if (!level) return;  // the master's level comes with its next reading
  Decision d;
  d.writes.push_back(Write{u.connection, shown(*pool, level->quantity)});
  d.cause = "link of " + u.sku + " in " + u.connection;
  store_decision(tx, *pool, u.sku, d, d.cause, now, fx);
}

void Processor::fetch_failed(store::Transaction& tx, const std::string& conn, const sr::FetchProduct& f,
                             const std::string& message, store::Millis now) {
  std::string sku = f.sku;
  if (sku.empty())
    if (auto p = tx.product(conn, f.remote_id, f.remote_variation_id)) sku = p->sku;
  if (sku.empty()) return;
  auto link = tx.link(conn, sku);
  if (!link || link->state != "refetch") return;
  link->active = false;
  link->state = "missing";
  link->reason = "fetching it again failed: " + message;
  link->updated_at = now;
  tx.put_link(*link);
}

void Processor::refetch_product(store::Transaction& tx, const std::string& connection, const sr::FetchProduct& what,
                                store::Millis now, StepEffects& fx) {
  std::string sku = what.sku;
  if (sku.empty())
    if (auto p = tx.product(connection, what.remote_id, what.remote_variation_id)) sku = p->sku;
  if (!sku.empty()) {
    auto link = tx.link(connection, sku);
    store::Link l = link ? *link : store::Link{};
    l.connection = connection;
    l.sku = sku;
    l.active = false;
    l.state = "refetch";
    l.reason = "fetching the product from " + connection + " again (asked by an operator)";
    l.updated_at = now;
    tx.put_link(l);
  }
  sr::Command c;
  c.body = what;
  enqueue(tx, connection, c, {}, "refetch asked by an operator", now, fx);
}

}  // namespace stockrelay::engine
