// Errors that are part of normal life (a bad config key, an unknown SKU, a
// refused plugin) are values with context, not exceptions across layers.
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace stockrelay {

struct Error {
  std::string where;  // "file.yaml:12:5", "connection shop-a", "order 123", "SKU A-1"
  std::string what;   // what is wrong, in the operator's words
  std::string hint;   // what to do next (may be empty)

  std::string message() const {
    std::string m = where.empty() ? what : where + ": " + what;
    if (!hint.empty()) m += " (" + hint + ")";
    return m;
  }
};

using Errors = std::vector<Error>;

// Result<T>: a T or an Error. Small stand-in for std::expected (C++23).
template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT(implicit)
  Result(Error error) : v_(std::move(error)) {}      // NOLINT(implicit)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return std::get<0>(v_); }
  const T& operator*() const& { return std::get<0>(v_); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void>
struct Ok {};
using Status = Result<Ok>;

}  // namespace stockrelay
