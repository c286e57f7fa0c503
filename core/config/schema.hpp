// Checks a connection's settings against the JSON Schema its plugin publishes
// in describe(), before the plugin ever sees them.
//
// The supported subset (what connectors need): type (a name or a list of
// names), properties, required, additionalProperties (bool or schema), enum,
// const, minimum, maximum, exclusiveMinimum, exclusiveMaximum (numbers),
// minLength, maxLength, pattern (ECMAScript, unanchored), format "uri", items
// (one schema for every element), minItems, maxItems, default, and the
// extension "x-secret": true. Other keywords (description, $schema, title...)
// are ignored.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "config/config.hpp"

namespace stockrelay::config {

// Validates conn.settings against `schema`: fills missing properties that
// have a "default", appends the values of "x-secret" fields to conn.secrets,
// and returns every problem, located at the offending YAML node (from
// conn.setting_locations, else the connection). Values of secret fields and
// of substituted secrets never appear in the messages. A malformed schema
// (see check_schema) yields one error blaming the plugin.
Errors validate_settings(ConnectionConfig& conn, const nlohmann::json& schema,
                         std::string_view plugin_id);

// Why `schema` is not a usable schema in the subset above (not an object,
// unknown type name, properties not an object, a pattern that does not
// compile...), or nullopt when it is. The plugin loader refuses a plugin
// whose schema fails this.
std::optional<std::string> check_schema(const nlohmann::json& schema);

}  // namespace stockrelay::config
