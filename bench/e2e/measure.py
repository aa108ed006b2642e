"""Cold starts and warm invocations of every system through the emulator, interleaved.

A 2-core machine shared with compilers is noisy, and noise comes in bursts: so no system runs
its whole series alone. Cold starts go round-robin (a fresh order every repetition); warm
invocations go in rounds, each round a short block of back-to-back invocations per system in a
fresh order, all systems' environments kept warm side by side. A burst then lands on every
system alike, and per-round ratios (system ÷ system in the same round) stay meaningful.
"""

from __future__ import annotations

import gc
import json
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from pylambda.emulator import Function

from systems import System

# bench/shared.py, shared with the other benchmark (bench/ is not a package).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import shared  # noqa: E402

#: Generous: a loaded machine must not turn a slow invocation into a timeout.
TIMEOUT_S = 60.0

#: The interpreter that runs awslambdaric for the Python-runtime systems (`bench.py --python`);
#: None: this one. Its version sets AWS_EXECUTION_ENV, and awslambdaric's loop differs from
#: python3.12 on (a thread per `/next`).
PYTHON: str | None = None

Log = Callable[[str], None]
Hook = Callable[[System, Function], None]


def vmhwm_kib(pid: int | None) -> int | None:
    """The process's peak resident set (VmHWM), KiB: Lambda's Max Memory Used, unrounded."""
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def open_function(system: System) -> Function:
    return Function(
        system.artifact,
        system.handler,
        runtime=system.runtime,
        python=PYTHON,
        timeout=TIMEOUT_S,
        memory=128,
    )


def check_echo(system: System, payload: bytes, event: bytes) -> None:
    """The response must be the event: equal as JSON, and in the same key order where the
    system keeps it (crowbar's and lambda_runtime's serde_json sort keys)."""
    got, want = json.loads(payload), json.loads(event)
    if got != want:
        raise RuntimeError(f"{system.key}: the response is not the event: {payload[:200]!r}")
    if system.keeps_key_order and json.dumps(got) != json.dumps(want):
        raise RuntimeError(f"{system.key}: the response changed the key order")


def cold_starts(systems: Iterable[System], repetitions: int, log: Log) -> dict[str, list[dict]]:
    """`repetitions` cold starts of each system: a new environment, its first invocation (`{}`).

    `wall_ms` is the whole first `invoke()`: spawning the runtime process, its INIT phase
    (interpreter start, imports, loading the module), the first invocation and the runtime's
    return to `/next`. The task directory is prepared before the clock starts (Lambda has the
    code on disk, too). `init_ms` and `duration_ms` are the REPORT line's Init Duration and
    Duration; `rss_kib` the process's peak RSS after that first invocation.
    """
    systems = list(systems)
    samples: dict[str, list[dict]] = {s.key: [] for s in systems}
    rng = random.Random(1)
    for rep in range(repetitions):
        rng.shuffle(systems)
        for system in systems:
            with open_function(system) as fn:
                start = time.perf_counter_ns()
                result = fn.invoke(b"{}")
                wall_ms = (time.perf_counter_ns() - start) / 1e6
                if not result.ok or not result.cold:
                    raise RuntimeError(f"{system.key}: cold start failed: {result.payload!r}")
                samples[system.key].append(
                    {
                        "wall_ms": wall_ms,
                        "init_ms": result.init_duration_ms,
                        "duration_ms": result.duration_ms,
                        "rss_kib": vmhwm_kib(result.pid),
                    }
                )
        if (rep + 1) % 10 == 0 or rep + 1 == repetitions:
            log(f"  cold starts: {rep + 1}/{repetitions}")
    return samples


def warm(
    systems: Iterable[System],
    event: bytes,
    invocations: int,
    block: int,
    warmup: int,
    log: Log,
    *,
    epochs: int = 1,
    opener: Callable[[System], Function] | None = None,
    on_ready: Hook | None = None,
    on_done: Hook | None = None,
) -> dict[str, dict]:
    """`invocations` warm invocations of `event` per system, interleaved in rounds of `block`.

    Per system: `duration_us`, the latency (the REPORT line's Duration: from the invocation's
    start, through delivering the event and the runtime's work, to its response received: what
    a caller of Lambda's Invoke API waits for, as Lambda answers the caller when the runtime
    POSTs the response); `round_trip_us`, the busy time (each `invoke()` call, which also waits
    for the runtime's work after the POST until it asks `/next` for more — awslambdaric freeing
    the event and response, collections — and writes the REPORT line: how long the environment
    is taken, what bounds its throughput); `round` and `epoch` (of each sample); the emulator's
    own CPU per invocation; and the peak RSS after the series (the largest over epochs).

    The rounds are split into `epochs`, each with fresh runtime processes (opened, checked and
    warmed up again): where a process lands in memory and in the caches moves a small event's
    round trip by a few percent for as long as that process lives, so one process per system
    would measure that placement, not the system. Ratios' confidence intervals are taken
    across epochs (`per_round_ratios`).

    `opener` makes each system's `Function` (default: `open_function`); `on_ready` runs after
    each warm-up and `on_done` after each epoch, outside the timing (the breakdown uses them).
    """
    systems = list(systems)
    out = {
        s.key: {"round_trip_us": [], "duration_us": [], "round": [], "epoch": []} for s in systems
    }
    cpu_ns = dict.fromkeys(out, 0)
    rss_kib = dict.fromkeys(out, 0)
    rounds = -(-invocations // block)
    rng = random.Random(2)
    clock = time.perf_counter_ns
    for epoch in range(epochs):
        functions = {s.key: (opener or open_function)(s) for s in systems}
        try:
            for system in systems:
                fn = functions[system.key]
                check_echo(system, fn.invoke(event).payload, event)
                for _ in range(warmup):
                    fn.invoke(event)
                if on_ready is not None:
                    on_ready(system, fn)
            for index in range(rounds * epoch // epochs, rounds * (epoch + 1) // epochs):
                rng.shuffle(systems)
                for system in systems:
                    fn, series = functions[system.key], out[system.key]
                    times, durations = series["round_trip_us"], series["duration_us"]
                    gc.collect()
                    gc.disable()  # the driver's own collections would land on whoever runs
                    cpu = time.process_time_ns()
                    try:
                        for _ in range(block):
                            start = clock()
                            result = fn.invoke(event)
                            times.append((clock() - start) / 1000)
                            durations.append(result.duration_ms * 1000)
                            if not result.ok:
                                raise RuntimeError(f"{system.key}: {result.payload[:300]!r}")
                    finally:
                        cpu_ns[system.key] += time.process_time_ns() - cpu
                        gc.enable()
                    series["round"].extend([index] * block)
                    series["epoch"].extend([epoch] * block)
                if (index + 1) % max(1, rounds // 4) == 0:
                    log(f"  {index + 1}/{rounds} rounds")
            for system in systems:
                fn = functions[system.key]
                rss_kib[system.key] = max(rss_kib[system.key], vmhwm_kib(fn.pid) or 0)
                if on_done is not None:
                    on_done(system, fn)
        finally:
            for fn in functions.values():
                fn.close()
    for key, series in out.items():
        series["emulator_cpu_us"] = cpu_ns[key] / len(series["round_trip_us"]) / 1000
        series["rss_kib"] = rss_kib[key]
    return out


# -- statistics ----------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    """Median, mean and the percentiles tables and box plots use (p1/p99 whiskers)."""
    stats = {"n": len(values), "median": statistics.median(values)}
    for name, fraction in (("p1", 0.01), ("p10", 0.1), ("p25", 0.25), ("p75", 0.75)):
        stats[name] = percentile(values, fraction)
    for name, fraction in (("p90", 0.9), ("p99", 0.99)):
        stats[name] = percentile(values, fraction)
    stats["mean"] = statistics.fmean(values)
    return stats


def paired_summary(differences: list[float]) -> dict[str, float]:
    """`summary` plus the 95% confidence interval of the median difference."""
    ci_low, ci_high = shared.median_ci(differences)
    return {**summary(differences), "ci_low": ci_low, "ci_high": ci_high}


def per_round_ratios(a: dict, b: dict, field: str = "round_trip_us") -> dict[str, float]:
    """Median over rounds of (a's median in the round ÷ b's median in the same round), with
    the rounds' p10–p90 and a 95% confidence interval of the median. With several epochs
    (fresh processes, see `warm`) the interval comes from the epochs' own median ratios:
    rounds within one epoch share their processes, so they are not independent."""

    def by_round(series: dict) -> dict[int, float]:
        groups: dict[int, list[float]] = {}
        for value, index in zip(series[field], series["round"], strict=True):
            groups.setdefault(index, []).append(value)
        return {index: statistics.median(values) for index, values in groups.items()}

    ra, rb = by_round(a), by_round(b)
    ratios = {i: ra[i] / rb[i] for i in ra if i in rb}
    epoch_of = dict(zip(a["round"], a.get("epoch") or [0] * len(a["round"]), strict=True))
    per_epoch: dict[int, list[float]] = {}
    for index, ratio in ratios.items():
        per_epoch.setdefault(epoch_of[index], []).append(ratio)
    if len(per_epoch) > 1:
        ci_low, ci_high = shared.median_ci([statistics.median(v) for v in per_epoch.values()])
    else:
        ci_low, ci_high = shared.median_ci(list(ratios.values()))
    values = list(ratios.values())
    return {
        "median": statistics.median(values),
        "ci_low": ci_low,
        "ci_high": ci_high,
        "p10": percentile(values, 0.10),
        "p90": percentile(values, 0.90),
        "rounds": len(values),
        "epochs": len(per_epoch),
    }
