"""Typed events with `aws_lambda_events`: `examples/sqs`, `examples/s3`, `examples/eventbridge`,
each through the emulator (the real awslambdaric) with the bundled sample events and the
extra cases in `tests/data/ecosystem/`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pylambda.emulator import Function
from pylambda.emulator.samples import load_sample_event

DATA = Path(__file__).parent / "data" / "ecosystem"


def invoke(artifact: Path, *events: bytes):
    with Function(artifact, log_format="JSON", log_level="INFO") as fn:
        return [fn.invoke(event) for event in events]


def messages(result) -> list[str]:
    return [
        json.loads(line)["message"] for line in result.logs.splitlines() if line.startswith("{")
    ]


def test_sqs_sample_batch_succeeds_whole(release_artifact):
    (result,) = invoke(release_artifact("libsqs.so"), load_sample_event("sqs"))
    assert result.ok, result.payload
    assert result.json() == {"batchItemFailures": []}
    assert "order 1234 is now Paid" in messages(result)


def test_sqs_partial_batch_failure_names_the_invalid_records(release_artifact):
    event = (DATA / "sqs-partial.json").read_bytes()
    (result,) = invoke(release_artifact("libsqs.so"), event)
    assert result.ok, result.payload
    # Exactly the records whose body fails validation, by messageId, in batch order.
    assert result.json() == {
        "batchItemFailures": [
            {"itemIdentifier": "11111111-0000-4000-8000-000000000002"},
            {"itemIdentifier": "11111111-0000-4000-8000-000000000004"},
            {"itemIdentifier": "11111111-0000-4000-8000-000000000005"},
        ]
    }
    logged = messages(result)
    assert "order 2001 is now Paid" in logged and "order 2003 is now Delivered" in logged
    assert any("000000000002 failed: invalid body: unknown variant `LOST`" in m for m in logged)


def test_sqs_event_of_the_wrong_shape_is_a_deserialize_error(release_artifact):
    (result,) = invoke(release_artifact("libsqs.so"), b'{"Records": [{"body": 5}]}')
    assert result.error_type == "DeserializeError"
    assert result.json()["errorMessage"].startswith("Records[0].body: invalid type")


def test_s3_sample(release_artifact):
    (result,) = invoke(release_artifact("libs3.so"), load_sample_event("s3"))
    assert result.ok, result.payload
    assert result.json() == {
        "objects": [
            {
                "event": "ObjectCreated:Put",
                "bucket": "uploads-123456789012",
                "key": "invoices/2025/01/invoice 1234.pdf",  # `+` in the event is a space
                "size": 48213,
            }
        ],
        "totalBytes": 48213,
    }


def test_s3_keys_are_url_decoded_and_deletes_have_no_size(release_artifact):
    (result,) = invoke(release_artifact("libs3.so"), (DATA / "s3-two-objects.json").read_bytes())
    assert result.json() == {
        "objects": [
            {
                "event": "ObjectCreated:Put",
                "bucket": "photos",
                "key": "2025/café menu.jpg",
                "size": 1000,
            },
            {"event": "ObjectRemoved:Delete", "bucket": "photos", "key": "old/a+b.txt", "size": 0},
        ],
        "totalBytes": 1000,
    }
    assert "ObjectRemoved:Delete s3://photos/old/a+b.txt" in messages(result)


def test_eventbridge_sample_typed_detail(release_artifact):
    (result,) = invoke(release_artifact("libeventbridge.so"), load_sample_event("eventbridge"))
    assert result.ok, result.payload
    assert result.json() == {
        "orderId": "1234",
        "customerId": "c-77",
        "points": 126,  # floor(42.5) * 3 for gold
        "eventId": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    }


@pytest.mark.parametrize(
    ("event", "error_type"),
    [
        ((DATA / "eventbridge-ec2.json").read_bytes(), "DeserializeError"),
        (
            json.dumps(
                {**json.loads(load_sample_event("eventbridge")), "detail-type": "Order Cancelled"}
            ).encode(),
            "UnsupportedEvent",
        ),
    ],
)
def test_eventbridge_other_events_fail_with_a_matchable_error_type(
    release_artifact, event, error_type
):
    (result,) = invoke(release_artifact("libeventbridge.so"), event)
    assert result.status == "error" and result.error_type == error_type, result.payload
