# pytest suites: the built examples imported and called as Lambda's runtime calls them.
.PHONY: test-python
TEST_STEPS += test-python
test-python: build-examples
	cd python && $(PY) -m pytest -q
