# pytest suites: the built examples imported and called as Lambda's runtime calls them.
# (tests/test_compat.py runs in its own step, test-compat, against zigbuilt artifacts.)
.PHONY: test-python
TEST_STEPS += test-python
test-python: build-examples
	cd python && $(PY) -m pytest -q --ignore=tests/test_compat.py
