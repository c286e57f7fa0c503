#include "loader/check.hpp"

#include <cstddef>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "loader/plugin.hpp"

namespace stockrelay::loader {
namespace {

// The size of a 1.0 table: up to and including its last 1.0 slot. When a
// minor appends slots this stays last_error: older plugins remain loadable.
constexpr std::size_t kTableSize_1_0 =
    offsetof(sr_connector_api, last_error) + sizeof(sr_connector_api::last_error);

constexpr Slot kRequired[] = {Slot::describe, Slot::create,  Slot::start,
                              Slot::stop,     Slot::destroy, Slot::last_error};

std::string version(long major, long minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

Error refuse(const std::string& where, std::string what, std::string hint = {}) {
  return Error{where, std::move(what), std::move(hint)};
}

Result<CheckedTable> read_describe(const sr_connector_api& api, const std::string& where) {
  sr_str raw{};
  try {
    raw = api.describe();
  } catch (...) {
    // abi.h rule 6 forbids this; a plugin without the SDK's guard may still do it.
    return refuse(where, "describe() threw a C++ exception across the C boundary");
  }
  if (raw.ptr == nullptr && raw.len != 0) return refuse(where, "describe() returned a NULL string with a length");
  CheckedTable out;
  out.describe_json.assign(raw.ptr ? raw.ptr : "", raw.len);
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(out.describe_json);
  } catch (const nlohmann::json::exception& e) {
    return refuse(where, std::string("describe() returned invalid JSON: ") + e.what());
  }
  try {
    out.description = sr::description_from_json(doc);
  } catch (const std::exception& e) {  // sr::payload_error, or a nlohmann type error
    return refuse(where, std::string("describe() is not a valid stockrelay.describe/1 document: ") + e.what(),
                  "see docs/sdk.md for the describe() fields");
  }
  return out;
}

bool declares(const sr::Description& d, std::string_view capability) {
  for (const auto& c : d.capabilities)
    if (c == capability) return true;
  return false;
}

std::optional<std::string> first_out_capability(const sr::Description& d) {
  for (const auto& c : d.capabilities)
    if (c.size() > 4 && std::string_view(c).substr(c.size() - 4) == ".out") return c;
  return std::nullopt;
}

// abi.h: poll <-> "poll", on_webhook <-> "webhooks", deliver <-> any "*.out".
std::optional<std::string> capability_mismatch(const sr_connector_api& api, const sr::Description& d) {
  struct Pair { Slot slot; const char* capability; };
  for (Pair p : {Pair{Slot::poll, "poll"}, Pair{Slot::on_webhook, "webhooks"}}) {
    bool has = slot_present(api, p.slot);
    bool declared = declares(d, p.capability);
    if (declared && !has)
      return std::string("capability '") + p.capability + "' is declared but slot '" + slot_name(p.slot) + "' is NULL";
    if (has && !declared)
      return std::string("slot '") + slot_name(p.slot) + "' is set but capability '" + p.capability + "' is not declared";
  }
  bool has_deliver = slot_present(api, Slot::deliver);
  auto out = first_out_capability(d);
  if (out && !has_deliver) return "capability '" + *out + "' is declared but slot 'deliver' is NULL";
  if (has_deliver && !out) return "slot 'deliver' is set but no '*.out' capability (stock.out, orders.out, ...) is declared";
  return std::nullopt;
}

}  // namespace

Result<CheckedTable> check_table(const sr_connector_api* api, const std::string& where) {
  if (api == nullptr) return refuse(where, "no connector table");

  const std::string theirs = version(api->abi_major, api->abi_minor);
  const std::string ours = version(SR_ABI_MAJOR, SR_ABI_MINOR);
  if (api->abi_major != SR_ABI_MAJOR)
    return refuse(where, "unknown ABI major: built for ABI " + theirs + "; this stockrelay provides " + ours,
                  "use a build of the connector for ABI major " + std::to_string(SR_ABI_MAJOR));
  if (api->abi_minor > SR_ABI_MINOR)
    return refuse(where, "connector needs a newer stockrelay: built for ABI " + theirs + "; this stockrelay provides " + ours,
                  "upgrade stockrelay, or use a build of the connector for ABI " + ours);
  if (api->struct_size < kTableSize_1_0)
    return refuse(where, "connector table too small: struct_size is " + std::to_string(api->struct_size) +
                             " bytes, ABI 1.0 needs at least " + std::to_string(kTableSize_1_0),
                  "rebuild the connector against stockrelay/abi.h");
  for (Slot s : kRequired)
    if (!slot_present(*api, s)) return refuse(where, std::string("required slot '") + slot_name(s) + "' is NULL");

  auto checked = read_describe(*api, where);
  if (!checked) return checked;
  const sr::Description& d = checked->description;

  if (d.abi_major != api->abi_major || d.abi_minor != api->abi_minor)
    return refuse(where, "describe() declares ABI " + version(d.abi_major, d.abi_minor) +
                             " but the connector table says " + theirs);
  if (auto mismatch = capability_mismatch(*api, d))
    return refuse(where, *mismatch, "describe() capabilities and the table's optional slots must agree");
  return checked;
}

}  // namespace stockrelay::loader
