# cmake -P script: installs the SDK from stockrelay's build tree into a fresh
# prefix, builds tests/abi/out_of_tree/ against it with find_package(), and
# checks the library the way the loader sees it: the only exported function
# is stockrelay_connector_v1, and it does not need the shared libstdc++.
#   -DBUILD_DIR=<stockrelay build>  -DSOURCE_DIR=<connector project>
#   -DWORK_DIR=<scratch, wiped>     -DGENERATOR=<generator>  -DCXX=<compiler>
foreach(v BUILD_DIR SOURCE_DIR WORK_DIR GENERATOR CXX)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "out_of_tree.cmake: -D${v}=... is required")
  endif()
endforeach()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    list(JOIN ARGN " " cmd)
    message(FATAL_ERROR "failed (${rc}): ${cmd}\n${out}\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} --component sdk)
run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/build -G ${GENERATOR}
    -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${prefix})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)

set(lib ${WORK_DIR}/build/libacme.so)
run(nm -D --defined-only ${lib})
string(REPLACE "\n" ";" lines "${out}")
set(functions "")
foreach(line IN LISTS lines)
  # "<address> <type> <name>"; T, W and i are functions (text, weak, ifunc).
  if(line MATCHES "^[0-9a-fA-F]+ [TtWwi] (.+)$")
    list(APPEND functions "${CMAKE_MATCH_1}")
  endif()
endforeach()
if(NOT functions STREQUAL "stockrelay_connector_v1")
  message(FATAL_ERROR "${lib} must export exactly one function, stockrelay_connector_v1; it exports: ${functions}\n"
                      "nm -D --defined-only:\n${out}")
endif()

run(readelf -d ${lib})
if(out MATCHES "NEEDED[^\n]*libstdc\\+\\+")
  message(FATAL_ERROR "${lib} needs the shared libstdc++; stockrelay_add_connector() links it statically:\n${out}")
endif()
message(STATUS "${lib}: exports only stockrelay_connector_v1, no shared libstdc++")
