"""`ssj report YEAR`: the yearly summary per sector (方案 四(三)) in every format.

Expectations for the bundled example county are computed from its YAML files (read with plain
PyYAML, not the project's model), so the test follows the example records as they change; the
figures the example was written to show are pinned as well.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from generator.records.kinds import SECTORS, choices
from tests.records_tree import FINDING, run_ssj
from tests.rules_tree import (  # noqa: F401  (the drawn_tree fixture)
    FINDING_FILE,
    FIRM_ID,
    REPO,
    Drawn,
    drawn_tree_fixture,
    edit,
    tree_with,
    write_files,
)

RECORDS = REPO / "records"
# each header says what its column counts (issue 14: 实地检查 and the results counted different
# inspections): random inspections (户次) apart from targeted ones, rectifications of both
COLUMNS = ["行业", "名录数（家）", "随机抽查对象（家）", "抽查比例%", "随机检查（户次）",
           "非随机检查（户次）", "实际抽查次数", "每次最少家数", "方案下限", "本局政策", "低于下限的理由",
           "随机检查中实地检查（户次）", "随机检查实地占比%", "随机检查结果（户次）",
           "非随机检查结果（户次）", "整改未结（全部检查）", "整改已结（全部检查）", "列入名录",
           "移出名录"]
# 方案 二(八) 1–5 as the report words them: (times a year, institutions each time, words)
FLOORS = {"law-firm": (1, 2, "每年 1 次随机抽查，每次不少于 2 家（二（八）1）"),
          "notary": (1, 1, "每年 1 次检查（二（八）2）"),
          "grassroots": (1, 1, "每年 1 次随机抽查，每次不少于 1 家（二（八）3）"),
          "appraisal": (1, 1, "每年 1 次检查（二（八）4）"),
          "legal-aid": (1, 1, "每年 1 次检查（二（八）5）")}
OUTCOME_LABELS = choices("finding", "outcome")  # as the report names each result
RANDOM_1 = "records/findings/2025-01-01.yaml"
RANDOM_2 = "records/findings/2025-01-02.yaml"


def report(root: Path, *args: str) -> str:
    run = run_ssj(root, "report", *args)
    assert run.exit_code == 0, run.output
    assert "Traceback" not in run.output
    return run.output


def report_json(root: Path, year: str, as_of: str) -> dict:
    return json.loads(report(root, year, "--as-of", as_of, "--format", "json"))


# ------------------------------------------------------------------------------------------------
# The example county, read independently
# ------------------------------------------------------------------------------------------------

def _load(folder: str) -> list[dict]:
    return [yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in sorted((RECORDS / folder).glob("*.yaml"))]


def _status(record: dict, day: dt.date) -> str | None:
    current = None
    for entry in record["status_history"]:
        if entry["since"] <= day:
            current = entry["status"]
    return current


def expected_rows(year: int, day: dt.date) -> list[dict]:
    """The report's rows as the example's records say they should be on `day`."""
    institutions = {r["id"]: r for r in _load("institutions")}
    persons = {r["id"]: r for r in _load("personnel")}

    def institution(target: str) -> dict:
        return institutions.get(target) or institutions[persons[target]["institution"]]

    findings = [f for f in _load("findings")
                if f["inspected"]["start"].year == year and f["inspected"]["start"] <= day]
    entries = _load("lists")
    policy = {s["sector"]: s for s in
              yaml.safe_load((RECORDS / "jurisdiction.yaml").read_text(encoding="utf-8"))
              ["policy"]["sectors"]}
    plans = _load("plans")
    superseded = {p["revision"]["supersedes"] for p in plans if p.get("revision")}

    def made(sector: str) -> list[int]:
        """Institutions inspected in each inspection that counts (方案 二(八))."""
        entry = policy.get(sector, {})
        sizes = []
        for plan in plans:
            result = RECORDS / "draws" / plan["id"] / "result.json"
            higher = plan["draw"].get("delegated")
            if plan["id"] in superseded or (higher and not entry.get("delegated_count")) \
                    or (not higher and not result.exists()):
                continue
            drawn = None if higher else {
                t["target"] for t in json.loads(result.read_bytes())["teams"]}
            inspected = {institution(f["target"])["id"] for f in findings
                         if f.get("plan") == plan["id"]
                         and institution(f["target"])["sector"] == sector
                         and (drawn is None or institution(f["target"])["id"] in drawn)}
            if inspected:
                sizes.append(len(inspected))
        if entry.get("targeted_count"):
            sizes += [1 for f in findings if f.get("targeted")
                      and institution(f["target"])["sector"] == sector]
        return sizes

    rows = []
    for sector, name in SECTORS.items():
        roster = [i for i in institutions.values()
                  if i["sector"] == sector and _status(i, day) == "active"]
        mine = [f for f in findings if institution(f["target"])["sector"] == sector]
        random = [f for f in mine if f.get("plan")]
        inspected = {institution(f["target"])["id"] for f in random}
        onsite = sum(1 for f in random if f["method"] == "onsite")
        open_, closed = 0, 0
        for f in mine:  # one rectification per finding followed up: its latest visit decides
            visits = [v for v in f.get("follow_ups") or () if v.get("visited_on")
                      and v["visited_on"] <= day]
            if not f.get("follow_ups"):
                continue
            if visits and visits[-1].get("outcome") == "rectified":
                closed += 1
            else:
                open_ += 1
        moved = [e for e in entries if institutions[e["institution"]]["sector"] == sector]
        rows.append({
            "sector": sector, "name": name, "roster": len(roster), "inspected": len(inspected),
            "ratio_percent": len(inspected) * 100 // len(roster) if roster else 0,
            "random_inspections": len(random), "targeted_inspections": len(mine) - len(random),
            "onsite": onsite, "onsite_percent": onsite * 100 // len(random) if random else 0,
            "outcomes": dict(sorted(Counter(f["outcome"] for f in random).items())),
            "targeted_outcomes": dict(sorted(Counter(f["outcome"] for f in mine
                                                     if not f.get("plan")).items())),
            "rectifications_open": open_, "rectifications_closed": closed,
            "listed": sum(1 for e in moved if e["entered_on"].year == year),
            "delisted": sum(1 for e in moved if e.get("exit") and e["exit"]["date"].year == year),
            **frequency(sector, made(sector), policy.get(sector)),
        })
    return rows


def frequency(sector: str, sizes: list[int], entry: dict | None) -> dict:
    """The report's 二(八) columns for a sector: inspections made, floor, policy, reason."""
    per_year, each, words = FLOORS[sector]
    counted = [label for key, label in (("targeted_count", "非随机检查"),
                                        ("delegated_count", "上级抽取的委托检查"))
               if entry and entry.get(key)]
    return {"rounds": len(sizes), "smallest_round": min(sizes, default=0),
            "floor_per_year": per_year, "floor_min_targets": each, "floor": words,
            "policy_per_year": entry["inspections_per_year"] if entry else None,
            "policy_min_targets": entry["min_targets"] if entry else None,
            "policy": (f"每年 {entry['inspections_per_year']} 次，每次不少于 {entry['min_targets']} 家"
                       + (f"（计入{'、'.join(counted)}）" if counted else "")
                       if entry else "未列入政策"),
            "exemption": entry.get("exemption") if entry else None}


@pytest.mark.parametrize("year, day", [(2025, "2025-12-31"), (2026, "2026-11-24")])
def test_example_json_matches_the_records(year: int, day: str) -> None:
    data = report_json(REPO, str(year), "2026-11-24")
    assert data["year"] == year and data["as_of"] == day  # a finished year is summarised at its end
    assert [r["sector"] for r in data["rows"]] == list(SECTORS)
    assert data["rows"] == expected_rows(year, dt.date.fromisoformat(day))
    assert data["rule_errors"] == 0 and data["rule_warnings"] == 0


def test_example_json_2025_figures() -> None:
    """The figures the example county was written to show for 2025."""
    data = report_json(REPO, "2025", "2026-11-24")
    assert set(data) == {"year", "as_of", "rows", "rule_errors", "rule_warnings", "irregularities",
                         "problems", "rules_ran"}
    assert data["problems"] == [] and data["rules_ran"]
    assert data["irregularities"] == []  # the example's one notice is of 2026
    assert len(data["rows"]) == 5
    rows = {r["sector"]: r for r in data["rows"]}
    firms = rows["law-firm"]
    assert (firms["name"], firms["roster"], firms["inspected"], firms["ratio_percent"]) == (
        "律师事务所", 12, 3, 25)
    assert (firms["random_inspections"], firms["targeted_inspections"]) == (3, 0)
    assert (firms["onsite"], firms["onsite_percent"]) == (3, 100)
    assert firms["outcomes"] == {"compliant": 1, "unreachable": 1, "violation": 1}
    assert (firms["listed"], firms["delisted"]) == (2, 0)  # abnormal-2025-01, blacklist-2025-01
    assert (firms["rectifications_open"], firms["rectifications_closed"]) == (0, 1)
    assert rows["grassroots"]["outcomes"] == {"issues-found": 1}
    assert sum(r["random_inspections"] for r in data["rows"]) == 7
    assert data["rule_errors"] == 0
    # 二(八): one inspection a year of every sector, against the 方案's floor and the policy
    assert (firms["rounds"], firms["smallest_round"]) == (1, 3)  # plan 2025-01: three firms
    assert (firms["floor"], firms["policy"]) == (
        "每年 1 次随机抽查，每次不少于 2 家（二（八）1）", "每年 1 次，每次不少于 2 家")
    assert [(r["rounds"], r["smallest_round"], r["exemption"]) for r in data["rows"]] == [
        (1, 3, None), (1, 1, None), (1, 1, None), (1, 1, None), (1, 1, None)]


def test_example_json_2026_counts_the_targeted_inspection_apart() -> None:
    rows = {r["sector"]: r for r in report_json(REPO, "2026", "2026-11-24")["rows"]}
    firms = rows["law-firm"]
    assert (firms["random_inspections"], firms["targeted_inspections"], firms["inspected"]) == (
        3, 1, 3)
    assert (firms["listed"], firms["delisted"]) == (0, 1)  # abnormal-2025-01 removed in 2026
    # every column counts what its header says: the results of the random inspections add up to
    # the random inspections, those of the targeted ones to the targeted ones (issue 14)
    for row in rows.values():
        assert sum(row["outcomes"].values()) == row["random_inspections"] >= row["onsite"]
        assert sum(row["targeted_outcomes"].values()) == row["targeted_inspections"]
    assert rows["notary"]["onsite"] == 0 and rows["notary"]["onsite_percent"] == 0


def test_year_defaults_to_the_as_of_year() -> None:
    data = json.loads(report(REPO, "--as-of", "2026-11-24", "--format", "json"))
    assert data["year"] == 2026 and data["as_of"] == "2026-11-24"


def test_example_csv() -> None:
    text = report(REPO, "2025", "--as-of", "2026-11-24", "--format", "csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["年度"] + COLUMNS
    body = rows[1:]
    assert len(body) == 5
    expected = expected_rows(2025, dt.date(2025, 12, 31))
    assert any(want["outcomes"] for want in expected)  # so the results' labels are compared
    for row, want in zip(body, expected):
        assert len(row) == len(COLUMNS) + 1
        cells = dict(zip(["年度"] + COLUMNS, row))
        assert cells["年度"] == "2025" and cells["行业"] == want["name"]
        assert cells["名录数（家）"] == str(want["roster"])
        assert cells["随机抽查对象（家）"] == str(want["inspected"])
        assert cells["抽查比例%"] == str(want["ratio_percent"])
        assert cells["非随机检查（户次）"] == str(want["targeted_inspections"])
        assert cells["整改已结（全部检查）"] == str(want["rectifications_closed"])
        assert cells["列入名录"] == str(want["listed"])
        outcomes = "；".join(f"{OUTCOME_LABELS[k]} {v}" for k, v in want["outcomes"].items())
        assert cells["随机检查结果（户次）"] == (outcomes or "—")
    assert body[0][1:5] == ["律师事务所", "12", "3", "25"]


def test_example_markdown() -> None:
    text = report(REPO, "2025", "--as-of", "2026-11-24", "--format", "markdown")
    lines = text.splitlines()
    assert lines[0] == "## 2025 年“双随机一公开”抽查情况汇总"
    table = [line for line in lines if line.startswith("|")]
    assert table[0] == "| " + " | ".join(COLUMNS) + " |"
    assert set(table[1].replace("|", "").split()) == {"---"}
    body = table[2:]
    assert len(body) == 5
    for line, name in zip(body, SECTORS.values()):
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert len(cells) == len(COLUMNS) and cells[0] == name
    assert body[0].startswith("| 律师事务所 | 12 | 3 | 25 |")
    assert lines[-1] == "规则检查（截至 2025-12-31）：错误 0，警告 0"


def test_example_table() -> None:
    text = report(REPO, "2025", "--as-of", "2026-11-24")
    lines = text.splitlines()
    assert lines[0] == "2025 年“双随机一公开”抽查情况汇总（截至 2025-12-31）"
    assert [line for line in lines if line in SECTORS.values()] == list(SECTORS.values())
    start = lines.index("律师事务所")
    assert lines[start + 1:start + 5] == ["  名录数（家）：12", "  随机抽查对象（家）：3",
                                          "  抽查比例%：25", "  随机检查（户次）：3"]
    assert "  列入名录：2" in lines[start:lines.index("公证处")]
    assert lines[-1] == "规则检查（截至 2025-12-31）：错误 0，警告 0"
    assert max(len(line) for line in lines) <= 80


# ------------------------------------------------------------------------------------------------
# A small county written inline: the drawn tree (three law firms, two drawn and inspected)
# ------------------------------------------------------------------------------------------------

def outcome(finding: str, rest: str) -> str:
    """A drawn tree's finding with its compliant outcome replaced by `rest`."""
    return edit(finding, "outcome: compliant\nresult: 未发现问题。\n", rest)


def targeted(number: str, target: str, day: str, rest: str, method: str = "document") -> str:
    return f"""\
id: {number}
targeted:
  ground: complaint
  note: 收到群众投诉。
target: "{target}"
inspectors: ["21132419001", "21132419002"]
inspected:
  start: {day}
  end: {day}
method: {method}
items: [lf-01]
{rest}published_on: {day}
"""


def abnormal(number: str, target: str, entered: str, exit_: str) -> str:
    return f"""\
id: {number}
list: abnormal
institution: "{target}"
ground: other
reason: 未按规定报送年度执业情况。
decision:
  authority: 测试县司法局
  number: 测司异〔{entered[:4]}〕{number[-1]}号
  date: {entered}
entered_on: {entered}
exit:
  date: {exit_}
  reason: 已补报。
"""


def small_county(d: Drawn, root: Path) -> None:
    d.copy(root)
    write_files(root, {
        RANDOM_1: outcome(d.finding(1), """\
outcome: issues-found
result: 收费公示不规范。
handling:
  - action: rectification-ordered
    date: 2025-04-10
follow_ups:
  - due: 2025-05-10
    visited_on: 2025-05-09
    outcome: rectified
"""),
        RANDOM_2: outcome(d.finding(2), """\
outcome: issues-found
result: 未按规定建立执业档案。
handling:
  - action: rectification-ordered
    date: 2025-04-10
follow_ups:
  - due: 2025-05-10
    visited_on: 2025-05-09
    outcome: partly-rectified
  - due: 2026-03-31
"""),
        # targeted inspections of the firm that was not drawn: one in 2025, one in 2024
        "records/findings/2025-t-01.yaml": targeted("2025-t-01", d.undrawn, "2025-07-01", """\
outcome: violation
result: 超越执业范围执业。
handling:
  - action: rectification-ordered
    date: 2025-07-01
follow_ups:
  - due: 2025-08-10
    visited_on: 2025-08-08
    outcome: rectified
"""),
        "records/findings/2024-t-01.yaml": targeted("2024-t-01", d.undrawn, "2024-11-05", """\
outcome: compliant
result: 未发现问题。
""").replace('["21132419001", "21132419002"]', '["21132419003", "21132419004"]'),
        # listed and removed in 2025; listed in 2024 and removed in 2025 (before the pool date)
        "records/lists/abnormal-2025-01.yaml": abnormal("abnormal-2025-01", d.undrawn,
                                                        "2025-06-20", "2025-09-01"),
        "records/lists/abnormal-2024-01.yaml": abnormal("abnormal-2024-01", FIRM_ID,
                                                        "2024-06-01", "2025-02-01"),
    })
    check = run_ssj(root, "check", "--strict", "--as-of", "2025-12-31")
    assert check.exit_code == 0, check.output


def test_small_county(drawn_tree: Drawn, tmp_path: Path) -> None:
    small_county(drawn_tree, tmp_path)
    data = report_json(tmp_path, "2025", "2025-12-31")
    firms, *others = data["rows"]
    assert firms == {
        "sector": "law-firm", "name": SECTORS["law-firm"], "roster": 3,
        "inspected": 2, "ratio_percent": 66,  # 2 of 3, rounded down
        "random_inspections": 2, "targeted_inspections": 1,  # targeted ones apart, 2024 not at all
        "onsite": 2, "onsite_percent": 100,  # the targeted inspection was by documents
        "outcomes": {"issues-found": 2}, "targeted_outcomes": {"violation": 1},
        "rectifications_open": 1, "rectifications_closed": 2,
        "listed": 1, "delisted": 2,
        # one random inspection of two firms; the targeted one not counted (the policy's choice)
        "rounds": 1, "smallest_round": 2,
        "floor_per_year": 1, "floor_min_targets": 2,
        "floor": "每年 1 次随机抽查，每次不少于 2 家（二（八）1）",
        "policy_per_year": 0, "policy_min_targets": 1, "policy": "每年 0 次，每次不少于 1 家",
        "exemption": "测试用的最小记录，不考核年度抽查次数。",
    }
    for row in others:
        assert row["roster"] == row["inspected"] == row["ratio_percent"] == 0
        assert row["random_inspections"] == row["targeted_inspections"] == 0
        assert row["outcomes"] == {} and row["listed"] == row["delisted"] == 0
        assert row["rounds"] == row["smallest_round"] == 0
        assert row["exemption"].startswith("测试县没有")
    assert (data["rule_errors"], data["rule_warnings"]) == (0, 0)
    text = report(tmp_path, "2025", "--as-of", "2025-12-31", "--format", "markdown")
    assert ("| 律师事务所 | 3 | 2 | 66 | 2 | 1 | 1 | 2 "
            "| 每年 1 次随机抽查，每次不少于 2 家（二（八）1） | 每年 0 次，每次不少于 1 家 "
            f"| 测试用的最小记录，不考核年度抽查次数。 | 2 | 100 | {OUTCOME_LABELS['issues-found']} 2 "
            f"| {OUTCOME_LABELS['violation']} 1 "
            "| 1 | 2 | 1 | 2 |") in text.splitlines()
    assert ("| 公证处 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 每年 1 次检查（二（八）2） "
            "| 每年 0 次，每次不少于 0 家 | 测试县没有公证处。 | 0 | 0 | — | — | 0 | 0 | 0 | 0 |"
            ) in text.splitlines()


def test_small_county_the_year_before(drawn_tree: Drawn, tmp_path: Path) -> None:
    small_county(drawn_tree, tmp_path)
    firms = report_json(tmp_path, "2024", "2025-12-31")["rows"][0]
    assert (firms["random_inspections"], firms["targeted_inspections"], firms["inspected"]) == (
        0, 1, 0)
    assert firms["outcomes"] == {} and firms["targeted_outcomes"] == {"compliant": 1}
    assert (firms["listed"], firms["delisted"]) == (1, 0)


def test_a_rectification_is_counted_once_by_its_latest_visit(drawn_tree: Drawn,
                                                            tmp_path: Path) -> None:
    small_county(drawn_tree, tmp_path)
    write_files(tmp_path, {RANDOM_1: outcome(drawn_tree.finding(1), """\
outcome: issues-found
result: 收费公示不规范。
handling:
  - action: rectification-ordered
    date: 2025-04-10
follow_ups:
  - due: 2025-05-10
    visited_on: 2025-05-09
    outcome: not-rectified
  - due: 2025-06-10
    visited_on: 2025-06-09
    outcome: rectified
""")})
    firms = report_json(tmp_path, "2025", "2025-12-31")["rows"][0]
    # RANDOM_1 closed at its second visit; RANDOM_2 partly rectified; the targeted one closed
    assert (firms["rectifications_open"], firms["rectifications_closed"]) == (1, 2)


def test_rectifications_as_they_stood_on_the_report_date(drawn_tree: Drawn,
                                                         tmp_path: Path) -> None:
    small_county(drawn_tree, tmp_path)
    firms = report_json(tmp_path, "2025", "2025-05-01")["rows"][0]
    # on 2025-05-01 neither random finding had been revisited (visits on 2025-05-09)
    assert (firms["rectifications_open"], firms["rectifications_closed"]) == (2, 0)


def test_inspections_and_listings_as_they_stood_on_the_report_date(drawn_tree: Drawn,
                                                                   tmp_path: Path) -> None:
    small_county(drawn_tree, tmp_path)
    firms = report_json(tmp_path, "2025", "2025-04-05")["rows"][0]
    assert firms["random_inspections"] == firms["inspected"] == 0  # inspected on 2025-04-10
    assert firms["targeted_inspections"] == 0  # on 2025-07-01
    assert firms["outcomes"] == {}
    assert (firms["listed"], firms["delisted"]) == (0, 1)  # abnormal-2025-01 entered 2025-06-20


# ------------------------------------------------------------------------------------------------
# Refusals
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("broken", [
    pytest.param({FINDING_FILE: edit(FINDING, '"21132419002"', '"21132419099"')}, id="integrity"),
    pytest.param({FINDING_FILE: FINDING + "published_on: 2025-04-21\n"}, id="yaml"),
])
def test_report_on_a_tree_with_errors_lists_them(tmp_path: Path, broken: dict) -> None:
    """四（三）: the summary is made whatever the records' state; errors that stop the rules are
    listed in it, in place of their verdict."""
    write_files(tmp_path, tree_with(broken))
    for fmt in ("table", "json"):
        run = run_ssj(tmp_path, "report", "2025", "--as-of", "2025-12-31", "--format", fmt)
        assert run.exit_code == 0, run.output
        assert "Traceback" not in run.output
        assert f"{FINDING_FILE}:" in run.output
        assert "未运行" in run.output or '"rules_ran": false' in run.output


def test_report_without_records_is_a_usage_error(tmp_path: Path) -> None:
    run = run_ssj(tmp_path, "report", "2025", "--as-of", "2025-12-31")
    assert run.exit_code == 2 and "Traceback" not in run.output
    assert len(run.output.splitlines()) == 1


def test_report_as_of_a_date_on_which_the_records_pass(drawn_tree: Drawn, tmp_path: Path) -> None:
    drawn_tree.copy(tmp_path)
    write_files(tmp_path, {RANDOM_2: outcome(drawn_tree.finding(2), """\
outcome: issues-found
result: 未按规定建立执业档案。
handling:
  - action: rectification-ordered
    date: 2025-04-10
follow_ups:
  - due: 2025-05-10
""")})
    check = run_ssj(tmp_path, "check", "--strict", "--as-of", "2025-05-01")
    assert check.exit_code == 0, check.output  # the visit is not due yet on 2025-05-01
    data = report_json(tmp_path, "2025", "2025-05-01")
    assert data["rule_errors"] == 0 and data["rows"][0]["rectifications_open"] == 1


# ------------------------------------------------------------------------------------------------
# 方案 二(八): the policy's reason for going below the floor is published with the figures
# ------------------------------------------------------------------------------------------------

REASON = "本县没有司法鉴定机构 | 由市局统一检查\n（见市局通知）"


def test_a_reason_for_going_below_the_floor_is_in_every_format_and_on_the_site(
        tmp_path: Path) -> None:
    write_files(tmp_path, tree_with({"records/jurisdiction.yaml": edit(
        str(tree_with({})["records/jurisdiction.yaml"]), "exemption: 测试县没有司法鉴定机构。}",
        'exemption: "本县没有司法鉴定机构 | 由市局统一检查\\n（见市局通知）"}')}))
    data = report_json(tmp_path, "2025", "2025-12-31")
    rows = {r["sector"]: r for r in data["rows"]}
    assert rows["appraisal"]["exemption"] == REASON
    assert rows["appraisal"]["floor"] == "每年 1 次检查（二（八）4）"
    table = report(tmp_path, "2025", "--as-of", "2025-12-31")
    assert "  低于下限的理由：本县没有司法鉴定机构 | 由市局统一检查 （见市局通知）" in table.splitlines()
    markdown = report(tmp_path, "2025", "--as-of", "2025-12-31", "--format", "markdown")
    (line,) = [x for x in markdown.splitlines() if x.startswith("| 司法鉴定机构 |")]
    assert "| 本县没有司法鉴定机构 \\| 由市局统一检查 （见市局通知） |" in line
    assert len([c for c in re.split(r"(?<!\\)\|", line)]) == len(COLUMNS) + 2  # no cell added
    rows_csv = list(csv.reader(io.StringIO(report(tmp_path, "2025", "--as-of", "2025-12-31",
                                                  "--format", "csv"))))
    (appraisal,) = [dict(zip(rows_csv[0], r)) for r in rows_csv[1:] if r[1] == "司法鉴定机构"]
    assert appraisal["低于下限的理由"] == REASON and appraisal["实际抽查次数"] == "0"

    out = tmp_path / "out"
    built = run_ssj(tmp_path, "build", "--site", str(REPO / "site"), "--out", str(out))
    assert built.exit_code == 0, built.output
    page = (out / "report" / "2025.html").read_text(encoding="utf-8")
    assert "<li>司法鉴定机构低于方案下限的理由：本县没有司法鉴定机构 | 由市局统一检查\n（见市局通知）</li>" \
        in page
    assert ('<td role="cell" data-label="方案下限" class="prose">每年<span class="nw">1次</span>检查（'
            '<span class="nw">二（八）4</span>）</td>') in page
    assert ('<td role="cell" data-label="低于下限的理由" class="prose">本县没有司法鉴定机构 | '
            '由市局统一检查\n（见市局通知）</td>') in page
