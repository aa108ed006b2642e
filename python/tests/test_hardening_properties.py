"""Property tests of the conversion engine (issue 8, item 1), with Hypothesis.

- JSON values as the runtime decodes them come back from `echo` strictly equal (types, key
  order, float bits).
- Wider values (big ints, NaN, lone surrogates, odd keys, subclasses, tuples) and non-JSON
  objects (sets, bytes, objects, Decimals, cycles) give exactly what the reference model
  (hardening/model.py, written from the crate docs' table) says: the value, or the exception
  class with the path and message. Never a crash; the next call still works.
- A Decimal becomes a float exactly when the runtime would write that float with the same
  digits (Python's repr), including ties between two equally short texts.
- Ints across the 64- and 128-bit bounds are exact in `i128`/`u128`; any float keeps its bits
  in `f64`.
- Dicts like a remembered shape (src/convert/shapes.rs), but with other keys or values, still
  follow the model.

Examples per test: `PYLAMBDA_PROPERTY_EXAMPLES` (default 400: 2,800 cases in all, the
`make test` size); `scripts/hardening/properties.sh` runs 20,000 per test, 140,000 in all.
"""

from __future__ import annotations

import decimal
import importlib
import math
import os
import re
import struct
import sys
from pathlib import Path

import pytest
from hardening import strategies as gen
from hardening.model import Expected, echo_model
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from strict import first_difference

RELEASE = Path(__file__).resolve().parents[2] / "target" / "release"
EXAMPLES = int(os.environ.get("PYLAMBDA_PROPERTY_EXAMPLES", "400"))

# No deadline: the machine is shared, and time is not the property.
property_settings = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def load(name):
    if str(RELEASE) not in sys.path:
        sys.path.insert(0, str(RELEASE))
    path = RELEASE / f"{name}.so"
    if not path.is_file():
        pytest.fail(f"{path} is not built: run `make build-examples`")
    return importlib.import_module(name)


ECHO = None
PROBE = None


@pytest.fixture(scope="module", autouse=True)
def modules():
    global ECHO, PROBE
    ECHO, PROBE = load("libecho").handler, load("libprobe")


def assert_same(got, expected):
    diff = first_difference(got, expected)
    assert diff is None, diff


def check_against_model(value):
    """echo(value) is what the model says: the value, or the exception it describes."""
    try:
        expected = echo_model(value)
    except Expected as e:
        event(f"{e.exc_type.__name__}: {e.message.split(' ')[0].split('(')[0]}")
        with pytest.raises(e.exc_type) as info:
            ECHO(value, None)
        message = str(info.value)
        if e.exc_type is ValueError:
            assert type(info.value).__name__ == "DeserializeError", repr(info.value)
        assert e.message in message, (message, e.text())
        if e.ascii_path():
            assert message.startswith(e.text()), (message, e.text())
    else:
        event("value")
        assert_same(ECHO(value, None), expected)
    # The process keeps serving.
    assert ECHO({"next": [1]}, None) == {"next": [1]}


@property_settings
@given(gen.json_values())
def test_json_values_come_back_strictly_equal(value):
    assert_same(ECHO(value, None), value)


@property_settings
@given(gen.wide_values())
def test_wider_values_follow_the_model(value):
    check_against_model(value)


@property_settings
@given(gen.hostile_values(), st.data())
def test_non_json_objects_and_cycles_raise_clear_errors(value, data):
    """Non-JSON objects anywhere, and sometimes a container made to contain an enclosing one."""
    inside = gen.containers(value)
    if inside and data.draw(st.booleans(), label="make a cycle"):
        holder = data.draw(st.sampled_from(inside), label="holder")
        target = data.draw(st.sampled_from(inside), label="target")
        if type(holder) is list:
            holder.append(target)
        else:
            holder[data.draw(gen.text, label="key")] = target
    check_against_model(value)


@property_settings
@given(
    st.one_of(
        st.integers(-(2**127), 2**127 - 1),
        st.sampled_from(gen.EDGE_INTS + gen.BIG_EDGE_INTS),
        st.integers(min_value=2**127),
        st.integers(max_value=-(2**127) - 1),
    )
)
def test_ints_across_64_and_128_bits(n):
    if -(2**127) <= n < 2**127:
        assert_same(PROBE.i128_echo(n), n)
    else:
        with pytest.raises(ValueError, match="integer"):
            PROBE.i128_echo(n)
    if 0 <= n < 2**128:
        assert_same(PROBE.u128_echo(n), n)
    else:
        with pytest.raises(ValueError):
            PROBE.u128_echo(n)


@property_settings
@given(st.one_of(st.floats(), st.sampled_from(gen.EDGE_FLOATS), st.integers(0, 2**64 - 1)))
def test_every_float_keeps_its_bits_in_f64(x):
    """Any float (NaN, infinities, subnormals, -0.0) through an `f64`; ints given as bits."""
    if isinstance(x, int):
        x = struct.unpack("<d", struct.pack("<Q", x))[0]
    got = PROBE.f64_echo(x)
    assert type(got) is float
    if math.isnan(x):
        assert math.isnan(got)
    else:
        assert struct.pack("<d", got) == struct.pack("<d", x)


def last_digit_moved(text: str, step: int) -> str | None:
    """`text` with its last mantissa digit moved by `step` (None where that would carry)."""
    match = re.match(r"^(-?[0-9.]*?)([0-9])((?:e[-+]?[0-9]+)?)$", text)
    if not match or not 0 <= int(match[2]) + step <= 9:
        return None
    return f"{match[1]}{int(match[2]) + step}{match[3]}"


@property_settings
@given(
    st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        # doubles exactly halfway between two equally short texts (ulp 1/8 here)
        st.builds(lambda n, f: n + f, st.integers(2**49, 2**50), st.sampled_from([0.25, 0.75])),
    )
)
def test_decimals_become_floats_only_when_the_runtime_writes_the_same_digits(x):
    """Decimal(repr(x)) is the float x; a neighbouring text that reads as the same double but
    that the runtime would write differently is an error (found by this suite: the engine used
    Rust's shortest text, which takes the other side of a tie, so 1059438285926254.3 passed as a
    float the runtime writes as ...254.2, and ...254.2 was refused)."""
    text = repr(x)
    check_against_model([decimal.Decimal(text)])
    for step in (-1, 1):
        moved = last_digit_moved(text, step)
        if moved is not None:
            check_against_model([decimal.Decimal(moved)])


@property_settings
@given(
    st.lists(gen.text, min_size=3, max_size=12, unique=True),
    st.lists(st.tuples(st.integers(1, 11), gen.wide_keys), max_size=3),
    st.data(),
)
def test_dicts_of_a_remembered_shape_follow_the_model(keys, changes, data):
    """A dict shape seen twice is remembered (src/convert/shapes.rs) and later dicts with its
    first key and length start from a copy of it. Dicts that differ from it after the first key
    (other keys, any key type, keys moved, other values) must still follow the model."""
    shape = dict.fromkeys(keys, 0)
    for _ in range(2):
        assert_same(ECHO(shape, None), shape)
    variant_keys = list(keys)
    for position, key in changes:
        variant_keys[position % len(keys) or 1] = key
    if data.draw(st.booleans(), label="swap two keys after the first"):
        i, j = data.draw(st.lists(st.integers(1, len(keys) - 1), min_size=2, max_size=2))
        variant_keys[i], variant_keys[j] = variant_keys[j], variant_keys[i]
    n = len(keys)
    values = data.draw(st.lists(gen.wide_values(max_leaves=4), min_size=n, max_size=n))
    check_against_model(dict(zip(variant_keys, values, strict=True)))
    assert_same(ECHO(shape, None), shape)
