"""Sample events for the common event sources, shipped in `pylambda/events/*.json`.

They follow the shapes AWS documents for each source, so `invoke --event sqs` (or the path of a
file of your own) exercises a handler with what Lambda would actually deliver.
"""

from __future__ import annotations

from importlib import resources


def _events_dir():
    return resources.files("pylambda").joinpath("events")


def sample_event_names() -> list[str]:
    """The names `--event` accepts besides a file path (`sqs`, `apigw-v1`, ...)."""
    return sorted(
        entry.name[: -len(".json")]
        for entry in _events_dir().iterdir()
        if entry.name.endswith(".json")
    )


def load_sample_event(name: str) -> bytes:
    """The bytes of the sample event `name`; KeyError if there is none."""
    entry = _events_dir().joinpath(f"{name}.json")
    if not entry.is_file():
        raise KeyError(name)
    return entry.read_bytes()
