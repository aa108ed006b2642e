# pylambda — one entry point for people and CI.
#
#   make demo   build examples/hello and invoke it through the local Lambda emulator
#   make test   every check: format, lints, Rust tests, Python tests, runtime compatibility
#
# Everything else the project needs is installed here, into .venv (Python packages)
# and .cache (interpreter chroots), never by hand.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
PY := $(abspath $(VENV))/bin/python
CARGO ?= cargo
# python3-sys asks this interpreter which CPython it builds for; pin it so a stray
# `python` on PATH is never picked up.
export PYTHON_SYS_EXECUTABLE ?= $(PY)

# Each area adds its checks to TEST_STEPS in its own mk/*.mk file.
TEST_STEPS :=

.PHONY: help setup demo test lint build-examples
help:
	@echo "make demo   build examples/hello and invoke it through the local Lambda emulator"
	@echo "make test   run every check (lints, Rust tests, Python tests, compatibility)"
	@echo "make setup  create .venv with the Python tooling"

setup: $(VENV)/.setup-done
$(VENV)/.setup-done: python/pyproject.toml python/constraints.txt
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "pylambda needs Python 3.11+ for its tooling (set PYTHON=...)"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c python/constraints.txt -e 'python[dev]'
	touch $@

lint: setup
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps -p pylambda --features tracing
	$(PY) -m ruff check python bench
	$(PY) -m ruff format --check python bench

build-examples: setup
	$(CARGO) build --release --workspace --lib

-include mk/*.mk

test: setup lint $(TEST_STEPS)
	@echo "make test: all checks passed"
