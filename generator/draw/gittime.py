"""When a file first entered the repository's history: the commit-before-reveal evidence."""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FirstCommit:
    """The first commit time of a file, or why it cannot be known."""

    time: int | None
    why_unknown: str = ""


def _git(cwd: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                              timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def first_commit(path: Path) -> FirstCommit:
    """Committer time of the first commit in HEAD's history that added `path`."""
    folder = path.parent if path.parent.exists() else Path.cwd()
    inside = _git(folder, "rev-parse", "--is-inside-work-tree")
    if inside is None or inside.strip() != "true":
        return FirstCommit(None, "不在 git 仓库中，无法核对提交时间")
    if (_git(folder, "rev-parse", "--is-shallow-repository") or "").strip() == "true":
        return FirstCommit(None, "git 历史不完整（浅克隆），无法核对提交时间；CI 请用 fetch-depth: 0")
    log = _git(folder, "log", "--diff-filter=A", "--format=%ct", "--", path.name)
    times = [int(x) for x in (log or "").split()]
    if not times:
        return FirstCommit(None, "尚未提交到 git")
    return FirstCommit(min(times))
