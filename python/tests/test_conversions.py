"""The conversion rules of the crate docs' table, one test each, through real handlers.

`libecho.handler` converts into `serde_json::Value` and back; `libprobe` has a handler per
typed target (`i128`, `f64`, enums, ...). Values are compared strictly (types, key order,
float bits): see `strict.py`.
"""

from __future__ import annotations

import collections
import decimal
import enum
import math
import sys

import pytest
from strict import first_difference


def assert_same(a, b):
    diff = first_difference(a, b)
    assert diff is None, diff


# --- ints -------------------------------------------------------------------------------------

EDGE_INTS = [0, 1, -1, 2**31, -(2**31) - 1, 2**53 + 1, 2**63 - 1, -(2**63), 2**63, 2**64 - 1]


@pytest.mark.parametrize("n", EDGE_INTS)
def test_ints_in_64_bits_round_trip_exactly_through_value(echo, n):
    assert_same(echo({"n": n, "l": [n]}), {"n": n, "l": [n]})


@pytest.mark.parametrize("n", [2**64, -(2**63) - 1, 2**127 - 1, -(2**127), 2**100])
def test_larger_ints_are_exact_in_i128(probe, n):
    assert_same(probe.i128_echo(n), n)


@pytest.mark.parametrize("n", [2**64, 2**128 - 1])
def test_larger_ints_are_exact_in_u128(probe, n):
    assert_same(probe.u128_echo(n), n)


def test_ints_beyond_64_bits_into_value_are_an_error_not_a_float(echo):
    with pytest.raises(ValueError) as info:
        echo({"a": [1, 2**64]})
    assert str(info.value).startswith("a[1]: integer 18446744073709551616")
    assert "out of range" in str(info.value)


@pytest.mark.parametrize(
    "handler, value, message",
    [
        ("u64_echo", -1, "invalid value: integer `-1`, expected u64"),
        (
            "u64_echo",
            2**64,
            "integer 18446744073709551616: invalid type: integer `18446744073709551616` as i128, expected u64",
        ),
        ("i64_echo", 2**63, "invalid value: integer `9223372036854775808`, expected i64"),
        ("u8_echo", 256, "invalid value: integer `256`, expected u8"),
        ("i128_echo", 2**127, "integer 170141183460469231731687303715884105728"),
        ("i128_echo", 10**50, "integer with 51 digits does not fit in 128 bits"),
        ("u128_echo", -1, "invalid value: integer `-1`, expected u128"),
    ],
)
def test_out_of_range_ints_name_the_value(probe, handler, value, message):
    with pytest.raises(ValueError) as info:
        getattr(probe, handler)(value)
    assert message in str(info.value)


def test_the_response_side_builds_exact_ints(probe):
    assert_same(probe.big_ints(None), [-(2**127), 2**128 - 1, -(2**100)])
    assert_same(
        probe.extremes(None),
        {
            "i64min": -(2**63),
            "i64max": 2**63 - 1,
            "u64max": 2**64 - 1,
            "f64max": sys.float_info.max,
            "f64minpos": sys.float_info.min,
            "negzero": -0.0,
        },
    )


# --- floats -----------------------------------------------------------------------------------


@pytest.mark.parametrize("x", [1.0, -0.0, 0.1, 5e-324, 1e308, 2.0**53, 123456789.125])
def test_floats_stay_floats_bit_for_bit(echo, probe, x):
    assert_same(echo([x]), [x])
    assert_same(probe.f64_echo(x), x)


@pytest.mark.parametrize("x", [math.nan, math.inf, -math.inf])
def test_non_finite_floats_reach_float_targets(probe, x):
    assert_same(probe.f64_echo(x), x)
    assert_same(probe.opt_f64_echo(x), x)
    assert probe.opt_f64_echo(None) is None


@pytest.mark.parametrize(
    "x, name", [(math.nan, "NaN"), (math.inf, "Infinity"), (-math.inf, "-Infinity")]
)
def test_non_finite_floats_into_value_are_an_error_not_null(echo, x, name):
    with pytest.raises(ValueError) as info:
        echo({"x": [x]})
    assert str(info.value).startswith(f"x[0]: {name} cannot be represented here")


def test_non_finite_floats_out(probe):
    got = probe.special_floats(None)
    assert math.isnan(got[0]) and got[1:] == [math.inf, -math.inf, -0.0, 1.0]
    assert math.copysign(1.0, got[3]) == -1.0


# --- strings ----------------------------------------------------------------------------------

STRINGS = [
    "",
    "ascii",
    "é",
    "naïve ünïcödé",
    "日本語",
    "🎉 astral 𝄞",
    "nul\x00inside",
    "\u2028",
    "a" * 100_000,
]


@pytest.mark.parametrize("s", STRINGS, ids=range(len(STRINGS)))
def test_every_valid_str_round_trips(echo, probe, s):
    assert_same(echo({s: s}), {s: s})
    assert_same(probe.string_echo(s), s)


@pytest.mark.parametrize("s", ["\ud800", "a\udfffb", "\udc80"])
def test_lone_surrogates_are_a_clear_error(echo, s):
    with pytest.raises(ValueError, match="surrogates not allowed"):
        echo({"k": s})
    with pytest.raises(ValueError, match="dict key cannot be converted to UTF-8"):
        echo({s: 1})


# --- strings handed back unchanged ------------------------------------------------------------
# A `Value` handler's response strings that are the event's, unchanged, are the event's own
# `str` objects (`convert::EventStrings`); content decides, never the buffer's address.


def strs_of(obj):
    """Every str value in `obj` (not keys), in order."""
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in strs_of(v)]
    if isinstance(obj, list | tuple):
        return [s for v in obj for s in strs_of(v)]
    return []


def unchanged_event():
    # Built at run time (not code constants, which other code may hold too), with one text
    # twice ("twice"): a response string matched with the wrong one of the two would show.
    texts = [t.encode().decode() for t in ("ascii", "é", "日本語", "🎉 astral 𝄞", "nul\x00inside")]
    return {
        "a": "".join(["x", "y"]),
        "list": [*texts, *(t.upper() for t in texts), {"k": "".join(["v", "w"])}],
        "twice": ["".join(["s", "t"]), "".join(["s", "t"])],
        "n": 1,
        "long": "".join(["z"] * 100_000),
    }


def test_unchanged_strings_come_back_as_the_events_own_objects(probe, echo):
    for handler in (probe.value_echo, echo):
        event = unchanged_event()
        before = strs_of(event)
        response = handler(event)
        assert_same(response, unchanged_event())
        after = strs_of(response)
        assert all(r is e for r, e in zip(after, before, strict=True))
        assert strs_of(event) == before  # the event is untouched


def test_strings_changed_in_place_come_back_changed(probe):
    event = unchanged_event()
    expected = {k: v.upper() if isinstance(v, str) else v for k, v in unchanged_event().items()}
    expected["list"] = [
        {"k": "VW"} if isinstance(s, dict) else s.encode().upper().decode()
        for s in unchanged_event()["list"]
    ]
    expected["twice"] = ["ST", "ST"]
    response = probe.strings_uppercased(event)
    assert_same(response, expected)
    assert_same(event, unchanged_event())


def test_strings_copied_or_reordered_come_back_equal(probe):
    event = unchanged_event()
    assert_same(probe.strings_copied(event), unchanged_event())
    reversed_event = {k: v for k, v in reversed(list(unchanged_event().items()))}
    reversed_event["list"] = list(reversed(reversed_event["list"]))
    reversed_event["twice"] = list(reversed(reversed_event["twice"]))
    assert_same(probe.reversed(event), reversed_event)
    assert_same(event, unchanged_event())


def test_a_str_subclass_comes_back_as_a_str(probe):
    class Name(str):
        pass

    event = {"name": Name("x"), "plain": "y" + ""}
    response = probe.value_echo(event)
    assert type(response["name"]) is str and response["name"] == "x"
    assert response["plain"] is event["plain"]


def test_recorded_strings_are_let_go_whatever_the_outcome(probe):
    event = unchanged_event()
    strs = strs_of(event)
    counts = [sys.getrefcount(s) for s in strs]
    for _ in range(3):
        probe.value_echo(event)
        probe.strings_uppercased(event)
        with pytest.raises(Exception, match="read_and_fail"):
            probe.read_and_fail(event)
        with pytest.raises(ValueError, match="surrogates"):
            probe.value_echo({**event, "z": "\ud800"})
    assert [sys.getrefcount(s) for s in strs] == counts


# --- bytes, tuples, keys ----------------------------------------------------------------------


def test_bytes_and_bytearray_are_serde_bytes(probe):
    assert_same(probe.bytes_echo(b"\x00\xffraw"), b"\x00\xffraw")
    assert_same(probe.bytes_echo(bytearray(b"abc")), b"abc")
    assert_same(probe.bytes_echo("text"), b"text")


def test_bytes_into_value_are_an_error(echo):
    with pytest.raises(ValueError, match="b: invalid type: byte array"):
        echo({"b": b"raw"})


def test_tuples_are_sequences(echo, probe):
    assert_same(echo((1, "a", (2.0,))), [1, "a", [2.0]])
    assert_same(probe.pairs_echo([("a", 1), ("b", 2)]), [["a", 1], ["b", 2]])


def test_dict_keys_take_their_json_spelling(echo):
    got = echo({"s": 1, 2: 2, 1.5: 3, True: 4, None: 5, 2**70: 6, math.inf: 7, 1e16: 8})
    assert_same(
        got,
        {"s": 1, "2": 2, "1.5": 3, "true": 4, "null": 5, str(2**70): 6, "Infinity": 7, "1e+16": 8},
    )
    import json

    assert list(got) == list(
        json.loads(
            json.dumps({"s": 1, 2: 2, 1.5: 3, True: 4, None: 5, 2**70: 6, math.inf: 7, 1e16: 8})
        )
    )


def test_integer_keyed_maps(probe):
    assert_same(probe.int_keys({"2": "b", 1: "a"}), {"1": "a", "2": "b"})
    with pytest.raises(ValueError, match='invalid value: string "x", expected u32'):
        probe.int_keys({"x": "a"})


@pytest.mark.parametrize("key", [(1, 2), frozenset(), b"bytes", decimal.Decimal(1)])
def test_other_keys_are_a_type_error(echo, key):
    with pytest.raises(TypeError, match="outer: dict key of type .* cannot be converted"):
        echo({"outer": {key: 1}})


# --- key order --------------------------------------------------------------------------------


def test_key_order_is_preserved_both_ways(echo, probe):
    event = {"zeta": 1, "alpha": 2, "mid": {"z": 0, "a": 0, "m": 0}}
    assert list(echo(event)) == ["zeta", "alpha", "mid"]
    assert list(echo(event)["mid"]) == ["z", "a", "m"]
    assert list(probe.ordered(None)) == ["zeta", "alpha", "mid", "nested", "character", "unit"]
    assert_same(
        probe.ordered(None),
        {
            "zeta": 1,
            "alpha": 2,
            "mid": [True, None],
            "nested": {"k": None},
            "character": "é",
            "unit": None,
        },
    )


# --- remembered dict shapes ------------------------------------------------------------------
# A dict shape seen twice in a row is remembered in both directions (src/convert/shapes.rs);
# later dicts with its first key and length start from a copy of it. Whatever follows must
# convert as without it. SHAPE has enough keys for both directions' tables.

KEYS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh"]
SHAPE = dict(zip(KEYS, range(len(KEYS)), strict=True))


class Text(str):
    pass


def remembered_shape(echo):
    for _ in range(3):
        assert_same(echo(SHAPE), SHAPE)


def changed(at: int, key, spelled=None) -> tuple[list, list]:
    """KEYS with `key` at `at`, and the keys expected back (`spelled` there, if given)."""
    keys, expected = list(KEYS), list(KEYS)
    keys[at], expected[at] = key, key if spelled is None else spelled
    return keys, expected


@pytest.mark.parametrize(
    "keys, expected_keys",
    [
        (KEYS, KEYS),
        changed(2, "other"),
        changed(6, "seventh!"),
        changed(6, "sevent"),
        changed(3, 3, spelled="3"),
        (KEYS[:2] + [None, True] + KEYS[4:], KEYS[:2] + ["null", "true"] + KEYS[4:]),
        changed(2, Text("third"), spelled="third"),
        (KEYS[:1] + KEYS[2:3] + KEYS[1:2] + KEYS[3:], KEYS[:1] + KEYS[2:3] + KEYS[1:2] + KEYS[3:]),
    ],
)
def test_dicts_like_a_remembered_shape_convert_exactly(echo, keys, expected_keys):
    remembered_shape(echo)
    values = [{"v": i} if i % 2 else [i, str(i)] for i in range(len(keys))]
    got = echo(dict(zip(keys, values, strict=True)))
    assert_same(got, dict(zip(expected_keys, values, strict=True)))
    assert_same(echo(SHAPE), SHAPE)


def test_keys_spelled_alike_in_a_dict_like_a_remembered_shape(echo):
    remembered_shape(echo)
    # 3 and "3" are one key once spelled: the later value wins, at the first one's place.
    event = dict(SHAPE)
    del event["third"], event["fourth"]
    event.update({3: "int", "3": "str"})
    got = echo(event)
    expected = {k: v for k, v in SHAPE.items() if k not in ("third", "fourth")} | {"3": "str"}
    assert_same(got, expected)


def test_errors_in_a_remembered_shape_name_the_path(echo):
    remembered_shape(echo)
    with pytest.raises(TypeError) as info:
        echo(SHAPE | {"second": [0, {1}]})
    assert str(info.value).startswith("second[1]: object of type set cannot be converted")
    assert_same(echo(SHAPE), SHAPE)


# --- Decimal ----------------------------------------------------------------------------------


def test_decimals_convert_as_numbers(echo, probe):
    D = decimal.Decimal
    assert_same(
        echo({"i": D("42"), "f": D("0.1"), "e": D("1E+2"), "n": D("-7.25")}),
        {"i": 42, "f": 0.1, "e": 100.0, "n": -7.25},
    )
    assert_same(probe.i64_echo(D("42")), 42)
    assert_same(probe.i64_echo(D("4.2E+1")), 42)
    assert_same(probe.f64_echo(D("0.1000000000000000000001")), 0.1)
    assert_same(probe.i128_echo(D("1" + "0" * 30)), 10**30)


def test_decimals_that_a_float_would_round_are_an_error_in_value(echo):
    with pytest.raises(ValueError) as info:
        echo({"price": decimal.Decimal("0.1000000000000000000001")})
    assert str(info.value).startswith(
        "price: Decimal('0.1000000000000000000001') cannot be held exactly"
    )


def test_non_finite_decimals(echo, probe):
    with pytest.raises(ValueError, match="Decimal\\('NaN'\\) is not a finite number"):
        echo([decimal.Decimal("NaN")])
    assert math.isinf(probe.f64_echo(decimal.Decimal("Infinity")))


def test_fractional_decimals_are_not_integers(probe):
    with pytest.raises(ValueError, match="invalid type: Decimal\\('1.5'\\), expected i64"):
        probe.i64_echo(decimal.Decimal("1.5"))


# --- unsupported objects ----------------------------------------------------------------------


class Opaque:
    pass


@pytest.mark.parametrize(
    "value, type_name",
    [
        ({1}, "set"),
        (frozenset(), "frozenset"),
        (__import__("datetime").date(2026, 1, 1), "datetime.date"),
        (Opaque(), "test_conversions.Opaque"),
        (1j, "complex"),
        (range(3), "range"),
    ],
)
def test_unsupported_objects_raise_type_error_naming_the_path(echo, value, type_name):
    with pytest.raises(TypeError) as info:
        echo({"a": [0, {"b": value}]})
    assert str(info.value).startswith(f"a[1].b: object of type {type_name} cannot be converted")


# --- subclasses -------------------------------------------------------------------------------


class Color(enum.IntEnum):
    RED = 1


class Name(str):
    pass


def test_subclasses_convert_as_their_base_type(echo):
    Point = collections.namedtuple("Point", "x y")
    event = {
        "enum": Color.RED,
        "str": Name("n"),
        "ordered": collections.OrderedDict([("b", 1), ("a", 2)]),
        "default": collections.defaultdict(int, {"k": 1}),
        "tuple": Point(1, 2),
        "bool_is_not_int": True,
    }
    assert_same(
        echo(event),
        {
            "enum": 1,
            "str": "n",
            "ordered": {"b": 1, "a": 2},
            "default": {"k": 1},
            "tuple": [1, 2],
            "bool_is_not_int": True,
        },
    )


# --- enums --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "Unit",
        {"Newtype": 5},
        {"Tuple": [1, "x"]},
        {"Struct": {"a": 1, "b": None}},
        {"Struct": {"a": 1, "b": "s"}},
    ],
)
def test_externally_tagged_enums_round_trip(probe, value):
    assert_same(probe.shape_echo(value), value)


def test_enum_errors(probe):
    with pytest.raises(ValueError, match="unknown variant `Nope`"):
        probe.shape_echo("Nope")
    with pytest.raises(ValueError, match="exactly one key"):
        probe.shape_echo({"Newtype": 1, "Unit": None})
    with pytest.raises(ValueError, match="Newtype: invalid type: string"):
        probe.shape_echo({"Newtype": "x"})


def test_internally_tagged_and_untagged_enums(probe):
    assert_same(
        probe.tagged_echo({"type": "Circle", "radius": 1.5}), {"type": "Circle", "radius": 1.5}
    )
    assert_same(
        probe.tagged_echo({"radius": 2.0, "type": "Circle"}), {"type": "Circle", "radius": 2.0}
    )
    assert_same(probe.loose_echo([1, "a", [2]]), [1, "a", [2]])


# --- depth ------------------------------------------------------------------------------------


def nested(depth):
    value: object = 0
    for _ in range(depth):
        value = [value]
    return value


def test_depth_limit_in_both_directions(echo, probe):
    assert_same(echo(nested(128)), nested(128))
    with pytest.raises(ValueError, match="nested more than 128 levels deep"):
        echo(nested(129))
    assert_same(probe.too_deep(128), nested(128))
    with pytest.raises(ValueError, match="nested more than 128 levels deep"):
        probe.too_deep(129)
