"""The ssj-draw/1 algorithm (../shared/spec/draw.md): package + values -> result, byte for byte.

Nothing here knows about records or files: it validates the two inputs exactly as the spec says
(rejecting, never repairing) and computes the result.
"""
from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Any, Iterable

from generator.draw.canon import CanonError, canon, check_canonical

SPEC = "ssj-draw/1"
PACKAGE_KEYS = {"spec", "plan", "as_of", "team_size", "sources", "strata", "inspectors",
                "exclusions"}
STRATUM_KEYS = {"id", "k", "lead_department", "min_lead", "targets"}
from generator.draw.table import REASONS  # noqa: E402 (the verifiers' one table)
VALUE_FORMS = {
    "drand": (re.compile(r"[0-9a-f]{64}"), "64 位小写十六进制（drand 轮次的 randomness）"),
    "lottery": (re.compile(r"(0|[1-9][0-9]*)( (0|[1-9][0-9]*))*"),
                "按开出顺序的十进制数字，以一个空格分隔，如 \"3 7 1\""),
}


class DrawError(ValueError):
    """An invalid package or values, or a draw that cannot complete; the message says why."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _keys(obj: Any, keys: set[str], where: str) -> None:
    if not isinstance(obj, dict):
        raise DrawError(f"{where} 应为对象")
    if set(obj) != keys:
        extra, missing = sorted(set(obj) - keys), sorted(keys - set(obj))
        raise DrawError(f"{where} 的键不对：" + "；".join(
            ([f"多出 {', '.join(extra)}"] if extra else []) +
            ([f"缺少 {', '.join(missing)}"] if missing else [])))


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise DrawError(f"{where} 应为非空字符串")
    return value


def _int(value: Any, where: str, low: int, high: int | None = None) -> int:
    if not _is_int(value) or value < low or (high is not None and value > high):
        bound = f"{low}..{high}" if high is not None else f">= {low}"
        raise DrawError(f"{where} 应为整数 {bound}，而不是 {json.dumps(value)}")
    return value


def _strictly_sorted(keys: list[Any], where: str) -> None:
    for a, b in zip(keys, keys[1:]):
        if a == b:
            raise DrawError(f"{where} 有重复项 {a}")
        if b < a:
            raise DrawError(f"{where} 未按规定排序（{b} 应在 {a} 之前）")


def validate_package(package: Any) -> None:
    """Raise DrawError unless `package` is a valid ssj-draw/1 package."""
    _keys(package, PACKAGE_KEYS, "package")
    try:
        check_canonical(package, "package")
    except CanonError as e:
        raise DrawError(str(e)) from None
    if package["spec"] != SPEC:
        raise DrawError(f"package.spec 应为 {SPEC}")
    _string(package["plan"], "package.plan")
    as_of = _string(package["as_of"], "package.as_of")
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", as_of):
            raise ValueError
        dt.date.fromisoformat(as_of)
    except ValueError:
        raise DrawError("package.as_of 应为日期 YYYY-MM-DD") from None
    team_size = _int(package["team_size"], "package.team_size", 2)
    sources = package["sources"]
    if not isinstance(sources, list) or not sources or not all(
            isinstance(s, dict) for s in sources):
        raise DrawError("package.sources 应为至少一项的对象列表")
    strata = package["strata"]
    if not isinstance(strata, list):
        raise DrawError("package.strata 应为列表")
    stratum_ids: set[str] = set()
    target_ids: set[str] = set()
    for n, stratum in enumerate(strata):
        where = f"package.strata[{n}]"
        _keys(stratum, STRATUM_KEYS, where)
        sid = _string(stratum["id"], f"{where}.id")
        if sid in stratum_ids:
            raise DrawError(f"{where}.id 重复：{sid}")
        stratum_ids.add(sid)
        _string(stratum["lead_department"], f"{where}.lead_department")
        _int(stratum["min_lead"], f"{where}.min_lead", 0, team_size)
        targets = stratum["targets"]
        if not isinstance(targets, list):
            raise DrawError(f"{where}.targets 应为列表")
        for m, target in enumerate(targets):
            _keys(target, {"id", "weight"}, f"{where}.targets[{m}]")
            tid = _string(target["id"], f"{where}.targets[{m}].id")
            _int(target["weight"], f"{where}.targets[{m}].weight", 1)
            if tid in target_ids:
                raise DrawError(f"检查对象 {tid} 出现在多个分层中")
            target_ids.add(tid)
        _strictly_sorted([t["id"] for t in targets], f"{where}.targets")
        _int(stratum["k"], f"{where}.k", 0, len(targets))
    inspectors = package["inspectors"]
    if not isinstance(inspectors, list):
        raise DrawError("package.inspectors 应为列表")
    for m, inspector in enumerate(inspectors):
        _keys(inspector, {"id", "department"}, f"package.inspectors[{m}]")
        _string(inspector["id"], f"package.inspectors[{m}].id")
        _string(inspector["department"], f"package.inspectors[{m}].department")
    _strictly_sorted([i["id"] for i in inspectors], "package.inspectors")
    inspector_ids = {i["id"] for i in inspectors}
    exclusions = package["exclusions"]
    if not isinstance(exclusions, list):
        raise DrawError("package.exclusions 应为列表")
    for m, ex in enumerate(exclusions):
        where = f"package.exclusions[{m}]"
        _keys(ex, {"target", "inspector", "reason"}, where)
        if ex["target"] not in target_ids:
            raise DrawError(f"{where}.target 不是包中的检查对象：{ex['target']}")
        if ex["inspector"] not in inspector_ids:
            raise DrawError(f"{where}.inspector 不是包中的执法检查人员：{ex['inspector']}")
        if ex["reason"] not in REASONS:
            raise DrawError(f"{where}.reason 应为 recusal 或 recent")
    _strictly_sorted([(e["target"], e["inspector"]) for e in exclusions], "package.exclusions")


def validate_values(values: Any, package: dict[str, Any]) -> None:
    """Raise DrawError unless `values` is one well-formed string per declared source."""
    sources = package["sources"]
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise DrawError("values 应为字符串列表")
    if len(values) != len(sources):
        raise DrawError(f"values 应有 {len(sources)} 项（每个声明的随机源一项），实有 {len(values)} 项")
    for n, (value, source) in enumerate(zip(values, sources)):
        kind = source.get("kind")
        form = VALUE_FORMS.get(kind) if isinstance(kind, str) else None  # the package check says why
        if form is not None and not form[0].fullmatch(value):
            raise DrawError(f"values[{n}]（{source.get('kind')}）格式不对：应为{form[1]}")
    try:
        check_canonical(values, "values")
    except CanonError as e:
        raise DrawError(str(e)) from None


def commitment(package: dict[str, Any]) -> str:
    """Lowercase hex SHA-256 of the canonical package."""
    return hashlib.sha256(canon(package)).hexdigest()


class _Ranker:
    """rank(label…) = HMAC-SHA256(seed, canon(["ssj-draw/1", label…])).

    The team step ranks every eligible inspector for every selected target, so the HMAC pads
    are absorbed once, the message prefix once per target, and each label is encoded once.
    Labels come from a validated package: its strings and integers are already canonical, and
    canon() of a list of them is their JSON forms joined by commas.
    """

    def __init__(self, seed: bytes) -> None:
        block = seed.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self.outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def prefixed(self, *labels: str | int) -> "hashlib._Hash":
        """The inner hash state after `["ssj-draw/1",label…,` (labels to follow, then `]`)."""
        state = self._inner.copy()
        state.update(b"[" + b",".join(_json(x) for x in (SPEC, *labels)) + b",")
        return state

    def finish_many(self, state: "hashlib._Hash", tails: Iterable[bytes]) -> list[bytes]:
        """rank(…, tail) for each tail after the same prefix; the hot loop of a draw.

        About 9 million HMACs in a large draw, so nothing here but the six hashlib calls
        (hashlib.sha256(data) and hmac.digest are slower with OpenSSL 3).
        """
        inner_copy, outer_copy = state.copy, self.outer.copy
        out: list[bytes] = []
        append = out.append
        for tail in tails:
            inner = inner_copy()
            inner.update(tail)
            outer = outer_copy()
            outer.update(inner.digest())
            append(outer.digest())
        return out


# json.dumps(x, ensure_ascii=False) builds an encoder per call; this one is reused.
_encode = json.JSONEncoder(ensure_ascii=False).encode


def _json(value: str | int) -> bytes:
    return _encode(value).encode()


def _rank_targets(ranker: _Ranker, stratum: dict[str, Any]) -> list[tuple[bytes, str]]:
    state = ranker.prefixed("target", stratum["id"])
    finish_many = ranker.finish_many
    keyed = []
    for target in stratum["targets"]:
        head = _json(target["id"]) + b","
        tickets = [head + b"%d]" % j for j in range(1, target["weight"] + 1)]
        keyed.append((min(finish_many(state, tickets)), target["id"]))
    return sorted(keyed)


# Stands in for r where no pick may go (excluded, or already in the team): every r is 32
# bytes, so this 33-byte string sorts after all of them.
_TAKEN = b"\xff" * 33

# Inspectors still to be drawn from, by load, then department: package indices in ascending
# order, which is id order (the package check guarantees it). So the first of equal r is the
# one with the smaller id, as comparing (r, id) would choose.
_Levels = dict[int, dict[str, list[int]]]


@dataclass(frozen=True)
class _Roster:
    """The package's inspectors, by index in the package, indexed once for the team step."""

    ids: list[str]
    department: list[str]
    excluded: dict[str, list[int]]  # target -> inspectors it may never get
    tails: list[bytes]  # the encoded end of each inspector's rank message


def _roster(package: dict[str, Any]) -> _Roster:
    inspectors = package["inspectors"]
    index = {i["id"]: n for n, i in enumerate(inspectors)}
    excluded: dict[str, list[int]] = {}
    for e in package["exclusions"]:
        excluded.setdefault(e["target"], []).append(index[e["inspector"]])
    return _Roster([i["id"] for i in inspectors], [i["department"] for i in inspectors],
                   excluded, [_json(i["id"]) + b"]" for i in inspectors])


def _build_team(ranker: _Ranker, target: str, stratum: dict[str, Any], team_size: int,
                levels: _Levels, roster: _Roster) -> list[int]:
    """Repeated picks of the smallest (load, r), lead department first (spec, step 3).

    A pick never looks past the lowest load that has a candidate, so only the inspectors of
    that load (and, for a lead pick, that department) are ranked, each at most once per target:
    this is where a large draw spends its time. The least r of a group is then one min().
    """
    state = ranker.prefixed("inspector", target)
    barred = roster.excluded.get(target, [])
    lead = stratum["lead_department"]
    ranked: dict[tuple[int, str], list[bytes]] = {}  # r of each member of levels[load][dept]

    def ranks(load: int, dept: str) -> list[bytes]:
        if (load, dept) not in ranked:
            members = levels[load][dept]
            rs = ranker.finish_many(state, map(roster.tails.__getitem__, members))
            for i in barred:
                n = bisect.bisect_left(members, i)
                if n < len(members) and members[n] == i:
                    rs[n] = _TAKEN
            ranked[load, dept] = rs
        return ranked[load, dept]

    def pick(lead_only: bool) -> int | None:
        for load in sorted(levels):
            group = levels[load]
            best: tuple[tuple[bytes, int], list[bytes], int] | None = None  # (r, i), i's slot
            for dept in [lead] if lead_only else group:
                if dept not in group:
                    continue
                rs = ranks(load, dept)
                r = min(rs)
                if r == _TAKEN:
                    continue
                n = rs.index(r)  # the first of equal r has the smallest id
                if best is None or (r, group[dept][n]) < best[0]:
                    best = ((r, group[dept][n]), rs, n)
            if best is not None:
                (_, chosen), rs, n = best
                rs[n] = _TAKEN  # now in the team
                return chosen
        return None

    team: list[int] = []
    while len(team) < team_size:
        lead_count = sum(1 for i in team if roster.department[i] == lead)
        chosen = pick(lead_only=lead_count < stratum["min_lead"])
        if chosen is None:
            raise DrawError(f"检查对象 {target} 没有足够的可选执法检查人员，无法组成检查组")
        team.append(chosen)
    return team


def _add_load(levels: _Levels, load: list[int], roster: _Roster, team: list[int]) -> None:
    """Move each member of a team up one load, keeping every group in id order."""
    for i in team:
        dept, old = roster.department[i], load[i]
        members = levels[old][dept]
        del members[bisect.bisect_left(members, i)]
        if not members:
            del levels[old][dept]
            if not levels[old]:
                del levels[old]
        bisect.insort(levels.setdefault(old + 1, {}).setdefault(dept, []), i)
        load[i] = old + 1


def draw(package: dict[str, Any], values: list[str]) -> dict[str, Any]:
    """Validate the inputs and compute the ssj-draw/1 result object."""
    validate_package(package)
    validate_values(values, package)
    commit = commitment(package)
    seed = hmac.digest(bytes.fromhex(commit), canon(values), "sha256")
    ranker = _Ranker(seed)
    strata_out = []
    selected: list[tuple[str, dict[str, Any]]] = []
    for stratum in package["strata"]:
        ranking = _rank_targets(ranker, stratum)
        strata_out.append({"id": stratum["id"], "k": stratum["k"],
                           "ranking": [{"id": t, "key": key.hex()} for key, t in ranking]})
        selected.extend((t, stratum) for _, t in ranking[:stratum["k"]])
    roster = _roster(package)
    levels: _Levels = {}
    for n, dept in enumerate(roster.department):
        levels.setdefault(0, {}).setdefault(dept, []).append(n)
    load = [0] * len(roster.ids)
    teams = []
    for target, stratum in selected:
        team = _build_team(ranker, target, stratum, package["team_size"], levels, roster)
        _add_load(levels, load, roster, team)
        teams.append({"target": target, "inspectors": [roster.ids[i] for i in team]})
    return {"spec": SPEC, "plan": package["plan"], "commitment": commit, "values": values,
            "seed": seed.hex(), "strata": strata_out, "teams": teams}


def serialise(result: dict[str, Any]) -> bytes:
    """The result's bytes as published: canonical JSON and one newline."""
    return canon(result) + b"\n"


def declared_round(source: object) -> tuple[str, int] | None:
    """(chain, round) of a declared drand source, or None for any other or malformed one."""
    if not isinstance(source, dict) or source.get("kind") != "drand":
        return None
    chain, number = source.get("chain"), source.get("round")
    return (chain, number) if isinstance(chain, str) and type(number) is int else None


def source_label(source: dict[str, Any]) -> str:
    """A declared source as people read it: drand quicknet 第 1000 轮, 福彩3D 第 2025060 期."""
    declared = declared_round(source)
    if declared:
        return f"drand {declared[0]} 第 {declared[1]} 轮"
    if source.get("kind") == "lottery":
        return f"{source.get('game', '彩票')} 第 {source.get('issue', '?')} 期"
    kind = source.get("kind")
    return f"{kind} 随机源" if isinstance(kind, str) and kind.isidentifier() else "未知种类的随机源"
