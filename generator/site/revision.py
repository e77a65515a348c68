"""The records' source revision, shown in the site footer so readers can cite what they saw, and
its commit time, the site's date when SOURCE_DATE_EPOCH is not given."""
from __future__ import annotations

import os
from pathlib import Path

from generator.draw.gittime import git


def source_revision(path: Path) -> str:
    """`SSJ_SOURCE_REVISION`, else the git commit of `path` (marked if it has local changes)."""
    given = os.environ.get("SSJ_SOURCE_REVISION")
    if given:
        return given
    commit = (git(path, "rev-parse", "--short=12", "HEAD") or "").strip()
    if not commit:
        return "未纳入版本管理"
    return commit + ("（含未提交的修改）" if (git(path, "status", "--porcelain", "--", ".") or "").strip()
                     else "")


def source_epoch(path: Path) -> str | None:
    """`SOURCE_DATE_EPOCH`, else the committer time of HEAD (so that a rebuild of the same commit
    is byte-identical); None outside a git checkout."""
    given = os.environ.get("SOURCE_DATE_EPOCH")
    if given:
        return given
    return (git(path, "log", "-1", "--format=%ct", "HEAD") or "").strip() or None
