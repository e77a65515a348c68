"""The witness log: when the federation first saw each member's draw commitment, proved by its
own pinned time-stamping authorities, and never rewritten.

Under witness/ in the federation repository:
- log.jsonl: one line per commitment first seen, in the order seen (each run's lines sorted);
- runs/<run>.json: what one fetch run saw, deterministic JSON;
- runs/<run>-<authority>.tsr: each pinned authority's RFC 3161 token over that file's SHA-256,
  made with the draws' own time-stamping code, so the higher bureau can prove "we saw county
  X's commitment at T" to anyone with OpenSSL.

A commitment seen once is never logged again: its first sight is the one that counts.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from generator.draw.evidence import Authority
from generator.draw.gittime import git
from generator.draw.timestamp import Stamp, TimestampError, request_stamp, verify_stamp
from generator.filewrite import write_changed, write_new

FOLDER = "witness"
LOG = f"{FOLDER}/log.jsonl"
RUNS = f"{FOLDER}/runs"
RUN_FORMAT = "ssj-witness-run/1"


@dataclass(frozen=True)
class Sighting:
    """A member's commitment as one fetch run found it in the member's manifest."""

    member: str  # the member's division code
    plan: str
    commitment: str


@dataclass(frozen=True)
class Entry:
    member: str
    plan: str
    commitment: str
    first_seen: dt.datetime
    run: str


def run_name(now: dt.datetime) -> str:
    """A run's name: its UTC time to the second, which sorts as it happened."""
    return now.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_log(root: Path) -> list[Entry]:
    """Every entry of the log, in order; none when there is no log yet."""
    try:
        lines = (root / LOG).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    entries = []
    for line in lines:
        item = json.loads(line)
        entries.append(Entry(item["member"], item["plan"], item["commitment"],
                             dt.datetime.fromisoformat(item["first_seen"].replace("Z", "+00:00")),
                             item["run"]))
    return entries


@dataclass(frozen=True)
class RunRecord:
    name: str
    file: str  # relative to the repository
    new: tuple[Entry, ...]
    tokens: dict[str, Stamp]  # authority id -> what its token proves
    failed: dict[str, str]  # authority id -> why no token


def record_run(root: Path, federation: str, now: dt.datetime, sightings: Iterable[Sighting],
               members: dict[str, dict[str, object]], authorities: dict[str, Authority],
               timeout: float = 20.0) -> RunRecord:
    """Write what a fetch run at `now` saw: the commitments never seen before join the log, the
    run's file holds them with every member's status (`members`: division code -> status and
    flags), and each pinned authority is asked for a token over that file."""
    name = run_name(now)
    taken = 1
    while (root / RUNS / f"{name}.json").exists():  # two runs within one second
        taken += 1
        name = f"{run_name(now)}-{taken}"
    known = {(e.member, e.commitment) for e in read_log(root)}
    new = tuple(sorted({Entry(s.member, s.plan, s.commitment, now.astimezone(dt.timezone.utc),
                              name)
                        for s in sightings if (s.member, s.commitment) not in known},
                       key=lambda e: (e.member, e.plan, e.commitment)))
    body = {"format": RUN_FORMAT, "run": name, "federation": federation, "fetched_at": _iso(now),
            "members": {code: members[code] for code in sorted(members)},
            "first_seen": [_entry_json(e) for e in new]}
    data = (json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()
    run_file = f"{RUNS}/{name}.json"
    write_new({root / run_file: data})
    if new:
        log = (root / LOG).read_bytes() if (root / LOG).exists() else b""
        lines = b"".join(json.dumps(_entry_json(e), ensure_ascii=False, sort_keys=True).encode()
                         + b"\n" for e in new)
        write_changed(root, {LOG: log + lines})
    digest = hashlib.sha256(data).hexdigest()
    tokens, failed = {}, {}
    for authority in authorities.values():
        try:
            token, stamp = request_stamp(authority.url, data, digest, authority.chain, timeout)
        except TimestampError as e:
            failed[authority.id] = str(e)
            continue
        write_new({root / token_file(name, authority.id): token})
        tokens[authority.id] = stamp
    return RunRecord(name, run_file, new, tokens, failed)


def token_file(run: str, authority: str) -> str:
    return f"{RUNS}/{run}-{authority}.tsr"


def first_sights(root: Path, authorities: Iterable[str]
                 ) -> dict[tuple[str, str], list[dict[str, object]]]:
    """Each (member, plan)'s log entries as the oversight site publishes them for the member to
    take home (`ssj draw witness`): the run file and each pinned authority's token over it, as
    paths from the site's top folder."""
    out: dict[tuple[str, str], list[dict[str, object]]] = {}
    for entry in read_log(root):
        out.setdefault((entry.member, entry.plan), []).append({
            **_entry_json(entry), "run_file": f"{RUNS}/{entry.run}.json",
            "tokens": {a: token_file(entry.run, a) for a in sorted(authorities)
                       if (root / token_file(entry.run, a)).is_file()}})
    return out


def _entry_json(entry: Entry) -> dict[str, str]:
    return {"member": entry.member, "plan": entry.plan, "commitment": entry.commitment,
            "first_seen": _iso(entry.first_seen), "run": entry.run}


def proven_sightings(root: Path, authorities: dict[str, Authority]
                     ) -> dict[tuple[str, str], tuple[Entry, dt.datetime | None]]:
    """Each (member, commitment) of the log with its entry and the earliest genTime of a token
    from a pinned authority over its run's file (None: no token proves the run's time)."""
    proven: dict[str, dt.datetime | None] = {}
    result = {}
    for entry in read_log(root):
        if entry.run not in proven:
            proven[entry.run] = _run_time(root, entry.run, authorities)
        result[entry.member, entry.commitment] = (entry, proven[entry.run])
    return result


def run_digests(root: Path) -> dict[str, str]:
    """Each run file this federation wrote, its SHA-256 by run name."""
    return {path.stem: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted((root / RUNS).glob("*.json"))}


def _run_time(root: Path, run: str, authorities: dict[str, Authority]) -> dt.datetime | None:
    try:
        data = (root / RUNS / f"{run}.json").read_bytes()
    except OSError:
        return None
    digest = hashlib.sha256(data).hexdigest()
    times = []
    for authority in authorities.values():
        try:
            token = (root / token_file(run, authority.id)).read_bytes()
            times.append(verify_stamp(token, digest, authority.chain).gen_time)
        except (OSError, TimestampError):
            continue
    return min(times, default=None)


def rewrites(root: Path, base: str) -> list[str]:
    """What changed in the witness log, or in a member's ledger of published records or its
    history, since the revision `base`, other than additions: each a one-line reason. All only
    grow: a sighting, a record seen published, a change dated, once recorded, is evidence."""
    found = []
    before = git(root, "show", f"{base}:{LOG}")
    now = (root / LOG).read_text(encoding="utf-8") if (root / LOG).exists() else ""
    if before is not None and not now.startswith(before):
        found.append(f"{LOG} 改写或删除了 {base[:12]} 时已有的见证记录：见证记录只能追加")
    listed = git(root, "diff", "--name-status", "--no-renames", base, "--", RUNS) or ""
    for line in listed.splitlines():
        status, _, path = line.partition("\t")
        if status != "A":
            found.append(f"{path} 在 {base[:12]} 后被修改或删除：每次镜像的见证文件与时间戳不能改动")
    # each member's ledger of published records (what was seen published stays as first seen)
    # and history (each change of status, dated when first seen)
    kept = git(root, "ls-tree", "-r", "--name-only", base, "--", "mirror/members") or ""
    for path in kept.splitlines():
        if not path.endswith(("/published.json", "/history.json")):
            continue
        before = json.loads(git(root, "show", f"{base}:{path}") or "{}")
        try:
            now = json.loads((root / path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            now = {}
        if path.endswith("/history.json"):
            events = now.get("events") or []
            if events[:len(before.get("events") or [])] != (before.get("events") or []):
                found.append(f"{path} 改写或删除了 {base[:12]} 时已记下的状态变化：只能追加")
        elif any(now.get(kind, {}).get(rid) != entry
                 for kind, entries in before.items() for rid, entry in entries.items()):
            found.append(f"{path} 改写或删除了 {base[:12]} 时已记下的公开记录：该账本只能追加")
    return found
