"""方案 二(八) counts inspections actually made, not plans; the 方案's floor; a draw by a higher
bureau (二(三)). The rule cases themselves are in tests/test_rules.py (year.frequency,
policy.floor, plan.delegated-draw); here are the trees that need a draw of their own, and the
counting as the model does it, which the rules and the yearly report share.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.records.load import load_records
from generator.rules.planning import FLOORS
from tests.records_tree import FIRM_ID, INSTITUTION, ITEM, PLAN, run_ssj, valid_tree
from tests.rules_tree import (
    FINDING_FILE,
    JURISDICTION_FILE,
    PLAN_FILE,
    RESULT_FILE,
    edit,
    firm,
    firm_file,
    git,
    line_of,
    round_json,
    tree_with,
    uscc,
    write_files,
)
from tests.test_rules import (
    LAW_FIRM,
    NT_ITEM_FILE,
    RANDOM_FINDING,
    delegated,
    law_firm_policy,
    notary_policy,
    quota,
)

REGULATION = Path(__file__).resolve().parent.parent.parent / "shared" / "regulation"

# the valid tree's item, for notaries
NOTARY_ITEM = edit(edit(ITEM, "id: lf-01", "id: nt-01"), "sector: law-firm", "sector: notary")
NOTARIES_ONCE_A_YEAR = notary_policy(
    entry="inspections_per_year: 1, min_targets: 1, ratio_percent: 100",
    base=law_firm_policy(LAW_FIRM, "2025-01-01"))


@pytest.mark.skipif(not (REGULATION / "kazuo-sifaju-2024-5.txt").is_file(),
                    reason="shared/ is not beside this checkout (a bureau's fork has none)")
def test_the_floors_are_the_regulations_words() -> None:
    """Each floor declared in code is what its item of 二(八) says."""
    text = "".join((REGULATION / "kazuo-sifaju-2024-5.txt").read_text(encoding="utf-8").split())
    said = {"law-firm": "律师事务所。县局一般每年开展一次随机抽查，每次不少于2家",
            "notary": "公证处。每年开展一次检查", "grassroots":
            "基层法律服务所。县司法局一般每年开展一次随机抽查，每次不少于1家",
            "appraisal": "司法鉴定机构。每年开展一次检查", "legal-aid": "法律援助机构。每年开展一次检查"}
    assert set(FLOORS) == set(said)
    for n, (sector, words) in enumerate(said.items(), start=1):
        assert f"{n}.{words}" in text, sector
        floor = FLOORS[sector]
        assert floor.clause == f"二（八）{n}" and floor.per_year == 1
        assert floor.random_only == ("随机抽查" in words)
        count = re.search(r"不少于(\d)家", words)
        assert floor.min_targets == (int(count.group(1)) if count else 1)


def test_a_plan_that_drew_none_of_a_sector_is_no_inspection_of_it(tmp_path: Path) -> None:
    """The plan names law firms and notaries; the county's one notary starts practice after
    the pool date, so the draw selects none: it counted once for notaries before, and counts
    nothing now (while the notary in practice later that year still asks for an inspection)."""
    files = {name: text for name, text in valid_tree().items() if isinstance(text, str)
             and not name.startswith(("records/findings/", "records/lists/",
                                      "records/credit-notices/"))}
    files[firm_file(2)] = firm(2)
    notary = uscc("32211300MD0000011")
    files[f"records/institutions/{notary}.yaml"] = edit(edit(edit(
        INSTITUTION.replace(FIRM_ID, notary), "sector: law-firm", "sector: notary"),
        "示例青松律师事务所", "示例公证处"), "since: 2015-03-01", "since: 2025-06-01")
    files[NT_ITEM_FILE] = NOTARY_ITEM
    files[PLAN_FILE] = edit(edit(PLAN, "    min_count: 1\n", """\
    min_count: 1
  - sector: notary
    ratio_percent: 100
    min_count: 1
"""), "items: [lf-01]", "items: [lf-01, nt-01]")
    write_files(tmp_path, files)
    assert run_ssj(tmp_path, "draw", "freeze", "2025-01").exit_code == 0
    (tmp_path / "round.json").write_text(json.dumps(round_json()), encoding="utf-8")
    run = run_ssj(tmp_path, "draw", "run", "2025-01", "--drand-round", "round.json")
    assert run.exit_code == 0, run.output
    (tmp_path / "round.json").unlink()
    result = json.loads((tmp_path / RESULT_FILE).read_bytes())
    (team,) = result["teams"]  # one law firm; no notary
    assert {s["id"]: s["k"] for s in result["strata"]} == {"law-firm": 1, "notary": 0}
    # the policy asks for notaries once a year only now (freezing checks the records as of today)
    write_files(tmp_path, {JURISDICTION_FILE: NOTARIES_ONCE_A_YEAR, FINDING_FILE: edit(edit(edit(
        RANDOM_FINDING, f'target: "{FIRM_ID}"', f'target: "{team["target"]}"'),
        '["21132419001", "21132419002"]', json.dumps(team["inspectors"])),
        "outcome: unreachable\nresult: 通过登记的住所无法联系。\n",
        "outcome: compliant\nresult: 未发现问题。\n")})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "records")
    git(tmp_path, "commit", "-q", "-m", "drawn")

    records, problems = load_records(tmp_path / "records")
    assert not [p for p in problems if p.severity == "error"], problems
    assert records.drawn_plans(2025, "notary") == ()  # named in the scope, but drew none
    assert [p.id for p in records.drawn_plans(2025, "law-firm")] == ["2025-01"]
    assert records.counted_rounds(2025, "notary") == ()
    (made,) = records.counted_rounds(2025, "law-firm")
    assert made.kind == "random" and made.institutions == {team["target"]}

    run = run_ssj(tmp_path, "check", "--as-of", "2026-01-15")
    assert run.exit_code == 1, run.output
    line = line_of(tmp_path, JURISDICTION_FILE, "{sector: notary")
    flagged = [x for x in run.output.splitlines() if "[year.frequency]" in x]
    assert flagged == [x for x in flagged if x.startswith(f"{JURISDICTION_FILE}:{line}: ")]
    assert any("2025 年公证处实际完成抽查 0 次" in x and "少于每年 1 次" in x for x in flagged), \
        run.output
    assert not [x for x in run.output.splitlines() if "错误 [" in x
                and "[year.frequency]" not in x], run.output

    report = json.loads(run_ssj(tmp_path, "report", "2025", "--as-of", "2025-12-31",
                                "--format", "json").output)
    rows = {r["sector"]: r for r in report["rows"]}
    assert (rows["law-firm"]["rounds"], rows["law-firm"]["smallest_round"]) == (1, 1)
    assert (rows["notary"]["rounds"], rows["notary"]["policy_per_year"]) == (0, 1)


def _records(tmp_path: Path, changes: dict):  # type: ignore[no-untyped-def]
    write_files(tmp_path, tree_with(changes))
    records, problems = load_records(tmp_path / "records")
    assert not [p for p in problems if p.severity == "error"], problems
    return records


def test_targeted_inspections_count_only_where_the_policy_says(tmp_path: Path) -> None:
    records = _records(tmp_path, {JURISDICTION_FILE: quota()})
    (made,) = records.rounds(2025, "law-firm")
    assert made.kind == "targeted" and made.plan is None and made.size == 1
    assert records.counted_rounds(2025, "law-firm") == ()
    records = _records(tmp_path, {JURISDICTION_FILE: quota("      targeted_count: true\n")})
    assert records.counted_rounds(2025, "law-firm") == records.rounds(2025, "law-firm")
    assert records.counted_rounds(2024, "law-firm") == ()  # inspected in 2025
    # as of a day before the inspection, it was not yet made
    import datetime as dt
    assert records.counted_rounds(2025, "law-firm", dt.date(2025, 4, 9)) == ()


def test_inspections_drawn_by_a_higher_bureau_count_only_where_the_policy_says(
        tmp_path: Path) -> None:
    records = _records(tmp_path, {JURISDICTION_FILE: quota(), PLAN_FILE: delegated(PLAN),
                                  FINDING_FILE: RANDOM_FINDING})
    (made,) = records.rounds(2025, "law-firm")
    assert made.kind == "delegated" and made.plan.id == "2025-01"
    assert made.institutions == {FIRM_ID}
    assert records.counted_rounds(2025, "law-firm") == ()
    assert records.drawn_plans(2025, "law-firm") == ()  # no draw here
    records = _records(tmp_path, {JURISDICTION_FILE: quota("      delegated_count: true\n"),
                                  PLAN_FILE: delegated(PLAN), FINDING_FILE: RANDOM_FINDING})
    assert records.counted_rounds(2025, "law-firm") == (made,)


def test_an_inspection_of_a_plan_drawn_here_counts_only_once_drawn(tmp_path: Path) -> None:
    """A finding under a plan whose draw is not on record is no random inspection made."""
    records = _records(tmp_path, {JURISDICTION_FILE: quota(), FINDING_FILE: RANDOM_FINDING})
    assert records.rounds(2025, "law-firm") == ()


def test_the_delegated_draw_is_checked_on_load(tmp_path: Path) -> None:
    bad = edit(delegated(PLAN), "commitment: c6f84a", "commitment: C6F84A")
    write_files(tmp_path, tree_with({PLAN_FILE: bad}))
    run = run_ssj(tmp_path, "check", "--as-of", "2025-06-01")
    assert run.exit_code == 1
    assert re.search(rf"^{PLAN_FILE}:[0-9]+: 错误 \[load.format\] 字段 draw.delegated.commitment",
                     run.output, re.M), run.output
