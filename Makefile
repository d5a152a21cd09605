# The README's two commands. Each installs what is missing (Debian packages), configures and builds.
#   make demo   build cloison alone, bring the lab up and audit it; say where the report is
#   make test   check formatting, build, run the unit tests and the lab's code paths under
#               ASan+UBSan (leaks included), every fuzzer for a bounded time, then the whole
#               suite (ctest), every lab scenario included
#   make fuzz   build the libFuzzer harnesses (tests/fuzz) and run each for FUZZ_SECONDS
#   make package  build cloison and its Debian package, $(BUILD)/package/cloison_VERSION_ARCH.deb
# Both run their steps with a PATH that holds only the commands packaging/commands lists (links made
# by packaging/preflight), so a command the list lacks fails here, not on someone else's machine.
BUILD ?= build
SANITIZE_BUILD ?= build-sanitize
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 300
FUZZ_CHECK_SECONDS ?= 25
JOBS ?= 2
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLOISON_WARNINGS_AS_ERRORS=ON
DEMO_OUT ?= $(CURDIR)/out/demo
LAB := tests/lab/lab
LISTED_PATH := $(CURDIR)/$(BUILD)/listed-commands
LISTED := env PATH=$(LISTED_PATH)
TEST_GROUPS := build test lab browser fuzz package
DEMO_GROUPS := build lab
PACKAGE_GROUPS := build package

.PHONY: all deps demo-deps package-deps package build build-sanitize build-fuzz fuzz test demo format format-check clean

all: build

deps:
	packaging/install-deps --path-dir $(LISTED_PATH) $(TEST_GROUPS)

demo-deps:
	packaging/install-deps --path-dir $(LISTED_PATH) $(DEMO_GROUPS)

package-deps:
	packaging/install-deps --path-dir $(LISTED_PATH) $(PACKAGE_GROUPS)

build: deps
	$(LISTED) cmake -S . -B $(BUILD) $(CMAKE_FLAGS)
	$(LISTED) cmake --build $(BUILD) -j$(JOBS)

# The same sources with AddressSanitizer and UndefinedBehaviorSanitizer.
build-sanitize: deps
	$(LISTED) cmake -S . -B $(SANITIZE_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCLOISON_SANITIZE=ON -DCLOISON_WARNINGS_AS_ERRORS=ON
	$(LISTED) cmake --build $(SANITIZE_BUILD) -j$(JOBS)

# The parsers' libraries and their libFuzzer harnesses (tests/fuzz), built by clang with libFuzzer,
# ASan and UBSan. $(call run-fuzzers,SECONDS) runs every harness (ctest label fuzz) for SECONDS,
# its regression inputs first; the corpus grows in $(FUZZ_BUILD)/corpus/<harness>.
build-fuzz: deps
	$(LISTED) cmake -S . -B $(FUZZ_BUILD) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCLOISON_FUZZ=ON -DCLOISON_BUILD_TESTS=OFF -DCLOISON_WARNINGS_AS_ERRORS=ON
	$(LISTED) cmake --build $(FUZZ_BUILD) -j$(JOBS) --target cloison_fuzzers

run-fuzzers = cd $(FUZZ_BUILD) && $(call ctest-in,FUZZ_SECONDS=$(1),-L fuzz \
	--timeout $$(( $(1) * 2 + 600 )))

fuzz: build-fuzz
	$(call run-fuzzers,$(FUZZ_SECONDS))

SOURCES = $$(git ls-files '*.cpp' '*.h' '*.c')

format-check: deps
	@$(LISTED) clang-format --dry-run --Werror $(SOURCES) && echo "format-check: $$(git ls-files '*.cpp' '*.h' '*.c' | wc -l) files clean"

format:
	clang-format -i $(SOURCES)

# $(call ctest-in,ENV,ARGS): ctest in the current build folder; when a test fails, the output of
# each failed one is printed again at the very end (tests/failed-output.py), where a CI log's tail
# shows it.
ctest-in = $(LISTED) $(1) ctest --output-on-failure -j$(JOBS) --output-junit ctest-junit.xml $(2) || \
	{ $(LISTED) python3 $(CURDIR)/tests/failed-output.py ctest-junit.xml; exit 1; }

# LeakSanitizer is part of ASan: a process that leaks, or trips ASan or UBSan, exits 23 (no exit
# code of cloison) and fails its test.
SANITIZER_ENV := ASAN_OPTIONS=detect_leaks=1:exitcode=23 UBSAN_OPTIONS=print_stacktrace=1:exitcode=23

# Under the sanitizers, each lab test runs its code paths (CLOISON_LAB_SCOPE=paths: the compliant
# lab and the error paths, tests/lab/labcheck.py); the release run adds every scenario, which feeds
# the same code other data, and the lab's self-test, which runs standard tools, never cloison.
test: format-check build build-sanitize build-fuzz
	cd $(SANITIZE_BUILD) && $(call ctest-in,$(SANITIZER_ENV) CLOISON_LAB_SCOPE=paths,-L 'unit|lab' -E '^lab\.(selftest|deadman)$$')
	$(call run-fuzzers,$(FUZZ_CHECK_SECONDS))
	cd $(BUILD) && $(call ctest-in,,)

# The .deb of what $(BUILD) holds (packaging/CMakeLists.txt says what goes in); installing it is
# tested by the ctest packaging.deb (make test).
package: package-deps
	$(LISTED) cmake -S . -B $(BUILD) $(CMAKE_FLAGS)
	$(LISTED) cmake --build $(BUILD) -j$(JOBS) --target cloison cloison_compressed_docs
	cd $(BUILD) && $(LISTED) cpack -G DEB -B package
	@echo "package: $$(ls $(BUILD)/package/cloison_*.deb)"

# Only what the demo runs: cloison itself, not the tests.
demo: demo-deps
	$(LISTED) cmake -S . -B $(BUILD) $(CMAKE_FLAGS)
	$(LISTED) cmake --build $(BUILD) -j$(JOBS) --target cloison
	CLOISON_BINARY=$(abspath $(BUILD))/agent/cloison $(LISTED) $(LAB) up
	@mkdir -p $(DEMO_OUT)
	@set +e; $(LISTED) $(LAB) exec admin -- $(BUILD)/agent/cloison audit --config tests/lab/inventory.yaml --out $(DEMO_OUT) \
	  --vantage lab-prod --bundle $(DEMO_OUT)/evidence.tar.gz; rc=$$?; \
	echo "report: $(DEMO_OUT)/report.html (and report.json, report.xml, evidence.tar.gz; exit code $$rc: 0 met, 1 not met, 4 incomplete, 2 configuration error, 3 audit could not run)"; \
	echo "the lab stays up to be explored: $(LAB) status; stop it with: $(LAB) down"; \
	test $$rc -le 1 -o $$rc -eq 4

clean:
	rm -rf $(BUILD) $(SANITIZE_BUILD) $(FUZZ_BUILD) out
