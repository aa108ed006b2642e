"""Call the built examples' handlers in whatever interpreter runs this file.

Runs under CPython 3.6 to 3.15, with or without awslambdaric and without pylambda, so it
keeps to Python 3.6 syntax. Usage:

    python compat_runner.py MODULE_DIR SAMPLES_JSON

MODULE_DIR holds libecho.so (and liberrors.so if built). Prints one JSON report on
stdout; the test that started it judges it. A crash shows up as the process's signal.
"""

import gc
import json
import math
import sys
import time


class FakeContext:
    """What awslambdaric's LambdaContext offers, for interpreters that cannot install it."""

    def __init__(self):
        self.aws_request_id = "compat-request"
        self.function_name = "compat"
        self.function_version = "$LATEST"
        self.invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:compat"
        self.memory_limit_in_mb = "128"
        self.log_group_name = "/aws/lambda/compat"
        self.log_stream_name = "2026/01/01/[$LATEST]compat"
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline = int(time.time() * 1000) + 30000

    def get_remaining_time_in_millis(self):
        return max(self._deadline - int(time.time() * 1000), 0)


def make_context():
    try:
        from awslambdaric.lambda_context import LambdaContext
    except ImportError:
        return FakeContext(), "fake"
    deadline = int(time.time() * 1000) + 30000
    arn = "arn:aws:lambda:us-east-1:123456789012:function:compat"
    return LambdaContext("compat-request", {}, {}, deadline, arn), "awslambdaric"


def same(a, b):
    """Equal with the same types all the way down (True is not 1, 1.0 is not 1) and
    the same key order (the runtime's JSON encoder keeps insertion order)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        # zip(strict=) is 3.10+; the lengths are compared first
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))  # noqa: B905
    if isinstance(a, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return a == b


class Opaque:
    """An object the engine cannot convert: its error names the type, module and all."""


def collections_during(fn):
    """Collections the cyclic GC starts while `fn` converts an event of 900 containers and
    builds the same response, with the threshold at 1 (any container allocation would start
    one): the engine pauses the collector during both conversions, on 3.6-3.9 through the
    `gc` module, where `PyGC_Disable` is missing. Also whether it is enabled right after the
    call (not with awslambdaric's context: then the pause ends with the invocation, when the
    context is freed) and once the context is freed."""
    event = {"Records": [{"a": [i], "b": {"c": i}} for i in range(300)]}
    started = []

    def on_gc(phase, info):
        if phase == "start":
            started.append(info["generation"])

    context = make_context()[0]  # made before the threshold drops: it allocates containers
    threshold = gc.get_threshold()
    gc.callbacks.append(on_gc)
    gc.set_threshold(1)
    try:
        result = fn(event, context)
        during = len(started)  # len() allocates no container
        after_call = gc.isenabled()
        del context
    finally:
        gc.set_threshold(*threshold)
        gc.callbacks.remove(on_gc)
    return {
        "during": during,
        "enabled_after_call": after_call,
        "enabled_after_invocation": gc.isenabled(),
        "same": same(result, event),
    }


def call(fn, *args):
    try:
        return {"ok": True, "value": fn(*args)}
    except Exception as exc:  # the handler's error is the result here
        return {"ok": False, "type": type(exc).__name__, "message": str(exc)}


def main():
    module_dir, samples_path = sys.argv[1], sys.argv[2]
    sys.path.insert(0, module_dir)
    with open(samples_path) as f:
        samples = json.load(f)
    context, context_kind = make_context()
    report = {"version": list(sys.version_info[:3]), "context": context_kind}

    import libecho

    echoed = []
    for sample in samples:
        result = call(libecho.handler, sample, context)
        echoed.append(result["ok"] and same(result["value"], sample) or result)
    report["echo"] = echoed
    report["unsupported"] = [
        call(libecho.handler, {"x": Opaque()}, context),
        call(libecho.handler, {"tags": [1, {"a"}]}, context),
    ]

    report["collector"] = collections_during(libecho.handler)

    try:
        import liberrors
    except ImportError as exc:
        report["errors"] = {"import": str(exc)}
    else:
        event = {"name": "compat"}
        ok = call(liberrors.ok, event, context)
        report["errors"] = {
            "ok": ok,
            "fail": call(liberrors.fail, event, context),
            "panic": call(liberrors.panic, event, context),
            "ok_after_panic": call(liberrors.ok, event, context),
            "panic_again": call(liberrors.panic, event, context),
        }
    print(json.dumps(report, default=repr))


if __name__ == "__main__":
    main()
