#include "hub/ingest.hpp"

#include <simdjson.h>

namespace stockrelay::hub {

struct EventParser::Impl {
  simdjson::dom::parser parser;  // reused: its buffers grow once and stay
};

EventParser::EventParser() : impl_(new Impl) {}
EventParser::~EventParser() { delete impl_; }

namespace {

bool known_kind(std::string_view k) {
  return k == "order" || k == "stock_level" || k == "stock_delta" || k == "product";
}

std::string item_name(std::size_t index, std::string_view key) {
  return "item " + std::to_string(index + 1) + (key.empty() ? "" : " (key '" + std::string(key) + "')");
}

}  // namespace

ParsedBatch EventParser::parse(const std::string& connection, std::string_view document, store::Millis now) {
  ParsedBatch out;
  const std::string prefix = "connection '" + connection + "': emitted events: ";
  simdjson::padded_string padded(document);
  simdjson::dom::element root;
  if (auto err = impl_->parser.parse(padded).get(root)) {
    out.errors.push_back(prefix + "not valid JSON (" + simdjson::error_message(err) + ")");
    return out;
  }
  std::string_view schema;
  if (root["schema"].get_string().get(schema) || schema != "stockrelay.events/1") {
    out.errors.push_back(prefix + "the document's schema must be \"stockrelay.events/1\"");
    return out;
  }
  simdjson::dom::array items;
  if (root["items"].get_array().get(items)) {
    out.errors.push_back(prefix + "'items' must be an array");
    return out;
  }
  std::size_t index = 0;
  for (simdjson::dom::element item : items) {
    std::size_t i = index++;
    simdjson::dom::object obj;
    if (item.get_object().get(obj)) {
      out.errors.push_back(prefix + item_name(i, {}) + " is not an object");
      continue;
    }
    std::string_view kind, key, sku;
    if (obj["key"].get_string().get(key) || key.empty()) {
      out.errors.push_back(prefix + item_name(i, {}) + " has no 'key' (every event needs an idempotency key)");
      continue;
    }
    if (obj["kind"].get_string().get(kind) || !known_kind(kind)) {
      out.errors.push_back(prefix + item_name(i, key) + " has no known 'kind' (order, stock_level, stock_delta, product)");
      continue;
    }
    if (kind == "order") {
      simdjson::dom::object order;
      std::string_view id;
      std::int64_t num = 0;  // integer ids are common in shop APIs; accept them too
      bool has_id = !obj["order"].get_object().get(order) &&
                    (!order["id"].get_string().get(id) || !order["id"].get_int64().get(num));
      if (!has_id) {
        out.errors.push_back(prefix + item_name(i, key) + " is an order without 'order.id'");
        continue;
      }
    } else if (obj["sku"].get_string().get(sku) || sku.empty()) {
      out.errors.push_back(prefix + item_name(i, key) + " has no 'sku'");
      continue;
    }
    out.entries.push_back(store::JournalEntry{connection, std::string(key), std::string(kind),
                                              simdjson::minify(item), now});
  }
  return out;
}

}  // namespace stockrelay::hub
