"""Every Rust example, run through the emulator and the real awslambdaric as Lambda runs it.

The artifacts come from `make build-examples` (a dependency of `make test`'s Python step); run by
hand before a build, these tests skip and say so.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import threading
from importlib import resources

import boto3
import pytest

from pylambda.emulator import Function
from pylambda.emulator.invoke_api import make_server
from pylambda.emulator.samples import sample_event_names

EVENTS_DIR = resources.files("pylambda") / "events"
SOURCES = sample_event_names()


def invoke(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pylambda", "invoke", *args], capture_output=True, timeout=60
    )


@pytest.fixture(scope="module")
def python_echo_bytes(tmp_path_factory):
    """What a pure-Python `return event` handler sends back for each sample event."""
    module = tmp_path_factory.mktemp("pyecho") / "pyecho.py"
    module.write_text("def handler(event, context):\n    return event\n")
    with Function(module) as fn:
        return {
            name: fn.invoke((EVENTS_DIR / f"{name}.json").read_bytes()).payload for name in SOURCES
        }


@pytest.mark.parametrize("name", SOURCES)
def test_libecho_prints_each_sample_event_unchanged(
    name, python_echo_bytes, release_artifact, same_json
):
    artifact = release_artifact("libecho.so")
    event = EVENTS_DIR / f"{name}.json"
    done = invoke(str(artifact), "--event", str(event))
    assert done.returncode == 0, done.stderr.decode()
    assert same_json(json.loads(done.stdout), json.loads(event.read_bytes()))
    # Byte for byte what Python's own `return event` gives: same key order, same number forms.
    assert done.stdout == python_echo_bytes[name]


def test_libecho_keeps_every_json_type(release_artifact, same_json):
    artifact = release_artifact("libecho.so")
    event = (
        b'{"int": 1, "big": 12345678901234567890, "neg": -7, "float": 2.5, "exp": 1e+300, '
        b'"tiny": 5e-324, "str": "h\\u00e9llo \\ud83e\\udd80", "t": true, "f": false, "n": null, '
        b'"list": [1, [2, [3, {}]]], "empty": ""}'
    )
    with Function(artifact) as fn:
        result = fn.invoke(event)
    assert result.ok, result.payload
    assert same_json(json.loads(result.payload), json.loads(event))


def test_liberrors_fail_exits_1_with_validation_error(release_artifact):
    artifact = release_artifact("liberrors.so")
    done = invoke(str(artifact), "--handler", "liberrors.fail", "--event", "sqs")
    assert done.returncode == 1
    error = json.loads(done.stdout)
    assert error["errorType"] == "ValidationError"
    assert error["errorMessage"] == "name must not be empty"


def test_liberrors_ok_and_a_panic_that_leaves_the_process_serving(release_artifact):
    artifact = release_artifact("liberrors.so")
    with Function(artifact, "liberrors.ok") as ok:
        assert ok.invoke(b"{}").json() == {"ok": True}
    with Function(artifact, "liberrors.panic") as fn:
        first = fn.invoke(b"{}")
        second = fn.invoke(b"{}")
    assert first.status == "error" and first.function_error == "Unhandled"
    assert first.error_type == "RustPanic" and first.json()["errorMessage"] == "boom"
    assert second.error_type == "RustPanic" and second.pid == first.pid


def test_rust_handler_past_its_timeout_is_killed_and_replaced(release_artifact):
    artifact = release_artifact("liberrors.so")
    with Function(artifact, "liberrors.sleep", timeout=1) as fn:
        warm_pid = fn.invoke(b'{"seconds": 0}').pid
        timed_out = fn.invoke(b'{"seconds": 30}')
        after = fn.invoke(b'{"seconds": 0}')
    assert timed_out.error_type == "Sandbox.Timedout" and not timed_out.cold
    assert after.ok and after.json() == {"slept": 0}
    assert after.cold and after.pid != warm_pid


def test_libhello_demo_uses_the_context(release_artifact):
    artifact = release_artifact("libhello.so")
    with Function(artifact, memory=256) as fn:
        result = fn.invoke((EVENTS_DIR / "hello.json").read_bytes())
    assert result.ok, result.payload
    body = result.json()
    assert body["message"] == "Hello, Ferris! This is Rust in the Python runtime."
    assert body["requestId"] == result.request_id
    assert body["functionName"] == "libhello"
    assert body["memoryLimitInMb"] == 256
    assert 0 < body["remainingTimeMs"] <= 3000


def test_libapigw_answers_api_gateway_proxy_events(release_artifact):
    artifact = release_artifact("libapigw.so")
    event = json.loads((EVENTS_DIR / "apigw-v1.json").read_bytes())
    event.update(path="/hello", httpMethod="GET", queryStringParameters={"name": "Ferris"})
    event["multiValueQueryStringParameters"] = {"name": ["Ferris"]}
    with Function(artifact) as fn:
        result = fn.invoke(json.dumps(event))
    assert result.ok, result.payload
    response = result.json()
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"message": "Hello, Ferris!"}


def test_libmulti_init_runs_once_per_environment_and_can_fail_init(release_artifact):
    artifact = release_artifact("libmulti.so")
    with Function(artifact, "libmulti.handler", env={"MULTI_CONFIG": '{"greeting": "Hi"}'}) as fn:
        assert fn.invoke(b'{"name": "Ferris"}').json() == {"message": "Hi, Ferris!"}
    with Function(artifact, "libmulti.handler", env={"MULTI_CONFIG": "{bad"}) as fn:
        result = fn.invoke(b'{"name": "Ferris"}')
    assert result.status == "error" and result.error_type == "ConfigError"
    assert result.json()["errorMessage"].startswith("MULTI_CONFIG is not valid JSON")
    assert "Phase: init\tStatus: error" in result.logs


def test_handlers_in_lambda_runtimes_form_through_awslambdaric(release_artifact):
    artifact = release_artifact("libmulti.so")
    with Function(artifact, "libmulti.ported", name="ported-fn") as fn:
        result = fn.invoke(b'{"name": "Ferris"}')
    assert result.json() == {"message": f"Hello, Ferris ({result.request_id})!"}
    with Function(artifact, "libmulti.ported_async", name="ported-fn") as fn:
        result = fn.invoke(b'{"firstName": "Ada"}')
    assert result.json() == {"message": "Hello, Ada!", "functionName": "ported-fn"}


def test_boto3_against_serve_with_a_rust_function(release_artifact):
    artifact = release_artifact("liberrors.so")
    server = make_server(lambda: Function(artifact, "liberrors.fail"))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        client = boto3.client(
            "lambda",
            endpoint_url=server.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="x",
        )
        response = client.invoke(FunctionName="liberrors", Payload=b"{}")
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
    assert response["FunctionError"] == "Unhandled"
    assert json.loads(response["Payload"].read())["errorType"] == "ValidationError"


def test_the_collector_is_on_whenever_an_invocation_starts(release_artifact, tmp_path):
    """Called by the runtime client, pylambda ends its collector pause when the invocation's
    context is freed instead of when the response is built (src/ffi/gc.rs): off while the
    runtime client sends the response, on again before the next invocation starts."""
    shutil.copy(release_artifact("libecho.so"), tmp_path)
    (tmp_path / "wrapper.py").write_text(
        textwrap.dedent(
            """
            import gc
            import libecho

            def handler(event, context):
                at_start = gc.isenabled()
                response = libecho.handler(event, context)
                return {"at_start": at_start, "after": gc.isenabled(), "echo": response}
            """
        )
    )
    with Function(tmp_path, "wrapper.handler") as fn:
        results = [json.loads(fn.invoke(b'{"a": [1, {"b": 2}]}').payload) for _ in range(3)]
    expected = {"at_start": True, "after": False, "echo": {"a": [1, {"b": 2}]}}
    assert results == [expected] * 3
