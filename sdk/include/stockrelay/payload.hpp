// Typed payloads that cross the plugin boundary as JSON, with to/from JSON.
//
// Four schemas, each a batch document {"schema": "...", "items": [...]}:
//   stockrelay.events/1    plugin -> host (emit): what a remote system did
//   stockrelay.commands/1  host -> plugin (deliver): what to do there
//   stockrelay.results/1   plugin -> host (report): how each command went
//   stockrelay.describe/1  plugin -> host (describe): who the plugin is
// docs/sdk.md documents every field. Unknown fields are ignored on read, so
// either side may add fields without breaking the other.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "stockrelay/quantity.hpp"

namespace sr {

inline constexpr const char* kEventsSchema = "stockrelay.events/1";
inline constexpr const char* kCommandsSchema = "stockrelay.commands/1";
inline constexpr const char* kResultsSchema = "stockrelay.results/1";
inline constexpr const char* kDescribeSchema = "stockrelay.describe/1";

// Thrown by from_json on a payload that does not match its schema; the
// message names the field.
struct payload_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// ---- events ----------------------------------------------------------------

// What the source shop did with the stock of an order's lines.
enum class OrderStock {
  None,      // not taken from stock yet (e.g. pending payment)
  Held,      // taken from stock: each line counts as sold (minus restocked)
  Released   // given back (cancelled): nothing counts as sold
};

// Where a line's latest stock change landed in the source against the hub's
// last stock write of that SKU there, for sources whose writes are absolute
// and compared by a read first (a sale between that read and the write is
// replaced by the write). Only a connector that can tell (WooCommerce: the
// stock-change notes give each change's level before and after) sets it.
struct AgainstWrite {
  std::string version;   // the write's version, as its CommandResult reported it
  bool replaced = false; // true: the write replaced the change (the source does not show it);
                         // false: the change came after the write (the source shows both)
};

struct OrderLine {
  std::string id;            // line id, stable within the order
  std::string sku;
  Quantity quantity;
  Quantity restocked;        // returned to stock by refunds with restock
  std::string name;
  std::optional<Money> unit_price;
  std::string remote_id;     // product id in the source system
  std::string remote_variation_id;
  std::optional<AgainstWrite> against_write;  // absent: not known (a host that predates it ignores it)
};

struct Order {
  std::string id;            // the source system's id
  std::string number;        // what the merchant sees ("#1001")
  std::string status;        // the source's own status word
  OrderStock stock = OrderStock::None;
  std::string currency;
  std::optional<Money> total;
  std::int64_t created_at = 0;   // Unix ms
  std::string customer_name;
  std::string customer_email;
  std::vector<OrderLine> lines;
  nlohmann::json extra = nlohmann::json::object();  // connector-specific fields carried along
};

struct OrderEvent {
  std::string key;           // idempotency key, e.g. "order:123:<date_modified>"
  std::int64_t at = 0;       // when it happened (Unix ms): the order's modification time
  Order order;
  // When the connector read this copy of the order (host clock, Unix ms;
  // 0: unknown): for a poll, when the request went out; for a webhook, when
  // it arrived. The host ignores a copy older (by `at`) than one it has
  // counted; with coarse modification times (WooCommerce keeps seconds) two
  // copies of the same `at` are told apart by this. Appended in SDK 1.x;
  // JSON "read_at", absent = 0.
  std::int64_t read_at = 0;
};

// An absolute level observed in the remote system.
struct StockLevel {
  std::string key;           // e.g. "level:SKU:<remote version>"
  std::int64_t at = 0;
  std::string sku;
  Quantity quantity;
  std::string version;       // remote version (date_modified); ordered lexicographically
  bool managed = true;       // false: the remote does not track stock for it
  std::string remote_id;
  std::string remote_variation_id;
  // When the connector read this level (host clock, Unix ms; 0: unknown).
  // With coarse versions (one-second modification times) it tells the host
  // that a reading was taken before a write of its own was acknowledged and
  // so cannot be newer than that write.
  std::int64_t read_at = 0;   // (added last: fields are only ever appended)
};

enum class DeltaCause { Sale, Return, Receipt, Count, Correction, Other };

// A relative change with its cause, so the ledger never counts one change twice.
struct StockDelta {
  std::string key;
  std::int64_t at = 0;
  std::string sku;
  Quantity delta;
  DeltaCause cause = DeltaCause::Other;
  std::string reference;     // "PO 77", "order 123"
};

struct ProductChange {
  std::string key;
  std::int64_t at = 0;
  std::string sku;
  std::string remote_id;
  std::string remote_variation_id;
  std::string name;
  bool active = true;
  bool managed = true;
  std::optional<Quantity> quantity;
  std::optional<Money> price;
  // Appended in SDK 1.x (absent in JSON = empty):
  // The id the source gives this product towards back offices, when it is
  // not remote_id (e.g. a number kept in a product field from an import; a
  // copied product carries its original's). Empty: remote_id. A warehouse
  // keys its product integration on it (with remote_variation_id).
  std::string shop_product_id{};
  std::string ean{};     // EAN/GTIN barcode, if the source has one
  std::string status{};  // the source's own word for the product's state ("draft", "trash")
};

using Event = std::variant<OrderEvent, StockLevel, StockDelta, ProductChange>;

const char* kind_of(const Event&);        // "order", "stock_level", "stock_delta", "product"
const std::string& key_of(const Event&);

// ---- commands ----------------------------------------------------------------

struct RemoteRef {
  std::string remote_id;
  std::string remote_variation_id;
};

struct SetStock {
  std::string sku;
  Quantity quantity;
  std::optional<RemoteRef> link;   // known product integration, if any
  // The level the hub believes the target shows now. A connector whose API
  // can compare before it writes should not write when the target shows
  // something else (a sale or a manual change landed meanwhile), and report
  // Outcome::Conflict with `level` = what it found. The hub then works out
  // what happened and writes again. Absent: write unconditionally.
  std::optional<Quantity> expected;
  // The remote version (as in StockLevel::version) at which the hub last
  // knew the target's level. A connector that can also compare versions
  // should: comparing quantities alone misses a change that was undone
  // (a sale and a manual +1 in between look like "nothing happened").
  std::string expected_version;
};

struct AdjustStock {
  std::string sku;
  Quantity delta;
  DeltaCause cause = DeltaCause::Other;
  std::string reference;
};

struct SourceOrder {
  std::string connection;
  std::string order_id;
};

struct CreateOrder {
  SourceOrder source;
  Order order;
};

struct DeliverOrder {
  SourceOrder source;
  std::string remote_ref;          // the order created in this target
};

// The source order was cancelled: cancel the order created from it in this
// target, giving back what it reserved there. The host sends it only to
// connections that declare "orders.cancel.out" (a plugin built before it
// would refuse the command name), and only once the create_order there
// succeeded. Appended in SDK 1.x; command name "cancel_order".
struct CancelOrder {
  SourceOrder source;
  std::string remote_ref;          // the order created in this target
};

struct AddNote {
  std::string order_id;            // in the target system
  std::string note;
  bool customer_visible = false;
  // Order meta to set with the note (key -> value; an empty value clears
  // it), e.g. the sync status the shop's order list can filter on. A
  // connector that has no such thing ignores it. Appended; JSON "meta".
  std::map<std::string, std::string> meta{};
};

struct SetPrice {
  std::string sku;
  Money price;
};

// A member's product, to be known by this target (a warehouse that keys
// stock by the shop's product ids: one "product integration" per product
// per shop). Sent by the host to connections that declare "products.out",
// when a pool's member shows a product for the first time, changes it, or an
// operator asks to fetch it again. `active` false: the shop no longer sells
// it: end that shop's integration of it (the product itself, with its
// history, stays in the target). Ok: `remote_ref` is the target's id of the
// product. Appended in SDK 1.x; command name "upsert_product".
struct UpsertProduct {
  std::string connection;          // the shop the product is in
  std::string sku;
  std::string remote_id;           // the shop's product id
  std::string remote_variation_id;
  std::string shop_product_id;     // ProductChange::shop_product_id (empty: remote_id)
  std::string name;
  std::string ean;
  bool active = true;
};

// Read one product from this connection again, by SKU or by remote id, and
// emit it as a ProductChange (with its level if it has one), also when
// nothing changed. Failed with a plain message when the connection has no
// such product. Sent to connections that declare "products.fetch" (an
// operator's `stockrelay links refetch`). Appended in SDK 1.x; command name
// "fetch_product".
struct FetchProduct {
  std::string sku;                 // one of sku or remote_id
  std::string remote_id;
  std::string remote_variation_id;
};

struct Command {
  std::string id;                  // host-assigned; results refer to it
  nlohmann::json options = nlohmann::json::object();  // from the route's `options:`
  std::variant<SetStock, AdjustStock, CreateOrder, DeliverOrder, AddNote, SetPrice, CancelOrder, UpsertProduct,
               FetchProduct>
      body;
};

const char* name_of(const Command&);  // "set_stock", ...

// ---- results -------------------------------------------------------------------

enum class Outcome {
  Ok,
  Retry,        // transient: the host tries again later
  Failed,       // permanent for this command: recorded with the reason
  Invalid,      // the command itself is wrong
  Unsupported,  // this connector does not do that
  Conflict      // set_stock not applied: the target did not show `expected` (see SetStock)
};

struct CommandResult {
  std::string id;
  Outcome outcome = Outcome::Ok;
  std::string message;             // why it failed, in the merchant's words
  std::string remote_ref;          // id created in the target (orders)
  std::optional<Quantity> level;   // the level the target now shows (set/adjust stock; conflict: what it found)
  std::string version;             // its remote version
  // set_stock, outcome ok or conflict: the target compared against
  // `expected` and wrote (or refused) in one atomic step (compare-and-set),
  // so nothing can have changed the level between the two. The hub then
  // knows that sales it counted there while the write was on its way
  // happened after it. Leave it false when the compare is a separate read
  // before the write (a sale in between is replaced by the write).
  // Appended in SDK 1.x; JSON "compared", absent = false.
  bool compared = false;
  // set_stock, outcome ok: when the state the answer shows was made, on the
  // target's own clock (ms since the epoch; 0: not known), on the same time
  // base as that target's OrderEvent::at. A sale or restore of an order
  // modified before it landed before the write, so a write that compared by
  // a read (compared false) replaced it there. Outcome conflict: when the
  // level found was made (StockLevel::at). Appended; JSON "at".
  std::int64_t at = 0;
  // create_order, outcome failed: the order's SKUs this target does not
  // know, exactly as the order spells them. The host names look-alikes it
  // knows there ("A–1" in the order, "A-1" in the target) in the reason it
  // records. Appended; JSON "unknown_skus".
  std::vector<std::string> unknown_skus{};
};

// ---- describe ------------------------------------------------------------------

struct Limits {
  int batch_size = 100;
  double requests_per_second = 0;  // 0: no limit
  int max_concurrency = 4;
  // How often the host polls a connection that has no poll schedule of its
  // own (the remote's usual rhythm, e.g. 180 for a back office that pushes
  // events and is read every 3 minutes besides). 0: the host's default
  // (engine.default_poll_seconds). Appended; JSON "poll_seconds".
  int poll_seconds = 0;
};

struct Description {
  std::string id;                  // "woocommerce"
  std::string name;                // "WooCommerce"
  std::string version;             // plugin version, semver
  std::string vendor;
  int abi_major = 1;
  int abi_minor = 0;
  std::vector<std::string> capabilities;
  Limits limits;
  nlohmann::json config_schema = nlohmann::json::object();
};

// ---- JSON ----------------------------------------------------------------------

void to_json(nlohmann::json&, const Quantity&);
void from_json(const nlohmann::json&, Quantity&);
void to_json(nlohmann::json&, const Money&);
void from_json(const nlohmann::json&, Money&);

nlohmann::json to_json(const Event&);
Event event_from_json(const nlohmann::json&);  // throws payload_error
nlohmann::json to_json(const Command&);
Command command_from_json(const nlohmann::json&);
nlohmann::json to_json(const CommandResult&);
CommandResult result_from_json(const nlohmann::json&);
nlohmann::json to_json(const Description&);
Description description_from_json(const nlohmann::json&);

nlohmann::json to_json(const Order&);
Order order_from_json(const nlohmann::json&);

const char* to_string(OrderStock);
const char* to_string(DeltaCause);
const char* to_string(Outcome);
std::optional<DeltaCause> delta_cause_from(std::string_view);
std::optional<Outcome> outcome_from(std::string_view);

// Batch documents.
std::string events_document(const std::vector<Event>&);
std::vector<Event> events_from_document(std::string_view json);  // throws payload_error
std::string commands_document(const std::vector<Command>&);
std::vector<Command> commands_from_document(std::string_view json);
std::string results_document(const std::vector<CommandResult>&);
std::vector<CommandResult> results_from_document(std::string_view json);

// ---- poll requests (host -> plugin) ---------------------------------------------

// What a poll reads (the request's "mode"):
//   Incremental  everything changed since the stored cursors;
//   Reconcile    everything, to repair gaps (cursors only move forward);
//   Orders       only the orders changed since the orders cursor: the host
//                looks for the cause of a level it cannot explain yet (an
//                order it has not seen). A value added to the request
//                document after the first release: a connector built with
//                an older SDK reads it as Incremental, which reads the
//                orders too.
enum class PollMode { Incremental, Reconcile, Orders };

inline std::string_view poll_mode_name(PollMode m) {
  switch (m) {
    case PollMode::Reconcile: return "reconcile";
    case PollMode::Orders: return "orders";
    default: return "incremental";
  }
}
// An unknown or missing mode is Incremental: a newer host's mode gets a
// poll that covers it.
inline PollMode poll_mode_from(std::string_view name) {
  if (name == "reconcile") return PollMode::Reconcile;
  if (name == "orders") return PollMode::Orders;
  return PollMode::Incremental;
}
// The request document a poll call carries.
inline std::string poll_request(PollMode m) { return std::string(R"({"mode":")") + std::string(poll_mode_name(m)) + "\"}"; }

}  // namespace sr

#include "stockrelay/detail/payload_json.hpp"
