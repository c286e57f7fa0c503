// One engine step: a journalled event, a deferred level or a delivery result
// goes in; ledger, order status, outbox and log changes come out, written
// through one store Transaction (the caller commits). The decisions are the
// pure functions of ledger.hpp and rules.hpp; this file loads their inputs
// from the transaction and stores their outputs.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>

#include "config/config.hpp"
#include "engine/ledger.hpp"
#include "engine/rules.hpp"
#include "store/store.hpp"
#include "stockrelay/payload.hpp"

namespace stockrelay::engine {

// What the runtime must do after the step's transaction committed.
struct StepEffects {
  std::set<std::string> deliver;   // targets with new outbox items
  std::map<std::string, std::size_t> queued;  // target -> commands queued (a batch window's arrivals)
  std::set<std::string> poll;      // connections whose orders should be polled now
  bool settle = false;             // a waiting level was made due now: judge the due ones
};

// Facts about connections the processor needs (from the loaded plugins).
struct ConnectionFacts {
  std::function<bool(const std::string& connection, const std::string& capability)> has_capability;
};

class Processor {
 public:
  Processor(const config::Config& cfg, const Routes& routes, ConnectionFacts facts);

  // A journalled event. Invalid payloads are logged (connection and key) and
  // the record is still marked processed, so one bad event never blocks the
  // journal.
  void apply_event(store::Transaction& tx, const store::JournalRecord& rec, store::Millis now, StepEffects& fx);

  // A level that waited for its cause is judged now.
  // A waiting level whose settle time passed: `Recheck` if its member was
  // not polled since it was seen (a poll is asked for when it is still
  // unexplained), `Due` to judge it.
  void apply_deferred(store::Transaction& tx, const store::DeferredLevel& d, Pass pass, store::Millis now,
                      StepEffects& fx);

  // A set_stock about to go out to `target`: it carries what the hub
  // believes the target shows now (`expected`, every earlier write there
  // having been acknowledged) and, for a pool's SKU, the pool's level as of
  // now rather than when it was queued (it may have waited, held by an
  // unexplained level there).
  void prepare_write(store::Transaction& tx, const std::string& target, sr::SetStock& s);

  // The outcome of one delivered command; `item.payload` is the command as
  // it went out (a set_stock with its `expected`). `attempts_left` false
  // turns RETRY into FAILED. `retry_at` is when a RETRY goes out again.
  void apply_result(store::Transaction& tx, const store::OutboxItem& item, const sr::CommandResult& result,
                    store::Millis now, store::Millis retry_at, StepEffects& fx);

  // The last step of a pool join, once the member's catalogue was read: of
  // the SKUs in `skus` it had a level for before (as a non-member, or
  // before it left), those in the pool take the pool's quantity; those new
  // to the pool give it theirs (absolute writes, cause "join of <member>").
  void join_member(store::Transaction& tx, const config::PoolConfig& pool, const std::string& member,
              const std::vector<std::string>& skus, store::Millis now, StepEffects& fx);

  // An operator asks `connection` to read one of its products again (by SKU
  // or remote id: `stockrelay links refetch`); what it reads links the
  // product anew. The SKU's link waits in state "refetch" meanwhile.
  void refetch_product(store::Transaction& tx, const std::string& connection, const sr::FetchProduct& what,
                       store::Millis now, StepEffects& fx);

  // An operator asks to push a failed order again.
  bool retry_order(store::Transaction& tx, const std::string& source, const std::string& order_id,
                   const std::string& target, store::Millis now, StepEffects& fx);

 private:
  void apply_order(store::Transaction&, const std::string& conn, const sr::OrderEvent&, store::Millis, StepEffects&);
  void apply_level(store::Transaction&, const std::string& conn, const sr::StockLevel&, Pass pass,
                   store::Millis, StepEffects&);
  void apply_product(store::Transaction&, const std::string& conn, const sr::ProductChange&, store::Millis,
                     StepEffects&);
  void apply_routes(store::Transaction&, const std::string& conn, const sr::Event&, store::Millis, StepEffects&);

  // A SKU on two active products of `conn` is ambiguous there: logged, and
  // neither read from nor written to that connection.
  bool excluded(store::Transaction&, const std::string& conn, const std::string& sku, store::Millis now,
                const std::string& order_id);
  // The same, for the active products of `conn` with that SKU already read.
  bool duplicated(store::Transaction&, const std::string& conn, const std::string& sku,
                  const std::vector<store::Product>& products, store::Millis now, const std::string& order_id);
  // Records the product a level names if it is not among `known` (which it
  // is then added to).
  void remember_product(store::Transaction&, const std::string& conn, const sr::StockLevel&,
                        std::vector<store::Product>& known, store::Millis now);

  // ---- product integrations (links.cpp) ----
  // The pool `member`'s SKU is in when that pool's master takes product
  // uploads (capability products.out): its members get stock only for
  // linked products. nullptr otherwise, and for the master itself.
  const config::PoolConfig* linked_pool(const std::string& member, const std::string& sku) const;
  // May `member` be sent stock for `sku`? Always outside such pools. Says
  // once (log and link row "missing") when it may not and nothing told why yet.
  bool stock_linked(store::Transaction&, const config::PoolConfig&, const std::string& member, const std::string& sku,
                    store::Millis);
  // A member's product appeared, changed or went inactive: upload it to the
  // master, end its integration there, or record the conflict that stops it.
  void integrate_product(store::Transaction&, const config::PoolConfig&, const std::string& member,
                         const sr::ProductChange&, const std::optional<store::Product>& prev, store::Millis,
                         StepEffects&);
  // A product's SKU changed in `conn`: its link under the old SKU ends.
  void sku_moved(store::Transaction&, const std::string& conn, const store::Product& prev, const std::string& sku,
                 store::Millis);
  void upload_done(store::Transaction&, const store::OutboxItem&, const sr::UpsertProduct&, sr::Outcome,
                   const std::string& remote_ref, const std::string& message, store::Millis, StepEffects&);
  void fetch_failed(store::Transaction&, const std::string& conn, const sr::FetchProduct&, const std::string& message,
                    store::Millis);

  SkuState load(store::Transaction&, const config::PoolConfig&, const std::string& sku, const std::string& member);
  void store_decision(store::Transaction&, const config::PoolConfig&, const std::string& sku, const Decision&,
                      const std::string& cause, store::Millis, StepEffects&);
  std::int64_t enqueue(store::Transaction&, const std::string& target, const sr::Command&, const std::string& key,
                       const std::string& cause, store::Millis, StepEffects&);
  // A note (and order meta) on the source's order: how its sync went.
  void note_back(store::Transaction&, const store::OrderSync&, const std::string& text, store::Millis, StepEffects&);
  // The source cancelled an order sent to `target`: cancel it there once
  // it exists (targets that declare orders.cancel.out).
  void cancel_order(store::Transaction&, const std::string& source, const std::string& order_id,
                    const std::string& target, const nlohmann::json& options, store::Millis, StepEffects&);
  void send_cancel(store::Transaction&, store::OrderSync&, const nlohmann::json& options, store::Millis, StepEffects&);
  // "; look-alike SKU: the order has 'A<U+2013 EN DASH>1', sitoo has 'A-1'"
  // for each unknown SKU with a look-alike among the target's products.
  std::string lookalikes(store::Transaction&, const std::string& target, const std::vector<std::string>& unknown);
  // Before a retry: a create_order whose lines' products now carry other
  // SKUs in the source is rewritten with them.
  void refresh_order_skus(store::Transaction&, const store::OrderSync&, store::Millis);

  const config::Config& cfg_;
  const Routes& routes_;
  ConnectionFacts facts_;
};

}  // namespace stockrelay::engine
