"""The regulation as read, second pass (issue 25): for each reading, a records tree that fails
and one that passes through `ssj check`, run by the harness of tests/test_rules.py.

- 三(三), the lists: an entry rests on its ground as the 方案 states it. The abnormal list only
  for 通过登记的住所或者执业场所无法联系 (an inspection that found it so before the entry, or a
  numbered decision, which finding.unreachable-listed then accepts too) or for 经过提醒或约谈仍不纠正
  (a reminder or talk recorded before the entry, and no rectification since); the blacklist only
  作出处罚决定后 (a penalty decision with its number).
- 三(三), 当场纠正: a correction on the spot is dated within the inspection; one dated after it
  ended is not 当场 and does not spare the follow-up visit (整改回访).
- 三(三), credit notices: a notice of 不予配合情节严重 cannot precede the inspection it is about.
- 二(八), weights: 对投诉举报多、列入执业异常对象名单、列入信用黑名单或有严重违法违规记录等情况的…
  要加大检查的力度: a policy that gives any of the four no more tickets than an ordinary target
  (weight 1) is below the regulation.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from generator.records.load import load_records
from generator.records.problems import ERROR, WARNING
from generator.rules.base import Context
from generator.rules.inspection import roster_composition
from generator.rules.planning import IDLE
from generator.rules.report import yearly_report
from tests import test_rules as harness
from tests.records_tree import (
    CREDIT_NOTICE, FIRM_ID, INSTITUTION, ITEM, JURISDICTION, LIST_ENTRY, PERSON, PLAN, inspector,
    run_ssj,
)
from tests.rules_tree import (  # noqa: F401  (the drawn_tree fixture)
    FINDING_FILE, ITEM_FILE, JURISDICTION_FILE, LIST_FILE, NOTICE_FILE, PERSON_ID, PLAN_FILE, Drawn,
    drawn_tree_fixture, edit, inspector_file, tree_with, uscc, write_files,
)
from tests.test_rules import (
    HELD, LAW_FIRM, NOT_CORRECTED_ENTRY, NOTARY_ITEM, NT_ITEM_FILE, PENALTY_BLACKLIST,
    QUOTA_JURISDICTION, RANDOM_1, RANDOM_2, Flagged, alone, fails, inspection, law_firm_policy,
    notary_policy, passes, penalised, with_draw,
)

BLACKLIST_FILE = "records/lists/blacklist-2025-01.yaml"
NOT_CORRECTED_FILE = "records/lists/abnormal-2025-02.yaml"

# the valid tree's abnormal-list entry made by a numbered decision, citing no finding
BY_DECISION = edit(edit(LIST_ENTRY, "finding: 2025-01-01\n", ""),
                   "  authority: 测试县司法局\n", "  authority: 测试县司法局\n  number: 测司异〔2025〕1号\n")
# the valid tree's entry dated before the inspection (2025-04-10) that found the firm unreachable
LISTED_BEFORE = edit(edit(LIST_ENTRY, "  date: 2025-04-25", "  date: 2025-04-05"),
                     "entered_on: 2025-04-25", "entered_on: 2025-04-05")


def not_corrected(handling: str, visits: str) -> str:
    """The inspection that found issues, with these handling steps and follow-up visits; a visit
    still due after the as-of day, so the follow-up rule asks for nothing more."""
    return inspection(f"""\
outcome: issues-found
result: 收费公示不规范。
handling:
{handling}follow_ups:
{visits}  - due: 2025-06-30
""")


REMINDED = """\
  - action: written-reminder
    date: 2025-04-12
"""
ORDERED = """\
  - action: rectification-ordered
    date: 2025-04-10
"""
NOT_RECTIFIED = """\
  - due: 2025-05-10
    visited_on: 2025-05-09
    outcome: not-rectified
"""


ON_THE_SPOT = """\
outcome: issues-found
result: 执业证未在接待场所公示，当场改正。
handling:
  - action: corrected-on-site
    date: {day}
"""
NOT_COOPERATING = """\
outcome: not-cooperating
result: 拒绝提供执业档案，经多次告知仍不配合。
concerns: [serious-non-cooperation]
"""


def noticed(day: str) -> dict[str, str | None]:
    return {FINDING_FILE: inspection(NOT_COOPERATING), LIST_FILE: None,
            NOTICE_FILE: edit(CREDIT_NOTICE, "published_on: 2025-05-01", f"published_on: {day}")}


WEIGHTS = {"complaints": 2, "abnormal_list": 3, "blacklist": 3, "serious_violation": 3}


def weighted(key: str, weight: int) -> dict[str, str | None]:
    """The valid tree's policy with one risk weight changed."""
    return {JURISDICTION_FILE: edit(JURISDICTION, f"    {key}: {WEIGHTS[key]}\n",
                                    f"    {key}: {weight}\n")}


TWO_DAYS = ("  end: 2025-04-10\n", "  end: 2025-04-11\n")


CASES = [
    # --- 三(三): the abnormal list, 无法联系 ------------------------------------------------------
    passes("finding.unreachable-listed", "listed-by-a-numbered-decision", {LIST_FILE: BY_DECISION}),
    fails("finding.unreachable-listed", "a-decision-before-the-inspection", {
        LIST_FILE: edit(edit(BY_DECISION, "  date: 2025-04-25", "  date: 2025-04-05"),
                        "entered_on: 2025-04-25", "entered_on: 2025-04-05")},
        Flagged(FINDING_FILE, "outcome: unreachable")),
    passes("list.basis", "unreachable-found-before-the-entry", {}),
    passes("list.basis", "unreachable-by-a-numbered-decision", {LIST_FILE: BY_DECISION}),
    fails("list.basis", "listed-unreachable-before-the-inspection", {LIST_FILE: LISTED_BEFORE},
          Flagged(LIST_FILE, "entered_on: 2025-04-05", says=("2025-01-01",))),

    # --- 三(三): the abnormal list, 经过提醒或约谈仍不纠正 -----------------------------------------
    passes("list.basis", "reminded-and-not-rectified", alone(
        not_corrected(REMINDED, NOT_RECTIFIED), {NOT_CORRECTED_FILE: NOT_CORRECTED_ENTRY})),
    passes("list.basis", "a-talk-with-the-head", alone(
        not_corrected(REMINDED.replace("written-reminder", "interview"), NOT_RECTIFIED),
        {NOT_CORRECTED_FILE: NOT_CORRECTED_ENTRY})),
    fails("list.basis", "never-reminded", alone(
        not_corrected(ORDERED, NOT_RECTIFIED), {NOT_CORRECTED_FILE: NOT_CORRECTED_ENTRY}),
        Flagged(NOT_CORRECTED_FILE, "ground: not-corrected", says=("提醒",))),
    fails("list.basis", "reminded-after-the-entry", alone(
        not_corrected(ORDERED + REMINDED.replace("2025-04-12", "2025-05-25"), NOT_RECTIFIED),
        {NOT_CORRECTED_FILE: NOT_CORRECTED_ENTRY}),
        Flagged(NOT_CORRECTED_FILE, "ground: not-corrected", says=("2025-05-25",))),
    fails("list.basis", "rectified-before-the-entry", alone(
        not_corrected(REMINDED, NOT_RECTIFIED + """\
  - due: 2025-05-19
    visited_on: 2025-05-18
    outcome: rectified
"""), {NOT_CORRECTED_FILE: NOT_CORRECTED_ENTRY}),
        Flagged(NOT_CORRECTED_FILE, "ground: not-corrected", says=("2025-05-18",))),
    fails("list.basis", "not-corrected-with-no-finding", alone(
        not_corrected(REMINDED, NOT_RECTIFIED), {NOT_CORRECTED_FILE: edit(edit(
            NOT_CORRECTED_ENTRY, "finding: 2025-01-01\n", ""),
            "  authority: 测试县司法局\n", "  authority: 测试县司法局\n  number: 测司异〔2025〕2号\n")}),
        Flagged(NOT_CORRECTED_FILE, "ground: not-corrected"),
        also=("finding.not-corrected-listed",)),

    # --- 三(三): the blacklist, 作出处罚决定后 ----------------------------------------------------
    passes("list.basis", "after-a-numbered-penalty", alone(
        penalised(("2025-05-20", "测司罚〔2025〕1号")), {BLACKLIST_FILE: PENALTY_BLACKLIST}), as_of="2025-07-01"),
    fails("list.basis", "a-penalty-without-its-number", alone(
        penalised(("2025-05-20", None)), {BLACKLIST_FILE: PENALTY_BLACKLIST}),
        Flagged(BLACKLIST_FILE, "finding: 2025-01-01", says=("文号",)), as_of="2025-07-01"),
    fails("list.basis", "blacklisted-for-not-correcting", alone(
        not_corrected(REMINDED, NOT_RECTIFIED), {NOT_CORRECTED_FILE: edit(
            NOT_CORRECTED_ENTRY, "list: abnormal", "list: blacklist")}),
        Flagged(NOT_CORRECTED_FILE, "ground: not-corrected", says=("处罚决定",)),
        also=("finding.not-corrected-listed",)),

    # --- 三(三): 当场纠正 --------------------------------------------------------------------------
    passes("finding.follow-up", "corrected-on-the-second-day-of-the-inspection", alone(edit(
        inspection(ON_THE_SPOT.format(day="2025-04-11")), *TWO_DAYS))),
    fails("finding.follow-up", "corrected-after-the-inspection-without-a-visit", alone(
        inspection(ON_THE_SPOT.format(day="2025-04-15"))),
        Flagged(FINDING_FILE, "date: 2025-04-15", says=("不是当场纠正",)),
        Flagged(FINDING_FILE, "outcome: issues-found", says=("follow_ups",))),
    fails("finding.follow-up", "corrected-after-a-two-day-inspection", alone(edit(
        inspection(ON_THE_SPOT.format(day="2025-04-12")), *TWO_DAYS)),
        Flagged(FINDING_FILE, "date: 2025-04-12", says=("2025-04-11",)),
        Flagged(FINDING_FILE, "outcome: issues-found", says=("follow_ups",))),

    # --- 三(三): credit notices ---------------------------------------------------------------
    passes("finding.credit-notice", "noticed-on-the-inspection-day", noticed("2025-04-10")),
    fails("finding.credit-notice", "noticed-before-the-inspection", noticed("2025-04-05"),
          Flagged(NOTICE_FILE, "published_on: 2025-04-05", says=("2025-01-01", "2025-04-10"))),

    # --- 二(八): risk weights ------------------------------------------------------------------
    passes("policy.floor", "every-risk-weighted", {}),
    passes("policy.floor", "the-lists-weighted-just-above-ordinary", weighted("abnormal_list", 2)),
    *(fails("policy.floor", f"{key}-weighted-as-ordinary", weighted(key, 1),
            Flagged(JURISDICTION_FILE, f"    {key}: 1", says=("加大检查力度",)))
      for key in WEIGHTS),
]


@pytest.mark.parametrize("case", CASES)
def test_second_pass(case, tmp_path: Path, request: pytest.FixtureRequest) -> None:  # type: ignore[no-untyped-def]
    harness.test_rule(case, tmp_path, request)


"""Issue 25, planning and inspection (方案 二（三）to 二（九）): each reading with a tree the rule
refuses and one it passes.

- 二(三) 要求其先行自查，再实施重点检查: only a drawn target can be asked to inspect itself, so the
  self-inspection deadline is not before the draw (its last random source's day, or held_on).
- 二(三)/二(六) 抽查主体: each item's subject is its sector's 法律服务业务主管部门 (plan.organiser).
- 二(八) 每年开展一次: a campaign counts in its plan's year, also for inspections after New Year;
  a sector with no institution in practice at any time of a year asks for none that year.
- 二(五) …以及其所属法律服务人员: a drawn team inspects the drawn firm's own staff in the same
  inspection; a person of a firm not drawn is not a random target.
- 二(四) 以…执法人员为主: the roster a plan drew its teams from, as of its pool date.
"""

J = JURISDICTION_FILE


def self_first(deadline: str) -> dict[str, str | None]:
    """The valid tree's plan drawn on 2025-04-15 (after its drand round, 2023-08-23), asking its
    targets to inspect themselves first, by `deadline`."""
    return {PLAN_FILE: with_draw(edit(
        PLAN, "mode: direct\n", f"mode: self-then-focused\nself_inspection_deadline: {deadline}\n"),
        HELD.replace("2025-03-20", "2025-04-15"))}


def in_january(d: Drawn, year: str = "2025") -> dict[str, str | None]:
    """The drawn plan (of `year`) run until 2026-01-31, its targets inspected on 2026-01-10."""
    def later(finding: str) -> str:
        return edit(edit(finding, "  start: 2025-04-10\n  end: 2025-04-10",
                         "  start: 2026-01-10\n  end: 2026-01-10"),
                    "published_on: 2025-04-20", "published_on: 2026-01-20")
    return {J: QUOTA_JURISDICTION, RANDOM_1: later(d.finding(1)), RANDOM_2: later(d.finding(2)),
            PLAN_FILE: edit(edit(d.files[PLAN_FILE], "  end: 2025-05-31", "  end: 2026-01-31"),
                            "year: 2025", f"year: {year}")}


NOTARY_ID = uscc("32211300MD0000011")
NOTARY_FILE = f"records/institutions/{NOTARY_ID}.yaml"
# notaries once a year from 2025, at the 方案's floor (no exemption); law firms exempt
NOTARIES_ONCE = notary_policy(entry="inspections_per_year: 1, min_targets: 1, ratio_percent: 100",
                              base=law_firm_policy(LAW_FIRM, "2025-01-01"))


def notary(history: str) -> str:
    """A notary office with this status_history."""
    return edit(edit(edit(INSTITUTION.replace(FIRM_ID, NOTARY_ID), "sector: law-firm",
                          "sector: notary"), "示例青松律师事务所", "示例公证处"),
                "  - since: 2015-03-01\n    status: active\n", history)


STAFF_ID = "01211300000000002"
STAFF_FILE = f"records/personnel/{STAFF_ID}.yaml"
STAFF_FINDING = "records/findings/2025-01-03.yaml"


def staff_inspected(d: Drawn, firm: str) -> dict[str, str | None]:
    """A lawyer of `firm` inspected under the drawn plan by the first drawn team, on the day it
    inspected the first drawn firm."""
    return {STAFF_FILE: PERSON.replace(PERSON_ID, STAFF_ID).replace(FIRM_ID, firm),
            STAFF_FINDING: edit(edit(d.finding(1), "id: 2025-01-01", "id: 2025-01-03"),
                                f'target: "{d.target(1)}"', f'target: "{STAFF_ID}"')}


# two inspectors of 法治督察股 in post from 2024 until 2025-05-01: on the drawn plan's pool date
# (2025-03-01) the roster has 2 from the business department and 4 from others, on 2025-06-01
# two and two
ROSTER_OF_OTHERS = {inspector_file(n): edit(
    inspector(f"211324190{n:02d}", "supervision"), "    status: active\n",
    "    status: active\n  - since: 2025-05-01\n    status: inactive\n") for n in (5, 6)}


ISSUE_25 = [
    # --- 二(三): 先行自查 after the draw -----------------------------------------------------
    passes("plan.self-inspection", "deadline-on-the-draw-day", self_first("2025-04-15")),
    fails("plan.self-inspection", "deadline-before-the-draw", self_first("2025-04-10"),
          Flagged(PLAN_FILE, "self_inspection_deadline: 2025-04-10", says=("2025-04-15",))),

    # --- 二(三)/二(六): each item's 抽查主体 is its sector's business department ------------------
    passes("plan.organiser", "item-subject-the-lead-of-its-sector", {
        J: notary_policy(lead="supervision"),
        NT_ITEM_FILE: edit(NOTARY_ITEM, "subject: lawyer", "subject: supervision")}),
    fails("plan.organiser", "item-subject-another-department", {
        ITEM_FILE: edit(ITEM, "subject: lawyer", "subject: supervision")},
        Flagged(ITEM_FILE, "subject: supervision", says=("lf-01", "lawyer"))),

    # --- 二(八): a campaign counts in its plan's year ----------------------------------------
    # (2025 is not flagged: only 2026, which has no plan yet)
    fails("year.frequency", "a-2025-campaign-inspecting-in-january-2026", in_january,
          Flagged(J, "- sector: law-firm", WARNING, says=("2026 年",)), as_of="2026-02-01"),
    fails("year.frequency", "a-2025-campaign-still-running-in-january", lambda d: {
        **in_january(d), RANDOM_1: None, RANDOM_2: None},
        Flagged(J, "- sector: law-firm", WARNING, says=("2025 年", "尚未达到")),
        Flagged(J, "- sector: law-firm", WARNING, says=("2026 年",)), as_of="2026-01-05",
        also=("plan.all-drawn-inspected",)),
    fails("year.frequency", "a-2026-campaign-does-not-count-for-2025",
          lambda d: in_january(d, "2026"),
          Flagged(J, "- sector: law-firm", ERROR, says=("2025 年", "少于每年 1 次")),
          as_of="2026-02-01"),

    # --- 二(八): no institution in practice, nothing to inspect ------------------------------
    passes("year.frequency", "no-notary-in-practice", {J: NOTARIES_ONCE}, as_of="2026-01-15"),
    fails("year.frequency", "a-notary-in-practice-from-june", {
        J: NOTARIES_ONCE, NOTARY_FILE: notary("  - since: 2025-06-01\n    status: active\n")},
        Flagged(J, "{sector: notary", ERROR, says=("2025 年公证处",)),
        Flagged(J, "{sector: notary", WARNING, says=("2026 年公证处",)), as_of="2026-01-15"),
    fails("year.frequency", "a-notary-closed-in-march", {
        J: NOTARIES_ONCE, NOTARY_FILE: notary(
            "  - since: 2015-03-01\n    status: active\n  - since: 2025-03-01\n    status: closed\n")},
        Flagged(J, "{sector: notary", ERROR, says=("2025 年公证处",)), as_of="2026-01-15"),

    # --- 二(五): the drawn firm's own staff --------------------------------------------------
    passes("finding.same-inspector", "the-drawn-firms-lawyer-by-its-drawn-team",
           lambda d: staff_inspected(d, d.target(1))),
    fails("draw.finding-target", "a-lawyer-of-a-firm-not-drawn",
          lambda d: staff_inspected(d, d.undrawn),
          Flagged(STAFF_FINDING, "target:"),
          also=("draw.finding-target",)),

    # --- 二(四): the roster a plan drew from -------------------------------------------------
    passes("roster.composition", "drawn-from-a-roster-mostly-of-the-business-department",
           lambda d: {}),
    fails("roster.composition", "drawn-from-a-roster-mostly-of-others",
          lambda d: ROSTER_OF_OTHERS,
          Flagged(PLAN_FILE, "pool_date:", WARNING, says=("2025-03-01", "其他股室 4 名"))),
]


@pytest.mark.parametrize("case", ISSUE_25)
def test_issue_25(case, tmp_path: Path, request: pytest.FixtureRequest) -> None:  # type: ignore[no-untyped-def]
    harness.test_rule(case, tmp_path, request)


def test_a_real_bureau_drawing_from_a_roster_mostly_of_others_is_refused(
        tmp_path: Path, drawn_tree: Drawn) -> None:
    """二(四) binds the roster a real bureau draws its teams from: an error, not a warning."""
    drawn_tree.copy(tmp_path)
    write_files(tmp_path, {**ROSTER_OF_OTHERS, J: edit(
        drawn_tree.files[J], "example: true", "example: false")})
    records, _ = load_records(tmp_path / "records")
    (flag,) = roster_composition.check(Context(records, dt.date(2025, 6, 1)))
    assert (flag.record.kind, flag.field, flag.severity) == ("plan", "pool_date", ERROR)


def test_the_report_says_why_a_sector_with_no_institution_was_not_inspected(
        tmp_path: Path) -> None:
    write_files(tmp_path, tree_with({J: NOTARIES_ONCE}))
    report = json.loads(run_ssj(tmp_path, "report", "2025", "--as-of", "2025-12-31",
                                "--format", "json").output)
    rows = {r["sector"]: r for r in report["rows"]}
    assert (rows["notary"]["rounds"], rows["notary"]["exemption"]) == (0, IDLE)
    write_files(tmp_path, {NOTARY_FILE: notary("  - since: 2025-06-01\n    status: active\n")})
    report = json.loads(run_ssj(tmp_path, "report", "2025", "--as-of", "2025-12-31",
                                "--format", "json").output)
    assert {r["sector"]: r for r in report["rows"]}["notary"]["exemption"] is None


def test_a_campaign_counts_in_its_plans_year(tmp_path: Path, drawn_tree: Drawn) -> None:
    """The shared count (year.frequency and the yearly report's rounds)."""
    drawn_tree.copy(tmp_path)
    write_files(tmp_path, in_january(drawn_tree))
    records, _ = load_records(tmp_path / "records")
    (made,) = records.counted_rounds(2025, "law-firm")
    assert made.size == 2 and records.counted_rounds(2026, "law-firm") == ()
    rows = {r.sector: r for r in yearly_report(records, 2025, dt.date(2026, 2, 1)).rows}
    assert rows["law-firm"].rounds == 1
    # and `ssj report 2025` after New Year, which runs the rules as of 2025's end
    shown = json.loads(run_ssj(tmp_path, "report", "2025", "--as-of", "2026-02-01",
                               "--format", "json").output)
    assert {r["sector"]: r["rounds"] for r in shown["rows"]}["law-firm"] == 1
