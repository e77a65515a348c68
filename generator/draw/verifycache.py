"""Stored draws' verifications cached by what they read, so that `ssj check` verifies again
only the draws whose inputs changed: at province scale re-deriving every package, recomputing
every result and checking every round is half the check.

One file, draws.json, in the records folder's cache folder (parsecache.cache_folder): in the
user's cache directory, never in the repository, where a pull request could commit a forged
"no problems" that no reviewer reads. An entry is found by the sha256 of what one draw's
verification reads besides the records:
- the code (every module of the generator package, Python, and the versions of the libraries
  that check tokens, certificates and rounds);
- the records folder's path, which the problems' file names start with, and the ids of the
  records that failed to load;
- the draw folder's files, by name and bytes;
- git: the main line (HEAD's first-parent commits and their publication times) and `git
  status` of the records folder, which say when a package was published and what the records
  were at a past commit;
- the day (Beijing time), on which the policy of a package with no proven time depends, and
  whether the package may appeal to history and whether the records can be derived from.
An entry holds, beside what the verification found, the questions it asked of the records
(records/tracing.py: the plan and its findings, its pool's ids and risk weights on the pool
date, the inspectors, the pairs that met in the period before it, other plans' results, the
policy and pinned authorities in jurisdiction.yaml …) with the digest of each answer: it is
used while every answer is the same, at once when the record files are those it was last used
with. So an edit verifies again only the draws that read what it changed: a finding's result
text verifies its own plan's draw only, an institution founded after every pool date none.
A draw not yet run is never cached: whether there is still time to stamp and publish its
package changes by the second.

Never trusted beyond that: a missing, damaged or foreign file is ignored and rebuilt; it is
JSON, so reading it builds nothing but strings, numbers and lists. SSJ_CACHE=0 turns it off.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from importlib import metadata
from pathlib import Path
from typing import Any

import generator
from generator.records.tracing import Answers, traceable, well_asked
from generator.draw.gittime import MainLine, git
from generator.draw.policy import DrawPolicy
from generator.draw.redraw import Timing
from generator.filewrite import write_durable
from generator.records.model import Draw, Records
from generator.records.parsecache import cache_folder, code_digest
from generator.records.problems import Problem
from generator.records.timing import BEIJING

_FILE = "draws.json"
_FORMAT = "ssj draw verification cache 2"  # the layout's version: change it when it changes
# what verifies tokens, certificates and drand rounds beside ssj's own code: an upgrade may
# accept or refuse what the old version did not
_LIBRARIES = ("cryptography", "rfc3161-client", "asn1crypto", "py-arkworks-bls12381")

Verified = tuple[list[Problem], Timing | None]


class DrawCache:
    """The cache of one records folder for one check: entries found, entries made, and at the
    end the entries of exactly the draws this check verified."""

    def __init__(self, folder: Path, records: Records, line: MainLine, now: float) -> None:
        self.path = folder / _FILE
        self._old = _read(self.path)
        self._now: dict[str, Any] = {}
        self.answers = Answers(records)
        # every record file as loaded (Records.digest), when known: a shortcut past the answers
        self._records = None if records.digest is None else records.digest.hex()
        status = git(Path(records.root), "status", "--porcelain", "-z", "--untracked-files=all",
                     "--", ".")
        day = dt.datetime.fromtimestamp(now, BEIJING).date()
        self._seed = hashlib.sha256(json.dumps(
            [_FORMAT, code_digest(Path(generator.__file__).parent).hex(), _versions(),
             records.root, sorted(records.broken_ids), repr(line), status, day.isoformat()],
            ensure_ascii=False).encode())

    def key(self, folder: Draw, new_package: bool, derive: bool) -> str | None:
        """The entry of `folder`'s verification; None for a draw not yet run."""
        if folder.get("result.json") is None:
            return None
        h = self._seed.copy()
        h.update(json.dumps([folder.plan, folder.folder, sorted(folder.broken), new_package,
                             derive, sorted(folder.files)], ensure_ascii=False).encode())
        for name in sorted(folder.files):
            raw = folder.files[name].raw
            h.update(b"%d\0" % len(raw))
            h.update(raw)
        return h.hexdigest()

    def get(self, key: str) -> Verified | None:
        """The problems and timing that verification gave, if stored and every question it
        asked of the records has the same answer."""
        entry = self._old.get(key)
        # the same record files as when it was made: every answer is the same
        if entry is None or (entry[3] != self._records and not all(
                self.answers(question) == bytes.fromhex(answer)
                for question, answer in _questions(entry[2]))):
            return None
        self._now[key] = [*entry[:3], self._records]
        problems, timing, _, _ = entry
        return ([Problem(*p) for p in problems],
                None if timing is None else Timing(timing[0], _policy(timing[1])))

    def put(self, key: str, problems: list[Problem], timing: Timing | None,
            reads: dict[tuple[Any, ...], bytes]) -> None:
        policy = None if timing is None else timing.policy
        self._now[key] = [
            [[p.file, p.line, p.rule, p.message, p.hint, p.severity, p.field] for p in problems],
            None if timing is None else [timing.frozen_at, None if policy is None else [
                policy.margin_hours, policy.max_revisions, policy.quorum,
                None if policy.since is None else policy.since.isoformat()]],
            [[list(question), answer.hex()] for question, answer in reads.items()],
            self._records]

    def save(self) -> None:
        """Write the entries of this check, unless they are those stored; in a folder that
        cannot be written, carry on without a cache."""
        if self._now == self._old:  # an entry found again for other records is kept anew
            return
        body = json.dumps({"format": _FORMAT, "entries": self._now}, ensure_ascii=False)
        try:
            write_durable(self.path, body.encode())
        except OSError:
            pass


def open_draw_cache(records: Records, line: MainLine, now: float) -> DrawCache | None:
    """The draw cache of `records`; None when caching is off or a record was loaded without a
    digest of its file (so nothing could tell its content changed)."""
    if not traceable(records):
        return None
    folder = cache_folder(Path(records.root))
    return None if folder is None else DrawCache(folder, records, line, now)


def _versions() -> list[str]:
    versions = []
    for name in _LIBRARIES:
        try:
            versions.append(metadata.version(name))
        except metadata.PackageNotFoundError:
            versions.append("")
    return versions


def _policy(stored: list[Any] | None) -> DrawPolicy | None:
    if stored is None:
        return None
    margin, revisions, quorum, since = stored
    return DrawPolicy(margin, revisions, quorum,
                      None if since is None else dt.date.fromisoformat(since))


def _read(path: Path) -> dict[str, Any]:
    """The stored entries; none if the file is missing or anything about it is amiss."""
    try:
        stored = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return {}
    if type(stored) is not dict or stored.get("format") != _FORMAT:
        return {}
    entries = stored.get("entries")
    if type(entries) is not dict or not all(_well_formed(e) for e in entries.values()):
        return {}
    return entries


def _questions(stored: list[Any]) -> list[tuple[tuple[Any, ...], str]]:
    """The stored questions as a traced view asks them (JSON has lists for tuples)."""
    return [(tuple(tuple(a) if type(a) is list else a for a in question), answer)
            for question, answer in stored]


def _well_formed(entry: Any) -> bool:
    """Whether `entry` has the stored layout, every value of its type."""
    if type(entry) is not list or len(entry) != 4 or type(entry[0]) is not list \
            or type(entry[2]) is not list or not (entry[3] is None or type(entry[3]) is str):
        return False
    problems, timing, reads, _ = entry
    if not all(type(r) is list and len(r) == 2 and type(r[0]) is list and type(r[1]) is str
               and _hex(r[1]) for r in reads) or not all(
            well_asked(q) for q, _ in _questions(reads)):
        return False
    types = (str, int, str, str, str, str, str)
    if not all(type(p) is list and len(p) == len(types)
               and all(type(v) is t for v, t in zip(p, types)) for p in problems):
        return False
    if timing is None:
        return True
    if type(timing) is not list or len(timing) != 2 or not _int_or_none(timing[0]):
        return False
    policy = timing[1]
    return policy is None or (
        type(policy) is list and len(policy) == 4 and type(policy[0]) is int
        and type(policy[1]) is int and _int_or_none(policy[2])
        and (policy[3] is None or (type(policy[3]) is str and _iso_date(policy[3]))))


def _hex(text: str) -> bool:
    try:
        bytes.fromhex(text)
    except ValueError:
        return False
    return True


def _int_or_none(value: Any) -> bool:
    return value is None or type(value) is int


def _iso_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True
