"""The benchmark's three events, as the bytes an Invoke request carries.

- `empty`: `{}`, the fixed cost of an invocation;
- `apigw`: the API Gateway REST (v1) proxy event bundled with the emulator
  (`python/pylambda/events/apigw-v1.json`, 2 KB), the most common Lambda event;
- `batch-256k`: 256 KiB of DynamoDB Streams records (new and old images), generated here with a
  fixed seed. 256 KB is the largest SQS, SNS or EventBridge message, and a stream batch is the
  structure-heavy case (thousands of small dicts and strings): what converting costs most, and
  where crowbar's rust-cpython conversion is slowest.
"""

from __future__ import annotations

import hashlib
import json
import random

from pylambda.emulator.samples import load_sample_event

#: Size of the large event, in bytes of JSON as sent.
LARGE_SIZE = 256 * 1024

CITIES = ["Berlin", "München", "Köln", "Zürich", "Wien", "Kraków", "Malmö", "Århus"]
STATUSES = ["PLACED", "PAID", "PACKED", "SHIPPED", "DELIVERED"]
STREAM_ARN = (
    "arn:aws:dynamodb:eu-central-1:123456789012:table/orders/stream/2025-01-15T00:00:00.000"
)


def _image(rng: random.Random, order: int) -> dict:
    """An order item as DynamoDB Streams types it: every value wrapped in {"S"|"N"|...: ...}."""
    lines = [
        {"M": {"sku": {"S": f"SKU-{rng.randint(1, 999)}"}, "qty": {"N": str(rng.randint(1, 9))}}}
        for _ in range(rng.randint(1, 3))
    ]
    return {
        "pk": {"S": f"ORDER#{order}"},
        "sk": {"S": "META"},
        "status": {"S": rng.choice(STATUSES)},
        "total": {"N": f"{rng.uniform(1, 900):.2f}"},
        "city": {"S": rng.choice(CITIES)},
        "paid": {"BOOL": rng.random() < 0.7},
        "coupon": {"NULL": True},
        "lines": {"L": lines},
        "version": {"N": str(rng.randint(1, 40))},
    }


def _record(rng: random.Random, order: int) -> dict:
    new = _image(rng, order)
    return {
        "eventID": hashlib.md5(str(order).encode()).hexdigest(),
        "eventName": "MODIFY",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "eu-central-1",
        "dynamodb": {
            "ApproximateCreationDateTime": 1736937127 + order,
            "Keys": {"pk": new["pk"], "sk": new["sk"]},
            "NewImage": new,
            "OldImage": _image(rng, order),
            "SequenceNumber": str(100000000000 + order),
            "SizeBytes": rng.randint(150, 400),
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
        "eventSourceARN": STREAM_ARN,
    }


def large_event(size: int = LARGE_SIZE) -> bytes:
    """Whole records up to `size` bytes of JSON (as `json.dumps` spells it), deterministic."""
    rng = random.Random(20181127)
    records: list[dict] = []
    overhead = len(b'{"Records": []}')
    used = overhead
    while True:
        record = _record(rng, len(records) + 1)
        length = len(json.dumps(record, ensure_ascii=False).encode()) + 2  # ", "
        if used + length > size:
            break
        records.append(record)
        used += length
    return json.dumps({"Records": records}, ensure_ascii=False).encode()


def load_events() -> dict[str, bytes]:
    """name -> event bytes, in the order tables and charts show them."""
    return {
        "empty": b"{}",
        "apigw": load_sample_event("apigw-v1"),
        "batch-256k": large_event(),
    }


#: How tables and charts name the events.
EVENT_TITLES = {
    "empty": "{}",
    "apigw": "API Gateway (2 KB)",
    "batch-256k": "256 KB batch",
}


def describe(events: dict[str, bytes]) -> dict[str, dict]:
    """Size and digest of each event, for the results file."""
    out = {}
    for name, body in events.items():
        parsed = json.loads(body)
        out[name] = {
            "bytes": len(body),
            "sha256": hashlib.sha256(body).hexdigest()[:16],
            "records": len(parsed.get("Records", [])) if isinstance(parsed, dict) else 0,
        }
    return out
