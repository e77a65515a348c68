"""The mirror of the member sites, under one folder M:

    M/objects/<sha[:2]>/<sha>                 a published file's bytes, stored only once verified
    M/members/<division_code>/manifest.json   the member's last good manifest, bytes as served
    M/members/<division_code>/state.json      its HTTP validators, times and last flags

Objects are keyed by SHA-256, so a file shared by members or kept across builds is held once,
and a member's files are read through its manifest. Every file is written to a temporary name
beside its target, synced and renamed into place: a reader (or a crash) sees all of it or none.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from generator.filewrite import write_durable

FORMAT = "ssj-manifest/1"
MANIFEST_PATH = "data/manifest.json"
# open data, draws, each plan's JSON (its draw margin), yearly reports and pinned chains
MIRRORED = ("data/", "draws/", "plans/", "report/", "timestamp-authorities/")

_SHA256 = re.compile(r"[0-9a-f]{64}")
DIVISION_CODE = re.compile(r"[0-9]{6}")  # as records' jurisdiction has it; a folder name here


class ManifestError(ValueError):
    """A manifest that is not ssj-manifest/1; the message is one Chinese sentence."""


@dataclass(frozen=True)
class FileEntry:
    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Draw:
    plan: str
    commitment: str | None
    first_source_label: str | None
    first_source_time: str | None
    package: str | None
    tokens: tuple[str, ...]
    files: tuple[str, ...]


@dataclass(frozen=True)
class Manifest:
    raw: bytes = field(repr=False)
    site_name: str
    division_code: str
    base_url: str | None
    revision: str
    built_on: dt.date
    files: Mapping[str, FileEntry]  # by path, in path order
    draws: tuple[Draw, ...]

    @property
    def mirrored(self) -> list[FileEntry]:
        """The files the mirror keeps: open data, draws, yearly reports and pinned chains; no
        pages."""
        return [entry for path, entry in self.files.items()
                if path.startswith(MIRRORED) and not path.endswith(".html")]

    @property
    def commitments(self) -> list[tuple[str, str]]:
        """(plan, commitment) of every frozen draw, in plan order."""
        return [(draw.plan, draw.commitment) for draw in self.draws if draw.commitment]


@dataclass(frozen=True)
class Flag:
    kind: str
    path: str | None
    message: str  # one Chinese sentence a clerk can act on


@dataclass(frozen=True)
class State:
    etag: str | None = None
    last_modified: str | None = None
    last_good: str | None = None  # when the manifest held now was taken
    last_attempt: str | None = None
    flags: tuple[Flag, ...] = ()


def parse_manifest(data: bytes, division_code: str) -> Manifest:
    """The manifest in `data`, which must be ssj-manifest/1 and name `division_code`; raises
    ManifestError."""
    try:
        document = json.loads(data.decode("utf-8"), object_pairs_hook=_unique_keys)
    except UnicodeDecodeError:
        raise ManifestError("清单不是 UTF-8 文本") from None
    except json.JSONDecodeError as error:
        raise ManifestError(f"清单不是有效的 JSON（第 {error.lineno} 行第 {error.colno} 列）") \
            from None
    if not isinstance(document, dict):
        raise ManifestError("清单应为 JSON 对象")
    if document.get("format") != FORMAT:
        raise ManifestError(f"清单的 format 为 {_show(document.get('format'))}，不是 {FORMAT}")
    site = _field(document, "site", "", dict, "对象")
    code = _field(site, "division_code", "site.", str, "字符串")
    if code != division_code:
        raise ManifestError(f"清单的行政区划代码为 {_show(code)}，不是该成员的 {division_code}")
    built_on = _field(document, "built_on", "", str, "日期字符串")
    try:
        day = dt.date.fromisoformat(built_on)
    except ValueError:
        raise ManifestError(f"清单的 built_on 不是日期：{_show(built_on)}") from None
    files: dict[str, FileEntry] = {}
    for index, item in enumerate(_field(document, "files", "", list, "数组")):
        where = f"files[{index}]."
        entry = FileEntry(_path(_field(item, "path", where, str, "字符串"), where + "path"),
                          _sha256(_field(item, "sha256", where, str, "字符串"), where + "sha256"),
                          _field(item, "size", where, int, "整数"))
        if entry.size < 0:
            raise ManifestError(f"清单的 {where}size 为负数")
        if entry.path in files or entry.path == MANIFEST_PATH:
            raise ManifestError(f"清单重复列出了 {entry.path}")
        files[entry.path] = entry
    draws: list[Draw] = []
    for index, item in enumerate(_field(document, "draws", "", list, "数组")):
        where = f"draws[{index}]."
        commitment = _field(item, "commitment", where, (str, type(None)), "字符串或 null")
        source = _field(item, "first_source", where, dict, "对象")
        package = _field(item, "package", where, (str, type(None)), "字符串或 null")
        draw = Draw(
            plan=_field(item, "plan", where, str, "字符串"),
            commitment=None if commitment is None else _sha256(commitment, where + "commitment"),
            first_source_label=_field(source, "label", where + "first_source.",
                                      (str, type(None)), "字符串或 null"),
            first_source_time=_field(source, "time", where + "first_source.",
                                     (str, type(None)), "字符串或 null"),
            package=None if package is None else _path(package, where + "package"),
            tokens=_paths(_field(item, "tokens", where, list, "数组"), where + "tokens"),
            files=_paths(_field(item, "files", where, list, "数组"), where + "files"))
        if any(draw.plan == other.plan for other in draws):
            raise ManifestError(f"清单重复列出了计划 {draw.plan} 的抽取")
        draws.append(draw)
    return Manifest(raw=data, site_name=_field(site, "name", "site.", str, "字符串"),
                    division_code=code,
                    base_url=_field(site, "base_url", "site.", (str, type(None)), "字符串或 null"),
                    revision=_field(document, "revision", "", str, "字符串"), built_on=day,
                    files=files, draws=tuple(draws))


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # a repeated key would let two readers of one manifest see two different sites
    keys = [key for key, _ in pairs]
    for key in keys:
        if keys.count(key) > 1:
            raise ManifestError(f"清单的同一对象中 {key} 出现了两次")
    return dict(pairs)


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _field(obj: Any, key: str, where: str, kinds: type | tuple[type, ...], label: str) -> Any:
    if not isinstance(obj, dict):
        raise ManifestError(f"清单的 {where.rstrip('.') or '顶层'} 应为对象")
    if key not in obj:
        raise ManifestError(f"清单缺少 {where}{key}")
    value = obj[key]
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise ManifestError(f"清单的 {where}{key} 应为{label}，而是 {_show(value)}")
    return value


def _sha256(value: str, where: str) -> str:
    if not _SHA256.fullmatch(value):
        raise ManifestError(f"清单的 {where} 不是 64 位小写十六进制的 SHA-256：{_show(value)}")
    return value


def _path(value: Any, where: str) -> str:
    """A path inside the site: relative, forward slashes, no empty, . or .. segment."""
    if not (isinstance(value, str) and value and "\\" not in value
            and not any(ord(c) < 0x20 or c == "\x7f" for c in value)
            and all(part not in ("", ".", "..") for part in value.split("/"))):
        raise ManifestError(f"清单的 {where} 不是站内的相对路径：{_show(value)}")
    return value


def _paths(values: list[Any], where: str) -> tuple[str, ...]:
    return tuple(_path(value, f"{where}[{index}]") for index, value in enumerate(values))


def object_path(mirror: Path, sha256: str) -> Path:
    return mirror / "objects" / sha256[:2] / sha256


def has_object(mirror: Path, sha256: str) -> bool:
    return object_path(mirror, sha256).is_file()


def store_object(mirror: Path, sha256: str, data: bytes) -> bool:
    """Store `data` under `sha256` if that is its SHA-256; False (storing nothing) if not."""
    if hashlib.sha256(data).hexdigest() != sha256:
        return False
    write_durable(object_path(mirror, sha256), data)
    return True


def _member(mirror: Path, division_code: str) -> Path:
    if not DIVISION_CODE.fullmatch(division_code):
        raise ValueError(f"not a division code: {division_code!r}")
    return mirror / "members" / division_code


def last_good(mirror: Path, division_code: str) -> Manifest | None:
    """The member's last good manifest, or None before the first."""
    try:
        data = (_member(mirror, division_code) / "manifest.json").read_bytes()
    except FileNotFoundError:
        return None
    return parse_manifest(data, division_code)


def write_last_good(mirror: Path, manifest: Manifest) -> None:
    write_durable(_member(mirror, manifest.division_code) / "manifest.json", manifest.raw)


def missing(mirror: Path, manifest: Manifest) -> list[FileEntry]:
    """The files of `manifest` the mirror keeps but does not hold yet."""
    return [entry for entry in manifest.mirrored if not has_object(mirror, entry.sha256)]


def open_file(mirror: Path, division_code: str, path: str) -> BinaryIO:
    """The member's file at `path` as its last good manifest has it. Raises KeyError when the
    manifest does not list it (or there is none), FileNotFoundError when it is not held."""
    manifest = last_good(mirror, division_code)
    if manifest is None or path not in manifest.files:
        raise KeyError(path)
    return object_path(mirror, manifest.files[path].sha256).open("rb")


def read_state(mirror: Path, division_code: str) -> State:
    """The member's state.json, or an empty state before the first fetch."""
    try:
        data = json.loads((_member(mirror, division_code) / "state.json").read_bytes())
    except FileNotFoundError:
        return State()
    return State(etag=data["etag"], last_modified=data["last_modified"],
                 last_good=data["last_good"], last_attempt=data["last_attempt"],
                 flags=tuple(Flag(f["kind"], f["path"], f["message"]) for f in data["flags"]))


def write_state(mirror: Path, division_code: str, state: State) -> None:
    document = {"etag": state.etag, "last_modified": state.last_modified,
                "last_good": state.last_good, "last_attempt": state.last_attempt,
                "flags": [{"kind": f.kind, "path": f.path, "message": f.message}
                          for f in state.flags]}
    write_durable(_member(mirror, division_code) / "state.json",
           (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode())
