# stockrelay_add_connector(<name> SOURCES <src>... [ABI_HEADERS <dir>])
#
# Builds the connector plugin lib<name>.so exactly as stockrelay loads it.
# In-tree plugins and third-party connectors (find_package(stockrelay-sdk))
# call this same function, so an in-tree plugin can never rely on anything a
# third party could not have.
#
#   ABI_HEADERS <dir>  compile against a frozen copy of the ABI headers
#                      (sdk/abi-history/<version>) instead of the current ones;
#                      used to prove that plugins built for older minors load.
#
# The result may use only the SDK: configuring fails if the target can see
# the host's core/ (DESIGN.md, "The plugin boundary").

# 3.19: cmake_language(DEFER); 3.17: CMAKE_CURRENT_FUNCTION_LIST_DIR.
if(CMAKE_VERSION VERSION_LESS 3.19)
  message(FATAL_ERROR "stockrelay_add_connector() needs CMake 3.19 or newer (found ${CMAKE_VERSION})")
endif()

function(stockrelay_add_connector name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "ABI_HEADERS" "SOURCES")
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "stockrelay_add_connector(${name}): SOURCES is required")
  endif()
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "stockrelay_add_connector(${name}): unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  # Without the file the compiler would silently fall back to the current
  # header, and the build would prove nothing about the old version.
  if(ARG_ABI_HEADERS AND NOT EXISTS "${ARG_ABI_HEADERS}/stockrelay/abi.h")
    message(FATAL_ERROR "stockrelay_add_connector(${name}): ABI_HEADERS ${ARG_ABI_HEADERS} has no stockrelay/abi.h")
  endif()

  # MODULE: loaded with dlopen, never linked against.
  add_library(${name} MODULE ${ARG_SOURCES})
  if(ARG_ABI_HEADERS)
    # BEFORE, so <stockrelay/abi.h> resolves to the frozen copy rather than to
    # the SDK's current header that stockrelay::sdk brings in.
    target_include_directories(${name} BEFORE PRIVATE ${ARG_ABI_HEADERS})
  endif()
  target_link_libraries(${name} PRIVATE stockrelay::sdk)

  set(map "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/stockrelay-connector.map")
  set_target_properties(${name} PROPERTIES
    PREFIX "lib"
    SUFFIX ".so"
    # -fvisibility=hidden -fvisibility-inlines-hidden: nothing but the entry
    # symbol is meant to be reachable from outside.
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LINK_DEPENDS "${map}")
  target_link_options(${name} PRIVATE
    # Export only stockrelay_connector_v*; everything else is local.
    "LINKER:--version-script=${map}"
    # An unresolved symbol fails the build here, not the operator's dlopen.
    "LINKER:--no-undefined"
    # Only C types cross the boundary (abi.h), so the plugin may carry its own
    # C++ runtime: it then loads on hosts with an older libstdc++ than the
    # one it was built with, and its runtime's symbols stay private (version
    # script above). This would be unsafe if any C++ object, exception or
    # allocation crossed the boundary; abi.h forbids exactly that.
    -static-libstdc++ -static-libgcc)

  _stockrelay_check_no_core(${name})
  # Links and include directories can still be added after this call; check
  # again once the whole project is configured. Arguments of a deferred call
  # are evaluated when it runs, hence EVAL to bind the target name now.
  cmake_language(EVAL CODE
    "cmake_language(DEFER DIRECTORY [[${CMAKE_SOURCE_DIR}]] CALL _stockrelay_check_no_core [[${name}]])")
endfunction()

# True if `text` (a path, possibly inside a generator expression) names `dir`
# or something below it.
function(_stockrelay_mentions_dir text dir out)
  string(REGEX REPLACE "[>;]" "/" t "${text}")
  string(FIND "${t}/" "${dir}/" pos)
  if(pos EQUAL -1)
    set(${out} FALSE PARENT_SCOPE)
  else()
    set(${out} TRUE PARENT_SCOPE)
  endif()
endfunction()

# Fails configuration if connector `target` can see the host's core/: through
# its own include directories, or through any target it links (directly or
# transitively) that lives in core/ or exports core/ as an include directory.
# Out of tree there is no core/ (STOCKRELAY_CORE_DIR unset) and nothing to check.
function(_stockrelay_check_no_core target)
  get_property(core GLOBAL PROPERTY STOCKRELAY_CORE_DIR)
  if(NOT core)
    return()
  endif()
  set(why "")
  get_target_property(dirs ${target} INCLUDE_DIRECTORIES)
  foreach(d IN LISTS dirs)
    _stockrelay_mentions_dir("${d}" "${core}" hit)
    if(hit)
      set(why "its include directories contain ${d}")
      break()
    endif()
  endforeach()

  get_target_property(pending ${target} LINK_LIBRARIES)
  set(seen "")
  while(pending AND NOT why)
    list(POP_FRONT pending item)
    # $<LINK_ONLY:x> and similar wrappers still link x.
    string(REGEX REPLACE "^\\$<[A-Z_]+:(.*)>$" "\\1" item "${item}")
    if(NOT TARGET "${item}" OR item IN_LIST seen)
      continue()
    endif()
    list(APPEND seen "${item}")
    get_target_property(real "${item}" ALIASED_TARGET)
    if(NOT real)
      set(real "${item}")
    endif()
    get_target_property(src "${real}" SOURCE_DIR)
    _stockrelay_mentions_dir("${src}" "${core}" hit)
    if(hit)
      set(why "it links ${item}, a target of the host's core")
      break()
    endif()
    get_target_property(idirs "${real}" INTERFACE_INCLUDE_DIRECTORIES)
    foreach(d IN LISTS idirs)
      _stockrelay_mentions_dir("${d}" "${core}" hit)
      if(hit)
        set(why "it links ${item}, which exports the include directory ${d}")
        break()
      endif()
    endforeach()
    get_target_property(more "${real}" INTERFACE_LINK_LIBRARIES)
    if(more)
      list(APPEND pending ${more})
    endif()
  endwhile()

  if(why)
    message(FATAL_ERROR
      "connector plugin '${target}' can see the host's core/: ${why}.\n"
      "A plugin may use only the SDK (stockrelay::sdk, sdk/include), never ${core}; "
      "anything it needs from the host must become an SDK host service.")
  endif()
endfunction()
