"""The records' source revision, shown in the site footer so readers can cite what they saw."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path


def source_revision(path: Path) -> str:
    """`SSJ_SOURCE_REVISION`, else the git commit of `path` (marked if it has local changes)."""
    given = os.environ.get("SSJ_SOURCE_REVISION")
    if given:
        return given

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], cwd=path, capture_output=True, text=True,
                                  timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "--short=12", "HEAD")
    if not commit:
        return "未纳入版本管理"
    return commit + ("（含未提交的修改）" if git("status", "--porcelain", "--", ".") else "")
