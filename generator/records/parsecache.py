"""Parsed record files cached by content, so that loading a tree again parses only what changed.

One file for the whole tree, parsed.pickle in the records folder's cache folder (cache_folder):
in the user's cache directory, never in the repository, where a pull request could commit a
forged parse that no reviewer reads. A convenience, never trusted: an entry is found by the
sha256 of the parsing code, the kind, the file's name and its bytes, so an edited file or
changed code never meets an old entry; a missing, damaged or tampered file is ignored and
rebuilt, and unpickling it can build nothing but plain data, dates and Fields, so it runs no
other code. SSJ_CACHE=0 turns caching off, and so does CI (the CI variable) unless SSJ_CACHE=1.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import pickle
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import platformdirs
import yaml

from generator.filewrite import first_tracked
from generator.records.jsonread import read_json
from generator.records.model import Fields, Record
from generator.records.problems import Problem
from generator.records.yamlread import YamlProblem

OLD_FOLDER = ".ssj-cache"  # where ssj kept it inside the records before: never read now
_FILE = "parsed.pickle"
_MAGIC = b"ssj parse cache 1\n"  # the layout's version: change it when the layout changes
_ALLOWED = {("generator.records.model", "Fields"): Fields, ("datetime", "date"): dt.date}

Parsed = tuple[Record | None, str | None, list[Problem]]  # what load.parse_record returns
# Stored without the file's name, which depends on the working directory. A record file:
# ((kind, id, fields, lines) or None, declared id, ((line, rule, message, hint, severity, field),
# ...)); a JSON file: (value, None) or (None, (line, rule, message, hint)).
_Entry = tuple[Any, ...]


class ParseCache:
    """The cache of one records folder for one load: entries found, entries made, and at the
    end the entries of exactly the files this load read."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / _FILE
        self._old = _read(self.path)
        self._now: dict[bytes, _Entry] = {}
        self._seed = hashlib.sha256(_MAGIC + code_digest(Path(__file__).parent))
        self._read = hashlib.sha256()

    def key(self, kind: str, name: str, data: bytes) -> bytes:
        """The entry of a file of `kind` named `name` holding `data` (the id may be its name)."""
        h = self._seed.copy()
        h.update(b"%s\0%s\0" % (kind.encode(), os.fsencode(name)))
        h.update(data)
        key = h.digest()
        self._read.update(key)
        return key

    def read_digest(self) -> bytes:
        """A digest of every file this load has read, by kind, name and bytes, in the order
        read: the records as loaded, got for nothing from the keys (rereading a province's
        files to hash them would take half a second)."""
        return self._read.digest()

    def get(self, key: bytes, file: str) -> Parsed | None:
        """What parsing the record file gave, as if it were named `file`; None if not stored."""
        entry = self._take(key)
        if entry is None:
            return None
        record, declared, problems = entry
        return (None if record is None else Record(record[0], record[1], file, *record[2:],
                                                   digest=key),
                declared, [Problem(file, *p) for p in problems])

    def put(self, key: bytes, parsed: Parsed) -> None:
        record, declared, problems = parsed
        self._now[key] = (
            None if record is None else (record.kind, record.id, record.fields,
                                         {sys.intern(path): n for path, n in record.lines.items()}),
            declared,
            tuple((p.line, p.rule, p.message, p.hint, p.severity, p.field) for p in problems))

    def read_json(self, data: bytes) -> Any:
        """jsonread.read_json(data), or what it gave for the same bytes before."""
        key = self.key("json", "", data)
        entry = self._take(key)
        if entry is None:
            try:
                entry = (read_json(data), None)
            except YamlProblem as e:
                entry = (None, (e.line, e.rule, e.message, e.hint))
            self._now[key] = entry
        value, problem = entry
        if problem is not None:
            raise YamlProblem(*problem)
        return value

    def _take(self, key: bytes) -> _Entry | None:
        entry = self._old.get(key)
        if entry is not None:
            self._now[key] = entry
        return entry

    def save(self) -> None:
        """Write the entries of this load, unless they are those stored; in a folder that cannot
        be written (a read-only checkout), carry on without a cache."""
        if self._now.keys() == self._old.keys():
            return
        body = _dump(self._now)
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(_MAGIC + hashlib.sha256(body).digest())
                    out.write(body)
                os.replace(temp, self.path)  # whole or not at all, even with two loads at once
            finally:
                Path(temp).unlink(missing_ok=True)
        except OSError:
            pass


def caching() -> bool:
    """Whether ssj keeps caches: not with SSJ_CACHE=0, nor in CI unless SSJ_CACHE=1."""
    setting = os.environ.get("SSJ_CACHE")
    if setting is not None:
        return setting != "0"
    return os.environ.get("CI", "").lower() not in {"1", "true", "yes"}


def cache_folder(records: Path) -> Path | None:
    """Where ssj keeps what it caches for the records folder `records`: a folder of the user's
    cache directory (SSJ_CACHE_DIR, by default platformdirs' user_cache_dir) named by the
    records folder's path. None when caching is off, or when that folder lies inside the
    records or holds files git tracks: a cache a pull request can write is ignored, with a
    warning on stderr."""
    if not caching():
        return None
    if (records / OLD_FOLDER).exists():
        _warn(f"{records / OLD_FOLDER} 是旧版 ssj 留在记录目录中的缓存，已忽略（可删除）")
    base = Path(os.environ.get("SSJ_CACHE_DIR") or platformdirs.user_cache_dir("ssj", False))
    where = records.resolve()
    folder = base.resolve() / hashlib.sha256(os.fsencode(where)).hexdigest()[:16]
    if folder.is_relative_to(where):
        _warn(f"缓存目录 {folder} 在记录目录 {records} 中，不使用缓存")
        return None
    if _tracked(folder):
        _warn(f"缓存目录 {folder} 中有 git 跟踪的文件，不使用缓存")
        return None
    return folder


def _tracked(folder: Path) -> bool:
    """Whether git tracks any file in `folder` (False outside a git work tree)."""
    inside = next((p for p in (folder, *folder.parents) if p.is_dir()), None)
    return inside is not None and first_tracked(inside, folder) is not None


def _warn(message: str) -> None:
    print(f"ssj: 警告：{message}", file=sys.stderr)


def open_cache(root: Path) -> ParseCache | None:
    """The parse cache of the records folder `root`; None when caching is off."""
    folder = cache_folder(root)
    return None if folder is None else ParseCache(folder)


@cache
def code_digest(package: Path) -> bytes:
    """A digest of the modules under `package` (its subpackages too), PyYAML's version and
    Python's (Unicode tables): what a cached result of that code depends on. Parsing depends
    on this folder's."""
    h = hashlib.sha256(f"{yaml.__version__}\0{sys.version}\0".encode())
    for module in sorted(package.rglob("*.py")):
        source = module.read_bytes()
        h.update(b"%s\0%d\0" % (module.relative_to(package).as_posix().encode(), len(source)))
        h.update(source)
    return h.digest()


def _reduce_fields(fields: Fields) -> tuple[Any, ...]:
    # built anew (Fields refuses attribute setting), its names interned: stored once, loaded once
    return Fields, ({sys.intern(name): value for name, value in fields.items()},)


def _dump(entries: dict[bytes, _Entry]) -> bytes:
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=5)
    pickler.dispatch_table = {Fields: _reduce_fields}
    pickler.dump(entries)
    return out.getvalue()


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[module, name]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed here") from None


def _read(path: Path) -> dict[bytes, _Entry]:
    """The stored entries; none if the file is missing or anything about it is amiss."""
    try:
        blob = memoryview(path.read_bytes())
    except OSError:
        return {}
    body = blob[len(_MAGIC) + 32:]
    if blob[:len(_MAGIC)] != _MAGIC or blob[len(_MAGIC):len(_MAGIC) + 32] != hashlib.sha256(
            body).digest():
        return {}
    try:
        entries = _Unpickler(io.BytesIO(body)).load()
    except Exception:  # a damaged or crafted pickle can raise almost anything
        return {}
    return entries if _well_formed(entries) else {}


def _well_formed(entries: Any) -> bool:
    """Whether `entries` has the stored layout (the values inside are what unpickling allows)."""
    if type(entries) is not dict:
        return False
    for key, entry in entries.items():
        if type(key) is not bytes or len(key) != 32 or type(entry) is not tuple:
            return False
        if len(entry) == 2:  # a JSON file
            if entry[1] is not None and (type(entry[1]) is not tuple or len(entry[1]) != 4):
                return False
            continue
        if len(entry) != 3:
            return False
        record, declared, problems = entry
        if record is not None and not (
                type(record) is tuple and len(record) == 4 and type(record[0]) is str
                and type(record[1]) is str and type(record[2]) is Fields
                and type(record[3]) is dict):
            return False
        if not (declared is None or type(declared) is str) or type(problems) is not tuple or any(
                type(p) is not tuple or len(p) != 6 for p in problems):
            return False
    return True
