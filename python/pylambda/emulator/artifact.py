"""The task directory (Lambda's /var/task) built from an artifact, and the default handler.

An artifact is a built extension module (`libecho.so`, `libecho.abi3.so`,
`libecho.cpython-312-x86_64-linux-gnu.so`), a deployment package `.zip` as `pylambda build` makes
it, or, for tests and quick experiments, a plain `.py` module or a directory. The emulator does not
care which: awslambdaric imports whatever module the handler names from the task directory.

For an OS-only runtime (`provided.al2023`, `provided.al2`) the artifact is instead a zip with an
executable `bootstrap` at its root, as `cargo lambda build --output-format zip` makes it, or the
executable itself (copied in as `bootstrap`, whatever its name): Lambda runs that program, which
speaks the Runtime API itself.
"""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from pathlib import Path

# An importable module file at the top of the task directory: `name.py`, or `name.so` with
# any ABI tag between (`name.abi3.so`, `name.cpython-313-x86_64-linux-gnu.so`).
_MODULE_FILE = re.compile(r"^(?P<module>[A-Za-z_][A-Za-z0-9_]*)(?:\.[^./]+)*\.(?P<ext>so|py)$")


#: The program an OS-only runtime starts, at the root of the task directory.
BOOTSTRAP = "bootstrap"


class ArtifactError(Exception):
    """The artifact cannot be turned into a task directory or a handler."""


def populate_task_dir(
    artifact: str | os.PathLike, task_dir: Path, *, bootstrap: bool = False
) -> None:
    """Copy (`.so`, `.py`, directory) or unpack (`.zip`) `artifact` into `task_dir`.

    With `bootstrap` (an OS-only runtime), a single file that is not a zip is the runtime's
    executable and is copied in as `bootstrap`, keeping its permissions.
    """
    src = Path(artifact)
    if not src.exists():
        raise ArtifactError(f"artifact not found: {src}")
    if src.is_dir():
        shutil.copytree(src, task_dir, dirs_exist_ok=True, symlinks=True)
    elif zipfile.is_zipfile(src):
        _unzip(src, task_dir)
    elif bootstrap:
        shutil.copy2(src, task_dir / BOOTSTRAP)
    elif _MODULE_FILE.match(src.name):
        shutil.copy2(src, task_dir / src.name)
    else:
        raise ArtifactError(f"{src}: expected a .so or .py module, a .zip package or a directory")


def _unzip(src: Path, task_dir: Path) -> None:
    with zipfile.ZipFile(src) as archive:
        for info in archive.infolist():
            target = Path(archive.extract(info, task_dir))
            mode = (info.external_attr >> 16) & 0o7777
            if mode and not info.is_dir():
                # Lambda keeps the permissions recorded in the zip (executables stay executable).
                os.chmod(target, mode)


def module_name(filename: str) -> str | None:
    """The module a top-level file provides (`libecho.abi3.so` -> `libecho`), or None."""
    match = _MODULE_FILE.match(filename)
    return match.group("module") if match else None


def default_handler(task_dir: Path) -> str:
    """`MODULE.handler` for the task directory's single module.

    Extension modules win over `.py` files, so a package with a helper script still resolves to
    its Rust module; anything ambiguous must be named with `--handler`.
    """
    found: dict[str, set[str]] = {"so": set(), "py": set()}
    for entry in sorted(os.listdir(task_dir)):
        match = _MODULE_FILE.match(entry)
        if match and (task_dir / entry).is_file():
            found[match.group("ext")].add(match.group("module"))
    candidates = found["so"] or found["py"]
    if len(candidates) != 1:
        listed = ", ".join(sorted(candidates)) or "none"
        raise ArtifactError(
            f"cannot tell which module holds the handler (found: {listed}); pass --handler MOD.FUNC"
        )
    return f"{candidates.pop()}.handler"


def require_bootstrap(task_dir: Path) -> Path:
    """The task directory's `bootstrap`, which must be an executable file.

    Lambda's OS-only runtimes fail the INIT phase without one (`Runtime.InvalidEntrypoint`);
    saying so before starting anything gives the reason instead of an exit status.
    """
    path = task_dir / BOOTSTRAP
    if not path.is_file():
        raise ArtifactError(
            "an OS-only runtime (provided.al2023) runs the executable `bootstrap` at the "
            "package's root, and there is none: zip the binary as `bootstrap` "
            "(cargo lambda build --output-format zip does) or pass the executable itself"
        )
    if not os.access(path, os.X_OK):
        raise ArtifactError(f"{BOOTSTRAP} is not executable: chmod +x it before zipping")
    return path
