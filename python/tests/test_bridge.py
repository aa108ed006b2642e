"""The bridge, called exactly as Lambda's Python runtime calls it.

Each example `.so` is imported as a module and its handlers are called with
`(event, context)`, the context being awslambdaric's own `LambdaContext` (from PyPI), the
class the runtime constructs for every invocation.
"""

from __future__ import annotations

import collections
import contextlib
import gc
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from awslambdaric.lambda_context import LambdaContext
from strict import first_difference

REPO = Path(__file__).resolve().parents[2]
RELEASE = REPO / "target" / "release"
EVENTS = REPO / "python" / "pylambda" / "events"
EXAMPLES = ["echo", "hello", "errors", "apigw", "multi"]


@pytest.fixture(scope="module")
def lib(built_module):
    """`lib("echo")` imports target/release/libecho.so (built by `make build-examples`)."""
    return built_module


def lambda_context(
    request_id="8f507cfc-3c2c-4c1b-9e8a-51b1e3f5e5a1",
    deadline_ms=None,
    client_context=None,
    cognito_identity=None,
    tenant_id=None,
):
    """A context as the runtime builds one (same class, same constructor)."""
    if deadline_ms is None:
        deadline_ms = int(time.time() * 1000) + 30_000
    return LambdaContext(
        request_id,
        client_context,
        cognito_identity,
        deadline_ms,
        "arn:aws:lambda:us-east-1:123456789012:function:demo",
        tenant_id,
    )


def corpus():
    """The sample events plus a ~1 MB event, as the runtime's decoder would produce them."""
    events = {p.name: json.loads(p.read_text()) for p in sorted(EVENTS.glob("*.json"))}
    sqs = events.get("sqs.json") or {"Records": []}
    record = sqs["Records"][0] if sqs["Records"] else {"body": ""}
    big = {
        "Records": [
            dict(
                record,
                messageId=f"m-{i}",
                body="x" * 1000 + f" #{i} ünïcödé 🎉",
                attempt=i,
                ratio=i / 7,
            )
            for i in range(1000)
        ]
    }
    events["1mb.json"] = big
    return events


# --- module shape ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLES)
def test_module_name_follows_the_cdylib_name(lib, name):
    module = lib(name)
    assert module.__name__ == f"lib{name}"
    assert Path(module.__file__).name == f"lib{name}.so"


@pytest.mark.parametrize("name", EXAMPLES)
def test_no_example_links_libpython(name):
    dynamic = subprocess.run(
        ["readelf", "-d", str(RELEASE / f"lib{name}.so")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    needed = [line for line in dynamic.splitlines() if "(NEEDED)" in line]
    assert needed, dynamic
    assert not [line for line in needed if "libpython" in line], needed


def test_multi_exports_several_handlers(lib):
    multi = lib("multi")
    for name in ["handler", "health", "stats", "greet_async", "whoami", "ported", "ported_async"]:
        assert callable(getattr(multi, name)), name


def test_handlers_in_lambda_runtimes_form_get_the_event_and_its_context(lib, monkeypatch):
    """`fn(LambdaEvent<E>)` and `async fn(LambdaEvent<E>)`: the payload converted as for any
    handler, the context read from the runtime's object."""
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "ported-fn")
    multi = lib("multi")
    got = multi.ported({"name": "Ferris"}, lambda_context(request_id="req-42"))
    assert got == {"message": "Hello, Ferris (req-42)!"}
    got = multi.ported_async({"firstName": "Ada"}, lambda_context())
    assert got == {"message": "Hello, Ada!", "functionName": "ported-fn"}
    with pytest.raises(ValueError, match="^missing field `name`"):
        multi.ported({}, lambda_context())


# --- echo: a realistic corpus comes back unchanged --------------------------------------------


@pytest.mark.parametrize("name", sorted(corpus()))
def test_echo_returns_every_corpus_event_unchanged(lib, name):
    event = corpus()[name]
    result = lib("echo").handler(event, lambda_context())
    assert result == event
    assert first_difference(result, event) is None


def test_echo_keeps_types(lib):
    event = {"float": 1.0, "int": 1, "bool": True, "none": None, "negzero": -0.0, "big": 2**64 - 1}
    result = lib("echo").handler(event, lambda_context())
    assert first_difference(result, event) is None
    assert type(result["float"]) is float and type(result["bool"]) is bool


@pytest.mark.parametrize(
    "bad, exc_type, message",
    [
        ({1, 2}, TypeError, "object of type set cannot be converted"),
        ({"a": {object(): 1}}, TypeError, "a: dict key of type object cannot be converted"),
        ({"s": "lone \ud800 surrogate"}, ValueError, "s: str cannot be converted to UTF-8"),
        (
            {"when": __import__("datetime").datetime(2026, 1, 1)},
            TypeError,
            "when: object of type datetime.datetime",
        ),
    ],
)
def test_echo_rejects_bad_input_with_a_clear_exception(lib, bad, exc_type, message):
    echo = lib("echo")
    with pytest.raises(exc_type) as info:
        echo.handler(bad, lambda_context())
    assert message in str(info.value)
    assert echo.handler({"still": "alive"}, None) == {"still": "alive"}


def test_echo_rejects_10000_deep_nesting_and_cycles(lib):
    echo = lib("echo")
    deep: list = []
    for _ in range(10_000):
        deep = [deep]
    with pytest.raises(ValueError, match="nested more than 128 levels deep"):
        echo.handler(deep, None)
    cyclic: dict = {}
    cyclic["self"] = cyclic
    with pytest.raises(ValueError, match=r"^self\.self\.self.*nested more than 128 levels deep"):
        echo.handler(cyclic, None)
    assert echo.handler([1], None) == [1]


# --- errors: the error shapes Lambda reports --------------------------------------------------


def test_fail_raises_validation_error(lib):
    errors = lib("errors")
    with pytest.raises(Exception) as info:
        errors.fail({}, lambda_context())
    assert type(info.value).__name__ == "ValidationError"
    assert str(info.value) == "name must not be empty"


def test_panic_becomes_rust_panic_and_the_process_keeps_serving(lib):
    errors = lib("errors")
    with pytest.raises(errors.RustPanic) as info:
        errors.panic({}, lambda_context())
    assert type(info.value).__name__ == "RustPanic"
    assert str(info.value) == "boom"
    assert isinstance(info.value, Exception)  # the runtime only catches Exception
    assert errors.ok({}, lambda_context()) == {"ok": True}


@pytest.mark.parametrize(
    "handler, message",
    [
        ("panic_any", "panicked with a payload that is not a string"),
        ("async_panic", "boom in async"),
    ],
)
def test_other_panics(lib, handler, message):
    errors = lib("errors")
    with pytest.raises(errors.RustPanic, match=message):
        getattr(errors, handler)({}, lambda_context())
    assert errors.ok({}, lambda_context()) == {"ok": True}


def test_unserializable_response_is_a_serialize_error_with_a_path(lib):
    errors = lib("errors")
    with pytest.raises(errors.SerializeError) as info:
        errors.unserializable({}, lambda_context())
    assert type(info.value).__name__ == "SerializeError"
    assert str(info.value) == "items[0]: this value refuses to be serialized"
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    "event, message",
    [
        ({"name": 5, "count": 1}, "name: invalid type: integer `5`, expected a string"),
        ({"name": "x", "count": 300}, "count: invalid value: integer `300`, expected u8"),
        ({"name": "x"}, "missing field `count`"),
        ({"name": "x", "count": 1, "extra": 1}, "extra: unknown field `extra`"),
        ("a string", 'invalid type: string "a string", expected struct Strict'),
    ],
)
def test_events_that_do_not_fit_raise_deserialize_error_naming_the_path(lib, event, message):
    errors = lib("errors")
    with pytest.raises(errors.DeserializeError) as info:
        errors.strict(event, lambda_context())
    assert type(info.value).__name__ == "DeserializeError"
    assert message in str(info.value)


def test_the_error_path_names_the_record(lib):
    probe = lib("probe")
    records = [{"messageId": str(i), "body": "ok"} for i in range(5)]
    records[3]["body"] = 5
    with pytest.raises(probe.DeserializeError) as info:
        probe.batch({"Records": records}, None)
    assert str(info.value) == "Records[3].body: invalid type: integer `5`, expected a string"


# --- the calling convention -------------------------------------------------------------------


def test_arguments_by_keyword_and_context_optional(lib):
    echo = lib("echo")
    assert echo.handler(event={"a": 1}, context=lambda_context()) == {"a": 1}
    assert echo.handler({"a": 1}) == {"a": 1}
    with pytest.raises(TypeError, match="missing required argument 'event'"):
        echo.handler()
    with pytest.raises(TypeError, match="unexpected keyword argument 'evnt'"):
        echo.handler(evnt=1)
    with pytest.raises(TypeError, match="takes 2 positional arguments"):
        echo.handler(1, 2, 3)
    with pytest.raises(TypeError, match="multiple values for argument 'event'"):
        echo.handler(1, event=2)


# --- context ----------------------------------------------------------------------------------


class _CountingContext:
    """A context object that counts every attribute read."""

    def __init__(self):
        object.__setattr__(self, "reads", [])

    def __getattribute__(self, name):
        if name != "reads":
            object.__getattribute__(self, "reads").append(name)
        return object.__getattribute__(self, name)


def test_a_handler_without_context_never_reads_the_context_object(lib):
    multi = lib("multi")
    ctx = _CountingContext()
    assert multi.health({}, ctx) == {"status": "ok"}
    assert ctx.reads == []
    # The same object given to a handler that takes a Context is read.
    multi.whoami({}, ctx)
    assert "aws_request_id" in ctx.reads


def test_every_context_field_reaches_rust(lib, monkeypatch):
    env = {
        "AWS_LAMBDA_FUNCTION_NAME": "demo",
        "AWS_LAMBDA_FUNCTION_VERSION": "7",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/demo",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2026/11/27/[7]abcdef",
        "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    deadline = int(time.time() * 1000) + 10_000
    ctx = lambda_context(
        request_id="req-42",
        deadline_ms=deadline,
        client_context={
            "client": {
                "installation_id": "inst",
                "app_title": "title",
                "app_version_name": "1.0",
                "app_version_code": "100",
                "app_package_name": "com.example",
            },
            "custom": {"k": "v", "n": 1},
            "env": {"platform": "Android"},
        },
        cognito_identity={"cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "pool-1"},
        tenant_id="tenant-9",
    )
    got = lib("multi").whoami({}, ctx)
    assert got == {
        "request_id": "req-42",
        "deadline": deadline,
        "invoked_function_arn": "arn:aws:lambda:us-east-1:123456789012:function:demo",
        "xray_trace_id": env["_X_AMZN_TRACE_ID"],
        "client_context": {
            "client": {
                "installation_id": "inst",
                "app_title": "title",
                "app_version_name": "1.0",
                "app_version_code": "100",
                "app_package_name": "com.example",
            },
            "custom": {"k": "v", "n": "1"},
            "environment": {"platform": "Android"},
        },
        "identity": {"identity_id": "id-1", "identity_pool_id": "pool-1"},
        "env_config": {
            "function_name": "demo",
            "memory": 512,
            "version": "7",
            "log_stream": "2026/11/27/[7]abcdef",
            "log_group": "/aws/lambda/demo",
        },
        "tenant_id": "tenant-9",
    }


def test_context_without_client_context_or_identity(lib, monkeypatch):
    monkeypatch.delenv("_X_AMZN_TRACE_ID", raising=False)
    got = lib("multi").whoami({}, lambda_context())
    assert got["client_context"] is None and got["identity"] is None
    assert got["xray_trace_id"] is None and got["tenant_id"] is None


def test_remaining_time_counts_down_from_the_runtime_deadline(lib):
    hello = lib("hello")
    got = hello.handler(
        {"name": "Ferris"}, lambda_context(deadline_ms=int(time.time() * 1000) + 5000)
    )
    assert 4000 < got["remainingTimeMs"] <= 5000
    assert got["message"] == "Hello, Ferris! This is Rust in the Python runtime."


# --- handlers run without the GIL -------------------------------------------------------------


def test_python_threads_run_while_a_handler_works(lib):
    errors = lib("errors")
    ticks = 0
    stop = threading.Event()

    def tick():
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0.001)

    thread = threading.Thread(target=tick)
    thread.start()
    try:
        before = ticks
        assert errors.sleep({"seconds": 0.3}, lambda_context()) == {"slept": 0.3}
        during = ticks - before
    finally:
        stop.set()
        thread.join()
    assert during > 50, f"the ticker advanced only {during} times while Rust slept"


# --- init ---------------------------------------------------------------------------------------


def run_python(code: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=RELEASE,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def test_init_runs_once_at_import_and_no_async_runtime_until_needed(lib):
    proc = run_python(
        """
        import json, libmulti
        first = libmulti.stats({}, None)
        libmulti.handler({"name": "a"}, None)
        print(json.dumps([first, libmulti.greet_async({"name": "b"}, None), libmulti.stats({}, None)]))
        """,
        env={"MULTI_CONFIG": '{"greeting": "Hi"}'},
    )
    assert proc.returncode == 0, proc.stderr
    first, greeted, later = json.loads(proc.stdout)
    assert first["initAtMs"] > 0 and first["initAtMs"] == later["initAtMs"]
    assert first["asyncRuntimeStarted"] is False and later["asyncRuntimeStarted"] is True
    assert later["invocations"] == 1
    assert greeted["message"].startswith("Hi, b (async")


def test_a_failing_init_fails_the_import_with_its_message():
    proc = run_python(
        """
        try:
            import libmulti
        except Exception as e:
            print(type(e).__name__, "|", e)
        else:
            print("imported")
        """,
        env={"MULTI_CONFIG": "{not json"},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ConfigError | MULTI_CONFIG is not valid JSON"), proc.stdout


def test_a_crate_named_lambda_builds_liblambda_with_no_extra_configuration(tmp_path):
    """A user's crate with `[lib] name = "lambda"` gives liblambda.so / module liblambda."""
    crate = tmp_path / "my-function"
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text(
        textwrap.dedent(
            f"""
            [package]
            name = "my-function"
            version = "0.1.0"
            edition = "2021"

            [lib]
            name = "lambda"
            crate-type = ["cdylib"]

            [dependencies]
            pylambda = {{ path = "{REPO}", default-features = false }}
            serde_json = "1"

            [workspace]
            """
        )
    )
    (crate / "src" / "lib.rs").write_text(
        textwrap.dedent(
            """
            pylambda::lambda!(|event: serde_json::Value, ctx: pylambda::Context| {
                Ok::<_, pylambda::Error>(serde_json::json!({"got": event, "id": ctx.request_id}))
            });
            """
        )
    )
    # The workspace's target dir: dependencies built by `make build-examples` are reused.
    env = {**os.environ, "CARGO_TARGET_DIR": str(REPO / "target")}
    subprocess.run(
        ["cargo", "build", "--release", "--offline", "--manifest-path", str(crate / "Cargo.toml")],
        check=True,
        env=env,
        capture_output=True,
    )
    built = REPO / "target" / "release" / "liblambda.so"
    assert built.is_file()
    proc = subprocess.run(
        [sys.executable, "-c", "import liblambda; print(liblambda.handler([1], None))"],
        capture_output=True,
        text=True,
        cwd=built.parent,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "{'got': [1], 'id': ''}"


# --- JSON text responses ----------------------------------------------------------------------


def test_raw_value_responses_reach_the_runtime_as_json_text(lib):
    """`Box<RawValue>` becomes a `simplejson.RawJSON`, which the runtime's encoder writes as is."""
    import simplejson

    event = corpus()["apigw-v1.json"]
    raw = lib("echo").raw(event, lambda_context())
    assert type(raw).__name__ == "RawJSON"
    assert json.loads(raw.encoded_json) == event
    # What awslambdaric's marshaller does with it: the same JSON value.
    assert json.loads(simplejson.dumps(raw)) == event


def test_raw_value_responses_without_simplejson_are_exact_objects():
    """A plain Python caller without simplejson gets the objects `json.loads` makes of the
    text: every float exact (serde_json's own parser, used here before, moved about 30% of
    random floats by an ULP), and the import is tried once, not raised and cleared per call."""
    script = textwrap.dedent(
        """
        import json, random, struct, sys
        attempts = []

        class NoSimplejson:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "simplejson":
                    attempts.append(name)
                    raise ImportError("no simplejson here")

        sys.meta_path.insert(0, NoSimplejson())
        import libecho

        random.seed(7)
        bits = (struct.pack("Q", random.getrandbits(64)) for _ in range(20000))
        floats = [f for (f,) in (struct.unpack("d", b) for b in bits) if f - f == 0]
        event = {"f": floats, "n": [2**64 - 1, -(2**63)], "s": "é\u2603", "z": None}
        results = [libecho.raw(event, None) for _ in range(3)]
        print(json.dumps({
            "types": sorted({type(r).__name__ for r in results}),
            "same": all(r == event for r in results),
            "changed": sum(a != b for a, b in zip(results[0]["f"], floats)),
            "attempts": len(attempts),
        }))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=RELEASE
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report == {"types": ["dict"], "same": True, "changed": 0, "attempts": 1}, report


def test_raw_value_through_the_runtime(release_artifact):
    from pylambda.emulator import Function

    event = corpus()["sqs.json"]
    with Function(release_artifact("libecho.so"), handler="libecho.raw") as fn:
        result = fn.invoke(json.dumps(event).encode())
    assert result.status == "success", result.payload
    assert json.loads(result.payload) == event


# --- the cyclic garbage collector -------------------------------------------------------------


def many_containers(records: int) -> dict:
    """A DynamoDB-like event: a few containers per record, as in the end-to-end 256 KB batch."""
    return {
        "Records": [
            {"id": {"S": f"r-{i}"}, "n": {"N": str(i)}, "tags": ["a", {"b": i}]}
            for i in range(records)
        ]
    }


@contextlib.contextmanager
def collections_started(threshold: int = 100):
    """The generation of every collection that starts in the block, with generation 0's
    threshold lowered so that building a few thousand containers crosses it many times."""
    started = []

    def record(phase, info):
        if phase == "start":
            started.append(info["generation"])

    thresholds = gc.get_threshold()
    gc.collect()
    gc.set_threshold(threshold, 10, 10)
    gc.callbacks.append(record)
    try:
        yield started
    finally:
        gc.callbacks.remove(record)
        gc.set_threshold(*thresholds)


def test_no_collection_runs_while_a_response_is_built(lib):
    """A response is a fresh tree: the collector waits until it is built instead of walking it
    half-built (on 3.11 inside the allocations themselves; on 3.12+ when the call returns)."""
    echo = lib("echo")
    event = many_containers(3000)  # 15,000 containers: 150 times the lowered threshold
    with collections_started() as started:
        response = echo.handler(event, None)
        during_the_call = len(started)  # len() allocates no container
        gc.collect()
    assert response == event
    assert during_the_call == 0, started
    assert started, "the collector works again after the call"


def test_for_the_runtime_client_the_pause_ends_with_the_invocation(lib):
    """With awslambdaric's context the collector stays paused after the response is built,
    while the runtime client sends it, until the context is freed at the end of the invocation
    (src/ffi/gc.rs): by then the response is freed too and the collection it was owed has
    nothing to do. With no context, or another object as the context, it resumes at once."""
    echo = lib("echo")
    event = many_containers(3000)
    assert gc.isenabled()
    with collections_started() as started:
        context = lambda_context()
        response = echo.handler(event, context)
        assert not gc.isenabled()
        sent = json.dumps(response)  # what the runtime client does meanwhile
        during_the_send = len(started)
        del context
        assert gc.isenabled()
    assert during_the_send == 0, started
    assert json.loads(sent) == event

    class OtherContext:  # a caller's own stand-in: weakly referable, but not the runtime's
        aws_request_id = "x"

    for context in (None, OtherContext(), {"aws_request_id": "x"}):
        assert echo.handler({"a": [1]}, context) == {"a": [1]}
        assert gc.isenabled(), context


def test_a_pause_left_open_ends_when_pylambda_is_next_called(lib):
    """A wrapper that keeps the invocation's context alive keeps the pause open only until the
    module is next called, which ends it before anything else (even a call that fails)."""
    echo = lib("echo")
    kept = lambda_context()
    assert echo.handler({"a": 1}, kept) == {"a": 1}
    assert not gc.isenabled()
    with pytest.raises(TypeError):
        echo.handler({"a": object()}, None)
    assert gc.isenabled()
    assert echo.handler({"a": 1}, kept) == {"a": 1}  # the same context again: a new pause
    assert not gc.isenabled()
    assert echo.handler({"a": 1}, None) == {"a": 1}
    assert gc.isenabled()
    del kept
    assert gc.isenabled()


def test_no_collection_runs_while_an_event_is_read(lib):
    """An `OrderedDict` is read through its own `items()`, which allocates (an iterator, a
    tuple per item): allocations that could set off a collection, and its finalizers, while
    the engine holds borrowed references into the event."""
    ok = lib("errors").ok  # answers {"ok": True}, whatever the event
    event = {"Records": [collections.OrderedDict(n=i, m=-i) for i in range(50)]}
    with collections_started(threshold=1) as started:
        response = ok(event, None)
        during_the_call = len(started)
    assert response == {"ok": True}
    assert during_the_call == 0, started


@pytest.mark.parametrize("enabled", [True, False], ids=["enabled", "disabled"])
def test_the_collector_is_left_as_the_caller_set_it(lib, enabled):
    """After a response, a response or an event that fails to convert, and a panic alike; and
    after the runtime client's invocation ends (its context freed)."""
    echo, errors = lib("echo"), lib("errors")
    was_enabled = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        assert echo.handler(many_containers(200), None) == many_containers(200)
        assert gc.isenabled() is enabled
        context = lambda_context()
        assert echo.handler(many_containers(200), context) == many_containers(200)
        del context
        assert gc.isenabled() is enabled
        with pytest.raises(errors.SerializeError):
            errors.unserializable({}, lambda_context())
        assert gc.isenabled() is enabled
        with pytest.raises(errors.DeserializeError):
            errors.strict({"name": 5, "count": 1}, lambda_context())
        assert gc.isenabled() is enabled
        with pytest.raises(errors.RustPanic):
            errors.panic({}, lambda_context())
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was_enabled else gc.disable()
