#include "loader/plugin.hpp"

#include <cstddef>

namespace stockrelay::loader {

const char* slot_name(Slot slot) {
  switch (slot) {
    case Slot::describe: return "describe";
    case Slot::create: return "create";
    case Slot::start: return "start";
    case Slot::poll: return "poll";
    case Slot::on_webhook: return "on_webhook";
    case Slot::deliver: return "deliver";
    case Slot::stop: return "stop";
    case Slot::destroy: return "destroy";
    case Slot::last_error: return "last_error";
  }
  return "?";
}

bool slot_present(const sr_connector_api& api, Slot slot) {
  // The bounds test must come first: reading a slot past struct_size would
  // read beyond the plugin's table.
#define SR_SLOT_PRESENT(name)                                                      \
  case Slot::name:                                                                 \
    return api.struct_size >= offsetof(sr_connector_api, name) + sizeof(api.name) && \
           api.name != nullptr;
  switch (slot) {
    SR_SLOT_PRESENT(describe)
    SR_SLOT_PRESENT(create)
    SR_SLOT_PRESENT(start)
    SR_SLOT_PRESENT(poll)
    SR_SLOT_PRESENT(on_webhook)
    SR_SLOT_PRESENT(deliver)
    SR_SLOT_PRESENT(stop)
    SR_SLOT_PRESENT(destroy)
    SR_SLOT_PRESENT(last_error)
  }
#undef SR_SLOT_PRESENT
  return false;
}

std::string Plugin::abi() const {
  return std::to_string(api->abi_major) + "." + std::to_string(api->abi_minor);
}

}  // namespace stockrelay::loader
