#!/usr/bin/env bash
# The long property run (issue 8, item 1): PER_TEST examples for each of the five property
# tests in python/tests/test_hardening_properties.py (default 20,000: 100,000 cases in all),
# with Hypothesis's statistics (cases run per test, outcome mix) printed.
#
#   scripts/hardening/properties.sh [PER_TEST]
set -euo pipefail

per_test=${1:-20000}
repo=$(cd "$(dirname "$0")/../.." && pwd -P)
cd "$repo"
cargo build --quiet --release --workspace --lib
cd python
PYLAMBDA_PROPERTY_EXAMPLES=$per_test ../.venv/bin/python -m pytest -q \
  tests/test_hardening_properties.py --hypothesis-show-statistics \
  | grep -vE '^ +\* .*(Retried draw|exceeded max_leaves)'
