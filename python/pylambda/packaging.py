"""Deployment zips: the extension module at the zip's root, byte-for-byte reproducible.

Lambda unpacks the zip into /var/task, which is on the Python runtime's sys.path, so
`libNAME.so` at the root is importable as `libNAME` (handler `libNAME.handler`).
Fixed timestamps, fixed permissions and sorted entries make two builds of the same
code give the same zip, so a deploy tool that compares hashes skips no-op uploads.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable
from pathlib import Path

# The earliest time a zip can store (DOS epoch); any fixed time would do.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
# rwxr-xr-x regular file: Lambda runs as another user than the one who built the zip.
FILE_MODE = 0o100755


def write_zip(zip_path: str | os.PathLike[str], files: Iterable[str | os.PathLike[str]]) -> Path:
    """Write `files` (by their base names) at the root of a deterministic zip."""
    zip_path = Path(zip_path)
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = zip_path.with_name(zip_path.name + ".tmp")
    entries = sorted((Path(f).name, Path(f)) for f in files)
    with zipfile.ZipFile(tmp, "w") as archive:
        for name, source in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.create_system = 3  # Unix, so external_attr carries the mode
            info.external_attr = FILE_MODE << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, source.read_bytes(), compresslevel=9)
    tmp.replace(zip_path)
    return zip_path
