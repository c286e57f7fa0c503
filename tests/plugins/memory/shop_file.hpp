// The shop file: its JSON format and the locked read-modify-write cycle.
// Internal to memory_shop; tests and the plugin use shop.hpp.
#pragma once

#include <functional>
#include <string>

#include "shop.hpp"

namespace memory_shop::file {

inline constexpr const char* kFormat = "stockrelay.memory-shop/1";

std::string to_text(const State& state);
// Missing fields take their defaults, so a test may write a partial file by
// hand; a field of the wrong type throws std::runtime_error naming `where`.
State from_text(const std::string& text, const std::string& where);

// A consistent snapshot. A missing or empty file is an empty shop.
State load(const std::string& path);

// Runs `change` on the current state while holding the exclusive lock on
// `<path>.lock`, and replaces the file atomically if it returns true.
void update(const std::string& path, const std::function<bool(State&)>& change);

}  // namespace memory_shop::file
