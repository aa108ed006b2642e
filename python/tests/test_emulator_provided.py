"""OS-only runtimes (`Function(runtime="provided.al2023")`): the package's `bootstrap` speaks the
Runtime API itself, as a Rust binary on the `lambda_runtime` crate does on provided.al2023.

The bootstraps here are small Python scripts (a shebang to this interpreter), so the tests need
no Rust build; the end-to-end benchmark (`make bench-e2e-smoke`) runs the real `lambda_runtime`
binary.
"""

from __future__ import annotations

import json
import sys
import zipfile

import pytest

from pylambda.emulator import Function
from pylambda.emulator.artifact import ArtifactError
from pylambda.emulator.environment import FunctionConfig, lambda_environment

# A minimal custom runtime: the loop every Runtime API client runs. `crash` kills it, `sleep`
# outlives a timeout, `env` answers with what a bootstrap sees.
BOOTSTRAP = f"""\
#!{sys.executable}
import http.client, json, os, signal, sys, time

api = os.environ["AWS_LAMBDA_RUNTIME_API"]
print("bootstrap starting", flush=True)
conn = http.client.HTTPConnection(api)
while True:
    conn.request("GET", "/2018-06-01/runtime/invocation/next")
    answer = conn.getresponse()
    event = json.loads(answer.read())
    request_id = answer.getheader("Lambda-Runtime-Aws-Request-Id")
    if event.get("crash"):
        os.kill(os.getpid(), signal.SIGSEGV)
    if "sleep" in event:
        time.sleep(event["sleep"])
    if event.get("env"):
        body = json.dumps({{name: os.environ.get(name) for name in event["env"]}})
    else:
        body = json.dumps(event)
    print("handled", request_id, flush=True)
    conn.request("POST", f"/2018-06-01/runtime/invocation/{{request_id}}/response", body)
    conn.getresponse().read()
"""


@pytest.fixture
def bootstrap(tmp_path):
    path = tmp_path / "bootstrap"
    path.write_text(BOOTSTRAP)
    path.chmod(0o755)
    return path


def test_bootstrap_serves_warm_invocations(bootstrap):
    with Function(bootstrap, runtime="provided.al2023") as fn:
        first = fn.invoke(b'{"a": [1, 2.5, "x"]}')
        second = fn.invoke(b'{"b": null}')
    assert first.ok and second.ok
    assert json.loads(first.payload) == {"a": [1, 2.5, "x"]}
    assert json.loads(second.payload) == {"b": None}
    assert first.cold and not second.cold and first.pid == second.pid
    assert "bootstrap starting" in first.logs and f"handled {second.request_id}" in second.logs
    assert "Init Duration" in first.report and "Init Duration" not in second.report
    assert fn.handler == "bootstrap" and fn.provided


def test_zip_with_bootstrap_at_its_root_and_any_executable_name(tmp_path, bootstrap):
    package = tmp_path / "fn.zip"
    with zipfile.ZipFile(package, "w") as archive:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = 0o100755 << 16
        archive.writestr(info, bootstrap.read_text())
    renamed = tmp_path / "my-function"
    renamed.write_text(bootstrap.read_text())
    renamed.chmod(0o755)
    for artifact in (package, renamed):
        with Function(artifact, runtime="provided.al2") as fn:
            assert fn.invoke(b'{"x": 1}').payload == b'{"x": 1}'
            assert (fn.task_dir / "bootstrap").is_file()


def test_environment_has_no_python_runtime_variables(bootstrap):
    names = ["AWS_EXECUTION_ENV", "PYTHONPATH", "_HANDLER", "AWS_LAMBDA_FUNCTION_NAME"]
    with Function(bootstrap, "my.handler", runtime="provided.al2023", name="fn") as fn:
        seen = fn.invoke(json.dumps({"env": names})).json()
    assert seen == {
        "AWS_EXECUTION_ENV": None,
        "PYTHONPATH": None,
        "_HANDLER": "my.handler",
        "AWS_LAMBDA_FUNCTION_NAME": "fn",
    }


def test_crash_and_timeout_as_for_python(bootstrap):
    with Function(bootstrap, runtime="provided.al2023", timeout=1) as fn:
        crashed = fn.invoke(b'{"crash": true}')
        timed_out = fn.invoke(b'{"sleep": 5}')
        again = fn.invoke(b"{}")
    assert crashed.error_type == "Runtime.ExitError"
    assert "signal: segmentation fault" in crashed.payload.decode()
    assert timed_out.error_type == "Sandbox.Timedout"
    assert again.ok and again.cold


def test_missing_or_non_executable_bootstrap_is_refused(tmp_path, bootstrap):
    module = tmp_path / "handler.py"
    module.write_text("def handler(e, c): return e\n")
    with pytest.raises(ArtifactError, match="bootstrap"):
        Function(tmp_path / "handler.py", runtime="provided.al2023")
    bootstrap.chmod(0o644)
    with pytest.raises(ArtifactError, match="not executable"):
        Function(bootstrap, runtime="provided.al2023")


def test_unknown_runtime_is_refused(bootstrap):
    with pytest.raises(ValueError, match="provided.al2023"):
        Function(bootstrap, runtime="nodejs22.x")


def test_python_runtime_environment_is_unchanged():
    env = lambda_environment(FunctionConfig("f", "m.handler"), "/task", "127.0.0.1:1", (3, 11), "s")
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.11"
    assert env["PYTHONPATH"] == "/task"
    assert env["_HANDLER"] == "m.handler"
