"""Stored draws' verifications cached by what they read, so that `ssj check` verifies again
only the draws whose inputs changed: at province scale re-deriving every package, recomputing
every result and checking every round is half the check.

One file, draws.json, in the records folder's cache folder (parsecache.cache_folder): in the
user's cache directory, never in the repository, where a pull request could commit a forged
"no problems" that no reviewer reads. An entry is found by the sha256 of everything one draw's
verification reads:
- the code (every module of the generator package, Python, and the versions of the libraries
  that check tokens, certificates and rounds);
- every file the load read, by kind, name and bytes (Records.digest): the package is derived
  from the records as a whole (institutions, inspectors, findings, policy, the pinned
  authorities in jurisdiction.yaml, other plans' results for the period rule), and the records
  folder's path, which the problems' file names start with;
- the draw folder's files, by name and bytes;
- git: the main line (HEAD's first-parent commits and their publication times) and `git
  status` of the records folder, which say when a package was published and what the records
  were at a past commit;
- the day (Beijing time), on which the policy of a package with no proven time depends, and
  whether the package may appeal to history and whether the records can be derived from.
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
from generator.draw.gittime import MainLine, git
from generator.draw.policy import DrawPolicy
from generator.draw.redraw import Timing
from generator.filewrite import write_durable
from generator.records.model import Draw, Records
from generator.records.parsecache import cache_folder, code_digest
from generator.records.problems import Problem
from generator.records.timing import BEIJING

_FILE = "draws.json"
_FORMAT = "ssj draw verification cache 1"  # the layout's version: change it when it changes
# what verifies tokens, certificates and drand rounds beside ssj's own code: an upgrade may
# accept or refuse what the old version did not
_LIBRARIES = ("cryptography", "rfc3161-client", "asn1crypto", "py-arkworks-bls12381")

Verified = tuple[list[Problem], Timing | None]


class DrawCache:
    """The cache of one records folder for one check: entries found, entries made, and at the
    end the entries of exactly the draws this check verified."""

    def __init__(self, folder: Path, records: Records, line: MainLine, now: float) -> None:
        assert records.digest is not None  # open_draw_cache makes sure
        self.path = folder / _FILE
        self._old = _read(self.path)
        self._now: dict[str, Any] = {}
        status = git(Path(records.root), "status", "--porcelain", "-z", "--untracked-files=all",
                     "--", ".")
        day = dt.datetime.fromtimestamp(now, BEIJING).date()
        self._seed = hashlib.sha256(json.dumps(
            [_FORMAT, code_digest(Path(generator.__file__).parent).hex(), _versions(),
             records.digest.hex(),
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
        """The problems and timing that verification gave, if stored."""
        entry = self._old.get(key)
        if entry is None:
            return None
        self._now[key] = entry
        problems, timing = entry
        return ([Problem(*p) for p in problems],
                None if timing is None else Timing(timing[0], _policy(timing[1])))

    def put(self, key: str, problems: list[Problem], timing: Timing | None) -> None:
        policy = None if timing is None else timing.policy
        self._now[key] = [
            [[p.file, p.line, p.rule, p.message, p.hint, p.severity, p.field] for p in problems],
            None if timing is None else [timing.frozen_at, None if policy is None else [
                policy.margin_hours, policy.max_revisions, policy.quorum,
                None if policy.since is None else policy.since.isoformat()]]]

    def save(self) -> None:
        """Write the entries of this check, unless they are those stored; in a folder that
        cannot be written, carry on without a cache."""
        if self._now.keys() == self._old.keys():
            return
        body = json.dumps({"format": _FORMAT, "entries": self._now}, ensure_ascii=False)
        try:
            write_durable(self.path, body.encode())
        except OSError:
            pass


def open_draw_cache(records: Records, line: MainLine, now: float) -> DrawCache | None:
    """The draw cache of `records`; None when caching is off or the records were not loaded
    from a folder with a digest of their files."""
    if records.digest is None:
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


def _well_formed(entry: Any) -> bool:
    """Whether `entry` has the stored layout, every value of its type."""
    if type(entry) is not list or len(entry) != 2 or type(entry[0]) is not list:
        return False
    problems, timing = entry
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


def _int_or_none(value: Any) -> bool:
    return value is None or type(value) is int


def _iso_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True
