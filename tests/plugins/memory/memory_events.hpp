// What the memory shop's records look like as stockrelay events. Pure: a
// shop snapshot in, events out, so the keys and fields are the same whether
// a poll or a webhook observed the record (and the journal drops the repeat).
#pragma once

#include <cstdint>
#include <string>

#include <stockrelay/payload.hpp>

#include "shop.hpp"

namespace memory_shop {

// The revision as a zero-padded 12-digit string, so that the lexicographic
// order the hub uses for versions is the numeric order.
std::string version_of(std::int64_t revision);

// key "order:<id>:<revision>"; stock mirrors the shop's none/held/released.
sr::Event order_event(const Order& order, const State& shop);

// key "level:<sku>:<revision>", version = version_of(revision).
sr::Event level_event(const Product& product);

// key "product:<sku>:<revision>": the catalogue entry (reconcile only).
sr::Event product_event(const Product& product);

}  // namespace memory_shop
