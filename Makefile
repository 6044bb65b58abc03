# Two entry points that work on a fresh Debian 12 machine:
#   make demo   install what is missing, build, record the built-in demo, show it
#   make test   install what is missing, build, run every test through CTest
.PHONY: all setup build demo test bench clean check-clang test-asan test-nobpf

JOBS ?= $(shell nproc)

all: build

setup:
	./scripts/setup.sh

build: setup
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

demo: build
	./scripts/demo.sh build/release/src/cli/ktel

test: setup
	cmake --preset dev
	cmake --build --preset dev -j $(JOBS)
	ctest --preset dev -j $(JOBS)

bench: build
	./bench/run_all.sh build/release

clean:
	rm -rf build

# Extra CI gates: clang 14 must compile everything; ASan+UBSan runs the suite;
# without the eBPF backend the exec source's fallback still builds and records.
check-clang: setup
	cmake --preset clang
	cmake --build --preset clang -j $(JOBS)

test-asan: setup
	cmake --preset asan
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS)

test-nobpf: setup
	cmake --preset nobpf
	cmake --build --preset nobpf -j $(JOBS)
	ctest --preset nobpf -j $(JOBS)
