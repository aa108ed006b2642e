"""Edge-case events that a realistic corpus rarely holds but the runtime can hand a handler
(its decoder is simplejson: unbounded ints, NaN and ±Infinity accepted, any str).

Each probe runs through every identity route on its own, so one route failing on one value
does not hide what it does with the others.
"""

from __future__ import annotations

import random


def _random_floats(n: int) -> list[float]:
    """Floats across the whole exponent range: where a text round trip without exact
    float parsing (serde_json's default, without `float_roundtrip`) goes wrong."""
    rng = random.Random(3)
    return [rng.random() * 10.0 ** rng.randint(-300, 300) for _ in range(n)]


PROBES: dict[str, object] = {
    "key order {b, a}": {"b": 1, "a": 2, "c": {"z": 1, "y": 2}},
    "2**63 (fits u64)": {"v": 2**63},
    "2**64 - 1 (u64::MAX)": {"v": 2**64 - 1},
    "2**64 (beyond u64)": {"v": 2**64},
    "-(2**63) - 1 (below i64)": {"v": -(2**63) - 1},
    "1.0 stays float": {"v": 1.0},
    "-0.0": {"v": -0.0},
    "1000 random floats": {"v": _random_floats(1000)},
    "NaN": {"v": float("nan")},
    "Infinity": {"v": float("inf")},
    "non-ASCII, emoji, NUL": {"v": "é ü 中文 😀 \x00 end"},
    "lone surrogate": {"v": "\ud800"},
    "int dict key {1: …}": {1: "one"},
}
