"""Where a warm invocation's time goes: emulator, runtime client, JSON, conversion, handler.

Two measurements, because no single one can split everything:

1. **In the runtime** (`in_runtime`): each Python-runtime system runs under the real emulator
   and awslambdaric with `functions/timed.py` wrapped around its handler and around
   awslambdaric's own steps; every invocation's pieces are paired with the round trip the
   driver measured for it. What no wrapper covers (the emulator delivering the event and
   writing its REPORT, the runtime client receiving it over HTTP, awslambdaric's loop, the
   freeze/thaw signals) is the rest: round trip minus the timed pieces.
2. **In a plain interpreter** (`in_process`, `functions/micro.py`): the handler calls alone,
   with and without a context, and pylambda's fixed cost on `{}`, to split our part into
   reading the context, the entry point and the conversion.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from pylambda.emulator import Function

import measure
from systems import HERE, System

TIMED = HERE / "functions" / "timed.py"
MICRO = HERE / "functions" / "micro.py"
PIECES = ("context", "unmarshal", "handler", "marshal", "post")
#: The cyclic garbage collector's share (inside the pieces above, not beside them): a mean,
#: since most invocations see a few young collections and some a full one.
COLLECTOR = ("gc", "collections")


class _Staging:
    """A directory per system holding its unzipped package plus `timed.py`."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="pylambda-e2e-"))

    def package(self, system: System) -> Path:
        path = self.root / system.key
        if not path.exists():
            with zipfile.ZipFile(system.artifact) as archive:
                archive.extractall(path)
            shutil.copy2(TIMED, path / TIMED.name)
        return path

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _dump(fn: Function) -> dict[str, list[float]]:
    result = fn.invoke(b'{"__bench_dump__": true}')
    if not result.ok:
        raise RuntimeError(f"timed dump failed: {result.payload[:300]!r}")
    dump = result.json()
    # The dump's own decode and context are the last entries; the previous dump's encode and
    # POST the first (see timed.py).
    dump["unmarshal"] = dump["unmarshal"][:-1]
    dump["context"] = dump["context"][:-1]
    dump["marshal"] = dump["marshal"][1:]
    dump["post"] = dump["post"][1:]
    return dump


def in_runtime(
    systems: list[System],
    event: bytes,
    invocations: int,
    block: int,
    warmup: int,
    log: measure.Log,
) -> dict[str, dict]:
    """Per (Python-runtime) system: median µs of each piece, of the round trip and the rest."""
    series, dumps = run_timed(systems, event, invocations, block, warmup, log)
    out = {}
    for system in systems:
        trips, dump = series[system.key]["round_trip_us"], dumps[system.key]
        rest = [trip - sum(dump[p][i] for p in PIECES) for i, trip in enumerate(trips)]
        out[system.key] = {
            "round_trip": statistics.median(trips),
            **{p: statistics.median(dump[p]) for p in PIECES},
            "rest": statistics.median(rest),
            **{p: statistics.fmean(dump[p]) for p in COLLECTOR},
            "emulator_cpu": series[system.key]["emulator_cpu_us"],
            "rss_mib": (series[system.key]["rss_kib"] or 0) / 1024,
        }
    return out


def run_timed(
    systems: list[System],
    event: bytes,
    invocations: int,
    block: int,
    warmup: int,
    log: measure.Log,
    epochs: int = 1,
) -> tuple[dict[str, dict], dict[str, dict[str, list[float]]]]:
    """`measure.warm` with each system under `timed.py`: the driver's series and, per system,
    the pieces timed in the runtime, one entry per invocation of the series (over all
    `epochs`, each with fresh processes)."""
    staging = _Staging()
    dumps: dict[str, dict] = {}

    def opener(system: System) -> Function:
        return Function(
            staging.package(system),
            "timed.handler",
            python=measure.PYTHON,
            timeout=measure.TIMEOUT_S,
            env={"BENCH_TARGET": system.handler, **dict(system.env)},
        )

    def on_ready(system: System, fn: Function) -> None:
        _dump(fn)  # forget the warm-up

    def on_done(system: System, fn: Function) -> None:
        # Once per epoch: each process reports its own invocations.
        for piece, values in _dump(fn).items():
            dumps.setdefault(system.key, {}).setdefault(piece, []).extend(values)

    try:
        series = measure.warm(
            systems,
            event,
            invocations,
            block,
            warmup,
            log,
            epochs=epochs,
            opener=opener,
            on_ready=on_ready,
            on_done=on_done,
        )
    finally:
        staging.close()
    for system in systems:
        trips, dump = series[system.key]["round_trip_us"], dumps[system.key]
        lengths = {len(trips)} | {len(dump[p]) for p in PIECES + COLLECTOR}
        if len(lengths) != 1:
            raise RuntimeError(f"{system.key}: unpaired timings {lengths}")
    return series, dumps


def in_process(systems: list[System], events: dict[str, bytes]) -> dict[str, dict[str, float]]:
    """`functions/micro.py` in a fresh interpreter beside the systems' unzipped modules."""
    staging = _Staging()
    try:
        path = staging.root / "all"
        path.mkdir()
        for system in systems:
            with zipfile.ZipFile(system.artifact) as archive:
                archive.extractall(path)
        texts = {name: body.decode() for name, body in events.items()}
        (path / "events.json").write_text(json.dumps(texts), encoding="utf-8")
        out = subprocess.run(
            [measure.PYTHON or sys.executable, str(MICRO), str(path / "events.json")]
            + [f"{system.key}={system.handler}" for system in systems],
            cwd=path,
            env={"PYTHONPATH": str(path), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        staging.close()
    return json.loads(out)
