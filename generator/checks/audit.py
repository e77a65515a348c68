"""The append-only audit: `ssj check --base REV` compares the records with those at REV.

What has been published stays as it was published: a published finding, a list entry, a credit
notice, an amendment, an irregularity notice, a plan once published (its published_on not after
today in Beijing) or frozen, and every draw file may not be deleted or rewritten. They
may only grow: a field that was empty may be filled in (a list exit, a follow-up's result) and
a history list (declared `ListOf(history=True)`: handling steps, follow-up visits) may gain items
at its end. Any other list keeps its items: a published finding's inspectors, a frozen plan's
witnesses. A correction is an amendment record that states its reason; the site shows it beside
the original. Drafts (findings not yet published, plans neither published nor frozen) stay free
to edit.

The policy that judges a draw is the one in force when it was frozen (generator/draw/policy.py),
so once the base has a frozen package, jurisdiction.yaml's draw policy only grows too: its first
values (policy.draw_margin_hours, max_revisions, timestamp_quorum) stay, policy.draw_changes gains
entries at its end dated from the day they are made or later, a time-stamping authority pinned
since then carries a `since` of that day or later, and a pinned authority is never removed nor
its chain or root fingerprint changed (its tokens would no longer verify).

The audit fails closed: a record whose copy at the base today's loader cannot read is judged
from its raw YAML, and if it may have been published, any change to its file is an error.
"""
from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from generator.records.kinds import DRAW_POLICY_FIELDS, KINDS_BY_FOLDER, Kind, walk_fields
from generator.records.load import DRAWS_FOLDER, display_path, parse_record
from generator.records.model import Fields, Record, Records
from generator.records.problems import ERROR, Problem
from generator.records.timing import BEIJING
from generator.records.types import FieldType, ListOf, Obj
from generator.records.yamlread import YamlProblem, read_yaml

RULE = "audit.append-only"
HINT = "已公开的记录不得删改；更正请在 amendments/ 新建更正记录并写明理由"
IRREGULARITY_HINT = "抽取异常说明一经公布不得删改；需要补充的，另写一份抽取异常说明"
POLICY_RULE = "audit.policy"
RETROACTIVE = "已冻结的抽取按冻结时的规则判断，修改只能自今日或以后生效"
JURISDICTION_FILE = "jurisdiction.yaml"
_NULLS = ("", "~", "null", "Null", "NULL")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class BaseUnavailable(Exception):
    """REV cannot be read (not a git repository, or no such revision)."""


@dataclass(frozen=True)
class BaseFile:
    path: str  # relative to the records folder, e.g. "findings/2025-01-01.yaml"
    data: bytes


def _git(root: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, timeout=60,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise BaseUnavailable(str(e)) from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise BaseUnavailable(said[-1] if said else "没有这个版本")
    return done.stdout


def base_files(root: Path, rev: str) -> list[BaseFile]:
    """Every file under the records folder as it was at `rev`."""
    _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    names = _git(root, "ls-tree", "-r", "-z", "--name-only", rev, ".").split(b"\0")
    prefix = _git(root, "rev-parse", "--show-prefix").decode().strip()
    out = []
    for name in filter(None, names):
        rel = name.decode()
        rel = rel[len(prefix):] if prefix and rel.startswith(prefix) else rel
        out.append(BaseFile(rel, _git(root, "show", f"{rev}:./{rel}")))
    return out


def frozen_plans_at(root: Path, rev: str) -> frozenset[str]:
    """The plans whose package.json exists at `rev`."""
    names = _git(root, "ls-tree", "-r", "-z", "--name-only", rev, DRAWS_FOLDER).split(b"\0")
    return frozenset(PurePosixPath(n.decode()).parts[-2] for n in names
                     if n.endswith(b"/package.json"))


def beijing_today() -> dt.date:
    return dt.datetime.now(BEIJING).date()


def _protected(kind: str, record_id: str, published: bool, frozen_plans: set[str]) -> bool:
    if kind == "finding":
        return published
    if kind == "plan":
        return published or record_id in frozen_plans
    return kind in ("list_entry", "credit_notice", "amendment", "irregularity")


def _published(record: Record, today: dt.date) -> bool:
    """A finding once it has a published_on; a plan once that day has come."""
    day = record.fields.get("published_on")
    return day is not None and (record.kind != "plan" or day <= today)


def _may_be_published(data: bytes, kind: str, today: dt.date) -> bool:
    """Whether a finding or plan today's loader cannot read was published: yes unless its YAML
    reads and has no published_on at all (or, for a plan, one plainly after today); when nothing
    can be told, it counts as published."""
    try:
        node = read_yaml(data)
    except YamlProblem:
        return True
    if not isinstance(node, yaml.MappingNode):
        return True
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "published_on":
            later = (kind == "plan" and isinstance(value, yaml.ScalarNode)
                     and _DATE.fullmatch(value.value) is not None
                     and value.value > today.isoformat())
            return not later
    return False


def _first_change(old: Any, new: Any, ftype: FieldType, path: str) -> str | None:
    """Where `new` is not `old` grown (None if it only grew): empty fields filled in, history
    lists extended at their end; every other list keeps exactly its items."""
    if isinstance(ftype, Obj):
        if not isinstance(new, Fields):
            return path
        for field in ftype.fields:
            value = old.get(field.name)
            if value is None or value == ():
                continue
            name = f"{path}.{field.name}" if path else field.name
            where = _first_change(value, new.get(field.name), field.type, name)
            if where is not None:
                return where
        return None
    if isinstance(ftype, ListOf):
        if not isinstance(new, tuple) or len(new) < len(old) or (
                len(new) > len(old) and not ftype.history):
            return path
        for i, (a, b) in enumerate(zip(old, new), start=1):
            where = _first_change(a, b, ftype.item, f"{path}[{i}]")
            if where is not None:
                return where
        return None
    return None if old == new else path


def _may_grow(kind: Kind) -> str:
    """What a published record of `kind` may still gain, for the message."""
    histories = [path.replace("[]", "") for path, f in walk_fields(kind.schema)
                 if isinstance(f.type, ListOf) and f.type.history]
    return "只能填写空字段" + (f"，或在 {'、'.join(histories)} 末尾追加" if histories else "")


def audit(root: Path, records: Records, rev: str, today: dt.date | None = None) -> list[Problem]:
    """Problems of every published record or draw file deleted or rewritten since `rev`, and of
    every change to jurisdiction.yaml that would re-judge a draw frozen by then."""
    today = today or beijing_today()
    files = base_files(root, rev)
    frozen = {PurePosixPath(f.path).parts[1] for f in files
              if f.path.startswith(f"{DRAWS_FOLDER}/") and f.path.endswith("/package.json")}
    problems = []
    for base in files:
        parts = PurePosixPath(base.path).parts
        where = display_path(root / base.path)
        if base.path == JURISDICTION_FILE:
            if frozen:
                problems.extend(_policy_audit(root, records, rev, base.data, where, today))
            continue
        if parts[0] == DRAWS_FOLDER:
            path = root / base.path
            if not path.is_file() or path.read_bytes() != base.data:
                what = "被删除" if not path.is_file() else "被改动"
                problems.append(Problem(where, 1, RULE, f"抽取文件{what}（{rev} 中已有）",
                                        "抽取文件一经写出不得改动；重新抽取须新建修订计划", ERROR))
            continue
        kind = KINDS_BY_FOLDER.get(parts[0]) if len(parts) == 2 else None
        if kind is None or not base.path.endswith(".yaml"):
            continue
        old, declared, unread = parse_record(base.data, where, kind)
        if old is None:  # today's loader cannot read the base copy: fail closed
            record_id = declared or PurePosixPath(base.path).stem
            path = root / base.path
            unchanged = path.is_file() and path.read_bytes() == base.data
            if unchanged or not _protected(kind.name, record_id,
                                           _may_be_published(base.data, kind.name, today), frozen):
                continue  # an unchanged file's own load error says what to fix
            what = "被删除或改名" if not path.is_file() else "被改动"
            problems.append(Problem(where, 1, RULE,
                                    f"已公开的{kind.title} {record_id} {what}，而 {rev} 中的这份记录"
                                    f"按当前格式无法读取（第 {unread[0].line} 行："
                                    f"{unread[0].message}），无法核对改动只是补充",
                                    _hint(kind.name), ERROR))
            continue
        if not _protected(old.kind, old.id, _published(old, today), frozen):
            continue
        current = records.get(old.id, (old.kind,))
        if current is None and old.id in records.broken_ids:
            continue  # still there but unreadable: the load error already says why
        if current is None:
            problems.append(Problem(where, 1, RULE, f"已公开的{kind.title} {old.id} 被删除或改名",
                                    _hint(kind.name), ERROR))
            continue
        changed = _first_change(old.fields, current.fields, kind.schema, "")
        if changed is not None:
            problems.append(Problem(current.file, current.line_of(changed), RULE,
                                    f"字段 {changed}：已公开的{kind.title} {old.id} 被改动"
                                    f"（{rev} 中的内容不得删改；{_may_grow(kind)}）",
                                    _hint(kind.name), ERROR, changed))
    return problems


def _hint(kind: str) -> str:
    return IRREGULARITY_HINT if kind == "irregularity" else HINT



# --------------------------------------------------------------------------- the draw policy


def _plain(node: yaml.Node) -> Any:
    """A YAML node as dicts, lists and text (nothing interpreted; an empty plain scalar is None):
    what was written, comparable whether or not today's loader reads the base copy (an older
    jurisdiction.yaml lacks fields today's requires)."""
    if isinstance(node, yaml.MappingNode):
        return {k.value: _plain(v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    if isinstance(node, yaml.SequenceNode):
        return [_plain(v) for v in node.value]
    return None if node.style is None and node.value in _NULLS else node.value


def _read_plain(data: bytes) -> dict[str, Any] | None:
    try:
        node = read_yaml(data)
    except YamlProblem:
        return None
    plain = _plain(node)
    return plain if isinstance(plain, dict) else None


def _section(data: dict[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name)
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list[dict[str, Any]]:
    return [v if isinstance(v, dict) else {} for v in value] if isinstance(value, list) else []


def _squeezed(value: Any) -> Any:
    """A value as compared: text without its whitespace (a PEM chain may be re-wrapped), a
    fingerprint without colons or case."""
    if isinstance(value, str):
        return "".join(value.split())
    return value


def _fingerprint(value: Any) -> Any:
    return value.replace(":", "").lower() if isinstance(value, str) else value


def _authorities(data: dict[str, Any]) -> dict[str, tuple[int, dict[str, Any]]]:
    """The pinned authorities by id, each with its 1-based place in the list (the first of a
    duplicated id: the loader reports the duplicate)."""
    out: dict[str, tuple[int, dict[str, Any]]] = {}
    for n, entry in enumerate(_items(data.get("timestamp_authorities")), start=1):
        if isinstance(entry.get("id"), str):
            out.setdefault(entry["id"], (n, entry))
    return out


def _shown(value: Any) -> str:
    return "未填" if value is None else str(value)


def _made_on(root: Path, rev: str, today: dt.date) -> Callable[[Callable[[dict[str, Any]], bool]],
                                                             dt.date]:
    """When a change to jurisdiction.yaml was made: the day (in Beijing) of the first commit
    after `rev` on the first-parent line whose copy has it, never before `rev`'s own day; today
    for a change not yet committed. So a change dated from the day it was made is still accepted
    when the deploy audits it against the revision last deployed, days later (commit dates are
    typed by whoever commits: the pull request's audit, run on the day, is what holds them)."""
    seen: list[tuple[dt.date, dict[str, Any]]] | None = None

    def day(seconds: bytes) -> dt.date:
        return dt.datetime.fromtimestamp(int(seconds), BEIJING).date()

    def made(has: Callable[[dict[str, Any]], bool]) -> dt.date:
        nonlocal seen
        if seen is None:
            seen = []
            try:
                floor = day(_git(root, "log", "-1", "--format=%ct", rev).strip())
                log = _git(root, "log", "--first-parent", "--reverse", "--format=%H %ct",
                           f"{rev}..HEAD", "--", JURISDICTION_FILE).decode().split("\n")
                for line in filter(None, log):
                    commit, seconds = line.split()
                    data = _read_plain(_git(root, "show", f"{commit}:./{JURISDICTION_FILE}"))
                    if data is not None:
                        seen.append((min(max(day(seconds.encode()), floor), today), data))
            except (BaseUnavailable, ValueError):
                seen = []
        return next((when for when, data in seen if has(data)), today)

    return made


def _policy_audit(root: Path, records: Records, rev: str, base_data: bytes, where: str,
                  today: dt.date) -> list[Problem]:
    """jurisdiction.yaml against `rev`, which has frozen packages: the draw policy only grows,
    from today on, and the pinned authorities stay as their tokens were verified."""
    jurisdiction = records.jurisdiction
    path = root / JURISDICTION_FILE
    if jurisdiction is None or not path.is_file():
        return []  # the load error says why
    current = _read_plain(path.read_bytes())
    old = _read_plain(base_data)
    if current is None:
        return []
    if old is None:  # fail closed: what the frozen draws were judged by cannot be told
        if path.read_bytes() == base_data:
            return []
        return [Problem(where, 1, POLICY_RULE,
                        f"本局信息在 {rev} 中无法读取，无法核对已冻结抽取所依据的规则未被改动",
                        "先单独修复 jurisdiction.yaml 的格式，不同时改动抽取规则", ERROR)]
    problems: list[Problem] = []
    made = _made_on(root, rev, today)

    def refuse(field: str, message: str, hint: str) -> None:
        problems.append(Problem(jurisdiction.file, jurisdiction.line_of(field), POLICY_RULE,
                                f"字段 {field}：{message}", hint, ERROR, field))

    def too_early(value: Any, field: str, has: Callable[[dict[str, Any]], bool]) -> None:
        if not isinstance(value, str) or _DATE.fullmatch(value) is None:
            return  # not a date: the loader says so
        when = made(has)
        if value < when.isoformat():
            said = f"今日（{when}）" if when == today else f"作出修改之日（{when}）"
            refuse(field, f"{value} 早于{said}：{RETROACTIVE}",
                   f"改为 {when} 或以后的日期；已冻结的抽取不受影响")

    # the first values
    old_policy, new_policy = _section(old, "policy"), _section(current, "policy")
    for f in DRAW_POLICY_FIELDS:
        before = old_policy.get(f.name) or (None if f.default is None else str(f.default))
        after = new_policy.get(f.name) or (None if f.default is None else str(f.default))
        if before != after:
            refuse(f"policy.{f.name}",
                   f"已有冻结的抽取包，抽取规则的首个取值不得改动（{_shown(before)} 改为 "
                   f"{_shown(after)}）；{RETROACTIVE}",
                   "恢复原值；要修改，在 policy.draw_changes 末尾追加一条，写明 from（今日或以后）"
                   "与理由")

    # the dated changes: the base's stay as they are, new ones only at the end, from today on
    before_changes = _items(old_policy.get("draw_changes"))
    after_changes = _items(new_policy.get("draw_changes"))
    for n, entry in enumerate(before_changes, start=1):
        if n > len(after_changes):
            refuse(f"policy.draw_changes[{n}]",
                   f"已有的抽取规则修改（第 {n} 条）被删除；{RETROACTIVE}",
                   "恢复被删除的条目；新的修改只能在末尾追加")
            break
        now = after_changes[n - 1]
        changed = [k for k in dict.fromkeys([*entry, *now])
                   if _squeezed(entry.get(k)) != _squeezed(now.get(k))]
        if changed:
            refuse(f"policy.draw_changes[{n}].{changed[0]}" if changed[0] in now
                   else f"policy.draw_changes[{n}]",
                   f"已有的抽取规则修改（第 {n} 条）被改动；{RETROACTIVE}",
                   "恢复原样；新的修改在末尾另起一条，from 为今日或以后")
    for n, entry in enumerate(after_changes[len(before_changes):], start=len(before_changes) + 1):
        squeezed = {k: _squeezed(v) for k, v in entry.items()}
        too_early(entry.get("from"), f"policy.draw_changes[{n}].from",
                  lambda data, s=squeezed: any(
                      {k: _squeezed(v) for k, v in e.items()} == s
                      for e in _items(_section(data, "policy").get("draw_changes"))))

    # the pinned authorities: kept, with the chain and root their tokens were verified against
    old_authorities, new_authorities = _authorities(old), _authorities(current)
    for authority_id, (_, entry) in old_authorities.items():
        if authority_id not in new_authorities:
            refuse("timestamp_authorities",
                   f"已固定的时间戳机构 {authority_id} 被删除：已冻结抽取包的时间戳凭它的证书链核验",
                   "保留这一项；更换根证书的，以新编号另行固定并写明 since")
            continue
        n, now = new_authorities[authority_id]
        for name, same in (("chain", _squeezed), ("root_sha256", _fingerprint)):
            if entry.get(name) is not None and same(entry.get(name)) != same(now.get(name)):
                refuse(f"timestamp_authorities[{n}].{name}",
                       f"已固定的时间戳机构 {authority_id} 的{'证书链' if name == 'chain' else '根证书指纹'}"
                       "被改动：它签发的时间戳将无法按原样核验",
                       "恢复原样；更换根证书的，以新编号另行固定并写明 since（今日或以后）")
        if entry.get("since") != now.get("since"):
            refuse(f"timestamp_authorities[{n}].since",
                   f"已固定的时间戳机构 {authority_id} 的 since 被改动（{_shown(entry.get('since'))} "
                   f"改为 {_shown(now.get('since'))}）；{RETROACTIVE}", "恢复原值")
    for authority_id, (n, now) in new_authorities.items():
        if authority_id in old_authorities:
            continue
        if now.get("since") is None:
            refuse(f"timestamp_authorities[{n}].since",
                   f"新固定的时间戳机构 {authority_id} 须写明 since：不写则此前冻结的抽取也要有它的"
                   f"时间戳，会被重新判断；{RETROACTIVE}",
                   f"写明 since: {today.isoformat()}（或以后的日期）")
            continue
        too_early(now.get("since"), f"timestamp_authorities[{n}].since",
                  lambda data, i=authority_id, s=now.get("since"): any(
                      e.get("id") == i and e.get("since") == s
                      for e in _items(data.get("timestamp_authorities"))))
    return problems
