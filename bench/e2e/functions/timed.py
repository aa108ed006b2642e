"""`timed.handler`: a wrapper that times, inside the runtime process, where an invocation goes.

Put in the task directory beside the function under test, with `BENCH_TARGET=libecho.handler`
in the environment. At import it wraps awslambdaric's own steps (class attributes, so the
runtime's existing objects use the wrappers too) and records, per invocation, in µs:

- `unmarshal`: `LambdaMarshaller.unmarshal_request`, simplejson decoding the event;
- `handler`: the target handler call (for pylambda: parsing the call, reading the context,
  converting the event, the Rust handler, converting the response);
- `marshal`: `LambdaMarshaller.marshal_response`, simplejson encoding the response;
- `post`: `LambdaRuntimeClient.post_invocation_result`, the runtime client's HTTP POST of the
  response (until the Runtime API answers 202);
- `context`: `create_lambda_context`, building the context object;
- `gc` and `collections`: the time the cyclic garbage collector ran (inside any of the steps
  above or between them, from `gc.callbacks`) and how many collections started, from one
  handler call to the next, recorded at each call.

With `BENCH_NO_CONTEXT=1` the target is called with `context=None` (pylambda then reads no
context attributes): the difference is what reading the context costs in the runtime.

An event `{"__bench_dump__": true}` answers with everything recorded since the last dump (and
starts afresh) instead of calling the target. The wrappers add a Python call and two clock
reads (well under a µs) to each step; the benchmark compares round trips with and without them.
"""

from __future__ import annotations

import gc
import importlib
import os
import time

from awslambdaric import bootstrap
from awslambdaric.lambda_runtime_client import LambdaRuntimeClient
from awslambdaric.lambda_runtime_marshaller import LambdaMarshaller

_clock = time.perf_counter_ns
_module, _, _name = os.environ["BENCH_TARGET"].rpartition(".")
_target = getattr(importlib.import_module(_module), _name)
_no_context = os.environ.get("BENCH_NO_CONTEXT") == "1"
_times: dict[str, list[float]] = {
    k: [] for k in ("unmarshal", "handler", "marshal", "post", "context", "gc", "collections")
}
_collector = {"since": 0, "ns": 0, "collections": 0}


def _on_collection(phase, _info):
    if phase == "start":
        _collector["since"] = _clock()
    else:
        _collector["ns"] += _clock() - _collector["since"]
        _collector["collections"] += 1


gc.callbacks.append(_on_collection)


def _timed(step: str, func):
    record = _times[step].append

    def wrapper(*args, **kwargs):
        start = _clock()
        try:
            return func(*args, **kwargs)
        finally:
            record((_clock() - start) / 1000)

    return wrapper


LambdaMarshaller.unmarshal_request = _timed("unmarshal", LambdaMarshaller.unmarshal_request)
LambdaMarshaller.marshal_response = _timed("marshal", LambdaMarshaller.marshal_response)
LambdaRuntimeClient.post_invocation_result = _timed(
    "post", LambdaRuntimeClient.post_invocation_result
)
bootstrap.create_lambda_context = _timed("context", bootstrap.create_lambda_context)
_record_handler = _times["handler"].append


def handler(event, context):
    if type(event) is dict and event.get("__bench_dump__"):
        dump = {step: list(values) for step, values in _times.items()}
        for values in _times.values():
            values.clear()
        return dump
    _times["gc"].append(_collector["ns"] / 1000)
    _times["collections"].append(_collector["collections"])
    _collector["ns"] = _collector["collections"] = 0
    if _no_context:
        context = None
    start = _clock()
    result = _target(event, context)
    _record_handler((_clock() - start) / 1000)
    return result
