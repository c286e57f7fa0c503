# find_package(stockrelay-sdk) for connectors built outside the stockrelay
# tree. Provides:
#   stockrelay::sdk              the SDK headers (header-only, INTERFACE)
#   stockrelay_add_connector()   builds lib<name>.so as stockrelay loads it
# The package version is the ABI version it provides: a connector built
# against 1.x loads in every stockrelay that provides 1.x or newer.
include(CMakeFindDependencyMacro)
find_dependency(nlohmann_json 3.10)

include("${CMAKE_CURRENT_LIST_DIR}/stockrelay-sdkTargets.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/StockrelayConnector.cmake")
