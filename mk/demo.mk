# `make demo`: the README's demo. Builds examples/hello and invokes it once through the local
# Lambda emulator: the real awslambdaric, a task directory, Lambda's environment and Runtime
# API. The response goes to stdout; the function's logs and the REPORT line to stderr.
demo: build-examples
	$(PY) -m pylambda invoke target/release/libhello.so --event python/pylambda/events/hello.json
	@echo
