"""Regenerate the benchmark corpus's batch events (deterministic; the output is committed).

    .venv/bin/python bench/convert/make_corpus.py

The small events (API Gateway v1/v2, S3, DynamoDB Streams, EventBridge, Kinesis, `{}`) are
hand-written JSON files in corpus/. The batches are generated here because they are long and
repetitive, as real batches are:

* sqs-10.json: a full default SQS batch, 10 records of order messages (~10 KB);
* dynamodb-1mb.json: ~1 MB of DynamoDB Streams records with new and old images, the
  structure-heavy case (thousands of small dicts and strings: what conversion costs most);
* sqs-1mb.json: ~1 MB of SQS batch, 10 records with ~100 KB JSON bodies, the string-heavy
  case (few objects, long strings: what copying costs).
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import uuid
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"
QUEUE_ARN = "arn:aws:sqs:eu-central-1:123456789012:orders"
TABLE_STREAM_ARN = (
    "arn:aws:dynamodb:eu-central-1:123456789012:table/orders/stream/2025-01-15T00:00:00.000"
)
SKUS = ["WIDGET-42", "GADGET-7", "SPROCKET-19", "FLANGE-3", "GIZMO-88", "DOOHICKEY-5"]
CITIES = ["Berlin", "München", "Köln", "Zürich", "Wien", "Kraków", "Malmö", "Århus"]


def rng_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def order(rng: random.Random, lines: int) -> dict:
    """An order document, as services put them in message bodies."""
    items = [
        {
            "sku": rng.choice(SKUS),
            "quantity": rng.randint(1, 9),
            "unitPrice": round(rng.uniform(1, 200), 2),
            "description": f"{rng.choice(SKUS).title()} in size {rng.choice('SMLX')}",
        }
        for _ in range(lines)
    ]
    return {
        "orderId": rng_uuid(rng),
        "customerId": f"c-{rng.randint(1000, 99999)}",
        "status": rng.choice(["PLACED", "PAID", "SHIPPED"]),
        "currency": "EUR",
        "total": round(sum(i["quantity"] * i["unitPrice"] for i in items), 2),
        "items": items,
        "shipTo": {"city": rng.choice(CITIES), "postcode": f"{rng.randint(10000, 99999)}"},
        "placedAt": f"2025-01-15T10:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z",
    }


def sqs_record(rng: random.Random, body: str) -> dict:
    sent = 1736937127183 + rng.randint(0, 60_000)
    return {
        "messageId": rng_uuid(rng),
        "receiptHandle": "AQEB" + base64.b64encode(rng.randbytes(120)).decode(),
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": str(rng.randint(1, 3)),
            "SentTimestamp": str(sent),
            "SenderId": "AROAIWPX5BD2BHG722MW4:checkout",
            "ApproximateFirstReceiveTimestamp": str(sent + rng.randint(1, 50)),
        },
        "messageAttributes": {
            "source": {
                "stringValue": "checkout",
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": "String",
            },
            "schemaVersion": {
                "stringValue": "3",
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": "Number",
            },
        },
        "md5OfMessageAttributes": hashlib.md5(rng.randbytes(8)).hexdigest(),
        "md5OfBody": hashlib.md5(body.encode()).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": QUEUE_ARN,
        "awsRegion": "eu-central-1",
    }


def ddb_image(rng: random.Random, pk: str, status: str) -> dict:
    """An order item in DynamoDB's attribute-value JSON."""
    items = [
        {
            "M": {
                "sku": {"S": rng.choice(SKUS)},
                "quantity": {"N": str(rng.randint(1, 9))},
                "unitPrice": {"N": f"{rng.uniform(1, 200):.2f}"},
            }
        }
        for _ in range(rng.randint(1, 4))
    ]
    return {
        "pk": {"S": pk},
        "sk": {"S": "META"},
        "status": {"S": status},
        "customerId": {"S": f"c-{rng.randint(1000, 99999)}"},
        "total": {"N": f"{rng.uniform(5, 900):.2f}"},
        "currency": {"S": "EUR"},
        "items": {"L": items},
        "shipTo": {"M": {"city": {"S": rng.choice(CITIES)}, "postcode": {"S": "10115"}}},
        "tags": {"SS": rng.sample(["gift", "express", "b2b", "promo", "fragile"], 2)},
        "paid": {"BOOL": status != "PLACED"},
        "coupon": {"NULL": True},
        "updatedAt": {"N": str(1736937127 + rng.randint(0, 3600))},
    }


def ddb_record(rng: random.Random, seq: int) -> dict:
    pk = f"ORDER#{rng_uuid(rng)[:8]}"
    new = ddb_image(rng, pk, "PAID")
    old = ddb_image(rng, pk, "PLACED")
    return {
        "eventID": hashlib.md5(str(seq).encode()).hexdigest(),
        "eventName": "MODIFY",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "eu-central-1",
        "dynamodb": {
            "ApproximateCreationDateTime": 1736937127 + seq,
            "Keys": {"pk": {"S": pk}, "sk": {"S": "META"}},
            "NewImage": new,
            "OldImage": old,
            "SequenceNumber": str(4_000_000_000_000_000_000 + seq),
            "SizeBytes": rng.randint(300, 900),
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
        "eventSourceARN": TABLE_STREAM_ARN,
    }


def until_size(make, target: int) -> list:
    """Records from `make(i)` until their JSON reaches `target` bytes."""
    records, size, i = [], 0, 0
    while size < target:
        record = make(i)
        records.append(record)
        size += len(json.dumps(record)) + 2
        i += 1
    return records


def main() -> None:
    rng = random.Random(20250115)
    events = {
        "sqs-10": {
            "Records": [
                sqs_record(rng, json.dumps(order(rng, rng.randint(1, 3)))) for _ in range(10)
            ]
        },
        "dynamodb-1mb": {"Records": until_size(lambda i: ddb_record(rng, i), 1_000_000)},
        "sqs-1mb": {
            "Records": [
                sqs_record(rng, json.dumps([order(rng, 3) for _ in range(190)])) for _ in range(10)
            ]
        },
    }
    for name, event in events.items():
        path = CORPUS / f"{name}.json"
        indent = 1 if len(event["Records"]) <= 10 and "1mb" not in name else None
        path.write_text(json.dumps(event, indent=indent, ensure_ascii=False) + "\n", "utf-8")
        print(f"{path.name}: {len(json.dumps(event))} bytes as json.dumps writes it")


if __name__ == "__main__":
    main()
