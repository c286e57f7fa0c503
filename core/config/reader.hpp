// Internal to sr_config: typed, error-collecting access to a YAML tree.
//
// Every reader records a problem as an Error located at the offending node and
// returns nullopt, so the loader keeps going and reports everything at once.
// Scalars pass through ${env:NAME} / ${file:PATH} substitution here, which is
// why no other part of the loader ever sees a raw secret reference.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "common/error.hpp"
#include "config/config.hpp"

namespace stockrelay::config::detail {

// A scalar after substitution.
struct Scalar {
  std::string value;
  // Safe to print in an error: "'abc'", or "the value of '${env:X}'" when a
  // secret went into it.
  std::string shown;
  bool substituted = false;
  std::vector<std::string> secrets;  // the substituted parts (non-empty ones)
  Location loc;
};

// One key of a mapping, kept with its nodes so later errors can point at
// either the key or the value.
struct Entry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

// The allowed keys of a mapping that were present (first occurrence each).
class MapView {
 public:
  explicit MapView(std::vector<Entry> entries, std::vector<std::string> suggested = {})
      : entries_(std::move(entries)), suggested_(std::move(suggested)) {}
  const Entry* get(std::string_view key) const;
  const std::vector<Entry>& entries() const { return entries_; }
  // True when an unknown key was already reported as a likely typo of `key`.
  bool suggested(std::string_view key) const;

 private:
  std::vector<Entry> entries_;
  std::vector<std::string> suggested_;
};

class Reader {
 public:
  Reader(std::string file, std::filesystem::path base_dir);

  Location loc(const YAML::Node& n) const;
  // The value's location, or its key's when the value is empty (yaml-cpp
  // marks an empty value at the start of the next line).
  Location loc(const Entry& e) const;

  void fail(const Location& at, std::string what, std::string hint = {});
  // The errors so far, in document order.
  Errors take_errors();

  // Every value substituted so far (not empty ones): the config's secrets.
  const std::vector<std::string>& secrets() const { return secrets_; }
  void add_secret(const std::string& value);

  // Resolves a path written in the config against the config file's folder.
  std::string resolve_path(const std::string& written) const;

  // Checks that `n` is a mapping whose keys are all in `allowed` (reports
  // unknown keys with a did-you-mean hint, and duplicates). `path` names the
  // mapping in messages ("server", "pools.main"). Null counts as empty.
  std::optional<MapView> map(const YAML::Node& n, const Location& at, std::string_view path,
                             const std::vector<std::string_view>& allowed);
  // Like map() for mappings whose keys are names chosen by the operator.
  std::optional<MapView> named_map(const YAML::Node& n, const Location& at, std::string_view path);

  // Reports a missing required key of `m` and returns nullptr. Stays quiet
  // when a typo of the key was already reported ("memebers" -> "members").
  const Entry* require(const MapView& m, std::string_view key, const Location& map_loc,
                       std::string_view path, std::string hint);

  std::optional<Scalar> scalar(const YAML::Node& n, const Location& at, std::string_view path);
  std::optional<Scalar> scalar(const Entry& e, std::string_view path) {
    return scalar(e.value, loc(e), path);
  }
  std::optional<std::string> string(const Entry& e, std::string_view path);
  std::optional<bool> boolean(const Entry& e, std::string_view path);
  std::optional<long long> integer(const Entry& e, std::string_view path, long long min,
                                   long long max);
  // A decimal quantity (sr::Quantity), >= 0.
  std::optional<sr::Quantity> quantity(const Entry& e, std::string_view path);
  // A list of scalars; a single scalar counts as a list of one when
  // `single_ok`. Empty lists are reported when `non_empty`.
  std::optional<std::vector<Scalar>> strings(const Entry& e, std::string_view path,
                                             bool single_ok, bool non_empty);

 private:
  // Replaces ${env:}/${file:} references in `raw`; records what it
  // substituted in `note`.
  std::optional<std::string> substitute(const std::string& raw, const Location& at,
                                        std::string_view path, Scalar& note);
  std::optional<std::string> read_secret_file(const std::string& written, const Location& at,
                                              std::string_view path);

  std::string file_;
  std::filesystem::path base_dir_;
  std::vector<std::pair<Location, Error>> errors_;
  std::vector<std::string> secrets_;
};

// "a list", "a map", "'text'", "nothing": what a node is, for type errors.
std::string describe(const YAML::Node& n);

// The closest candidate by edit distance, if it is close enough to be a
// plausible typo.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates);
// "did you mean 'x'?" when a candidate is close, else `known` (e.g. a list
// of the allowed values).
std::string suggest(std::string_view word, const std::vector<std::string>& candidates,
                    const std::string& known);
std::string join(const std::vector<std::string>& items, std::string_view sep = ", ");

}  // namespace stockrelay::config::detail
