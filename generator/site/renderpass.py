"""Render every page once per build, as cheaply as the inputs allow.

Each page's inputs are what `render` reads: its templates, title, context and data, plus what every
page shares (the site's header, nav, base URL, every template and the generator's own code). They
are hashed into the page's key. A page whose key matches the last build's, and whose files in the
output folder are still those that build wrote, is not rendered again; the rest are rendered on
all cores (fork), and the bytes are the same as one process gives (a test compares them).

The last build's keys live in a state file outside the output folder (it is not published), with
each file it wrote: digest, size, mtime and inode. A file whose size, mtime and inode are still
those is taken as written without reading it (as make and git do), so a rebuild does not read
the whole site back; `verify` reads every file and compares digests. The state is only a hint: a
missing, stale or unreadable one means every page is rendered.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import pickle
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any, Callable, Iterator

from generator.site.output import Page

STATE_FORMAT = "ssj-site-state/2"
_CODE = Path(__file__).resolve().parent.parent  # the generator package: its code shapes every page


@dataclass(frozen=True)
class Rendered:
    path: str
    files: dict[str, bytes]  # site path -> bytes: the page and the JSON beside it (fresh only)
    fresh: bool = True  # rendered now, not the last build's files left in place
    extra: Any = None  # what the job made beside the files (the page's text for search)
    kept: dict[str, FileEntry] | None = None  # not fresh: its files as the last build wrote them


@dataclass
class Outcome:
    pages: dict[str, list[Any]]  # page path -> [its key, its files' names]: the next state
    rendered: int  # pages rendered this time (the rest were the last build's)


# what no page is made from: the forms editor (its vendored bundle, decap-server's install)
_APART = {"editor", "node_modules"}


def shared_digest(site_dir: Path, *parts: Any) -> bytes:
    """What every page depends on: the generator's code, Jinja's version, every template, and
    `parts` (the shared context and link bases)."""
    digest = hashlib.sha256(f"{STATE_FORMAT}\0{version('jinja2')}\0{version('markupsafe')}"
                            .encode())
    for root in (_CODE, site_dir / "templates"):
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix != ".pyc"
                           and not _APART.intersection(p.relative_to(root).parts)):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    digest.update(pickle.dumps(parts, protocol=5))
    return digest.digest()


def page_key(shared: bytes, page: Page) -> str:
    """The page's inputs, hashed. A context that cannot be pickled gets no key: always rendered."""
    try:
        own = pickle.dumps((page.path, page.templates, page.title, page.context, page.data),
                           protocol=5)
    except (pickle.PicklingError, TypeError, AttributeError):
        return ""
    return hashlib.sha256(shared + own).hexdigest()


def read_state(state_file: Path | None) -> dict[str, Any]:
    """The last build's keys and file digests; empty when missing or not understood."""
    if state_file is None:
        return {}
    try:
        state = json.loads(state_file.read_bytes())
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
        return {}
    pages, files = state.get("pages"), state.get("files")
    if not isinstance(pages, dict) or not isinstance(files, dict):
        return {}
    return state


def write_state(state_file: Path | None, state: dict[str, Any]) -> None:
    """Keep the state for the next build; a folder that cannot be written only costs speed."""
    if state_file is None:
        return
    data = json.dumps({"format": STATE_FORMAT, **state}, sort_keys=True).encode()
    temp = state_file.with_name(f".{state_file.name}.{os.getpid()}.tmp")
    try:
        state_file.parent.mkdir(parents=True, exist_ok=True)
        temp.write_bytes(data)
        os.replace(temp, state_file)
    except OSError:
        temp.unlink(missing_ok=True)


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


FileEntry = tuple[str, int, int, int]  # an output file as written: digest, size, mtime_ns, inode


def file_entry(path: Path, digest: str) -> FileEntry | None:
    """`path` as it stands, holding bytes of `digest`; None if it cannot be read."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return digest, stat.st_size, stat.st_mtime_ns, stat.st_ino


def reuse(out_dir: Path, names: list[str], files: dict[str, Any],
          verify: bool = False) -> dict[str, FileEntry] | None:
    """The files `names` as the last build wrote them into `out_dir` (`files`: its record of
    them), or None if any is gone or changed since (edited by hand, half copied): then they are
    made again. A file counts as changed when its size, mtime or inode is not the recorded one;
    with `verify`, when its bytes' digest is not."""
    found = {}
    for name in names:
        entry = files.get(name)
        if not (isinstance(entry, list) and len(entry) == 4 and isinstance(entry[0], str)
                and all(type(n) is int for n in entry[1:])):
            return None
        path = out_dir / name
        now = file_entry(path, entry[0])
        if now is None or (_read_digest(path) != entry[0] if verify else list(now) != entry):
            return None
        found[name] = now
    return found


def _read_digest(path: Path) -> str | None:
    try:
        return file_digest(path.read_bytes())
    except OSError:
        return None


_JOB: Callable[[Page], Rendered] | None = None  # what each forked worker runs
_PAGES: list[Page] = []


def _work(indexes: list[int]) -> list[Rendered]:
    assert _JOB is not None
    return [_JOB(_PAGES[i]) for i in indexes]


def _chunks(count: int, size: int) -> Iterator[list[int]]:
    for start in range(0, count, size):
        yield list(range(start, min(count, start + size)))


def render_all(pages: list[Page], job: Callable[[Page], Rendered],
               jobs: int) -> Iterator[Rendered]:
    """`job` over `pages`, yielded in their order as they are done; on `jobs` forked processes
    when there are enough pages to pay for them (fork shares the assembled site with the
    workers without copying it)."""
    global _JOB, _PAGES
    if jobs <= 1 or len(pages) < 64 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(job, pages)
        return
    _JOB, _PAGES = job, pages
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            size = max(8, min(256, len(pages) // (jobs * 32)))
            for chunk in pool.imap(_work, _chunks(len(pages), size)):
                yield from chunk
    finally:
        _JOB, _PAGES = None, []


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def render_pages(pages: list[Page], job: Callable[[Page], Rendered],
                 names: Callable[[Page], list[str]], shared: bytes, out_dir: Path,
                 state: dict[str, Any], jobs: int, visit: Callable[[Rendered], None],
                 verify: bool = False) -> Outcome:
    """Every page's files (`names(page)`), handed to `visit` in path order as they come: the
    last build's where the page's key and files are unchanged (read back and compared with
    `verify`), freshly rendered otherwise."""
    before, files = state.get("pages", {}), state.get("files", {})
    made: dict[str, list[Any]] = {}
    unchanged: set[str] = set()  # pages whose inputs are the last build's
    todo = []
    ordered = sorted(pages, key=lambda page: page.path)
    for page in ordered:
        key = page_key(shared, page)
        made[page.path] = [key, names(page)]
        # the state names no file but the page's own: it is only read, never obeyed
        if key and before.get(page.path) == made[page.path]:
            unchanged.add(page.path)
        else:
            todo.append(page)
    rendered = len(todo)
    fresh = render_all(todo, job, jobs)
    for page in ordered:
        if page.path not in unchanged:
            visit(next(fresh))
            continue
        kept = reuse(out_dir, names(page), files, verify)
        if kept is None:  # gone or changed since: made again
            rendered += 1
        visit(job(page) if kept is None else Rendered(page.path, {}, fresh=False, kept=kept))
    fresh.close()  # every page is in: let the workers go
    return Outcome(made, rendered)
