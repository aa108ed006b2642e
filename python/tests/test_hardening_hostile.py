"""Hostile and huge events through the local Lambda emulator (issue 8, item 4).

Each event goes through the real awslambdaric and Runtime API to `libecho.handler` (or
`libprobe.bytes_echo` for raw bytes) and must get the right response or a clear Lambda error,
within the function timeout, with the same process serving the next invocation.
"""

from __future__ import annotations

import json

import pytest
from hardening.emulator import artifact, invoke_raw, nested

from pylambda.emulator import MAX_REQUEST_SIZE, Function, InvocationError

#: Generous: the property is "answered", not "fast" (no timing assertions), on a shared machine.
TIMEOUT_S = 60


@pytest.fixture(scope="module")
def echo():
    with Function(artifact("libecho.so"), timeout=TIMEOUT_S, memory=1024) as fn:
        warm = fn.invoke(b'{"warm": true}')
        assert warm.ok, warm.payload
        fn.warm_pid = warm.pid
        yield fn


def still_serving(fn: Function) -> None:
    """The same process answers the next invocation correctly."""
    after = fn.invoke(b'{"after": [1, "two", 3.0]}')
    assert after.ok, after.payload
    assert after.json() == {"after": [1, "two", 3.0]}
    assert after.pid == fn.warm_pid and not after.cold


def assert_echoed(fn: Function, body: bytes) -> None:
    result = fn.invoke(body)
    assert result.ok, result.payload[:500]
    assert result.json() == json.loads(body)
    assert result.pid == fn.warm_pid
    still_serving(fn)


def test_an_event_of_just_under_6_mib(echo):
    body = json.dumps({"data": "x" * (MAX_REQUEST_SIZE - 64), "n": 1}).encode()
    assert MAX_REQUEST_SIZE - 100 < len(body) <= MAX_REQUEST_SIZE
    assert_echoed(echo, body)


def test_an_event_over_6_mib_is_refused_by_lambda_and_nothing_runs(echo):
    body = json.dumps({"data": "x" * MAX_REQUEST_SIZE}).encode()
    with pytest.raises(InvocationError) as info:
        echo.invoke(body)
    assert info.value.status == 413 and info.value.error_type == "RequestEntityTooLargeException"
    still_serving(echo)


def test_a_100000_element_list(echo):
    assert_echoed(echo, json.dumps(list(range(100_000))).encode())


def test_a_dict_with_100000_keys_keeps_its_order(echo):
    keys = [f"k{(i * 7919) % 100_000:05d}" for i in range(100_000)]  # not sorted
    body = json.dumps({key: i for i, key in enumerate(keys)}).encode()
    result = echo.invoke(body)
    assert result.ok, result.payload[:500]
    assert list(result.json()) == keys
    still_serving(echo)


def test_a_5_mb_string(echo):
    text = "x" * (5 * 1000 * 1000) + "é🎉\x00end"
    assert_echoed(echo, json.dumps({"s": text}, ensure_ascii=False).encode())


def test_500_deep_nesting_is_pylambdas_depth_error(echo):
    result = echo.invoke(nested(500))
    assert result.error_type == "DeserializeError", result.payload[:500]
    message = result.json()["errorMessage"]
    assert message.endswith("nested more than 128 levels deep (a cyclic structure?)"), message
    assert result.pid == echo.warm_pid
    still_serving(echo)


def test_10000_deep_nesting_is_the_runtimes_unmarshal_error(echo):
    """simplejson (the runtime's decoder) gives up first: Lambda's own error, no crash.

    Sent with `invoke_raw` as `application/json`: the emulator's own request check
    (`json.loads` in `_check_json`) raises RecursionError on it instead of passing valid
    JSON on, as Lambda would; reported to the emulator's owner."""
    result = invoke_raw(echo, nested(10_000), "application/json")
    assert result.status == "error"
    assert result.error_type == "Runtime.UnmarshalError", result.payload[:500]
    assert result.pid == echo.warm_pid
    still_serving(echo)


def test_invalid_utf8_raw_payload_into_value_is_a_deserialize_error(echo):
    result = invoke_raw(echo, b"\xff\xfe\x80 not utf-8 \xc3\x28", "application/octet-stream")
    assert result.error_type == "DeserializeError", result.payload[:500]
    assert "invalid type: byte array" in result.json()["errorMessage"]
    assert result.pid == echo.warm_pid
    still_serving(echo)


def test_invalid_utf8_raw_payload_into_bytes_comes_back_byte_exact():
    raw = bytes(range(256)) + b"\xff\xfe\x80\xc3\x28"
    with Function(artifact("libprobe.so"), "libprobe.bytes_echo", timeout=TIMEOUT_S) as fn:
        result = invoke_raw(fn, raw, "application/octet-stream")
        assert result.ok, result.payload[:500]
        assert result.payload == raw and result.content_type == "application/unknown"
        again = invoke_raw(fn, b"\x00", "application/octet-stream")
        assert again.ok and again.payload == b"\x00" and again.pid == result.pid
