"""Strict comparison of a round trip's result with its input.

Python's `==` is not enough to call a round trip exact: it ignores dict key order, says
`1 == 1.0 == True`, and `nan != nan`. `compare` walks both objects and counts each kind of
difference, so the report can say *how* an alternative changes an event.
"""

from __future__ import annotations

import math
import struct
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Diff:
    """The differences between an input and what a route gave back."""

    sorted_dicts: int = 0  # dicts whose keys came back in sorted order
    reordered_dicts: int = 0  # dicts whose keys came back in some other order
    types: Counter = field(default_factory=Counter)  # "int→float": count
    floats_changed: int = 0
    max_ulps: int = 0
    sign_of_zero: int = 0
    values: list[str] = field(default_factory=list)  # paths of other changes (first few)
    python_eq: bool = True  # what `result == input` says

    @property
    def exact(self) -> bool:
        return not (
            self.sorted_dicts
            or self.reordered_dicts
            or self.types
            or self.floats_changed
            or self.sign_of_zero
            or self.values
        )

    def summary(self) -> str:
        """A short description for a table cell."""
        if self.exact:
            return "exact"
        parts = []
        if self.sorted_dicts:
            parts.append(f"keys sorted ({self.sorted_dicts} dicts)")
        if self.reordered_dicts:
            parts.append(f"keys reordered ({self.reordered_dicts} dicts)")
        for change, n in sorted(self.types.items()):
            parts.append(f"{change} ×{n}")
        if self.floats_changed:
            parts.append(f"{self.floats_changed} floats changed (≤{self.max_ulps} ULP)")
        if self.sign_of_zero:
            parts.append("-0.0 lost its sign")
        if self.values:
            parts.append("changed at " + ", ".join(self.values[:3]))
        return "; ".join(parts)


def ulps(a: float, b: float) -> int:
    """Distance between two finite floats in units in the last place."""

    def ordered(x: float) -> int:
        (bits,) = struct.unpack("<q", struct.pack("<d", x))
        return bits if bits >= 0 else -(bits & 0x7FFF_FFFF_FFFF_FFFF)

    return abs(ordered(a) - ordered(b))


def compare(expected: object, got: object) -> Diff:
    """Every difference between `expected` (the input) and `got` (a route's result)."""
    diff = Diff()
    try:
        diff.python_eq = bool(expected == got)
    except RecursionError:
        diff.python_eq = False
    _walk(expected, got, "$", diff)
    return diff


def _walk(e: object, g: object, path: str, diff: Diff) -> None:
    if type(e) is not type(g):
        diff.types[f"{type(e).__name__}→{type(g).__name__}"] += 1
        if isinstance(e, float) and isinstance(g, float | int) and not math.isnan(e):
            _float(e, float(g), path, diff)
        elif e != g and not isinstance(e, float):
            _value(path, diff)
        return
    if isinstance(e, dict):
        ek, gk = list(e), list(g)
        if ek != gk:
            if set(ek) == set(gk):
                if gk == sorted(ek):
                    diff.sorted_dicts += 1
                else:
                    diff.reordered_dicts += 1
            elif len(ek) == len(gk) and all(type(k) is str for k in gk):
                diff.types["non-str key→str"] += sum(type(k) is not str for k in ek)
                g = dict(zip(ek, g.values(), strict=True))
            else:
                _value(f"{path} (keys)", diff)
        for k in ek:
            if k in g:
                _walk(e[k], g[k], f"{path}.{k}", diff)
    elif isinstance(e, list | tuple):
        if len(e) != len(g):
            _value(f"{path} (length)", diff)
        for i, (a, b) in enumerate(zip(e, g, strict=False)):
            _walk(a, b, f"{path}[{i}]", diff)
    elif isinstance(e, float):
        _float(e, g, path, diff)
    elif e != g:
        _value(path, diff)


def _float(e: float, g: float, path: str, diff: Diff) -> None:
    if math.isnan(e) or math.isnan(g):
        if not (math.isnan(e) and math.isnan(g)):
            _value(path, diff)
    elif e != g:
        if math.isinf(e) or math.isinf(g):
            _value(path, diff)
        else:
            diff.floats_changed += 1
            diff.max_ulps = max(diff.max_ulps, ulps(e, g))
    elif e == 0.0 and math.copysign(1, e) != math.copysign(1, g):
        diff.sign_of_zero += 1


def _value(path: str, diff: Diff) -> None:
    if len(diff.values) < 10:
        diff.values.append(path)
