"""When a file's current content entered the main line of history: a second signal of
commit-before-reveal, after the trusted timestamps.

Commit dates are typed by whoever commits, so only the first-parent line counts (merges into
main, not the branch commits they bring), the commit that last touched the file is the one that
matters (deleting and re-adding a file restarts its history), and a commit dated earlier than any
commit before it on the main line proves nothing.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FirstCommit:
    """When the file's current content was first committed, or why that cannot be known.

    `pending` marks a file not committed yet: normal right after `ssj draw freeze`, before the
    pull request, so it is no error by itself.
    """

    time: int | None
    commit: str = ""
    why_unknown: str = ""
    pending: bool = False


def git(cwd: Path, *args: str) -> str | None:
    """Run git in `cwd`; its output, or None when git is missing or fails."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                              timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def first_commit(path: Path) -> FirstCommit:
    """Committer time of the first-parent commit that last added or changed `path`."""
    folder = path.parent if path.parent.exists() else Path.cwd()
    inside, shallow = ((git(folder, "rev-parse", "--is-inside-work-tree",
                            "--is-shallow-repository") or "").split() + ["", ""])[:2]
    if inside != "true":
        return FirstCommit(None, why_unknown="不在 git 仓库中，无法核对提交时间")
    if shallow == "true":
        return FirstCommit(None, why_unknown="git 历史不完整（浅克隆），无法核对提交时间；"
                                             "CI 请用 fetch-depth: 0")
    if (git(folder, "status", "--porcelain", "--", path.name) or "").strip():
        return FirstCommit(None, why_unknown="尚未提交到 git", pending=True)
    line = (git(folder, "log", "--first-parent", "-1", "--format=%H %ct %P", "--",
                path.name) or "").split()
    if len(line) < 2:
        return FirstCommit(None, why_unknown="尚未提交到 git", pending=True)
    commit, when, parents = line[0], int(line[1]), line[2:]
    if parents:
        # every commit before it on the main line, not only its parent: a run of backdated
        # commits is each later than its own parent
        earlier = (git(folder, "log", "--first-parent", "--format=%ct", parents[0]) or "").split()
        if earlier and max(int(t) for t in earlier) > when:
            return FirstCommit(None, commit, f"提交 {commit[:12]} 的时间早于主分支上在它之前的提交，"
                                             "提交时间系手工填写，不能作为证据")
    return FirstCommit(when, commit)
