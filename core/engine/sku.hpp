// SKU matching. SKUs match byte for byte: no case folding, no trimming, no
// Unicode normalisation. Look-alikes are reported elsewhere, never merged.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace stockrelay::engine {

// Glob match: '*' any run of bytes (also empty), '?' exactly one byte,
// everything else literal. Byte-wise, so "A-1" never matches "A–1" (en dash).
bool glob_match(std::string_view pattern, std::string_view text);

// Does the pool sync this SKU? (in `skus` — empty means all — and not in `exclude_skus`)
bool pool_covers(const config::PoolConfig& pool, std::string_view sku);

// The pool that `connection` is a member of for `sku`, or nullptr.
const config::PoolConfig* pool_for(const config::Config& cfg, std::string_view connection, std::string_view sku);

}  // namespace stockrelay::engine
