"""Each record file's history from git: the dates and commits that changed it, newest first."""
from __future__ import annotations

import subprocess
from pathlib import Path


def record_history(records_dir: Path) -> dict[str, list[dict[str, str]]]:
    """Path relative to `records_dir` -> [{"date", "commit"}]; empty outside a git checkout."""
    try:
        done = subprocess.run(
            ["git", "log", "--relative", "--format=%x00%h %cs", "--name-only", "--", "."],
            cwd=records_dir, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    if done.returncode != 0:
        return {}
    history: dict[str, list[dict[str, str]]] = {}
    for block in done.stdout.split("\0")[1:]:
        head, *names = block.strip().splitlines()
        commit, date = head.split(" ", 1)
        for name in filter(None, names):
            history.setdefault(name, []).append({"date": date, "commit": commit})
    return history
