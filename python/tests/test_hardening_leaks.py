"""Leaks and reference counts over many invocations (issue 8, item 3).

Each case runs `hardening/leaks.py` in a fresh interpreter: N invocations after a warm-up, then
the resident set size and the reference counts of the event's own objects, of a key object that
pylambda's key cache holds, and of None/True (where they are not immortal) are compared.

N is `PYLAMBDA_LEAK_INVOCATIONS` (default 20,000, the `make test` size);
`scripts/hardening/leaks.sh` runs 1,000,000 of each and records the figures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

RUNNER = Path(__file__).parent / "hardening" / "leaks.py"
N = int(os.environ.get("PYLAMBDA_LEAK_INVOCATIONS", "20000"))
WARMUP = min(20_000, max(2_000, N // 10))
#: The budget of the issue: resident memory may not grow by 1 MB over the run.
RSS_BUDGET_KIB = 1024
#: None/True move by up to 2 with the measuring code alone (a run with N=0 shows it); a leak of
#: one reference per invocation would move them by N.
SINGLETON_NOISE = 8


def run(case: str, n: int = N) -> dict:
    out = subprocess.run(
        [sys.executable, str(RUNNER), case, str(n), "--warmup", str(WARMUP)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout)


@pytest.fixture(scope="module", autouse=True)
def built():
    """The runner imports the release builds (`make test` builds them first)."""
    root = Path(__file__).resolve().parents[2] / "target" / "release"
    for name in ["libecho.so", "liberrors.so"]:
        if not (root / name).is_file():
            pytest.fail(f"{root / name} is not built: run `make build-examples`")


@pytest.mark.parametrize("case", ["echo", "fail", "panic"])
def test_no_leak_over_many_invocations(case):
    figures = run(case)
    deltas = figures["refcount_deltas"]
    assert figures["rss_growth_kib"] < RSS_BUDGET_KIB, figures
    for name in ["sentinel_key", "sentinel_value", "sentinel_list", "cached_key"]:
        assert deltas.get(name, 0) == 0, (name, figures)
    if not figures["immortal_singletons"]:
        assert abs(deltas["None"]) <= SINGLETON_NOISE, figures
        assert abs(deltas["True"]) <= SINGLETON_NOISE, figures
    if figures["debug_build"]:
        assert abs(deltas["total"]) <= 64, figures
    if case == "echo":
        assert "cached_key" in deltas, "the key cache's object was not measured"


def test_the_runner_sees_a_leak():
    """A handler that keeps one reference per call: the runner must report all of them."""
    figures = run("leaky", 5_000)
    assert figures["refcount_deltas"]["sentinel_value"] == 5_000, figures
