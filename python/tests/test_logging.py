"""The logging bridge (`src/logging.rs`) and the X-Ray trace id, through the real runtime.

`examples/logging` (module `liblogging`) logs with `log` and `tracing` from its handlers, its
init function, worker threads and Tokio's blocking pool; the emulator runs it under awslambdaric
with Lambda's logging configuration, so what is checked here is what CloudWatch would receive.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from pylambda.emulator import Function

TRACE_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


@pytest.fixture
def liblogging(release_artifact):
    return release_artifact("liblogging.so")


def json_lines(logs: str) -> list[dict]:
    """The log lines that are JSON objects (START/END/REPORT and plain prints are not)."""
    out = []
    for line in logs.splitlines():
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def test_json_format_one_line_per_record_with_the_request_id(liblogging):
    with Function(
        liblogging, handler="liblogging.handler", log_format="JSON", log_level="INFO"
    ) as fn:
        first = fn.invoke(b"{}")
        second = fn.invoke(b"{}")
    assert first.ok and second.ok, first.payload
    for result in (first, second):
        records = [r for r in json_lines(result.logs) if r.get("requestId")]
        info = [r for r in records if r["message"] == f"info from rust {result.request_id}"]
        assert len(info) == 1, result.logs
        record = info[0]
        assert record["level"] == "INFO"
        assert record["logger"] == "logging"  # the Rust target: the crate's module path
        assert record["requestId"] == result.request_id
        assert set(record) >= {"timestamp", "level", "message", "logger", "requestId"}
        # Every record of this invocation carries this invocation's id, none another's.
        assert {r["requestId"] for r in records} == {result.request_id}
    assert first.json() == {"maxLevel": "Info", "installed": True}


def test_aws_lambda_log_level_filters_rust_records(liblogging):
    with Function(
        liblogging, handler="liblogging.handler", log_format="JSON", log_level="WARN"
    ) as fn:
        result = fn.invoke(b"{}")
    assert result.ok
    messages = [r["message"] for r in json_lines(result.logs)]
    assert f"error from rust {result.request_id}" in messages
    assert f"warn from rust {result.request_id}" in messages
    assert not [m for m in messages if "info from rust" in m or "debug" in m], messages
    assert "fields from rust" not in messages
    assert result.json()["maxLevel"] == "Warn"


@pytest.mark.parametrize(
    ("level", "expected_max", "debug_shown", "trace_shown"),
    [("DEBUG", "Debug", True, False), ("TRACE", "Trace", True, True)],
)
def test_debug_and_trace_levels(liblogging, level, expected_max, debug_shown, trace_shown):
    with Function(
        liblogging, handler="liblogging.handler", log_format="JSON", log_level=level
    ) as fn:
        result = fn.invoke(b"{}")
    records = {r["message"]: r for r in json_lines(result.logs)}
    assert result.json()["maxLevel"] == expected_max
    assert (f"debug from rust {result.request_id}" in records) is debug_shown
    trace = records.get(f"trace from rust {result.request_id}")
    assert (trace is not None) is trace_shown
    if trace is not None:
        # Python has no TRACE level; the runtime itself treats TRACE as DEBUG.
        assert trace["level"] == "DEBUG"


def test_structured_fields_become_json_keys(liblogging):
    with Function(
        liblogging, handler="liblogging.handler", log_format="JSON", log_level="INFO"
    ) as fn:
        result = fn.invoke(b"{}")
    records = {r["message"]: r for r in json_lines(result.logs)}
    fields = records["fields from rust"]
    assert fields["logger"] == "orders::db"  # an explicit `target:`
    assert fields["order_id"] == 42 and fields["shipped"] is True and fields["weight"] == 1.5
    assert fields["carrier"] == "ups"
    # `level` is a key of the JSON line itself: the field is renamed, not lost.
    assert fields["level"] == "INFO" and fields["rust_level"] == "x"
    traced = records["tracing event from rust 100% done"]  # a `%` is not a format directive
    assert traced["order_id"] == 7 and traced["requestId"] == result.request_id


def test_text_format(liblogging):
    with Function(liblogging, handler="liblogging.handler", log_level="INFO") as fn:
        result = fn.invoke(b"{}")
    line = next(line for line in result.logs.splitlines() if "info from rust" in line)
    level, _timestamp, request_id, message = line.split("\t")
    assert (level, request_id) == ("[INFO]", result.request_id)
    assert message == f"info from rust {result.request_id}"


def test_init_records_are_bridged_before_the_first_request(liblogging):
    with Function(
        liblogging, handler="liblogging.init_logged", log_format="JSON", log_level="INFO"
    ) as fn:
        result = fn.invoke(b"{}")
    assert result.json() == {"initRan": True}
    init_part = result.logs.split("START RequestId")[0]
    # awslambdaric writes its own "LAMBDA_WARNING: This is a preview runtime version" record
    # at INIT under a preview runtime (python3.15).
    (record,) = [r for r in json_lines(init_part) if not r["message"].startswith("LAMBDA_WARNING")]
    assert record["message"] == "init: configuration loaded"
    assert record["requestId"] == ""  # no invocation yet, as for Python records during INIT


def test_println_and_log_records_keep_their_order(liblogging):
    with Function(liblogging, handler="liblogging.ordered", log_level="INFO") as fn:
        first = fn.invoke(b"{}")
        second = fn.invoke(b"{}")
    for result in (first, second):
        body = result.logs.split(f"START RequestId: {result.request_id}")[1]
        body = body.split(f"END RequestId: {result.request_id}")[0]
        seen = [
            word
            for line in body.splitlines()
            for word in ("stdout 1", "log 2", "stderr 3", "stdout 4", "log 5", "stdout 6")
            if word in line
        ]
        assert seen == ["stdout 1", "log 2", "stderr 3", "stdout 4", "log 5", "stdout 6"], body
    # `print!` without a newline is flushed with its own invocation, not the next one's.
    assert second.logs.count("stdout 6") == 1


@pytest.mark.parametrize("handler", ["threads", "async_threads"])
def test_records_from_other_threads_take_the_gil(liblogging, handler):
    with Function(
        liblogging, handler=f"liblogging.{handler}", log_format="JSON", log_level="INFO"
    ) as fn:
        result = fn.invoke({"threads": 4})
    assert result.ok, result.payload
    records = [r for r in json_lines(result.logs) if r["logger"] in ("worker", "blocking")]
    assert len(records) == 4
    assert {r["requestId"] for r in records} == {result.request_id}


def test_xray_trace_id_reaches_the_context(release_artifact):
    """Issue 7, item 2: the runtime's `_X_AMZN_TRACE_ID` is `Context.xray_trace_id`."""
    with Function(release_artifact("libmulti.so"), handler="libmulti.whoami") as fn:
        traced = fn.invoke(b"{}", trace_id=TRACE_HEADER)
        other = fn.invoke(b"{}", trace_id="Root=1-00000000-000000000000000000000001;Sampled=0")
    assert traced.json()["xray_trace_id"] == TRACE_HEADER
    assert traced.json()["request_id"] == traced.request_id
    assert other.json()["xray_trace_id"] == "Root=1-00000000-000000000000000000000001;Sampled=0"


# A process of its own: importing the module installs the bridge in that process.
PROFILE_SCRIPT = """
import json, logging, sys
sys.path.insert(0, sys.argv[1])
import liblogging

calls = []
def profile(frame, event, arg):
    if event == "call":
        calls.append(frame.f_code.co_name)

def run(handler, event):
    del calls[:]
    sys.setprofile(profile)
    try:
        result = handler(event, None)
    finally:
        sys.setprofile(None)
    return result, calls[:]

class Counting(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []
    def emit(self, record):
        self.records.append(record.getMessage())

counting = Counting()
root = logging.getLogger()
root.addHandler(counting)
out = {}

root.setLevel(logging.WARNING)
result, seen = run(liblogging.spam, {"count": 100000, "level": "debug"})
out["disabled"] = {"calls": len(seen), "records": len(counting.records), **result}

# Python code raises the level; the next invocation sees it (no restart).
root.setLevel(logging.DEBUG)
result, seen = run(liblogging.spam, {"count": 3, "level": "debug"})
out["enabled"] = {"calls": sorted(set(seen)), "records": counting.records[:], **result}

# A level change followed by Python's own logging (which refills the root logger's level
# cache) is still seen.
root.setLevel(logging.WARNING)
logging.getLogger().warning("python record")
logging.getLogger().info("python record, dropped")
root.setLevel(logging.DEBUG)
logging.getLogger().info("python record again")
counting.records.clear()
liblogging.spam({"count": 1, "level": "debug"}, None)
out["after_python_logging"] = counting.records[:]

# A Python logger for one target can make it quieter than the root.
counting.records.clear()
logging.getLogger("orders::db").setLevel(logging.ERROR)
liblogging.handler({}, None)
out["quieter_target"] = counting.records[:]

# logging.disable() counts too.
logging.getLogger("orders::db").setLevel(logging.NOTSET)
logging.disable(logging.WARNING)
counting.records.clear()
result, seen = run(liblogging.spam, {"count": 1000, "level": "warn"})
out["disabled_by_logging_disable"] = {"calls": len(seen), "records": len(counting.records)}
logging.disable(logging.NOTSET)

# tracing's callsite cache follows level changes too.
root.setLevel(logging.INFO)
counting.records.clear()
liblogging.handler({}, None)
traced_at_info = "tracing event from rust 100% done" in counting.records
root.setLevel(logging.WARNING)
counting.records.clear()
liblogging.handler({}, None)
traced_at_warning = "tracing event from rust 100% done" in counting.records
root.setLevel(logging.INFO)
counting.records.clear()
liblogging.handler({}, None)
out["tracing_follows_level"] = [
    traced_at_info, traced_at_warning, "tracing event from rust 100% done" in counting.records
]

# A broken handler does not break the Rust handler.
class Broken(logging.Handler):
    def emit(self, record):
        raise RuntimeError("broken handler")
logging.raiseExceptions = False
root.addHandler(Broken())
out["with_broken_handler"] = liblogging.spam({"count": 2, "level": "error"}, None)["count"]
print(json.dumps(out))
"""


def test_a_disabled_log_call_costs_no_python_work(liblogging, tmp_path):
    script = tmp_path / "profile_logging.py"
    script.write_text(textwrap.dedent(PROFILE_SCRIPT))
    proc = subprocess.run(
        [sys.executable, str(script), str(liblogging.parent)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.splitlines()[-1])
    disabled = out["disabled"]
    # 100,000 debug! calls below the root's WARNING: not one Python function ran, no record.
    assert disabled["calls"] == 0 and disabled["records"] == 0, disabled
    assert disabled["count"] == 100000
    print(f"disabled log::debug! call: {disabled['nsPerCall']:.2f} ns")
    enabled = out["enabled"]
    # The same call enabled goes through the logger's methods (so the profile does see them).
    assert {"isEnabledFor", "makeRecord", "handle"} <= set(enabled["calls"]), enabled
    assert enabled["records"] == ["spam 0", "spam 1", "spam 2"]
    print(f"enabled log::debug! call (record handled in Python): {enabled['nsPerCall']:.0f} ns")
    assert "fields from rust" not in out["quieter_target"]
    assert any(m.startswith("warn from rust") for m in out["quieter_target"])
    assert out["disabled_by_logging_disable"] == {"calls": 0, "records": 0}
    assert out["with_broken_handler"] == 2
    assert out["tracing_follows_level"] == [True, False, True]
    assert out["after_python_logging"] == ["spam 0"]


def test_importing_starts_no_thread(liblogging):
    """INIT installs the bridges and nothing else: no thread (the runtime may fork after)."""
    script = (
        "import os, sys, threading; sys.path.insert(0, sys.argv[1]); import liblogging; "
        "print(len(os.listdir('/proc/self/task')), threading.active_count())"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(liblogging.parent)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["1", "1"]


EXIT_SCRIPT = """
import logging, sys, time
sys.path.insert(0, sys.argv[1])
logging.basicConfig(level=logging.WARNING)
import liblogging
liblogging.background({}, None)  # a detached thread that logs every millisecond
time.sleep(0.05)
print("exiting", flush=True)
"""


def test_a_thread_still_logging_does_not_break_interpreter_exit(liblogging):
    """Records from a thread that outlives the handler, while Python exits: no crash, no hang.

    Before the exit gate (`ffi::with_gil`), about 1 exit in 20 aborted with "FATAL: exception
    not rethrown": the thread took the GIL during finalization and was ended by pthread_exit
    inside Rust frames. 20 exits make that failure show."""
    for _ in range(20):
        proc = subprocess.run(
            [sys.executable, "-c", EXIT_SCRIPT, str(liblogging.parent)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == "exiting\n"
        assert "WARNING:background:tick 0" in proc.stderr
