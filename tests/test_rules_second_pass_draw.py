"""The regulation as read, second pass (issue 25, part B): the draw's checks and the yearly report.

- 二（四）/二（五）/二（八）/二（九）: a stored package that is not what the records give is refused
  under the clause the difference breaches (draw.derivation-inspectors, draw.derivation,
  draw.derivation-weight, draw.derivation-team), not all under 二（五）.
- A fault confined to one draw's files stops no rule: the rules that do not read that draw still
  speak, and none of them speaks from the faulty draw.
- 四（三）: the yearly summary is made whatever the records' state; a shortfall is its content.
- The catalogue says of a check with no clause that it serves the records' integrity.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Callable

import pytest

from generator.draw.spec import commitment, draw, serialise
from tests.records_tree import JURISDICTION, run_ssj
from tests.rules_tree import (  # noqa: F401  (the drawn_tree fixture)
    JURISDICTION_FILE,
    PLAN_ID,
    RESULT_FILE,
    Drawn,
    drawn_tree_fixture,
    edit,
    random_finding,
    tree_with,
    write_files,
)

DRAWS = f"records/draws/{PLAN_ID}"
PACKAGE = f"{DRAWS}/package.json"
AS_OF = "2025-06-01"
# 二（八）: complaints weighted as an ordinary target, below the regulation (policy.floor)
BELOW_FLOOR = {JURISDICTION_FILE: edit(JURISDICTION, "    complaints: 2\n", "    complaints: 1\n")}


def uncommitted(drawn_tree: Drawn, tmp_path: Path) -> Path:
    """The drawn tree outside git: its package is then held to the records as they are now (in
    git it was published after its round, and only the records before that round could say)."""
    root = drawn_tree.copy(tmp_path)
    shutil.rmtree(root / ".git")
    return root


def lines(output: str, rule: str, label: str = "错误") -> list[str]:
    assert "Traceback" not in output
    return [line for line in output.splitlines() if f" {label} [{rule}] " in line]


def redrawn(root: Path, change: Callable[[dict], None]) -> None:
    """The package edited, its commitment and result recomputed and the drawn targets inspected
    by their teams, so that only the derivation is wrong."""
    package = json.loads((root / PACKAGE).read_bytes())
    change(package)
    values = json.loads((root / DRAWS / "values.json").read_bytes())
    result = draw(package, values)
    for old in (root / "records/findings").glob(f"{PLAN_ID}-*.yaml"):
        old.unlink()
    write_files(root, {
        PACKAGE: json.dumps(package, ensure_ascii=False, indent=2) + "\n",
        f"{DRAWS}/commitment.txt": commitment(package) + "\n",
        RESULT_FILE: serialise(result).decode("utf-8"),
        **{f"records/findings/{PLAN_ID}-{n:02d}.yaml":
           random_finding(n, team["target"], team["inspectors"])
           for n, team in enumerate(result["teams"], start=1)}})


def weighted(package: dict) -> None:
    package["strata"][0]["targets"][0]["weight"] = 5


def inspector_dropped(package: dict) -> None:
    package["inspectors"] = package["inspectors"][:-1]


def lead_changed(package: dict) -> None:
    package["strata"][0]["min_lead"] = 0


def excluded(package: dict) -> None:
    target = package["strata"][0]["targets"][0]["id"]
    package["exclusions"] = [{"target": target, "inspector": package["inspectors"][0]["id"],
                              "reason": "recusal"}]


def k_lowered(package: dict) -> None:
    package["strata"][0]["k"] = 1


# each hand edit, the check of the clause it breaches, and what that check says
DERIVATIONS = {
    "pool-k": (k_lowered, "draw.derivation", "抽取包为 1 家"),
    "inspectors-eligible": (inspector_dropped, "draw.derivation-inspectors", "却不在可选人员中"),
    "inspectors-lead": (lead_changed, "draw.derivation-inspectors", "每组来自主管股室的最少人数"),
    "weight": (weighted, "draw.derivation-weight", "的抽签份数应为 1"),
    "team-exclusion": (excluded, "draw.derivation-team", "但记录中没有这个理由"),
}


def test_derivation_passes_for_the_package_the_records_give(drawn_tree: Drawn,
                                                            tmp_path: Path) -> None:
    out = run_ssj(uncommitted(drawn_tree, tmp_path), "check", "--as-of", AS_OF)
    assert out.exit_code == 0, out.output
    assert " 错误 [draw.derivation" not in out.output


@pytest.mark.parametrize("change, rule, says", DERIVATIONS.values(), ids=DERIVATIONS.keys())
def test_derivation_fails_under_its_own_clause(drawn_tree: Drawn, tmp_path: Path,
                                               change: Callable[[dict], None], rule: str,
                                               says: str) -> None:
    root = uncommitted(drawn_tree, tmp_path)
    redrawn(root, change)
    out = run_ssj(root, "check", "--as-of", AS_OF)
    assert out.exit_code == 1, out.output
    found = lines(out.output, rule)
    assert found and all(line.startswith(f"{PACKAGE}:1: ") for line in found), out.output
    assert any(says in line for line in found), found
    # no other clause claims the same difference
    assert {line.split("[")[1].split("]")[0] for line in out.output.splitlines()
            if " 错误 [draw.derivation" in line} == {rule}, out.output


# --- a fault in one draw's files --------------------------------------------------------------

FAULTS = {
    "values-not-json": ("values.json", "load.json", lambda raw: raw[:-3]),
    "result-edited": ("result.json", "draw.result", lambda raw: raw.replace(b'"teams"', b'"teams" ', 1)),
}


def faulty(root: Path, name: str, damage: Callable[[bytes], bytes]) -> None:
    path = root / DRAWS / name
    path.write_bytes(damage(path.read_bytes()))


@pytest.mark.parametrize("name, rule, damage", FAULTS.values(), ids=FAULTS.keys())
def test_a_faulty_draw_stops_no_unrelated_rule(drawn_tree: Drawn, tmp_path: Path, name: str,
                                               rule: str, damage) -> None:  # type: ignore[no-untyped-def]
    root = drawn_tree.copy(tmp_path)
    faulty(root, name, damage)
    write_files(root, BELOW_FLOOR)
    out = run_ssj(root, "check", "--as-of", AS_OF)
    assert out.exit_code == 1, out.output
    assert lines(out.output, rule), out.output
    assert lines(out.output, "policy.floor"), out.output


@pytest.mark.parametrize("name, rule, damage", FAULTS.values(), ids=FAULTS.keys())
def test_no_rule_speaks_from_a_faulty_draw(drawn_tree: Drawn, tmp_path: Path, name: str,
                                           rule: str, damage) -> None:  # type: ignore[no-untyped-def]
    root = drawn_tree.copy(tmp_path)
    faulty(root, name, damage)
    # after the schedule: read as stored or left out, the draw could mislead plan.* rules
    out = run_ssj(root, "check", "--as-of", "2025-12-31")
    assert lines(out.output, rule), out.output
    ruled = [line for line in out.output.splitlines()
             if " 错误 [" in line and not line.split("[")[1].startswith(("draw.", "load."))]
    assert ruled == [], out.output


# --- 四（三）: the yearly summary ------------------------------------------------------------------

def test_report_of_a_year_below_the_floor_shows_the_shortfall(tmp_path: Path) -> None:
    write_files(tmp_path, tree_with(BELOW_FLOOR))
    assert run_ssj(tmp_path, "check", "--as-of", AS_OF).exit_code == 1
    out = run_ssj(tmp_path, "report", "2025", "--as-of", AS_OF)
    assert out.exit_code == 0, out.output
    assert "规则检查（截至 2025-06-01）：错误 1" in out.output
    (shortfall,) = lines(out.output, "policy.floor")
    assert shortfall.strip().startswith(f"{JURISDICTION_FILE}:"), out.output
    markdown = run_ssj(tmp_path, "report", "2025", "--as-of", AS_OF, "--format", "markdown")
    assert markdown.exit_code == 0 and "- records/jurisdiction.yaml:" in markdown.output


def test_report_of_a_year_at_the_floor_lists_no_error(tmp_path: Path) -> None:
    write_files(tmp_path, tree_with({}))
    out = run_ssj(tmp_path, "report", "2025", "--as-of", AS_OF)
    assert out.exit_code == 0, out.output
    assert "规则检查（截至 2025-06-01）：错误 0" in out.output
    assert not lines(out.output, "policy.floor")


@pytest.mark.parametrize("remove", ["records/jurisdiction.yaml", "records"])
def test_report_of_unreadable_records_is_one_line(tmp_path: Path, remove: str) -> None:
    write_files(tmp_path, tree_with({"records/jurisdiction.yaml": None}))
    if remove == "records":
        (tmp_path / "records").rename(tmp_path / "elsewhere")
    out = run_ssj(tmp_path, "report", "2025", "--as-of", AS_OF)
    assert out.exit_code != 0
    assert "Traceback" not in out.output
    assert len(out.output.strip().splitlines()) == 1, out.output


# --- the catalogue: a check with no clause -------------------------------------------------------

def test_a_check_without_a_clause_says_it_serves_integrity() -> None:
    out = run_ssj(Path.cwd(), "rules")
    assert out.exit_code == 0
    rows = [line.split("\t") for line in out.output.splitlines()]
    assert all(row[2] != "—" for row in rows)
    assert {row[2] for row in rows if row[0].startswith("load.")} == {"记录完整性（不对应方案条款）"}
    assert {row[0]: row[2] for row in rows}["draw.derivation-weight"] == "方案 二（八）"
