"""The one place that writes into the records, the site or a federation's mirror: atomic, and
never half a file.

Files are written to a temporary name beside their target, made durable together by one sync,
and then linked into place, so a reader (or a crash) sees either the whole file or none (one
sync for the lot, not one fsync per file: a province site has 200,000 files; `write_durable`
syncs its one file alone, for the mirror's many small writes on a busy disk). `write_new`
refuses to replace anything. Files get the permissions of an ordinary write (0666 less the
umask), so a copy to a web server stays readable; `TreeWriter` removes only what an earlier
build wrote.
"""
from __future__ import annotations

import json
import os
import secrets
import subprocess
from collections.abc import Iterable
from pathlib import Path, PurePosixPath


def _temp_copy(path: Path, data: bytes, durable: bool = False) -> Path:
    # not tempfile.mkstemp: its files are 0600 whatever the umask, and a site copied with
    # `rsync -a` then answers 403 for every page
    while True:
        temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            # O_BINARY: Windows would otherwise turn every newline into CRLF
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                         0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            if durable:
                out.flush()
                os.fsync(out.fileno())
    except BaseException:
        os.unlink(temp)
        raise
    return temp


def write_durable(path: Path, data: bytes) -> None:
    """One file, atomically, synced on its own (an fsync, not os.sync for the whole system:
    for a writer of many small files, each taken whole or not at all, on a busy disk)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_copy(path, data, durable=True)
    try:
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)  # gone after the rename; left only by an error


def write_new(files: dict[Path, bytes]) -> None:
    """Write every file or none; raises FileExistsError (writing nothing) if any exists."""
    existing = [p for p in files if p.exists()]
    if existing:
        raise FileExistsError(existing[0])
    for path in files:
        path.parent.mkdir(parents=True, exist_ok=True)
    temps: dict[Path, Path] = {}
    linked: list[Path] = []
    try:
        for path, data in files.items():
            temps[path] = _temp_copy(path, data)
        _sync()
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


MARKER = ".ssj-site"  # marks a folder as ours to prune, and lists the files we wrote there


def write_changed(root: Path, files: dict[str, bytes]) -> tuple[int, int]:
    """Write each file whose bytes differ, atomically. Returns (written, unchanged)."""
    changed = [(root / rel, data) for rel, data in sorted(files.items())
               if not ((root / rel).is_file() and (root / rel).read_bytes() == data)]
    temps: list[tuple[Path, Path]] = []
    try:
        for path, data in changed:
            path.parent.mkdir(parents=True, exist_ok=True)
            temps.append((_temp_copy(path, data), path))
        if temps:  # nothing to make durable: no sync of the whole system
            _sync()
        for temp, path in temps:
            os.replace(temp, path)
    finally:
        for temp, _ in temps:  # left by an error: never a half-written file under its name
            temp.unlink(missing_ok=True)
    return len(changed), len(files) - len(changed)


def _sync() -> None:
    """Every file written so far on its disk, before any takes its name."""
    if hasattr(os, "sync"):
        os.sync()


class TreeWriter:
    """Make `root` hold the files `put` into it, as one build's output: each file whose bytes
    differ is written beside its target, and on `commit` all are synced once and renamed into
    place; what the previous build wrote and this one did not is removed. Anything else in the
    folder (.git, CNAME, .nojekyll) is left alone. Files are taken one at a time, so a site
    never has to be held in memory whole.

    Refuses a non-empty folder that an earlier build did not mark, so that a mistyped --out
    never deletes somebody's files.
    """

    def __init__(self, root: Path) -> None:
        if root.exists() and any(root.iterdir()) and not (root / MARKER).exists():
            raise FileExistsError(f"{root} 不是空目录，也不是 ssj build 的输出目录")
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        self.previous = _manifest(root)
        self.names: set[str] = set()
        self.temps: list[tuple[Path, Path]] = []
        self.unchanged = 0

    def put(self, rel: str, data: bytes) -> None:
        """One file."""
        path = self.root / rel
        if path.is_file() and path.read_bytes() == data:
            self.keep(rel)
            return
        self.names.add(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.temps.append((_temp_copy(path, data), path))

    def keep(self, rel: str) -> None:
        """One file the caller knows `root` already holds as this build would write it."""
        self.names.add(rel)
        self.unchanged += 1

    def commit(self) -> tuple[int, int, int]:
        """Everything put in place. Returns (written, unchanged, removed)."""
        stale = self.previous - self.names
        # the list names the stale files until they are gone, so a build stopped half way
        # still knows them next time
        self.put(MARKER, _marker(self.names | stale))
        _sync()
        for temp, path in self.temps:
            os.replace(temp, path)
        written, self.temps = len(self.temps), []
        removed = sum(_remove(self.root, rel) for rel in sorted(stale))
        if stale:
            write_changed(self.root, {MARKER: _marker(self.names - {MARKER})})
        return written, self.unchanged, removed

    def abort(self) -> None:
        """Nothing of this build under its name: never half a site's files."""
        for temp, _ in self.temps:
            temp.unlink(missing_ok=True)
        self.temps = []


def foreign_output(root: Path, repository: Path) -> str | None:
    """Why `root` cannot take a build, or None. A build leaves alone what it did not write, so
    a folder holding files that the git repository around the folder `repository` tracks (a
    committed _site/, which a pull request could fill with pages of its own) or symbolic links
    (which a copy or an upload may follow out of the folder, to a private record) would be
    published with them. Another repository's clone (a pages repository) may take a build."""
    if root.is_symlink():
        return f"{root} 是符号链接"
    if not root.is_dir():
        return None
    folders = [str(root)]
    while folders:  # scandir's entries know whether they are links: no stat per file
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_symlink():
                    return f"{entry.path} 是符号链接"
                if entry.is_dir():
                    folders.append(entry.path)
    first = first_tracked(repository, root.resolve())
    return None if first is None else f"{root} 中有 git 跟踪的文件（如 {first}）"


def first_tracked(where: Path, path: Path) -> str | None:
    """A file under `path` that the git repository around the folder `where` tracks, by its
    path in the repository; None when there is none, no repository or no git."""
    try:
        listed = subprocess.run(["git", "-C", str(where), "ls-files", "-z", "--full-name", "--",
                                 str(path)], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if listed.returncode != 0 or not listed.stdout:
        return None
    return listed.stdout.split(b"\0")[0].decode("utf-8", "replace")


def _marker(paths: Iterable[str]) -> bytes:
    # JSON, so that any file name, even one holding a newline, is one entry
    listing = {"ssj build": "a rebuild removes only these files", "files": sorted(paths)}
    return (json.dumps(listing, ensure_ascii=False, indent=1) + "\n").encode()


def _manifest(root: Path) -> set[str]:
    """The files the previous build wrote, as its marker lists them; none for a marker it cannot
    read (an older build's). An entry that is not a plain path inside the folder is ignored:
    the marker is only a file, and pruning must never leave the folder whatever it says."""
    try:
        listed = json.loads((root / MARKER).read_bytes())["files"]
    except (OSError, ValueError, TypeError, KeyError, RecursionError):
        return set()
    if not isinstance(listed, list):
        return set()
    return {rel for rel in listed if isinstance(rel, str) and rel and rel != MARKER
            and not PurePosixPath(rel).is_absolute() and ".." not in PurePosixPath(rel).parts}


def _remove(root: Path, rel: str) -> bool:
    """Remove one file an earlier build wrote, and the folders it leaves empty. False if it is
    gone, is now a folder, or lies behind a link: then it is someone else's to keep."""
    path = root / rel
    where = root.resolve().joinpath(*PurePosixPath(rel).parent.parts)
    if path.parent.resolve() != where or not (path.is_file() or path.is_symlink()):
        return False
    path.unlink()
    for folder in path.parents:
        if folder == root or any(folder.iterdir()):
            break
        folder.rmdir()
    return True
