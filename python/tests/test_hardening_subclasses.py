"""Regression tests: the engine never runs Python code that belongs to the event's objects.

Subclasses of `int` and `float` convert as their base type, so their overridden methods
(`__str__`, `__repr__`, comparisons) must not be called: found by the fuzzer's hostile-subclass
shapes (fuzz/, docs/guarantees.md). Before the fix an `int` subclass's `__le__` was called for
values past `i64` (its exception leaked out as `SystemError: ... returned a result with an
exception set`, or its answer produced a wrong value), a big `int` subclass's `__str__` decided
the number, and a `float` subclass key's `__repr__` decided the key. Such code can also empty
the dict being walked, freeing the values the engine holds borrowed references to.

Each class counts its hook calls in `CALLS`; every test asserts none happened.
"""

from __future__ import annotations

import pytest
from strict import first_difference

CALLS: list[str] = []


@pytest.fixture(autouse=True)
def no_hook_calls():
    CALLS.clear()
    yield
    assert CALLS == [], f"the engine called the event's own methods: {CALLS}"


class LyingInt(int):
    """Every overridable method answers wrongly (or raises), and records that it ran."""

    def __str__(self):
        CALLS.append("__str__")
        return "7"

    __repr__ = __str__

    def __index__(self):
        CALLS.append("__index__")
        return 7

    def __le__(self, other):
        CALLS.append("__le__")
        raise RuntimeError("hostile __le__")

    __lt__ = __ge__ = __gt__ = __le__
    __hash__ = int.__hash__


class LyingFloat(float):
    def __repr__(self):
        CALLS.append("__repr__")
        return "7.5"

    __str__ = __repr__
    __hash__ = float.__hash__


def assert_same(a, b):
    diff = first_difference(a, b)
    assert diff is None, diff


@pytest.mark.parametrize("n", [2**63, 2**64 - 1])
def test_int_subclass_past_i64_is_read_without_its_comparisons(echo, n):
    assert_same(echo({"n": LyingInt(n)}, None), {"n": n})


@pytest.mark.parametrize("n", [2**64, 2**70, -(2**63) - 1])
def test_big_int_subclass_is_read_without_its_str(echo, probe, n):
    assert_same(probe.i128_echo(LyingInt(n)), n)
    with pytest.raises(ValueError, match=f"^n: integer {n}"):
        echo({"n": LyingInt(n)}, None)


def test_big_int_subclass_keys_take_their_real_digits(echo):
    assert_same(echo({LyingInt(2**70): 1}, None), {str(2**70): 1})


@pytest.mark.parametrize("x, key", [(1.5, "1.5"), (1e16, "1e+16"), (-0.0, "-0.0")])
def test_float_subclass_keys_take_float_repr(echo, x, key):
    assert_same(echo({LyingFloat(x): 1}, None), {key: 1})


def test_code_that_empties_the_dict_mid_conversion_never_runs(echo):
    """The key's `__repr__` would clear the dict whose value the engine is about to read."""
    event: dict = {}

    class Clearing(float):
        __hash__ = float.__hash__

        def __repr__(self):
            CALLS.append("__repr__")
            event.clear()
            return "1.5"

    event[Clearing(1.5)] = [1, 2, 3]
    event["x"] = "y" * 100
    assert_same(echo(event, None), {"1.5": [1, 2, 3], "x": "y" * 100})
    assert len(event) == 2


def test_an_ordered_dict_converts_in_its_own_order(echo, probe):
    import collections
    import json

    event = collections.OrderedDict(a=1, b=2, c={"x": 1})
    event.move_to_end("a")
    event.move_to_end("c", last=False)
    expected = list(json.loads(json.dumps(event)))
    assert expected == ["c", "b", "a"]
    # The direct `Value` path and serde's path (a typed target) both follow the linked order.
    assert list(echo(event, None)) == expected
    assert probe.map_keys(event, None) == expected


def test_an_ordered_dict_with_keys_hashed_in_python_is_read_without_hashing_them(echo):
    """Reading an OrderedDict in its linked order looks every key up again; a key whose
    `__hash__` is Python code would run it, so such a dict is read in storage order."""
    import collections

    class HashingStr(str):
        def __hash__(self):
            CALLS.append("__hash__")
            return str.__hash__(self)

    event = collections.OrderedDict([(HashingStr("k"), 1), ("z", 2)])
    CALLS.clear()  # building the dict hashed the key; converting it must not
    assert_same(echo(event, None), {"k": 1, "z": 2})


class Meta(type):
    """A metaclass whose attribute reads are Python code: the engine names the type of an
    object it cannot convert, and must do so without running this (it could empty the dict the
    engine is walking)."""

    def __getattribute__(cls, name):
        CALLS.append(f"__getattribute__({name})")
        if EVENTS_TO_CLEAR:
            EVENTS_TO_CLEAR[-1].clear()
        return type.__getattribute__(cls, name)


EVENTS_TO_CLEAR: list[dict] = []


class Opaque(metaclass=Meta):
    pass


class OpaqueKey(metaclass=Meta):
    def __hash__(self):
        return 7


@pytest.fixture
def event_to_clear():
    yield EVENTS_TO_CLEAR
    EVENTS_TO_CLEAR.clear()


def test_a_type_is_named_without_its_metaclass_running(echo, event_to_clear):
    event = {"before": [1, 2], "x": Opaque(), "after": "y" * 100}
    event_to_clear.append(event)
    with pytest.raises(TypeError, match=r"^x: object of type test_hardening_subclasses\.Opaque "):
        echo(event, None)
    assert len(event) == 3


def test_a_key_type_is_named_without_its_metaclass_running(echo, event_to_clear):
    event = {"before": [1, 2], OpaqueKey(): 1, "after": "y" * 100}
    event_to_clear.append(event)
    with pytest.raises(
        TypeError, match=r"dict key of type test_hardening_subclasses\.OpaqueKey cannot"
    ):
        echo(event, None)
    assert len(event) == 3
