"""The routes the benchmark compares: each is a function `event -> event` (or, for the typed
routes, `API Gateway event -> response`).

Rust routes come from the cdylibs of this workspace (bench/convert/target/PROFILE/):
libpylambda_routes (pylambda's engine, and the Rust halves of the JSON and pickle bridges),
libcpython_routes (rust-cpython's serde-convert), libpyo3_routes (PyO3 + pythonize) and
libpyo3_ordered_routes (the same with serde_json's preserve_order; only in full builds).
"""

from __future__ import annotations

import importlib
import json
import marshal
import pickle
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: The route every ratio is taken against.
ENGINE = "pylambda"
#: The engine's round trip when the response's strings are not the event's (see
#: `value_new_strings` in pylambda_routes): what a handler that makes new strings pays.
NEW_STRINGS = "pylambda-new-strings"


@dataclass(frozen=True)
class Route:
    """One way to get an event from Python into Rust and back."""

    name: str
    label: str
    call: Callable[[object], object]
    typed: bool = False


def load_modules(profile: str = "release", need: tuple[str, ...] = ()) -> dict[str, object]:
    """Imports the route cdylibs built under target/PROFILE; a missing one is left out unless
    it is in `need`."""
    target = HERE / "target" / ("debug" if profile == "dev" else profile)
    sys.path.insert(0, str(target))
    modules = {}
    for name in (
        "libpylambda_routes",
        "libcpython_routes",
        "libpyo3_routes",
        "libpyo3_ordered_routes",
    ):
        if name == "libcpython_routes" and sys.version_info >= (3, 14):
            # rust-cpython 0.7.2's tuple macros crash on 3.14 (DESIGN.md).
            continue
        try:
            modules[name] = importlib.import_module(name)
        except ImportError as exc:
            if name in need:
                raise SystemExit(  # noqa: B904 - a message, not a traceback, is the point
                    f"{name} is not built in {target} ({exc}): make bench-convert-build"
                )
    return modules


def identity_routes(mods: dict[str, object]) -> list[Route]:
    """Python → serde_json::Value → Python, and the pure-Python references."""
    # Here, not at the top: versions.py imports this module under interpreters without orjson.
    import orjson  # noqa: PLC0415

    routes = []
    pl = mods.get("libpylambda_routes")
    if pl is not None:
        routes.append(Route(ENGINE, "pylambda (this engine)", lambda e: pl.value(e, None)))
        routes.append(
            Route(
                NEW_STRINGS,
                "pylambda, every response string new (copied in Rust first)",
                lambda e: pl.value_new_strings(e, None),
            )
        )
    if "libcpython_routes" in mods:
        cp = mods["libcpython_routes"]
        routes.append(Route("cpython-serde", "rust-cpython serde-convert", cp.value))
    if pl is not None:
        routes.append(
            Route(
                "json-bridge",
                "JSON-text bridge",
                lambda e: json.loads(pl.json_text(json.dumps(e), None)),
            )
        )
        routes.append(
            Route(
                "pickle-bridge",
                "pickle bridge",
                lambda e: pickle.loads(pl.pickle(pickle.dumps(e), None)),
            )
        )
    if "libpyo3_routes" in mods:
        routes.append(Route("pythonize", "PyO3 + pythonize", mods["libpyo3_routes"].value))
    if "libpyo3_ordered_routes" in mods:
        # The same, with serde_json's preserve_order: key order kept, as pylambda keeps it.
        routes.append(
            Route(
                "pythonize-ordered",
                "PyO3 + pythonize, serde_json preserve_order",
                mods["libpyo3_ordered_routes"].value,
            )
        )
    routes += [
        Route(
            "marshal", "marshal.loads(marshal.dumps(e))", lambda e: marshal.loads(marshal.dumps(e))
        ),
        Route("json", "json.loads(json.dumps(e))", lambda e: json.loads(json.dumps(e))),
        Route("orjson", "orjson.loads(orjson.dumps(e))", lambda e: orjson.loads(orjson.dumps(e))),
    ]
    return routes


def typed_routes(mods: dict[str, object]) -> list[Route]:
    """API Gateway v1 event → `ApiGatewayProxyRequest` → handler → `ApiGatewayProxyResponse`
    → Python, three ways."""
    routes = []
    pl = mods.get("libpylambda_routes")
    if pl is not None:
        routes.append(
            Route("typed-pylambda", "pylambda, typed", lambda e: pl.apigw(e, None), typed=True)
        )
        routes.append(
            Route(
                "typed-via-value",
                "pylambda → Value → serde_json::from_value",
                lambda e: pl.apigw_via_value(e, None),
                typed=True,
            )
        )
    if "libpyo3_routes" in mods:
        routes.append(
            Route(
                "typed-pythonize",
                "PyO3 + pythonize, typed",
                mods["libpyo3_routes"].apigw,
                typed=True,
            )
        )
    return routes
