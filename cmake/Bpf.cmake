# eBPF backend: finds clang (BPF target), bpftool and libbpf, generates vmlinux.h
# from the build machine's BTF and turns bpf/*.bpf.c into libbpf skeletons.
#
# KTEL_BPF=AUTO|ON|OFF. AUTO turns the backend off (with a message saying why)
# when a tool or the BTF file is missing; ON makes that a configure error.
# Sets for the rest of the tree:
#   KTEL_HAVE_BPF        ON when the backend is built (add_subdirectory and
#                        bench blocks test it; ktel_sys_bpf also carries the
#                        KTEL_HAVE_BPF=1 compile definition to its users)
#   KTEL_BPF_REASON      why it is off (empty when on), for `ktel doctor`
#   ktel_bpf_skeleton()  the rule that builds one skeleton

set(KTEL_BPF "AUTO" CACHE STRING "Build the eBPF backend: AUTO, ON or OFF")
set_property(CACHE KTEL_BPF PROPERTY STRINGS AUTO ON OFF)
set(KTEL_BPF_VMLINUX_BTF "/sys/kernel/btf/vmlinux" CACHE FILEPATH
    "BTF blob vmlinux.h is generated from (CO-RE: any recent kernel's BTF works)")
set(KTEL_BPF_MIN_CLANG 11)

set(KTEL_HAVE_BPF OFF)
set(KTEL_BPF_REASON "")

function(_ktel_bpf_probe out_reason)
  find_program(KTEL_BPF_CLANG NAMES clang clang-18 clang-17 clang-16 clang-15 clang-14
               DOC "clang used to compile *.bpf.c for -target bpf")
  if(NOT KTEL_BPF_CLANG)
    set(${out_reason} "clang not found (apt-get install clang llvm)" PARENT_SCOPE)
    return()
  endif()
  execute_process(COMMAND ${KTEL_BPF_CLANG} --version OUTPUT_VARIABLE version_text
                  RESULT_VARIABLE rc ERROR_QUIET)
  string(REGEX MATCH "clang version ([0-9]+)" _ "${version_text}")
  if(NOT rc EQUAL 0 OR NOT CMAKE_MATCH_1 OR CMAKE_MATCH_1 LESS KTEL_BPF_MIN_CLANG)
    set(${out_reason} "${KTEL_BPF_CLANG} is not clang >= ${KTEL_BPF_MIN_CLANG} (CO-RE needs it)"
        PARENT_SCOPE)
    return()
  endif()
  find_program(KTEL_BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin /usr/local/sbin
               DOC "bpftool used for vmlinux.h and skeletons")
  if(NOT KTEL_BPFTOOL)
    set(${out_reason} "bpftool not found (apt-get install bpftool)" PARENT_SCOPE)
    return()
  endif()
  find_program(KTEL_BPF_STRIP NAMES llvm-strip llvm-strip-18 llvm-strip-17 llvm-strip-16
               llvm-strip-15 llvm-strip-14 DOC "strips DWARF (keeps BTF) from BPF objects")
  if(NOT KTEL_BPF_STRIP)
    set(${out_reason} "llvm-strip not found (apt-get install llvm)" PARENT_SCOPE)
    return()
  endif()
  pkg_check_modules(LIBBPF QUIET IMPORTED_TARGET GLOBAL libbpf>=0.7)
  if(NOT LIBBPF_FOUND)
    set(${out_reason} "libbpf >= 0.7 not found by pkg-config (apt-get install libbpf-dev libelf-dev zlib1g-dev)"
        PARENT_SCOPE)
    return()
  endif()
  if(NOT EXISTS "${KTEL_BPF_VMLINUX_BTF}")
    set(${out_reason} "no kernel BTF at ${KTEL_BPF_VMLINUX_BTF} (kernel needs CONFIG_DEBUG_INFO_BTF=y, or set -DKTEL_BPF_VMLINUX_BTF=<file>)"
        PARENT_SCOPE)
    return()
  endif()
  set(${out_reason} "" PARENT_SCOPE)
endfunction()

if(KTEL_BPF STREQUAL "OFF")
  set(KTEL_BPF_REASON "disabled at configure time (-DKTEL_BPF=OFF)")
else()
  _ktel_bpf_probe(KTEL_BPF_REASON)
  if(KTEL_BPF_REASON STREQUAL "")
    set(KTEL_HAVE_BPF ON)
  elseif(KTEL_BPF STREQUAL "ON")
    message(FATAL_ERROR "KTEL_BPF=ON but the eBPF backend cannot be built: ${KTEL_BPF_REASON}")
  endif()
endif()

if(KTEL_HAVE_BPF)
  message(STATUS "ktel eBPF backend: on (clang ${KTEL_BPF_CLANG}, bpftool ${KTEL_BPFTOOL}, "
                 "libbpf ${LIBBPF_VERSION}, BTF ${KTEL_BPF_VMLINUX_BTF})")
else()
  message(STATUS "ktel eBPF backend: off — ${KTEL_BPF_REASON}")
endif()

# Outside generated/ so the include can be SYSTEM: bpftool-generated C trips
# our C++ warnings (old-style casts) and is not ours to fix.
set(KTEL_BPF_GEN_ROOT ${CMAKE_BINARY_DIR}/bpf_generated)
set(KTEL_BPF_GEN_DIR ${KTEL_BPF_GEN_ROOT}/ktel_bpf)

if(KTEL_HAVE_BPF)
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
    set(KTEL_BPF_ARCH x86)
  elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64")
    set(KTEL_BPF_ARCH arm64)
  else()
    set(KTEL_BPF_ARCH ${CMAKE_SYSTEM_PROCESSOR})
  endif()

  # vmlinux.h is regenerated when the BTF file changes (a new kernel).
  add_custom_command(
    OUTPUT ${KTEL_BPF_GEN_DIR}/vmlinux.h
    COMMAND ${CMAKE_COMMAND} -E make_directory ${KTEL_BPF_GEN_DIR}
    COMMAND sh -c "\"$0\" btf dump file \"$1\" format c > \"$2\""
            ${KTEL_BPFTOOL} ${KTEL_BPF_VMLINUX_BTF} ${KTEL_BPF_GEN_DIR}/vmlinux.h.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${KTEL_BPF_GEN_DIR}/vmlinux.h.tmp
            ${KTEL_BPF_GEN_DIR}/vmlinux.h
    DEPENDS ${KTEL_BPF_VMLINUX_BTF}
    COMMENT "Generating vmlinux.h from ${KTEL_BPF_VMLINUX_BTF}"
    VERBATIM)
  add_custom_target(ktel_bpf_vmlinux_h DEPENDS ${KTEL_BPF_GEN_DIR}/vmlinux.h)
endif()

# ktel_bpf_skeleton(NAME SOURCE file.bpf.c [DEPENDS headers...])
# Compiles SOURCE with clang -target bpf (CO-RE, BTF kept, DWARF stripped) and
# generates ${KTEL_BPF_GEN_DIR}/NAME.skel.h. Creates INTERFACE target
# ktel_bpf_NAME_skel: link it to get the include path and the build order;
# the code then includes "ktel_bpf/NAME.skel.h". BPF sources may include
# headers under src/ (record layouts shared with user space).
function(ktel_bpf_skeleton name)
  cmake_parse_arguments(ARG "" "SOURCE" "DEPENDS" ${ARGN})
  get_filename_component(src ${ARG_SOURCE} ABSOLUTE)
  set(obj ${KTEL_BPF_GEN_DIR}/${name}.bpf.o)
  set(skel ${KTEL_BPF_GEN_DIR}/${name}.skel.h)
  set(libbpf_includes "")
  foreach(dir ${LIBBPF_INCLUDE_DIRS})
    list(APPEND libbpf_includes -I${dir})
  endforeach()
  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${KTEL_BPF_CLANG} -g -O2 -target bpf -mcpu=v3
            -D__TARGET_ARCH_${KTEL_BPF_ARCH} -Wall -Werror
            -I${KTEL_BPF_GEN_DIR} -I${PROJECT_SOURCE_DIR}/src ${libbpf_includes}
            -MD -MF ${obj}.d -MT ${obj} -c ${src} -o ${obj}.tmp
    COMMAND ${KTEL_BPF_STRIP} -g ${obj}.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${obj}.tmp ${obj}
    DEPENDS ${src} ${ARG_DEPENDS} ${KTEL_BPF_GEN_DIR}/vmlinux.h
    DEPFILE ${obj}.d
    COMMENT "BPF ${name}: compiling ${ARG_SOURCE}"
    VERBATIM)
  add_custom_command(
    OUTPUT ${skel}
    COMMAND sh -c "\"$0\" gen skeleton \"$1\" name \"$2\" > \"$3\""
            ${KTEL_BPFTOOL} ${obj} ${name}_bpf ${skel}.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${skel}.tmp ${skel}
    DEPENDS ${obj}
    COMMENT "BPF ${name}: generating skeleton"
    VERBATIM)
  add_custom_target(ktel_bpf_${name}_gen DEPENDS ${skel})
  add_library(ktel_bpf_${name}_skel INTERFACE)
  add_dependencies(ktel_bpf_${name}_skel ktel_bpf_${name}_gen)
  target_include_directories(ktel_bpf_${name}_skel SYSTEM INTERFACE ${KTEL_BPF_GEN_ROOT})
endfunction()
