"""A reference model of `libecho.handler` (Python object → `serde_json::Value` → Python object),
written from the conversion table in the crate docs (src/lib.rs), independently of the Rust code.

`echo_model(obj)` returns what echo must return, or raises `Expected` describing the exception
it must raise: its class, the path it must name, and how its message must start. The walk
visits values in the engine's order (dict insertion order, list order) and stops at the first
failure, as the engine does, so the expected error is exactly the one reported.
"""

from __future__ import annotations

import collections
import decimal
import json
import math

MAX_DEPTH = 128
I64_MIN, U64_MAX = -(2**63), 2**64 - 1


class Expected(Exception):
    """The exception echo must raise: `exc_type`, at `path` (segments), message `message`..."""

    def __init__(self, exc_type: type[Exception], path: tuple, message: str) -> None:
        super().__init__(f"{exc_type.__name__} at {render(path)!r}: {message}")
        self.exc_type = exc_type
        self.path = path
        self.message = message

    def text(self) -> str:
        """How `str(exc)` must start."""
        rendered = render(self.path)
        return f"{rendered}: {self.message}" if rendered else self.message

    def ascii_path(self) -> bool:
        """Whether the path's rendering is certain (Rust's and Python's ideas of 'alphabetic'
        agree on ASCII, not on every Unicode character)."""
        return all(isinstance(s, int) or s.isascii() for s in self.path)


def type_name(obj: object) -> str:
    t = type(obj)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def echo_model(obj: object, depth: int = 0, path: tuple = ()) -> object:
    if isinstance(obj, str):
        return checked_str(obj, path, "str cannot be converted to UTF-8")
    if isinstance(obj, dict):
        enter(depth, path)
        out: dict = {}
        for key, value in items_in_order(obj):
            text = key_text(key, path)
            out[text] = echo_model(value, depth + 1, (*path, text))
        return out
    if isinstance(obj, bool):
        return bool(obj)
    if isinstance(obj, int):
        return integer(int.__index__(obj), path)
    if obj is None:
        return None
    if isinstance(obj, float):
        x = float.__float__(obj)
        if math.isfinite(x):
            return x
        name = "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")
        raise Expected(ValueError, path, f"{name} cannot be represented here")
    if isinstance(obj, list | tuple):
        enter(depth, path)
        return [echo_model(item, depth + 1, (*path, i)) for i, item in enumerate(obj)]
    if isinstance(obj, bytes) or type(obj) is bytearray:
        raise Expected(ValueError, path, "invalid type: byte array")
    if type(obj) is decimal.Decimal:
        return decimal_value(obj, path)
    raise Expected(TypeError, path, f"object of type {type_name(obj)} cannot be converted")


#: Key types whose hashing and comparison are C code.
BUILTIN_KEYS = (str, int, float, bool, type(None))


def items_in_order(obj: dict):
    """The order the engine reads a dict in: an exact OrderedDict whose keys are all of the
    built-in types in its own linked order (as json.dumps writes it), anything else in
    storage order (the engine runs no code of the event's own)."""
    if type(obj) is collections.OrderedDict and all(type(k) in BUILTIN_KEYS for k in obj):
        return list(obj.items())
    return list(dict.items(obj))


def enter(depth: int, path: tuple) -> None:
    if depth >= MAX_DEPTH:
        raise Expected(ValueError, path, f"nested more than {MAX_DEPTH} levels deep")


def checked_str(s: str, path: tuple, message: str) -> str:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        raise Expected(ValueError, path, message) from None
    return str.__str__(s)


def key_text(key: object, path: tuple) -> str:
    """A dict key as json.dumps spells it; errors name the dict, not the key."""
    if isinstance(key, str):
        return checked_str(key, path, "dict key cannot be converted to UTF-8")
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return int.__repr__(key)
    if isinstance(key, float):
        x = float.__float__(key)
        if math.isnan(x):
            return "NaN"
        if math.isinf(x):
            return "Infinity" if x > 0 else "-Infinity"
        return float.__repr__(x)
    raise Expected(TypeError, path, f"dict key of type {type_name(key)} cannot be converted")


def integer(n: int, path: tuple) -> int:
    if I64_MIN <= n <= U64_MAX:
        return n
    digits = len(str(abs(n)))
    if -(2**127) <= n <= 2**128 - 1:
        raise Expected(ValueError, path, f"integer {n}: JSON number out of range")
    described = f"integer with {digits} digits" if digits > 40 else f"integer {n}"
    raise Expected(ValueError, path, f"{described} does not fit in 128 bits")


def decimal_value(d: decimal.Decimal, path: tuple) -> int | float:
    """Value's rule for Decimal: an int when the text is integral, a float when a float holds
    it exactly, an error otherwise (without the `arbitrary_precision` feature)."""
    text = str(d)
    if not d.is_finite():
        raise Expected(ValueError, path, f"Decimal('{text}') is not a finite number")
    if not any(c in text for c in ".eE"):
        return integer(int(text), path)
    x = float(text)
    exact = math.isfinite(x) and decimal.Decimal(repr(x)) == d
    if exact and x == 0:
        exact = math.copysign(1.0, x) == (-1.0 if d.is_signed() else 1.0)
    if not exact:
        raise Expected(ValueError, path, f"Decimal('{text}') cannot be held exactly")
    return x


def render(path: tuple) -> str:
    """The engine's path rendering (src/convert/error.rs): `a.b[3]["odd key"]`, long paths
    abbreviated to their first and last ten steps."""
    if len(path) > 30:
        head, tail = render_all(path[:10]), render_all(path[-10:])
        dot = "" if tail.startswith("[") else "."
        return f"{head}…({len(path) - 20} more)…{dot}{tail}"
    return render_all(path)


def render_all(path: tuple) -> str:
    out = ""
    for segment in path:
        if isinstance(segment, int):
            out += f"[{segment}]"
        elif plain_key(segment):
            out += ("." if out else "") + segment
        else:
            out += "[" + json.dumps(segment, ensure_ascii=False) + "]"
    return out


def plain_key(key: str) -> bool:
    if not key or not (key[0].isalpha() or key[0] in "_$"):
        return False
    return all(c.isalnum() or c in "_-$" for c in key[1:])
