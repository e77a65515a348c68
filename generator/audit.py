"""The append-only audit: `ssj check --base REV` compares the records with those at REV.

What has been published stays as it was published: a published finding, a list entry, a credit
notice, an amendment, a frozen plan, and every draw file may not be deleted or rewritten. They
may only grow: a field that was empty may be filled in (a list exit, a follow-up's result) and
a list may gain items at its end (a new follow-up visit, a later penalty). A correction is an
amendment record that states its reason; the site shows it beside the original. Drafts
(findings not yet published, plans not yet frozen) stay free to edit.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from generator.records.kinds import KINDS_BY_FOLDER
from generator.records.load import DRAWS_FOLDER, display_path, parse_record
from generator.records.model import Fields, Record, Records
from generator.records.problems import ERROR, Problem

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


def _protected(record: Record, frozen_plans: set[str]) -> bool:
    if record.kind == "finding":
        return record.published_on is not None
    if record.kind == "plan":
        return record.id in frozen_plans
    return record.kind in ("list_entry", "credit_notice", "amendment")


def _first_change(old: Any, new: Any, path: str) -> str | None:
    """Where `new` is not `old` grown (None if it only grew): fields filled in, lists extended."""
    if isinstance(old, Fields):
        if not isinstance(new, Fields):
            return path
        for key, value in old.items():
            if value is None or value == ():
                continue
            where = _first_change(value, new.get(key), f"{path}.{key}" if path else key)
            if where is not None:
                return where
        return None
    if isinstance(old, tuple):
        if not isinstance(new, tuple) or len(new) < len(old):
            return path
        for i, (a, b) in enumerate(zip(old, new), start=1):
            where = _first_change(a, b, f"{path}[{i}]")
            if where is not None:
                return where
        return None
    return None if old == new else path


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
        old, _, _ = parse_record(base.data, where, kind)
        if old is None or not _protected(old, frozen):
            continue
        current = records.get(old.id, (old.kind,))
        if current is None and old.id in records.broken_ids:
            continue  # still there but unreadable: the load error already says why
        if current is None:
            problems.append(Problem(where, 1, RULE,
                                    f"已公开的{kind.title} {old.id} 被删除或改名", HINT, ERROR))
            continue
        changed = _first_change(old.fields, current.fields, "")
        if changed is not None:
            problems.append(Problem(current.file, current.line_of(changed), RULE,
                                    f"字段 {changed}：已公开的{kind.title} {old.id} 被改动"
                                    f"（{rev} 中的内容不得删改，只能补充）", HINT, ERROR, changed))
    return problems
