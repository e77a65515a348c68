"""When a file's current content was published on the main line of history: the bureau's own
record of publication, a second signal beside the trusted timestamps.

Commit dates are typed by whoever commits, so only the first-parent line counts (merges into
main, not the branch commits they bring), the commit that last touched the file is the one that
matters (deleting and re-adding a file restarts its history), and no commit is taken to be
earlier than a commit before it on that line: a backdated commit is published, at the earliest,
when the latest commit before it was. A commit dated in the future (later than now) is wrong
too; it is reported once and weighs on nothing else.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

FUTURE_SKEW = 3600  # a commit this far ahead of our clock is misdated, not a skewed clock


@dataclass(frozen=True)
class FirstCommit:
    """When the file's current content was published on the main line, or why that cannot be
    known. `time` is the earliest the commit can have been published (its own date, or a
    later one before it on the main line); `dated` its own date when that is earlier (a
    backdated commit). `pending` marks a file not committed yet: normal right after
    `ssj draw freeze`, before the pull request, so it is no error by itself."""

    time: int | None
    commit: str = ""
    why_unknown: str = ""
    pending: bool = False
    dated: int | None = None


@dataclass(frozen=True)
class MainLine:
    """The first-parent history of HEAD: each commit's earliest publication time, and the
    commits whose own date cannot be right (dated after now)."""

    published: dict[str, int] = field(default_factory=dict)
    dated: dict[str, int] = field(default_factory=dict)
    future: tuple[str, ...] = ()
    why_unknown: str = ""
    order: tuple[str, ...] = ()  # oldest first

    def last_before(self, moment: int) -> str | None:
        """The newest commit published before `moment`: the records everyone could see then."""
        return next((c for c in reversed(self.order) if self.published[c] < moment), None)


def git(cwd: Path, *args: str) -> str | None:
    """Run git in `cwd`; its output, or None when git is missing or fails."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                              timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def _folder(path: Path) -> Path:
    return path if path.is_dir() else path.parent if path.parent.exists() else Path.cwd()


@lru_cache(maxsize=8)
def _main_line(top: str, head: str, now: int) -> MainLine:
    published, dated, future, order = {}, {}, [], []
    latest = 0
    for row in reversed((git(Path(top), "log", "--first-parent", "--format=%H %ct", head)
                         or "").splitlines()):
        commit, when = row.split()
        own = int(when)
        dated[commit] = own
        order.append(commit)
        if own > now + FUTURE_SKEW:
            future.append(commit)
            published[commit] = max(latest, now)  # not before anything around it; not ahead
            continue
        latest = max(latest, own)
        published[commit] = latest
    return MainLine(published, dated, tuple(future), order=tuple(order))


def main_line(path: Path, now: float) -> MainLine:
    """The main line of the repository holding `path`, or why it cannot be read."""
    folder = _folder(path)
    inside, shallow, top = ((git(folder, "rev-parse", "--is-inside-work-tree",
                                 "--is-shallow-repository", "--show-toplevel")
                             or "").split() + ["", "", ""])[:3]
    if inside != "true":
        return MainLine(why_unknown="不在 git 仓库中，无法核对抽取包何时在主分支公开")
    if shallow == "true":
        return MainLine(why_unknown="git 历史不完整（浅克隆），无法核对抽取包何时在主分支公开")
    head = (git(folder, "rev-parse", "--verify", "--quiet", "HEAD") or "").strip()
    if not head:
        return MainLine()  # no commit yet: every file is still to be committed
    # whole minutes: a cache key that holds for one check run, never across a day
    return _main_line(top, head, int(now) // 60 * 60)


def first_commit(path: Path, line: MainLine) -> FirstCommit:
    """The first-parent commit that last added or changed `path`, and when it was published."""
    if line.why_unknown:
        return FirstCommit(None, why_unknown=line.why_unknown)
    folder = _folder(path)
    if (git(folder, "status", "--porcelain", "--", path.name) or "").strip():
        return FirstCommit(None, why_unknown="尚未提交到 git", pending=True)
    commit = (git(folder, "log", "--first-parent", "-1", "--format=%H", "--", path.name)
              or "").strip()
    if commit not in line.published:
        return FirstCommit(None, why_unknown="尚未提交到 git", pending=True)
    published, own = line.published[commit], line.dated[commit]
    return FirstCommit(published, commit, dated=own if own < published else None)
