"""Python interop (`src/interop.rs`, `examples/interop`): Rust functions called from Python, and a
Rust handler wrapped by a Python decorator (AWS Lambda Powertools), in one deployment package.

The package is what a user would upload: `libinterop.so`, `app.py` and `wrapped.py` at the root
of one zip, run by the emulator under the real awslambdaric with the real Powertools.
"""

from __future__ import annotations

import base64
import importlib
import json
import sys
import zlib
from pathlib import Path

import pytest

from pylambda.emulator import Function
from pylambda.packaging import write_zip

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "interop"


@pytest.fixture
def libinterop(release_artifact, monkeypatch):
    so = release_artifact("libinterop.so")
    monkeypatch.syspath_prepend(str(so.parent))
    return importlib.import_module("libinterop")


@pytest.fixture
def package(release_artifact, tmp_path) -> Path:
    """The deployment zip: the module and the two Python files, at its root."""
    so = release_artifact("libinterop.so")
    return write_zip(tmp_path / "interop.zip", [so, EXAMPLE / "app.py", EXAMPLE / "wrapped.py"])


# -- called directly -------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"123456789", bytes(range(256)) * 100])
def test_one_argument_converts_to_the_parameter(libinterop, data):
    assert libinterop.checksum(data) == zlib.crc32(data)
    assert libinterop.checksum(bytearray(data)) == zlib.crc32(data)


def test_several_arguments_convert_as_a_tuple(libinterop):
    pixels = bytes(range(16))
    small = libinterop.resize(pixels, 4, 4, 2, 2)
    assert type(small) is bytes and small == bytes([0, 2, 8, 10])


def test_errors_raise_like_handlers(libinterop):
    with pytest.raises(Exception) as info:
        libinterop.resize(bytes(16), 3, 4, 2, 2)
    assert type(info.value).__name__ == "InvalidImage"  # the Diagnostic's error_type
    assert str(info.value) == "16 bytes is not a 3x4 image"
    # The same class every time, so `except` clauses can hold on to it.
    with pytest.raises(type(info.value)):
        libinterop.resize(bytes(1), 2, 2, 1, 1)


def test_arguments_that_do_not_fit(libinterop):
    with pytest.raises(libinterop.DeserializeError, match=r"^\[1\]: invalid type"):
        libinterop.resize(b"abcd", "two", 2, 1, 1)
    with pytest.raises(
        libinterop.DeserializeError, match="invalid length 3, expected a tuple of size 5"
    ):
        libinterop.resize(b"abcd", 2, 2)
    with pytest.raises(libinterop.DeserializeError):
        libinterop.checksum()  # no argument converts from None
    with pytest.raises(TypeError, match="positional arguments only"):
        libinterop.checksum(data=b"x")
    with pytest.raises(TypeError):
        libinterop.checksum({1, 2})  # not JSON-like: TypeError naming the type


def test_the_handler_is_exported_next_to_the_functions(libinterop):
    total = libinterop.handler(
        {"order_id": "o-1", "lines": [{"sku": "a", "quantity": 2, "unit_price_cents": 150}]},
        None,
    )
    assert total == {"order_id": "o-1", "items": 2, "total_cents": 300, "request_id": ""}


def test_a_function_releases_the_gil(libinterop):
    """A Python thread keeps running while Rust works (the call runs without the GIL).

    One call of ~50 ms: with the GIL held the whole time, the counting thread could run for at
    most a switch interval or two around it (well under a millisecond of counting).
    """
    import threading

    side = 3000
    pixels = bytes(side * side)
    ticks = 0
    started = threading.Event()
    stop = threading.Event()

    def count():
        nonlocal ticks
        started.set()
        while not stop.is_set():
            ticks += 1

    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    thread = threading.Thread(target=count)
    thread.start()
    started.wait()
    try:
        ticks_at_start = ticks
        libinterop.resize(pixels, side, side, side, side)
        during = ticks - ticks_at_start
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(before)
    # Measured: hundreds of thousands of ticks in the ~50 ms call.
    assert during > 20_000, during


# -- through the runtime ---------------------------------------------------------------------

IMAGE = {
    "image": base64.b64encode(bytes(range(16))).decode(),
    "width": 4,
    "height": 4,
    "thumb_width": 2,
    "thumb_height": 2,
}


def test_python_handler_calls_rust_functions(package):
    with Function(package, handler="app.handler", log_format="JSON", log_level="INFO") as fn:
        ok = fn.invoke(IMAGE)
        bad = fn.invoke({**IMAGE, "width": 3})
    assert ok.ok, ok.payload
    assert ok.json() == {
        "statusCode": 200,
        "checksum": zlib.crc32(bytes(range(16))),
        "thumbnail": base64.b64encode(bytes([0, 2, 8, 10])).decode(),
        "requestId": ok.request_id,
    }
    # Python's prints and the Rust function's log record, in the order they happened.
    lines = ok.logs.splitlines()
    calling = lines.index("python: calling rust")
    returned = lines.index("python: rust returned")
    (rust,) = [i for i, line in enumerate(lines) if "resizing 4x4 to 2x2" in line]
    assert calling < rust < returned
    record = json.loads(lines[rust])
    assert (record["logger"], record["requestId"]) == ("interop", ok.request_id)
    # The Rust error reached Python as an exception the handler caught.
    assert bad.ok and bad.json() == {
        "statusCode": 400,
        "error": "InvalidImage",
        "message": "16 bytes is not a 3x4 image",
    }


def test_rust_handler_wrapped_by_powertools(package):
    order = {"order_id": "o-9", "lines": [{"sku": "a", "quantity": 3, "unit_price_cents": 5}]}
    with Function(package, handler="wrapped.handler", log_format="JSON", log_level="INFO") as fn:
        first = fn.invoke(order)
        second = fn.invoke(order)
    assert first.ok, first.payload
    assert first.json() == {
        "order_id": "o-9",
        "items": 3,
        "total_cents": 15,
        "request_id": first.request_id,
    }
    for result, cold in ((first, True), (second, False)):
        records = [json.loads(line) for line in result.logs.splitlines() if line.startswith("{")]
        # Powertools' own structured line, with the Lambda context it injected.
        (event_line,) = [r for r in records if r.get("service") == "orders"]
        assert event_line["message"] == order
        assert event_line["function_request_id"] == result.request_id
        assert event_line["cold_start"] is cold
        # And the Rust handler's record, through the runtime's handler.
        (rust,) = [r for r in records if r.get("logger") == "interop"]
        assert rust["message"] == "totalling order o-9"
        assert rust["requestId"] == result.request_id
        # Python's output (Powertools writes before calling the handler), Rust's println! and
        # Rust's log record, in that order.
        lines = result.logs.splitlines()
        powertools = next(i for i, x in enumerate(lines) if '"service":"orders"' in x)
        printed = lines.index("rust: 1 lines")
        logged = next(i for i, x in enumerate(lines) if "totalling order o-9" in x)
        assert powertools < printed < logged


def test_the_rust_handler_alone_from_the_same_package(package):
    with Function(package, handler="libinterop.handler") as fn:
        result = fn.invoke({"order_id": "o-2", "lines": []})
    assert result.json()["total_cents"] == 0
