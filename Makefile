# The README's two commands. Each installs what is missing (Debian packages), configures and builds.
#   make demo   audit the embedded default and say where the report is
#   make test   build and run the whole test suite (ctest)
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLOISON_WARNINGS_AS_ERRORS=ON
DEMO_OUT ?= $(CURDIR)/out/demo

.PHONY: all deps build test demo format format-check clean

all: build

deps:
	packaging/install-deps all

build: deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j$(JOBS)

format-check:
	@files=$$(git ls-files '*.cpp' '*.h' 2>/dev/null || find agent probes tests bench -name '*.cpp' -o -name '*.h'); \
	clang-format --dry-run --Werror $$files && echo "format-check: $$(echo $$files | wc -w) files clean"

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

test: build format-check
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

demo: build
	@mkdir -p $(DEMO_OUT)
	@set +e; $(BUILD)/agent/cloison audit --local --out $(DEMO_OUT); rc=$$?; \
	echo "report: $(DEMO_OUT)/report.json (exit code $$rc: 0 met, 1 not met, 2 config error, 3 audit could not run)"; \
	test $$rc -le 1

clean:
	rm -rf $(BUILD) out
