"""Records trees for the regulation's rules and the yearly report: the valid tree edited inline,
and a tree whose plan is frozen and drawn with the CLI (a real drand round), built once per session.

Problem lines are located by a marker: the one line of a file that contains it, so a test names the
offending line the way staff would find it ("the `published_on:` line of the finding").
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.rules.uscc import check_character
from tests.records_tree import (
    FIRM_ID,
    INSTITUTION,
    PLAN,
    inspector,
    run_ssj,
    valid_tree,
    write_tree,
)

REPO = Path(__file__).resolve().parent.parent
ROUNDS = REPO / "tests" / "vectors" / "drand" / "rounds.json"

JURISDICTION_FILE = "records/jurisdiction.yaml"
FIRM_FILE = f"records/institutions/{FIRM_ID}.yaml"
PERSON_ID = "01211300000000001"
ITEM_FILE = "records/items/lf-01.yaml"
PLAN_ID = "2025-01"
PLAN_FILE = f"records/plans/{PLAN_ID}.yaml"
FINDING_FILE = "records/findings/2025-01-01.yaml"
LIST_FILE = "records/lists/abnormal-2025-01.yaml"
NOTICE_FILE = "records/credit-notices/cn-2025-01.yaml"
RESULT_FILE = f"records/draws/{PLAN_ID}/result.json"

Files = dict[str, "str | bytes | None"]


def edit(text: str, old: str, new: str) -> str:
    """`text` with the one occurrence of `old` replaced."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def inspector_file(n: int) -> str:
    return f"records/inspectors/211324190{n:02d}.yaml"


def uscc(first17: str) -> str:
    """A 统一社会信用代码 with a correct check character."""
    return first17 + check_character(first17)


def firm_id(n: int) -> str:
    """The n-th law firm (n = 1 is the valid tree's firm)."""
    return FIRM_ID if n == 1 else uscc(f"31211300MD{n:06d}1")


def firm_file(n: int) -> str:
    return f"records/institutions/{firm_id(n)}.yaml"


def firm(n: int) -> str:
    return edit(edit(INSTITUTION, f'id: "{FIRM_ID}"', f'id: "{firm_id(n)}"'),
                f'uscc: "{FIRM_ID}"', f'uscc: "{firm_id(n)}"').replace(
        "示例青松律师事务所", f"示例第{n}律师事务所")


def tree_with(changes: Files, base: dict[str, str | bytes] | None = None) -> Files:
    """`base` (default valid_tree()) with files replaced, added, or removed (None)."""
    return {**(valid_tree() if base is None else base), **changes}


def write_files(root: Path, files: Files) -> Path:
    """Write `files` under `root`; None removes a file."""
    for name, content in files.items():
        if content is None:
            (root / name).unlink(missing_ok=True)
    return write_tree(root, {k: v for k, v in files.items() if v is not None})


def line_of(root: Path, file: str, marker: str) -> int:
    """The number of the one line of `file` that contains `marker`."""
    lines = (root / file).read_text(encoding="utf-8").splitlines()
    found = [n for n, line in enumerate(lines, start=1) if marker in line]
    assert len(found) == 1, (file, marker, found)
    return found[0]


def round_json(chain: str = "quicknet", number: int = 1000) -> dict:
    """A real drand round as a relay serves it (round, randomness, signature)."""
    entries = json.loads(ROUNDS.read_text(encoding="utf-8"))
    entry = next(e for e in entries if e["chain"] == chain and e["round"] == number)
    return {k: entry[k] for k in ("round", "randomness", "signature")}


# --- git: the package committed, so `ssj check` has no "not in git" warning --------------------

GIT_ENV = {"GIT_AUTHOR_NAME": "测试", "GIT_AUTHOR_EMAIL": "test@example.invalid",
           "GIT_COMMITTER_NAME": "测试", "GIT_COMMITTER_EMAIL": "test@example.invalid",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=root,
                   env={**os.environ, **GIT_ENV}, check=True, capture_output=True)


# --- the drawn tree ---------------------------------------------------------------------------

def random_finding(number: int, target: str, team: list[str]) -> str:
    """A compliant random inspection of a drawn target by its drawn team, as staff record it."""
    return f"""\
id: {PLAN_ID}-{number:02d}
plan: {PLAN_ID}
target: "{target}"
inspectors: [{", ".join(f'"{i}"' for i in team)}]
inspected:
  start: 2025-04-10
  end: 2025-04-10
method: onsite
items: [lf-01]
outcome: compliant
result: 未发现问题。
published_on: 2025-04-20
"""


@dataclass(frozen=True)
class Drawn:
    """A records tree whose plan 2025-01 (three law firms, k = 2, four inspectors) was frozen
    and drawn by the CLI, every drawn target inspected by its drawn team on 2025-04-10; the
    package is committed to git (so commit-before-reveal gives only a notice for example data).
    """

    root: Path  # prepared once; copy() it into each test's tmp_path
    files: dict[str, str]  # the record files as written (excluding records/draws/)
    teams: tuple[tuple[str, tuple[str, ...]], ...]  # (target, inspectors) in the result's order

    def target(self, n: int) -> str:
        return self.teams[n - 1][0]

    def team(self, n: int) -> tuple[str, ...]:
        return self.teams[n - 1][1]

    @property
    def undrawn(self) -> str:
        (other,) = {firm_id(n) for n in (1, 2, 3)} - {t for t, _ in self.teams}
        return other

    def finding_file(self, n: int) -> str:
        return f"records/findings/{PLAN_ID}-{n:02d}.yaml"

    def finding(self, n: int) -> str:
        return self.files[self.finding_file(n)]

    def institution_file(self, target: str) -> str:
        return f"records/institutions/{target}.yaml"

    def institution(self, target: str) -> str:
        return self.files[self.institution_file(target)]

    def copy(self, dest: Path) -> Path:
        shutil.copytree(self.root, dest, dirs_exist_ok=True)
        return dest


def build_drawn(root: Path) -> Drawn:
    files: dict[str, str] = {
        name: text for name, text in valid_tree().items()
        if isinstance(text, str) and not name.startswith(
            ("records/findings/", "records/lists/", "records/credit-notices/"))}
    for n in (2, 3):
        files[firm_file(n)] = firm(n)
    files[inspector_file(3)] = inspector("21132419003", "lawyer")
    files[inspector_file(4)] = inspector("21132419004", "supervision")
    files[PLAN_FILE] = edit(PLAN, "min_count: 1", "min_count: 2")
    write_tree(root, files)
    out = run_ssj(root, "draw", "freeze", PLAN_ID)
    assert out.exit_code == 0, out.output
    (root / "round.json").write_text(json.dumps(round_json()), encoding="utf-8")
    out = run_ssj(root, "draw", "run", PLAN_ID, "--drand-round", "round.json")
    assert out.exit_code == 0, out.output
    (root / "round.json").unlink()
    result = json.loads((root / RESULT_FILE).read_bytes())
    teams = tuple((t["target"], tuple(t["inspectors"])) for t in result["teams"])
    assert len(teams) == 2
    for n, (target, team) in enumerate(teams, start=1):
        files[f"records/findings/{PLAN_ID}-{n:02d}.yaml"] = random_finding(n, target, list(team))
    write_tree(root, files)
    git(root, "init", "-q")
    git(root, "add", "records")
    git(root, "commit", "-q", "-m", "records, frozen and drawn")
    return Drawn(root, files, teams)


@pytest.fixture(scope="session", name="drawn_tree")
def drawn_tree_fixture(tmp_path_factory: pytest.TempPathFactory) -> Drawn:
    """The drawn tree, built once; tests copy it (drawn_tree.copy(tmp_path)) before editing."""
    return build_drawn(tmp_path_factory.mktemp("drawn"))
