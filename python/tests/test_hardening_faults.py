"""Faults through the local Lambda emulator (issue 8, item 5): each gives its documented Lambda
error, and the process is replaced only where Lambda would replace it.

| fault | errorType | process |
|---|---|---|
| panic with a non-string payload (`panic_any(42u32)`) | `RustPanic` | kept |
| a panic inside an `async` handler | `RustPanic` | kept |
| a response whose `Serialize` fails | `SerializeError` | kept |
| a handler error | `ValidationError` (its own type) | kept |
| the event does not fit the handler's type | `DeserializeError` | kept |
| the handler runs past the function timeout | `Sandbox.Timedout` | replaced |
| the init function fails | `ConfigError`, at init and again inside the invocation | none starts |
"""

from __future__ import annotations

import pytest
from hardening.emulator import artifact

from pylambda.emulator import Function

KEPT = [
    ("panic_any", b"{}", "RustPanic", "panicked with a payload that is not a string"),
    ("async_panic", b"{}", "RustPanic", "boom in async"),
    ("unserializable", b"{}", "SerializeError", "items[0]: this value refuses to be serialized"),
    ("fail", b"{}", "ValidationError", "name must not be empty"),
    ("strict", b'{"name": "x", "count": 300}', "DeserializeError", "count: invalid value"),
]


@pytest.mark.parametrize("handler, event, error_type, message", KEPT, ids=[k[0] for k in KEPT])
def test_faults_that_keep_the_process(handler, event, error_type, message):
    with Function(artifact("liberrors.so"), f"liberrors.{handler}", timeout=30) as fn:
        first = fn.invoke(event)
        second = fn.invoke(event)
    for result in (first, second):
        assert result.status == "error" and result.function_error == "Unhandled"
        assert result.error_type == error_type, result.payload
        body = result.json()
        assert body["errorType"] == error_type
        assert body["errorMessage"].startswith(message), body
    assert second.pid == first.pid and not second.cold


def test_a_timeout_replaces_the_process_and_the_next_invocation_is_served():
    with Function(artifact("liberrors.so"), "liberrors.sleep", timeout=1) as fn:
        warm = fn.invoke(b'{"seconds": 0}')
        late = fn.invoke(b'{"seconds": 60}')
        after = fn.invoke(b'{"seconds": 0}')
    assert late.status == "timeout" and late.error_type == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in late.json()["errorMessage"]
    assert "Status: timeout" in late.report
    assert after.ok and after.json() == {"slept": 0}
    assert after.cold and after.pid != warm.pid


def test_a_failing_init_fails_every_invocation_and_no_process_stays():
    env = {"MULTI_CONFIG": "{not json"}
    with Function(artifact("libmulti.so"), "libmulti.handler", env=env, timeout=10) as fn:
        results = [fn.invoke(b'{"name": "x"}') for _ in range(2)]
        assert fn.pid is None
    for result in results:
        assert result.status == "error" and result.error_type == "ConfigError"
        assert result.json()["errorMessage"].startswith("MULTI_CONFIG is not valid JSON")
        assert "Phase: init\tStatus: error" in result.logs
        assert "Phase: invoke\tStatus: error" in result.logs
        assert result.pid is None
