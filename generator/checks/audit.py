"""The append-only audit: `ssj check --base REV` compares the records with those at REV.

What has been published stays as it was published: a published finding, a list entry, a credit
notice, an amendment, a frozen plan, and every draw file may not be deleted or rewritten. They
may only grow: a field that was empty may be filled in (a list exit, a follow-up's result) and
a history list (declared `ListOf(history=True)`: handling steps, follow-up visits) may gain items
at its end. Any other list keeps its items: a published finding's inspectors, a frozen plan's
witnesses. A correction is an amendment record that states its reason; the site shows it beside
the original. Drafts (findings not yet published, plans not yet frozen) stay free to edit.

The audit fails closed: a record whose copy at the base today's loader cannot read is judged
from its raw YAML, and if it may have been published, any change to its file is an error.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from generator.records.kinds import KINDS_BY_FOLDER, Kind, walk_fields
from generator.records.load import DRAWS_FOLDER, display_path, parse_record
from generator.records.model import Fields, Records
from generator.records.problems import ERROR, Problem
from generator.records.types import FieldType, ListOf, Obj
from generator.records.yamlread import YamlProblem, read_yaml

RULE = "audit.append-only"
HINT = "已公开的记录不得删改；更正请在 amendments/ 新建更正记录并写明理由"


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


def _protected(kind: str, record_id: str, published: bool, frozen_plans: set[str]) -> bool:
    if kind == "finding":
        return published
    if kind == "plan":
        return record_id in frozen_plans
    return kind in ("list_entry", "credit_notice", "amendment")


def _may_be_published(data: bytes) -> bool:
    """Whether a finding today's loader cannot read was published: yes unless its YAML reads and
    has no published_on at all (when nothing can be told, it counts as published)."""
    try:
        node = read_yaml(data)
    except YamlProblem:
        return True
    return not isinstance(node, yaml.MappingNode) or any(
        isinstance(key, yaml.ScalarNode) and key.value == "published_on" for key, _ in node.value)


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


def audit(root: Path, records: Records, rev: str) -> list[Problem]:
    """Problems of every published record or draw file deleted or rewritten since `rev`."""
    files = base_files(root, rev)
    frozen = {PurePosixPath(f.path).parts[1] for f in files
              if f.path.startswith(f"{DRAWS_FOLDER}/") and f.path.endswith("/package.json")}
    problems = []
    for base in files:
        parts = PurePosixPath(base.path).parts
        where = display_path(root / base.path)
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
            if unchanged or not _protected(kind.name, record_id, _may_be_published(base.data),
                                           frozen):
                continue  # an unchanged file's own load error says what to fix
            what = "被删除或改名" if not path.is_file() else "被改动"
            problems.append(Problem(where, 1, RULE,
                                    f"已公开的{kind.title} {record_id} {what}，而 {rev} 中的这份记录"
                                    f"按当前格式无法读取（第 {unread[0].line} 行："
                                    f"{unread[0].message}），无法核对改动只是补充", HINT, ERROR))
            continue
        if not _protected(old.kind, old.id, old.fields.get("published_on") is not None, frozen):
            continue
        current = records.get(old.id, (old.kind,))
        if current is None and old.id in records.broken_ids:
            continue  # still there but unreadable: the load error already says why
        if current is None:
            problems.append(Problem(where, 1, RULE,
                                    f"已公开的{kind.title} {old.id} 被删除或改名", HINT, ERROR))
            continue
        changed = _first_change(old.fields, current.fields, kind.schema, "")
        if changed is not None:
            problems.append(Problem(current.file, current.line_of(changed), RULE,
                                    f"字段 {changed}：已公开的{kind.title} {old.id} 被改动"
                                    f"（{rev} 中的内容不得删改；{_may_grow(kind)}）", HINT, ERROR,
                                    changed))
    return problems
