"""The one place that writes into the records or the site: atomic, and never half a file.

Files are written to a temporary name beside their target and linked into place, so a reader
(or a crash) sees either the whole file or none; `write_new` refuses to replace anything.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _temp_copy(path: Path, data: bytes) -> Path:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        os.unlink(temp)
        raise
    return Path(temp)


def write_new(files: dict[Path, bytes]) -> None:
    """Write every file or none; raises FileExistsError (writing nothing) if any exists."""
    existing = [p for p in files if p.exists()]
    if existing:
        raise FileExistsError(existing[0])
    for path in files:
        path.parent.mkdir(parents=True, exist_ok=True)
    temps = {path: _temp_copy(path, data) for path, data in files.items()}
    linked: list[Path] = []
    try:
        for path, temp in temps.items():
            os.link(temp, path)  # fails, rather than overwrites, if the name was taken meanwhile
            linked.append(path)
    except BaseException:
        for path in linked:
            path.unlink()
        raise
    finally:
        for temp in temps.values():
            temp.unlink()
