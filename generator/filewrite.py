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


MARKER = ".ssj-site"  # marks a folder as ours to prune


def write_changed(root: Path, files: dict[str, bytes]) -> tuple[int, int]:
    """Write each file whose bytes differ, atomically. Returns (written, unchanged)."""
    written = unchanged = 0
    for rel, data in sorted(files.items()):
        path = root / rel
        if path.is_file() and path.read_bytes() == data:
            unchanged += 1
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(_temp_copy(path, data), path)
        written += 1
    return written, unchanged


def sync_tree(root: Path, files: dict[str, bytes]) -> tuple[int, int, int]:
    """Make `root` hold exactly `files` (relative path -> bytes): write what changed, each file
    atomically, and remove what is no longer built. Returns (written, unchanged, removed).

    Refuses a non-empty folder that an earlier build did not mark, so that a mistyped --out
    never deletes somebody's files.
    """
    if root.exists() and any(root.iterdir()) and not (root / MARKER).exists():
        raise FileExistsError(f"{root} 不是空目录，也不是 ssj build 的输出目录")
    root.mkdir(parents=True, exist_ok=True)
    files = {**files, MARKER: b"ssj build output; this folder is rewritten by every build\n"}
    written, unchanged = write_changed(root, files)
    removed = 0
    wanted = {root / rel for rel in files}
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_file() and path not in wanted:
            path.unlink()
            removed += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return written, unchanged, removed
