"""Measure the emulator's own per-invocation overhead.

    python -m pylambda.emulator.bench [--invocations 5000] [--warmup 200] [--python PATH]

Drives warm invocations of a pure-Python echo handler (`return event`) through
`Function.invoke`, so what is timed is the whole round trip a benchmark pays per invocation and
that is not the handler's: our Runtime API, awslambdaric's loop, its JSON decode/encode of a small
event, and the START/END/REPORT bookkeeping. Prints median, p90 and p99 in microseconds, and the
CPU time the emulator's own process spent per invocation (its share of the round trip).

awslambdaric itself costs more on python3.12+: there (AWS_EXECUTION_ENV=AWS_Lambda_python3.12
and later) it polls `/next` from a new thread for every invocation, as in Lambda. Pass
`--python` an interpreter of that version to measure it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from .function import Function

ECHO_MODULE = """\
def handler(event, context):
    return event
"""

#: A small, typical event (an SQS-style record), as the benchmark suites use.
EVENT = json.dumps(
    {
        "Records": [
            {
                "messageId": "059f36b4-87a3-44ab-83d2-661975830a7d",
                "body": "Test message.",
                "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1545082649183"},
                "eventSource": "aws:sqs",
                "awsRegion": "us-east-1",
            }
        ]
    }
).encode()


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def measure(invocations: int, warmup: int, python: str | None = None) -> dict[str, float]:
    """Per-invocation latencies (µs) of `invocations` warm echo invocations."""
    with tempfile.TemporaryDirectory(prefix="pylambda-bench-") as tmp:
        module = Path(tmp) / "echo.py"
        module.write_text(ECHO_MODULE)
        with Function(module, python=python, timeout=30) as fn:
            for _ in range(warmup):
                result = fn.invoke(EVENT)
                if not result.ok or result.payload != EVENT:
                    raise RuntimeError(f"echo failed: {result.payload!r}")
            samples = []
            clock = time.perf_counter_ns
            cpu_start = time.process_time_ns()
            for _ in range(invocations):
                start = clock()
                fn.invoke(EVENT)
                samples.append((clock() - start) / 1000)
            cpu_ns = time.process_time_ns() - cpu_start
    samples.sort()
    return {
        "invocations": invocations,
        "median_us": statistics.median(samples),
        "p90_us": percentile(samples, 0.90),
        "p99_us": percentile(samples, 0.99),
        "mean_us": statistics.fmean(samples),
        # CPU the emulator process itself spent per invocation (HTTP, bookkeeping, logs): the
        # part of the round trip that is ours rather than awslambdaric's or the kernel's.
        "emulator_cpu_us": cpu_ns / invocations / 1000,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pylambda.emulator.bench", description=__doc__)
    parser.add_argument("--invocations", type=int, default=5000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--python", help="interpreter running awslambdaric (default: this one)")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args(argv)
    stats = measure(args.invocations, args.warmup, args.python)
    if args.json:
        print(json.dumps(stats))
    else:
        print(
            f"{stats['invocations']} warm invocations of a Python echo handler "
            f"({len(EVENT)}-byte event): median {stats['median_us']:.0f} µs, "
            f"p90 {stats['p90_us']:.0f} µs, p99 {stats['p99_us']:.0f} µs "
            f"(mean {stats['mean_us']:.0f} µs); emulator's own CPU time "
            f"{stats['emulator_cpu_us']:.0f} µs per invocation"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
