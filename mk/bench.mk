# Conversion benchmark (issue 3): pylambda's engine side by side with rust-cpython's
# serde-convert, JSON-text and pickle bridges, PyO3 + pythonize, marshal, json and orjson.
# Its Rust routes live in their own cargo workspace, bench/convert/, so the main workspace's
# tests and lints never compile PyO3 & co. Each route crate is built by its own cargo
# invocation: cargo unifies features within one, and pylambda's serde_json `preserve_order`
# must not leak into the alternatives (bench/convert/Cargo.toml).
#
#   make bench-convert        build (release) and run everything: timing, correctness, RSS
#                             soak; writes bench/convert/results.{md,json} (~5 min)
#   make bench-convert-soak   only the RSS soak: 1,000,000 round trips on API Gateway v1
#   make bench-convert-smoke  every route once on every corpus event, and versions.py two rounds
#                             in every interpreter (debug build); in `make test`
#   make bench-convert-versions  the engine against marshal and json under every Lambda CPython
#                             (3.11–3.15): writes bench/convert/versions.md (~3 min)
.PHONY: bench-convert bench-convert-build bench-convert-soak bench-convert-smoke \
	bench-convert-versions
TEST_STEPS += bench-convert-smoke

BENCH_CONVERT := bench/convert
BENCH_ROUTES := pylambda_routes cpython_routes pyo3_routes pyo3_ordered_routes
# The smoke run leaves out pyo3_ordered_routes: the same code as pyo3_routes, one build less.
BENCH_SMOKE_ROUTES := pylambda_routes cpython_routes pyo3_routes
BENCH_ARGS ?=
# python3-sys and PyO3 both configure for the venv's CPython 3.11 (rust-cpython crashes on 3.14).
BENCH_CARGO = PYTHON_SYS_EXECUTABLE=$(PY) PYO3_PYTHON=$(PY) $(CARGO)

bench-convert-build: setup
	for crate in $(BENCH_ROUTES); do $(BENCH_CARGO) build --release --manifest-path $(BENCH_CONVERT)/Cargo.toml -p $$crate; done

bench-convert: bench-convert-build
	$(PY) $(BENCH_CONVERT)/bench.py $(BENCH_ARGS)

bench-convert-soak: bench-convert-build
	$(PY) $(BENCH_CONVERT)/bench.py --mode soak $(BENCH_ARGS)

# The interpreters versions.py runs in, as scripts/compat-env.sh makes them.
BENCH_VERSIONS_PYTHONS := $(PY) .cache/venvs/3.12/bin/python .cache/venvs/3.13/bin/python \
	.cache/chroot/sid-python3.14 .cache/chroot/sid-python3.15
BENCH_VERSIONS_ARGS ?=
bench-convert-versions: compat-env
	$(BENCH_CARGO) build --release --manifest-path $(BENCH_CONVERT)/Cargo.toml -p pylambda_routes
	$(PY) $(BENCH_CONVERT)/versions.py $(BENCH_VERSIONS_PYTHONS) \
		--out $(BENCH_CONVERT)/versions.md --docs $(BENCH_VERSIONS_ARGS)
# Correctness only, so a debug build is enough (about 30 s from clean, vs ~2 min for release).
bench-convert-smoke: setup compat-env
	for crate in $(BENCH_SMOKE_ROUTES); do $(BENCH_CARGO) build --manifest-path $(BENCH_CONVERT)/Cargo.toml -p $$crate; done
	$(PY) $(BENCH_CONVERT)/bench.py --mode smoke --profile dev
	# The A/B tool, A/A on the debug build (a few rounds: it must run, not measure).
	$(PY) $(BENCH_CONVERT)/ab.py $(BENCH_CONVERT)/target/debug/libpylambda_routes.so \
		$(BENCH_CONVERT)/target/debug/libpylambda_routes.so --events empty,apigw-v1 \
		--routes value,value_in --rounds 3
	# versions.py in every interpreter (each checks the engine's answers first; 2 rounds).
	$(PY) $(BENCH_CONVERT)/versions.py $(BENCH_VERSIONS_PYTHONS) \
		--so $(BENCH_CONVERT)/target/debug/libpylambda_routes.so --events empty,apigw-v1 --rounds 2
