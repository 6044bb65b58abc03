# Helpers that declare ktel libraries, tests, benchmarks and fuzz-corpus replays
# the same way everywhere.

set(KTEL_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
    -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wformat=2 -Wimplicit-fallthrough)

function(ktel_apply_warnings target)
  target_compile_options(${target} PRIVATE ${KTEL_WARNINGS})
  if(KTEL_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# ktel_library(NAME SOURCES ... [DEPS ...] [PRIVATE_DEPS ...])
# Creates static library ktel_<NAME>; include root is src/, so code includes
# "base/status.h", "sources/proc/proc_source.h", ...
function(ktel_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(ktel_${name} STATIC ${ARG_SOURCES})
  target_include_directories(ktel_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src
                                                 ${PROJECT_SOURCE_DIR}/include
                                                 ${CMAKE_BINARY_DIR}/generated)
  target_link_libraries(ktel_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  ktel_apply_warnings(ktel_${name})
endfunction()

# ktel_test(NAME SOURCES ... [DEPS ...] [LABELS ...])
# A GoogleTest binary registered with CTest. Tests run with the source tree
# available as KTEL_SOURCE_DIR and the ktel binary as KTEL_BIN.
function(ktel_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT KTEL_BUILD_TESTS)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
      KTEL_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  ktel_apply_warnings(${name})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES
      TIMEOUT ${ARG_TIMEOUT}
      LABELS "${ARG_LABELS}"
      ENVIRONMENT "KTEL_SOURCE_DIR=${PROJECT_SOURCE_DIR};KTEL_BIN=$<TARGET_FILE:ktel>")
endfunction()

# ktel_benchmark(NAME SOURCES ... [DEPS ...]) — Google Benchmark binary, never a CTest test.
function(ktel_benchmark name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  if(NOT KTEL_BUILD_BENCH)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} benchmark::benchmark)
  ktel_apply_warnings(${name})
endfunction()
