"""Hypothesis strategies for the property tests: what Lambda's runtime can hand a handler
(JSON values as simplejson decodes them), what Python callers can, and what nobody should.
"""

from __future__ import annotations

import collections
import datetime
import decimal
import enum
import sys

from hypothesis import strategies as st

I64_MIN, I64_MAX, U64_MAX = -(2**63), 2**63 - 1, 2**64 - 1

#: Integers at and around the edges the engine treats differently.
EDGE_INTS = [0, 1, -1, 2**31, -(2**31) - 1, 2**53 + 1, I64_MAX, I64_MIN, I64_MAX + 1, U64_MAX]
BIG_EDGE_INTS = [U64_MAX + 1, I64_MIN - 1, 2**127 - 1, -(2**127), 2**127, 2**128 - 1, 2**128]

#: Floats whose bits are easy to lose: signed zero, subnormals, extremes, integral values.
EDGE_FLOATS = [
    -0.0,
    0.0,
    5e-324,
    -5e-324,
    2.225073858507201e-308,  # largest subnormal
    sys.float_info.min,
    sys.float_info.max,
    -sys.float_info.max,
    1.0,
    2.0**53,
    1e16,
    0.1,
]

#: Text as a JSON decoder can produce it: any code point but lone surrogates, NUL and astral
#: characters included, plus strings past the key cache's 64-byte limit.
text = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=24),
    st.sampled_from(["", "\x00", "a\x00b", "🎉", "\U0010ffff", "é" * 40, "k" * 65, "\u2028"]),
)

json_ints = st.one_of(st.integers(I64_MIN, U64_MAX), st.sampled_from(EDGE_INTS))
json_floats = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(EDGE_FLOATS)
)
json_scalars = st.one_of(st.none(), st.booleans(), json_ints, json_floats, text)


def json_values(max_leaves: int = 40) -> st.SearchStrategy:
    """JSON values exactly as the runtime's decoder makes them: dict, list, str, int, float,
    bool, None (ints beyond 64 bits excluded: into `Value` they are an error, see below)."""
    return st.recursive(
        json_scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=6), st.dictionaries(text, children, max_size=6)
        ),
        max_leaves=max_leaves,
    )


# --- beyond what the runtime sends: still Python callers' everyday objects ---------------------


class IntSub(int):
    pass


class StrSub(str):
    pass


class FloatSub(float):
    pass


class ListSub(list):
    pass


class DictSub(dict):
    pass


class Color(enum.IntEnum):
    RED = 1
    HUGE = 2**70


lone_surrogates = st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1)
any_text = st.one_of(text, st.builds(lambda a, s: a + s, text, lone_surrogates))
wide_ints = st.one_of(json_ints, st.integers(), st.sampled_from(BIG_EDGE_INTS))
wide_floats = st.one_of(json_floats, st.floats(), st.sampled_from([float("nan"), float("inf")]))

wide_scalars = st.one_of(
    json_scalars,
    wide_ints,
    wide_floats,
    any_text,
    st.builds(IntSub, wide_ints),
    st.builds(StrSub, text),
    st.builds(FloatSub, wide_floats),
    st.sampled_from(list(Color)),
)

#: Keys json.dumps accepts (str, int, float, bool, None), subclasses, and ones it does not.
wide_keys = st.one_of(
    text,
    any_text,
    wide_ints,
    wide_floats,
    st.booleans(),
    st.none(),
    st.builds(IntSub, wide_ints),
    st.builds(FloatSub, wide_floats),
    st.builds(StrSub, text),
    st.tuples(st.integers(0, 3)),
    st.binary(max_size=3),
    st.sampled_from([decimal.Decimal(1), frozenset(), Color.RED]),
)


def reordered(items: dict) -> collections.OrderedDict:
    """An OrderedDict whose linked order differs from its storage order (first key moved to
    the end), as `move_to_end()` leaves it."""
    ordered = collections.OrderedDict(items)
    if len(ordered) > 1:
        ordered.move_to_end(next(iter(ordered)))
    return ordered


def wide_values(max_leaves: int = 40) -> st.SearchStrategy:
    """JSON-like values with everything a Python caller might pass: big ints, NaN and
    infinities, lone surrogates, non-str keys, tuples, subclasses, OrderedDicts."""
    return st.recursive(
        wide_scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=6),
            st.lists(children, max_size=4).map(tuple),
            st.lists(children, max_size=4).map(ListSub),
            st.dictionaries(wide_keys, children, max_size=6),
            st.dictionaries(text, children, max_size=4).map(DictSub),
            st.dictionaries(text, children, max_size=4).map(collections.OrderedDict),
            st.dictionaries(text, children, max_size=4).map(reordered),
            st.dictionaries(wide_keys, children, max_size=4).map(reordered),
        ),
        max_leaves=max_leaves,
    )


class Opaque:
    """An object with no JSON meaning."""


#: Objects JSON has no meaning for, and Decimals (meaningful, but not always exactly).
non_json = st.one_of(
    st.builds(set, st.lists(st.integers(), max_size=3)),
    st.builds(frozenset, st.lists(text, max_size=3)),
    st.binary(max_size=8),
    st.binary(max_size=8).map(bytearray),
    st.builds(Opaque),
    st.complex_numbers(allow_nan=False),
    st.datetimes(),
    st.dates().map(lambda d: datetime.date(d.year, d.month, d.day)),
    st.integers(0, 5).map(range),
    st.decimals(),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.sampled_from([object(), type, len, Ellipsis, NotImplemented, memoryview(b"m")]),
)


def hostile_values(max_leaves: int = 30) -> st.SearchStrategy:
    """Wide values with non-JSON objects in odd places (values, inside sets/tuples)."""
    return st.recursive(
        st.one_of(wide_scalars, non_json),
        lambda children: st.one_of(
            st.lists(children, max_size=5),
            st.lists(children, max_size=3).map(tuple),
            st.dictionaries(wide_keys, children, max_size=5),
        ),
        max_leaves=max_leaves,
    )


def containers(value) -> list:
    """Every list and dict inside `value` (including itself), outermost first."""
    found, stack = [], [value]
    while stack:
        item = stack.pop()
        if type(item) is list:
            found.append(item)
            stack.extend(item)
        elif type(item) is dict:
            found.append(item)
            stack.extend(item.values())
    return found
