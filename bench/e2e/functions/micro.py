"""In one plain interpreter (no emulator, no HTTP), the pieces of an invocation, one by one.

    python micro.py EVENTS.json KEY=MODULE.FUNC...   (the modules importable; prints JSON)

For each event (a JSON object {name: event text}), median µs per call of:

- `unmarshal`: awslambdaric's `LambdaMarshaller.unmarshal_request` (simplejson.loads);
- `marshal`: its `marshal_response` (simplejson encoding) of the event;
- `context`: awslambdaric's `create_lambda_context`, as it runs before every invocation;
- `<system>`: the handler called as the runtime calls it, `handler(event, context)`;
- `<system>/no-context`: the same with `context=None` (pylambda then reads no attributes);
- `pylambda/empty-no-context`: pylambda's fixed cost: entry point, `{}` in and out.

Rounds interleave every variant (a fresh order each round); each turn times a batch of calls
lasting about a millisecond. The cyclic GC stays on, as in Lambda. The event object is reused,
so it is hot in the CPU caches: a lower bound of the in-runtime cost.
"""

from __future__ import annotations

import importlib
import json
import random
import statistics
import sys
import time

from awslambdaric.bootstrap import create_lambda_context
from awslambdaric.lambda_runtime_marshaller import LambdaMarshaller

ROUNDS = 41
TURN_NS = 1_000_000

ARN = "arn:aws:lambda:us-east-1:123456789012:function:bench"


def handlers(specs: list[str]) -> dict[str, object]:
    """`python=echo.handler` ... -> {"python": the function}."""
    out = {}
    for spec in specs:
        key, _, target = spec.partition("=")
        module, _, name = target.rpartition(".")
        out[key] = getattr(importlib.import_module(module), name)
    return out


def new_context():
    deadline = str(int(time.time() * 1000) + 60_000)
    return create_lambda_context(None, None, deadline, "bench-request-id", ARN, None)


def calibrate(call) -> int:
    """Calls per turn: enough for about TURN_NS."""
    n = 1
    while True:
        start = time.perf_counter_ns()
        for _ in range(n):
            call()
        elapsed = time.perf_counter_ns() - start
        if elapsed >= TURN_NS // 4 or n >= 1 << 20:
            return max(1, n * TURN_NS // max(elapsed, 1))
        n *= 4


def time_variants(variants: dict[str, object]) -> dict[str, float]:
    batches = {name: calibrate(call) for name, call in variants.items()}
    samples: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    rng = random.Random(3)
    clock = time.perf_counter_ns
    for _ in range(ROUNDS):
        rng.shuffle(names)
        for name in names:
            call, n = variants[name], batches[name]
            start = clock()
            for _ in range(n):
                call()
            samples[name].append((clock() - start) / n / 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> int:
    events = json.loads(open(sys.argv[1], encoding="utf-8").read())
    marshaller = LambdaMarshaller()
    context = new_context()
    funcs = handlers(sys.argv[2:])
    empty: dict = {}
    out = {}
    for name, text in events.items():
        raw = text.encode()
        event = marshaller.unmarshal_request(raw)
        variants = {
            "unmarshal": lambda raw=raw: marshaller.unmarshal_request(raw),
            "marshal": lambda e=event: marshaller.marshal_response(e),
            "context": new_context,
            "pylambda/empty-no-context": lambda: funcs["pylambda"](empty, None),
        }
        for system, func in funcs.items():
            variants[system] = lambda f=func, e=event: f(e, context)
            variants[f"{system}/no-context"] = lambda f=func, e=event: f(e, None)
        out[name] = time_variants(variants)
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
