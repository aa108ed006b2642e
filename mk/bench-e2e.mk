# End-to-end benchmark (issue 6): pylambda's examples/echo against a pure-Python echo, a
# crowbar-style rust-cpython cdylib and an echo on the official lambda_runtime crate, all
# through the local Lambda emulator with the real runtime clients. The reference functions
# live in their own cargo workspace, bench/e2e/, so the main workspace never compiles
# rust-cpython's serde-convert, lambda_runtime or hyper. Not part of `make test`: the release
# zig builds of the references alone take minutes from clean.
#
#   make bench-e2e          build the deployment zips, then measure everything; writes
#                           bench/e2e/results.{md,json}, bench/e2e/e2e.png and the results part
#                           of docs/benchmarks-e2e.md (~2 min after the builds; on a quiet machine)
#   make bench-e2e-smoke    every system answers every event correctly; the driver's code runs
#                           end to end on a handful of invocations, writing nothing (~10 s)
#   make bench-e2e BENCH_E2E_ARGS="--scale 0.2 --cold 10"   a quicker, noisier run
#   make bench-e2e BENCH_E2E_PYTHON=.cache/venvs/3.12/bin/python BENCH_E2E_ARGS="--out /tmp/e2e"
#                           the Python-runtime systems under another CPython (awslambdaric's
#                           python3.12+ loop); the crowbar-style cdylib is rebuilt for it
.PHONY: bench-e2e bench-e2e-build bench-e2e-smoke

BENCH_E2E := bench/e2e
BENCH_E2E_ARGS ?=
BENCH_E2E_PYTHON ?=
BENCH_E2E_WITH_PYTHON = $(if $(BENCH_E2E_PYTHON),--python $(BENCH_E2E_PYTHON),)

bench-e2e-build: setup
	$(PY) $(BENCH_E2E)/build.py $(BENCH_E2E_WITH_PYTHON)

bench-e2e: bench-e2e-build
	$(PY) $(BENCH_E2E)/bench.py $(BENCH_E2E_WITH_PYTHON) $(BENCH_E2E_ARGS)

bench-e2e-smoke: bench-e2e-build
	$(PY) $(BENCH_E2E)/bench.py --mode smoke $(BENCH_E2E_WITH_PYTHON)
