# Beacon: a thin wrapper over CMake. `make demo` and `make test` are all a
# fresh Debian 12 machine needs (they install what is missing first).
BUILD ?= build
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 60

.PHONY: all setup configure build debug sanitize-test demo test unit integration bench fuzz format format-check clean

all: build

setup:
	@bash scripts/setup.sh

configure:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

build: setup configure
	cmake --build $(BUILD) -j$(JOBS)

# ASan + UBSan build of everything, tests included.
debug: setup
	cmake -S . -B build-debug -DCMAKE_BUILD_TYPE=Debug -DBEACON_SANITIZE=ON -DBEACON_BENCH=OFF
	cmake --build build-debug -j$(JOBS)

# The integration tests (the real binary, the demo included) under ASan + UBSan;
# undefined behaviour aborts the process (so the test fails). Leak checking
# is off: servers end by signal.
sanitize-test: debug
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=0 \
	  ctest --test-dir build-debug --output-on-failure --timeout 900 -j2 -L integration

# Road ETAs from the shared San Francisco extract when it is there.
DEMO_OSM ?= $(wildcard ../shared/data/osm/sf_mission_bayview_2014.osm.pbf)

demo: build
	$(BUILD)/beacon demo $(if $(DEMO_OSM),--osm $(DEMO_OSM))

test: build format-check
	ctest --test-dir $(BUILD) --output-on-failure --timeout 600 -j2

unit: build
	ctest --test-dir $(BUILD) --output-on-failure -L unit

integration: build
	ctest --test-dir $(BUILD) --output-on-failure -L integration

bench: build
	bash bench/run.sh $(BUILD)

# libFuzzer targets built with clang-14; each runs FUZZ_SECONDS.
fuzz: setup
	CXX=clang++-14 cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBEACON_FUZZ=ON \
	  -DBEACON_BENCH=OFF
	cmake --build build-fuzz -j$(JOBS) --target fuzz_targets
	bash tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf $(BUILD) build-debug build-fuzz
