# Hardening (issue 8): property tests, fuzzing, leaks and refcounts, hostile input, faults,
# memory errors. docs/guarantees.md has the figures and what each run checks.
#
# In `make test`:
#   - python/tests/test_hardening_*.py run with test-python (mk/python.mk), at their short
#     sizes: 400 examples per property test (2,000 cases), 20,000 invocations per leak case,
#     every hostile event and fault through the emulator;
#   - hardening-fuzz-smoke (here): build the fuzz target, replay fuzz/regressions/, fuzz 30 s.
# Not in `make test` (minutes to an hour each), all of them: `make hardening-long`
#   make hardening-properties-long   100,000 property cases (20,000 per test)
#   make hardening-leaks-long        1,000,000 invocations per case, CPython 3.11, 3.15d and 3.14d
#   make hardening-fuzz-long         FUZZ_SECONDS of fuzzing (default 3600)
#   make hardening-valgrind          the integration tests under valgrind memcheck
.PHONY: hardening-fuzz-smoke hardening-long hardening-properties-long hardening-leaks-long \
        hardening-fuzz-long hardening-valgrind
TEST_STEPS += hardening-fuzz-smoke

FUZZ_SMOKE_SECONDS ?= 30
FUZZ_SECONDS ?= 3600

hardening-fuzz-smoke: setup
	scripts/hardening/fuzz.sh $(FUZZ_SMOKE_SECONDS)

hardening-properties-long: build-examples
	scripts/hardening/properties.sh 20000

hardening-leaks-long: build-examples
	scripts/hardening/leaks.sh 1000000

hardening-fuzz-long: setup
	scripts/hardening/fuzz.sh $(FUZZ_SECONDS)

hardening-valgrind: build-examples hardening-fuzz-smoke
	scripts/hardening/valgrind.sh

hardening-long: hardening-properties-long hardening-leaks-long hardening-fuzz-long hardening-valgrind
