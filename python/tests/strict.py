"""Strict structural equality for converted values: same types at every level (1 is not 1.0,
True is not 1), same dict key order, floats compared bit for bit (NaN equals NaN, -0.0 is not
0.0). `==` alone would hide exactly the changes a converter must not make."""

from __future__ import annotations

import math
import struct


def same(a: object, b: object) -> bool:
    """Whether `a` and `b` are the same JSON-like value, strictly."""
    return first_difference(a, b) is None


def first_difference(a: object, b: object, path: str = "$") -> str | None:
    """A description of the first place where `a` and `b` differ, or None."""
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} {a!r:.80} != {type(b).__name__} {b!r:.80}"
    if isinstance(a, dict):
        if list(a) != list(b):  # type: ignore[arg-type]
            return f"{path}: keys {list(a)[:10]} != {list(b)[:10]}"  # type: ignore[arg-type]
        for key in a:
            diff = first_difference(a[key], b[key], f"{path}[{key!r}]")  # type: ignore[index]
            if diff:
                return diff
        return None
    if isinstance(a, list | tuple):
        if len(a) != len(b):  # type: ignore[arg-type]
            return f"{path}: length {len(a)} != {len(b)}"  # type: ignore[arg-type]
        for i, (x, y) in enumerate(zip(a, b, strict=True)):  # type: ignore[call-overload]
            diff = first_difference(x, y, f"{path}[{i}]")
            if diff:
                return diff
        return None
    if isinstance(a, float):
        if struct.pack("<d", a) != struct.pack("<d", b) and not (math.isnan(a) and math.isnan(b)):  # type: ignore[arg-type]
            return f"{path}: {a!r} != {b!r}"
        return None
    return None if a == b else f"{path}: {a!r:.80} != {b!r:.80}"
