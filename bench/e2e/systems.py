"""The four systems the benchmark compares, each as the deployment zip Lambda would get."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DIST = HERE / "dist"

#: Set (e.g. "cp312") when the Python-runtime systems run under another CPython than the
#: venv's 3.11: rust-cpython's cdylib is specific to the version it was built for (it imports
#: `_PyUnicode_Ready`, gone in 3.12), so it comes from its own zip, `build.py --python`.
PYTHON_TAG = ""


@dataclass(frozen=True)
class System:
    """One function: its zip, and how Lambda runs it (a Python runtime unless `runtime`)."""

    key: str
    title: str
    zip_name: str
    handler: str | None = None
    runtime: str | None = None  # "provided.al2023": the zip's `bootstrap` runs by itself
    #: Whether a dict comes back with its keys in the order they came (serde_json's default
    #: map is a BTreeMap, which sorts them).
    keeps_key_order: bool = True
    #: Extra environment variables (the breakdown's `timed.py` reads `BENCH_NO_CONTEXT`).
    env: tuple[tuple[str, str], ...] = ()
    #: Built per CPython version (not stable-ABI): see PYTHON_TAG.
    per_python: bool = False

    @property
    def artifact(self) -> Path:
        if self.per_python and PYTHON_TAG:
            return DIST / self.zip_name.replace(".zip", f"-{PYTHON_TAG}.zip")
        return DIST / self.zip_name

    @property
    def python_runtime(self) -> bool:
        return self.runtime is None


SYSTEMS = (
    System("python", "Python echo", "python_echo.zip", "echo.handler"),
    System("pylambda", "pylambda echo", "echo-x86_64.zip", "libecho.handler"),
    # The same module's JSON-text answer (`Box<RawValue>` → `simplejson.RawJSON`).
    System("pylambda-raw", "pylambda echo, JSON-text response", "echo-x86_64.zip", "libecho.raw"),
    System(
        "crowbar",
        "crowbar-style (rust-cpython)",
        "crowbar_echo-x86_64.zip",
        "libcrowbar_echo.handler",
        keeps_key_order=False,
        per_python=True,
    ),
    System(
        "lambda_runtime",
        "lambda_runtime (provided.al2023)",
        "runtime_echo.zip",
        "bootstrap",
        runtime="provided.al2023",
        keeps_key_order=False,
    ),
)

#: `hello`, whose zip size the issue compares with the study's crowbar (774 KB).
HELLO_ZIP = "hello-x86_64.zip"

BY_KEY = {system.key: system for system in SYSTEMS}

#: Prototypes of changes to pylambda (crates of this workspace), measured by the breakdown only.
PROTOTYPE_SYSTEMS = (
    System(
        "nocontext",
        "pylambda, called without the context (measurement)",
        "echo-x86_64.zip",
        "libecho.handler",
        env=(("BENCH_NO_CONTEXT", "1"),),
    ),
    System(
        "proto-sysalloc",
        "pylambda without mimalloc (prototype)",
        "proto_echo_sysalloc-x86_64.zip",
        "libproto_echo_sysalloc.handler",
    ),
)
#: crate -> Python files zipped beside its cdylib.
PROTOTYPES = {"proto_echo_sysalloc": []}


def zip_sizes(path: Path) -> dict[str, int]:
    """The zip's size and the size of what it unpacks to (Lambda's two limits)."""
    with zipfile.ZipFile(path) as archive:
        unzipped = sum(info.file_size for info in archive.infolist())
        files = {info.filename: info.file_size for info in archive.infolist()}
    return {"zipped": path.stat().st_size, "unzipped": unzipped, "files": files}


def missing_artifacts() -> list[Path]:
    paths = [system.artifact for system in SYSTEMS] + [DIST / HELLO_ZIP]
    return [path for path in paths if not path.is_file()]
