"""The integrity checks and the regulation's rules, each run again only when what it read last
time reads differently now.

A unit is one check, or one check of one record (a rule declared per record, `each`). Its entry
keeps the questions it asked of the records with the digests of their answers
(records/tracing.py), the digest of its record, and the problems it found. A unit whose record
and answers are all the same is not run: its problems are taken as stored. So editing one
finding runs the per-finding checks of that finding and the checks that read all findings, not
the per-finding checks of every other one.

One file per purpose (checks.pickle for `ssj check`, site-checks.pickle for `ssj build`'s check
as of the site's day, report-rules.pickle for past years' reports as of their year's end), in
the records folder's cache folder (parsecache.cache_folder): in the user's cache directory,
never in the repository, where a pull request could commit a forged "no problems". It is a
hint, never obeyed blindly: the whole file is for one version of the code (every module of the
generator package, PyYAML's and Python's versions) and records folder, a rule's entry for one
day (the rules are evaluated as of a day), and a file that is missing, damaged, foreign or of
another layout is ignored and written again. Unpickling it builds only strings, bytes, numbers,
tuples and dicts. SSJ_CACHE=0 turns it off.
"""
from __future__ import annotations

import hashlib
import io
import pickle
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import generator
from generator.filewrite import write_durable
from generator.records.model import Record, Records
from generator.records.parsecache import cache_folder, code_digest
from generator.records.problems import Problem
from generator.records.tracing import Answers, Traced, traceable, well_asked
from generator.rules.base import Each, Whole

_MAGIC = b"ssj check cache 1\n"  # the layout's version: change it when it changes

# (record's digest or None, ((question, answer's digest), ...), per work its problems as tuples)
_Entry = tuple[bytes | None, tuple[tuple[tuple[Any, ...], bytes], ...],
               tuple[tuple[tuple[Any, ...], ...], ...]]


class CheckMemo:
    """The stored units of one records folder, for one check: entries found, entries made, and
    at the end the entries of exactly the units this check ran or reused."""

    def __init__(self, path: Path, records: Records) -> None:
        self.path = path
        self._answers = Answers(records)
        # the code's digest covers Python's version too
        self._seed = hashlib.sha256(code_digest(Path(generator.__file__).parent) + b"\0"
                                    + records.root.encode()).digest()
        self._old = _read(self.path, self._seed)
        self._now: dict[str, _Entry] = {}
        self.ran = 0  # units run, not reused: what the tests and the timings look at

    def whole(self, name: str, work: Whole) -> list[Problem]:
        return self._unit(name, None, lambda view: (work(view),))[0]

    def each(self, name: str, subjects: Iterable[Record],
             works: Sequence[Each]) -> list[list[Problem]]:
        """Per work, its problems over every subject in turn: one unit per subject, for all
        the works together."""
        out: list[list[Problem]] = [[] for _ in works]
        for s in subjects:
            found = self._unit(f"{name}\0{s.file}", s,
                               lambda view, s=s: tuple(work(view, s) for work in works))
            for problems, more in zip(out, found):
                problems.extend(more)
        return out

    def _unit(self, key: str, subject: Record | None,
              work: Callable[[Any], tuple[Iterable[Problem], ...]]) -> list[list[Problem]]:
        own = None if subject is None else subject.digest
        entry = self._old.get(key)
        if entry is not None and _well_formed(entry) and entry[0] == own and all(
                self._answers(question) == answer for question, answer in entry[1]):
            self._now[key] = entry
            return [[Problem(*p) for p in found] for found in entry[2]]
        self.ran += 1
        traced = Traced(self._answers)
        found = [list(problems) for problems in work(traced)]
        self._now[key] = (own, tuple(traced.reads.items()), tuple(
            tuple((p.file, p.line, p.rule, p.message, p.hint, p.severity, p.field) for p in ps)
            for ps in found))
        return found

    def save(self) -> None:
        """Write the entries of this check, unless they are those stored; where the cache
        folder cannot be written, carry on without."""
        if self._now == self._old:
            return
        out = io.BytesIO()
        pickle.Pickler(out, protocol=5).dump(self._now)
        body = out.getvalue()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_durable(self.path, _MAGIC + self._seed + hashlib.sha256(body).digest() + body)
        except OSError:
            pass


def open_memo(records: Records, purpose: str = "checks") -> CheckMemo | None:
    """The cache of `records` for one `purpose` (its file: what one purpose did not run is
    dropped when it saves); None when caching is off or a record was loaded without a digest
    of its file (so nothing could tell its content changed)."""
    if not traceable(records):
        return None
    folder = cache_folder(Path(records.root))
    return None if folder is None else CheckMemo(folder / f"{purpose}.pickle", records)


class _NoGlobals(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed here")


def _read(path: Path, seed: bytes) -> dict[str, _Entry]:
    """The stored entries; none if the file is missing, of other code or records, or amiss."""
    try:
        blob = memoryview(path.read_bytes())
    except OSError:
        return {}
    head = len(_MAGIC)
    body = blob[head + 64:]
    if blob[:head] != _MAGIC or blob[head:head + 32] != seed \
            or blob[head + 32:head + 64] != hashlib.sha256(body).digest():
        return {}
    try:
        entries = _NoGlobals(io.BytesIO(body)).load()
    except Exception:  # a damaged or crafted pickle can raise almost anything
        return {}
    return entries if type(entries) is dict else {}


def _well_formed(entry: Any) -> bool:
    """Whether a stored entry has the layout a unit writes (checked as it is used: most are)."""
    if type(entry) is not tuple or len(entry) != 3:
        return False
    own, reads, problems = entry
    return (own is None or type(own) is bytes) and type(reads) is tuple \
        and type(problems) is tuple and all(
            type(r) is tuple and len(r) == 2 and well_asked(r[0]) and type(r[1]) is bytes
            for r in reads) and all(
            type(ps) is tuple and all(type(p) is tuple and len(p) == 7 for p in ps)
            for ps in problems)
