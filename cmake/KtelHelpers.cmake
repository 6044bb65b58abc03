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

# KTEL_FUZZ (clang only) instruments the whole build for libFuzzer
# (-fsanitize=fuzzer-no-link plus ASan and UBSan, UBSan fatal) so the library
# code under test reports coverage and memory errors; ktel_fuzzer() then also
# builds a <name>_fuzzer libFuzzer binary. Use its own build dir: every
# object, tests included, carries the sanitizers.
option(KTEL_FUZZ "Build libFuzzer targets (clang only; instruments the whole build)" OFF)
if(KTEL_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "KTEL_FUZZ=ON needs clang (libFuzzer): configure with "
                        "-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined
                      -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

# ktel_fuzzer(NAME SOURCES ... [DEPS ...] CORPUS dir ...)
# SOURCES define LLVMFuzzerTestOneInput. Always builds <NAME>_fuzz_replay
# (SOURCES + fuzz/replay_main.cc, project warnings) and registers it with CTest
# as <NAME>_fuzz_replay (label fuzz): it runs every CORPUS file plus a bounded,
# deterministic set of mutations of each, so every compiler and CI run the
# targets. With KTEL_FUZZ=ON also builds the libFuzzer binary <NAME>_fuzzer.
function(ktel_fuzzer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;CORPUS" ${ARGN})
  if(NOT ARG_CORPUS)
    message(FATAL_ERROR "ktel_fuzzer(${name}): CORPUS is required")
  endif()
  set(corpus_dirs "")
  foreach(dir IN LISTS ARG_CORPUS)
    cmake_path(ABSOLUTE_PATH dir BASE_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
    list(APPEND corpus_dirs ${dir})
  endforeach()
  if(KTEL_BUILD_TESTS)
    add_executable(${name}_fuzz_replay ${ARG_SOURCES} ${PROJECT_SOURCE_DIR}/fuzz/replay_main.cc)
    target_include_directories(${name}_fuzz_replay PRIVATE ${PROJECT_SOURCE_DIR})
    target_link_libraries(${name}_fuzz_replay PRIVATE ${ARG_DEPS})
    ktel_apply_warnings(${name}_fuzz_replay)
    add_test(NAME ${name}_fuzz_replay COMMAND ${name}_fuzz_replay ${corpus_dirs})
    set_tests_properties(${name}_fuzz_replay PROPERTIES TIMEOUT 300 LABELS fuzz)
  endif()
  if(KTEL_FUZZ)
    add_executable(${name}_fuzzer ${ARG_SOURCES})
    target_include_directories(${name}_fuzzer PRIVATE ${PROJECT_SOURCE_DIR})
    target_link_libraries(${name}_fuzzer PRIVATE ${ARG_DEPS})
    target_compile_options(${name}_fuzzer PRIVATE -fsanitize=fuzzer)
    target_link_options(${name}_fuzzer PRIVATE -fsanitize=fuzzer)
    ktel_apply_warnings(${name}_fuzzer)
  endif()
endfunction()
