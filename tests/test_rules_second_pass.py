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

from pathlib import Path

import pytest

from tests import test_rules as harness
from tests.records_tree import CREDIT_NOTICE, JURISDICTION, LIST_ENTRY
from tests.rules_tree import (  # noqa: F401  (the drawn_tree fixture)
    FINDING_FILE,
    JURISDICTION_FILE,
    LIST_FILE,
    NOTICE_FILE,
    drawn_tree_fixture,
    edit,
)
from tests.test_rules import (
    NOT_CORRECTED_ENTRY,
    PENALTY_BLACKLIST,
    Flagged,
    alone,
    fails,
    inspection,
    passes,
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


def penalised(number: str | None) -> str:
    return inspection("""\
outcome: violation
result: 超越执业范围执业。
handling:
  - action: case-filed
    date: 2025-04-12
  - action: penalty
    date: 2025-05-20
""" + (f"    decision_number: {number}\n" if number else "") + """\
follow_ups:
  - due: 2025-06-20
    visited_on: 2025-06-18
    outcome: rectified
""")


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
        penalised("测司罚〔2025〕1号"), {BLACKLIST_FILE: PENALTY_BLACKLIST}), as_of="2025-07-01"),
    fails("list.basis", "a-penalty-without-its-number", alone(
        penalised(None), {BLACKLIST_FILE: PENALTY_BLACKLIST}),
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


