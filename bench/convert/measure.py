"""Interleaved timing: many rounds, every route once per round in a fresh random order, so a
burst of noise from the other processes on this 2-core machine lands on all routes alike.
Reported numbers are medians over rounds; ratios are taken per round, then their median."""

from __future__ import annotations

import gc
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from routes import Route

# bench/shared.py, shared with the other benchmark (bench/ is not a package).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import shared  # noqa: E402

#: How long one timed batch of calls should take, µs: long enough that the clock's resolution
#: and the loop don't matter, short enough that many rounds fit.
BATCH_US = 1000.0


def time_batch(call: Callable[[object], object], event: object, n: int) -> float:
    """Mean µs per call over `n` back-to-back calls."""
    clock = time.perf_counter_ns
    start = clock()
    for _ in range(n):
        call(event)
    return (clock() - start) / n / 1000.0


def calibrate(route: Route, event: object) -> int:
    """How many calls make one batch of about BATCH_US (after a few warm-up calls)."""
    for _ in range(3):
        route.call(event)
    single = min(time_batch(route.call, event, 1) for _ in range(5))
    return max(1, min(2000, int(BATCH_US / max(single, 0.01))))


def run_rounds(
    routes_by_event: dict[str, list[Route]],
    events: dict[str, object],
    rounds: int,
    seed: int = 1,
    progress: Callable[[int], None] | None = None,
    keep_gc: bool = False,
) -> tuple[dict[str, dict[str, list[float]]], dict[str, dict[str, int]]]:
    """Per event and route, the µs per call of each round; and each batch size.

    By default the cyclic GC is off while a batch runs, as in timeit: its collections are
    triggered by how many containers were allocated since the last one, so they would land on
    whichever route happens to cross the threshold. `keep_gc` leaves it on, as in Lambda,
    where building a 1 MB event's thousands of dicts triggers collections for every route
    that builds them."""
    rng = random.Random(seed)
    batch = {
        ev: {r.name: calibrate(r, events[ev]) for r in rs} for ev, rs in routes_by_event.items()
    }
    samples = {ev: {r.name: [] for r in rs} for ev, rs in routes_by_event.items()}
    # The corpus is frozen out of the GC so that collections (between rounds, or during them
    # with keep_gc) do not walk it.
    gc.collect()
    gc.freeze()
    try:
        for i in range(rounds):
            if not keep_gc:
                gc.disable()
            for ev, rs in routes_by_event.items():
                for route in rng.sample(rs, len(rs)):
                    samples[ev][route.name].append(
                        time_batch(route.call, events[ev], batch[ev][route.name])
                    )
            gc.enable()
            gc.collect(0)
            if progress:
                progress(i)
    finally:
        gc.enable()
        gc.unfreeze()
    return samples, batch


def deciles(values: list[float]) -> tuple[float, float, float]:
    """(p10, median, p90)."""
    if len(values) < 2:
        v = values[0]
        return v, v, v
    q = statistics.quantiles(values, n=10, method="inclusive")
    return q[0], statistics.median(values), q[-1]


def summarize(times: list[float], engine_times: list[float]) -> dict[str, float]:
    """Median and spread of a route's times, and of its per-round ratio to the engine."""
    p10, med, p90 = deciles(times)
    ratios = [t / e for t, e in zip(times, engine_times, strict=True)]
    r10, rmed, r90 = deciles(ratios)
    ci_low, ci_high = shared.median_ci(ratios)
    return {
        "median_us": med,
        "p10_us": p10,
        "p90_us": p90,
        "ratio": rmed,
        "ratio_ci_low": ci_low,
        "ratio_ci_high": ci_high,
        "ratio_p10": r10,
        "ratio_p90": r90,
    }
