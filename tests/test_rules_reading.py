"""The regulation as it reads (issue 12): for each reading, a records tree that passes and one that
fails through `ssj check`, run by the harness of tests/test_rules.py.

- 二(三): only self-inspection *first* (先行自查，再实施重点检查) needs a deadline; 自查和重点检查同时进行
  needs none.
- 三(三): a blacklist entry starts no earlier than the penalty decision it follows (作出处罚决定后).
- 二(九) last paragraph: a targeted inspection is 不受随机抽查制度的限制 (no item list, no plan method,
  no roster make-up), but still needs a legal basis for what it checks, two certified inspectors
  and no conflicted one.
- 三(三): no follow-up visit is demanded once the practice has ended (吊销、注销).
- 一(二), 二(六): a plan is published before its draw and its random sources; the items it uses were
  published no later than the plan.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.records.problems import ERROR, NOTICE
from tests import test_rules as harness
from tests.records_tree import (
    FINDING,
    FIRM_ID,
    INSTITUTION,
    ITEM,
    JURISDICTION,
    PERSON,
    PLAN,
    inspector,
    run_ssj,
)
from tests.rules_tree import (  # noqa: F401  (the drawn_tree fixture)
    FINDING_FILE,
    FIRM_FILE,
    ITEM_FILE,
    JURISDICTION_FILE,
    PERSON_ID,
    PLAN_FILE,
    Files,
    drawn_tree_fixture,
    edit,
    inspector_file,
    tree_with,
    write_files,
)
from tests.test_rules import (
    PENALTY_BLACKLIST,
    RANDOM_FINDING,
    Flagged,
    alone,
    fails,
    inspection,
    passes,
    penalised,
)

J = JURISDICTION_FILE
BLACKLIST_FILE = "records/lists/blacklist-2025-01.yaml"
PERSON_FILE = f"records/personnel/{PERSON_ID}.yaml"
REAL_BUREAU = edit(JURISDICTION, "example: true", "example: false")
TARGETED = "targeted: {ground: complaint, note: 收到群众投诉。}\n"
ON_DOCUMENTS_ONLY = {  # the plan, its inspection and the item all on paper: 0% on site is allowed
    J: edit(JURISDICTION, "onsite_min_percent: 51", "onsite_min_percent: 0"),
    PLAN_FILE: edit(PLAN, "method: onsite", "method: document")}
# the finding's team both from 法治督察股; the roster still mostly lawyers (roster.composition)
NO_LAWYER_IN_THE_TEAM = {inspector_file(1): inspector("21132419001", "supervision"),
                         inspector_file(3): inspector("21132419003", "lawyer"),
                         inspector_file(4): inspector("21132419004", "lawyer")}



def blacklisted(decision_day: str, entered: str, number: str = "测司罚〔2025〕1号") -> Files:
    entry = edit(edit(edit(PENALTY_BLACKLIST, "  date: 2025-05-20\n", f"  date: {decision_day}\n"),
                      "entered_on: 2025-05-25", f"entered_on: {entered}"),
                 "number: 测司罚〔2025〕1号", f"number: {number}")
    return {BLACKLIST_FILE: entry}


ISSUES = """\
outcome: issues-found
result: 收费公示不规范。
handling:
  - action: rectification-ordered
    date: 2025-04-10
"""


def firm_status(since: str, status: str) -> dict[str, str]:
    """The firm's status changed on `since` (吊销 revoked, 注销 closed, 停业整顿 suspended)."""
    return {FIRM_FILE: INSTITUTION + f"""\
  - since: {since}
    status: {status}
"""}


STATED_BASIS = """\
targeted:
  ground: complaint
  note: 收到群众投诉，反映收费不规范。
  basis:
    - matter: 核查投诉反映的收费与票据情况
      law: 律师服务收费管理办法
      articles: 第十三条、第二十二条
"""


CASES = [
    # --- 二(三) self-inspection ----------------------------------------------------------------
    passes("plan.self-inspection", "simultaneous-without-a-deadline", {
        PLAN_FILE: edit(PLAN, "mode: direct", "mode: self-and-focused")}),
    fails("plan.self-inspection", "self-first-without-a-deadline", {
        PLAN_FILE: edit(PLAN, "mode: direct", "mode: self-then-focused")},
        Flagged(PLAN_FILE, "mode: self-then-focused", says=("self_inspection_deadline",))),

    # --- 三(三) blacklist after the penalty decision --------------------------------------------
    passes("list.after-penalty", "entered-after-the-decision",
           alone(penalised(("2025-05-20", "测司罚〔2025〕1号")), blacklisted("2025-05-20", "2025-05-25")),
           as_of="2025-07-01"),
    passes("list.after-penalty", "entered-on-the-decision-day",
           alone(penalised(("2025-05-20", "测司罚〔2025〕1号")), blacklisted("2025-05-20", "2025-05-20")),
           as_of="2025-07-01"),
    fails("list.after-penalty", "entered-before-the-decision",
          alone(penalised(("2025-05-20", "测司罚〔2025〕1号")), blacklisted("2025-05-15", "2025-05-15")),
          Flagged(BLACKLIST_FILE, "entered_on: 2025-05-15", says=("2025-05-20", "2025-01-01")),
          as_of="2025-07-01"),
    fails("list.after-penalty", "listing-decided-before-the-penalty",
          alone(penalised(("2025-05-20", "测司罚〔2025〕1号")), blacklisted("2025-05-18", "2025-05-25")),
          Flagged(BLACKLIST_FILE, "  date: 2025-05-18", says=("2025-05-18", "2025-05-20")),
          as_of="2025-07-01"),
    fails("list.after-penalty", "before-the-later-penalty-it-names",
          alone(penalised(("2025-05-20", "测司罚〔2025〕1号"), ("2025-06-10", "测司罚〔2025〕2号")),
                blacklisted("2025-06-01", "2025-06-01", number="测司罚〔2025〕2号")),
          Flagged(BLACKLIST_FILE, "entered_on: 2025-06-01", says=("2025-06-10",)),
          as_of="2025-07-01"),
    passes("list.after-penalty", "by-the-penalty-decision-itself-without-a-finding", {
        BLACKLIST_FILE: edit(edit(PENALTY_BLACKLIST, "finding: 2025-01-01\n", ""),
                             "ground: penalty", "ground: other")}, as_of="2025-07-01"),
    passes("list.after-penalty", "after-the-first-of-two-penalties",
           alone(penalised(("2025-05-20", "测司罚〔2025〕1号"), ("2025-06-10", "测司罚〔2025〕2号")),
                 blacklisted("2025-06-01", "2025-06-01", number="测司黑〔2025〕1号")),
           as_of="2025-07-01"),

    # --- 二(九) last paragraph: targeted inspections ---------------------------------------------
    passes("finding.lead-department", "targeted-not-bound-by-the-roster", {
        **NO_LAWYER_IN_THE_TEAM}),
    fails("finding.lead-department", "random-none-from-the-lead-department", {
        **NO_LAWYER_IN_THE_TEAM, FINDING_FILE: RANDOM_FINDING},
        Flagged(FINDING_FILE, "inspectors:", says=("0 人",)), also=("plan.drawn-first",)),

    passes("item.listed", "targeted-with-an-item-since-delisted", {
        ITEM_FILE: ITEM + "effective_until: 2025-04-09\n"}),
    passes("item.listed", "targeted-with-an-item-listed-later", {
        ITEM_FILE: edit(ITEM, "effective_from: 2024-05-01", "effective_from: 2025-04-11"),
        PLAN_FILE: None}),
    fails("item.listed", "random-with-an-item-since-delisted", {
        FINDING_FILE: RANDOM_FINDING, ITEM_FILE: ITEM + "effective_until: 2025-04-09\n"},
        Flagged(FINDING_FILE, "items:", says=("lf-01", "2025-04-10")), also=("plan.drawn-first",)),

    passes("finding.method", "targeted-not-bound-by-the-item's-methods", {
        ITEM_FILE: edit(ITEM, "methods: [onsite, document]", "methods: [onsite]"),
        FINDING_FILE: edit(FINDING, "method: onsite", "method: document")}),
    passes("finding.method", "targeted-other-than-the-plan's-method", {
        FINDING_FILE: edit(FINDING, "method: onsite", "method: document")}),
    fails("finding.method", "random-with-a-method-the-item-does-not-allow", {
        **ON_DOCUMENTS_ONLY,
        ITEM_FILE: edit(ITEM, "methods: [onsite, document]", "methods: [onsite]"),
        FINDING_FILE: edit(RANDOM_FINDING, "method: onsite", "method: document")},
        Flagged(FINDING_FILE, "method: document", says=("lf-01", "书面检查")),
        also=("plan.drawn-first",)),

    passes("finding.legal-basis", "targeted-with-items", {}),
    passes("finding.legal-basis", "targeted-with-a-stated-basis-only", {
        FINDING_FILE: edit(edit(FINDING, TARGETED, STATED_BASIS), "items: [lf-01]\n", "")}),
    passes("finding.legal-basis", "targeted-with-both", {
        FINDING_FILE: edit(FINDING, TARGETED, STATED_BASIS)}),
    fails("finding.legal-basis", "targeted-with-neither", {
        FINDING_FILE: edit(FINDING, "items: [lf-01]\n", "")},
        Flagged(FINDING_FILE, "targeted:", says=("targeted.basis",))),
    fails("finding.legal-basis", "random-without-items", {
        FINDING_FILE: edit(RANDOM_FINDING, "items: [lf-01]\n", "")},
        Flagged(FINDING_FILE, "plan: 2025-01", says=("items",)), also=("plan.drawn-first",)),

    # still bound: two certified inspectors, none conflicted (tests/test_rules.py has the failing
    # trees, all of them targeted inspections); and the targeted ground itself (planning.py)
    passes("finding.team-size", "targeted-with-two", {FINDING_FILE: FINDING}),
    fails("finding.team-size", "targeted-with-one", {
        FINDING_FILE: edit(FINDING, '"21132419001", "21132419002"', '"21132419001"')},
        Flagged(FINDING_FILE, "inspectors:", says=("只有 1 名",))),

    # --- 三(三) no follow-up once the practice has ended ----------------------------------------
    passes("finding.follow-up", "revoked-after-the-inspection",
           alone(inspection(ISSUES), firm_status("2025-04-20", "revoked"))),
    passes("finding.follow-up", "deregistered-before-the-visit-was-due",
           alone(inspection(ISSUES + "follow_ups:\n  - due: 2025-05-10\n"),
                 firm_status("2025-05-01", "closed"))),
    fails("finding.follow-up", "deregistered-after-the-visit-was-due",
          alone(inspection(ISSUES + "follow_ups:\n  - due: 2025-05-10\n"),
                firm_status("2025-05-20", "closed")),
          Flagged(FINDING_FILE, "due: 2025-05-10", says=("2025-05-10",))),
    passes("finding.follow-up", "revoked-after-a-visit-found-it-not-rectified",
           alone(inspection(ISSUES + """\
follow_ups:
  - due: 2025-05-10
    visited_on: 2025-05-08
    outcome: not-rectified
"""), firm_status("2025-05-20", "revoked"))),
    fails("finding.follow-up", "suspended-is-not-ended",
          alone(inspection(ISSUES), firm_status("2025-04-20", "suspended")),
          Flagged(FINDING_FILE, "outcome: issues-found", says=("follow_ups",))),
    fails("finding.follow-up", "revoked-before-the-inspection",
          alone(inspection(ISSUES), firm_status("2025-03-01", "revoked")),
          Flagged(FINDING_FILE, "outcome: issues-found", says=("follow_ups",))),
    passes("finding.follow-up", "a-lawyer-whose-licence-was-cancelled",
           alone(edit(inspection(ISSUES), f'target: "{FIRM_ID}"', f'target: "{PERSON_ID}"'),
                 {PERSON_FILE: PERSON + "  - since: 2025-04-30\n    status: left\n"})),

    # --- 一(二) the plan published before its draw and its sources -------------------------------
    passes("plan.published", "before-its-first-source", {}),
    # a real bureau's tree: its published plan, kept without draw files, is an owed draw
    # (draw.unfrozen, tests/test_draw_publication.py) besides what these cases read
    passes("plan.published", "the-day-before-its-first-source", {
        J: REAL_BUREAU,
        PLAN_FILE: edit(PLAN, "published_on: 2023-08-01", "published_on: 2023-08-22")},
        also=("draw.unfrozen",)),
    fails("plan.published", "not-published", {
        PLAN_FILE: "".join(line for line in PLAN.splitlines(keepends=True)
                           if not line.startswith("published_on:"))},
        Flagged(PLAN_FILE, "id: 2025-01", says=("published_on",))),
    fails("plan.published", "on-the-day-of-its-first-source", {
        J: REAL_BUREAU,
        PLAN_FILE: edit(PLAN, "published_on: 2023-08-01", "published_on: 2023-08-23")},
        Flagged(PLAN_FILE, "published_on: 2023-08-23", says=("2023-08-23 23:59",)),
        also=("draw.unfrozen",)),
    fails("plan.published", "after-its-draw", {
        J: REAL_BUREAU,
        PLAN_FILE: edit(edit(PLAN, "published_on: 2023-08-01", "published_on: 2023-08-30"),
                        "      round: 1000\n", "      round: 1000\n  held_on: 2023-08-24\n")},
        Flagged(PLAN_FILE, "published_on: 2023-08-30", says=("晚于抽取日期 2023-08-24",)),
        Flagged(PLAN_FILE, "published_on: 2023-08-30", says=("2023-08-23 23:59",)),
        also=("draw.unfrozen",)),

    # --- 二(六) the item list published before the plan that uses it -----------------------------
    passes("item.published", "on-the-plan's-day", {}),
    fails("item.published", "after-the-plan", {
        ITEM_FILE: edit(ITEM, "published_on: 2023-08-01", "published_on: 2023-08-02")},
        Flagged(PLAN_FILE, "items: [lf-01]", says=("lf-01", "2023-08-02", "2023-08-01"))),
]


@pytest.mark.parametrize("case", CASES)
def test_reading(case, tmp_path: Path, request: pytest.FixtureRequest) -> None:  # type: ignore[no-untyped-def]
    harness.test_rule(case, tmp_path, request)


def test_example_data_published_after_its_source_is_a_notice(tmp_path: Path) -> None:
    """The example county's plans name drand rounds of 2020 and 2023, long before the plans: as
    with their late time-stamps, example data gets a notice, a real bureau an error."""
    late = edit(PLAN, "published_on: 2023-08-01", "published_on: 2025-02-20")
    write_files(tmp_path, tree_with({PLAN_FILE: late}))
    run = run_ssj(tmp_path, "check", "--strict", "--format", "json", "--as-of", "2025-06-01")
    assert run.exit_code == 0, run.output
    (problem,) = json.loads(run.output)["problems"]
    assert (problem["rule"], problem["severity"], problem["field"]) == (
        "plan.published", NOTICE, "published_on")
    assert "示例数据" in problem["message"]
    write_files(tmp_path, {J: REAL_BUREAU})
    run = run_ssj(tmp_path, "check", "--format", "json", "--as-of", "2025-06-01")
    assert run.exit_code == 1
    assert sorted((p["rule"], p["severity"]) for p in json.loads(run.output)["problems"]) == [
        ("draw.unfrozen", ERROR), ("plan.published", ERROR)]  # no draw files: an owed draw too


def test_an_item_says_when_it_was_published(tmp_path: Path) -> None:
    write_files(tmp_path, tree_with({ITEM_FILE: edit(ITEM, "published_on: 2023-08-01\n", "")}))
    run = run_ssj(tmp_path, "check", "--format", "json")
    assert run.exit_code == 1
    (problem,) = json.loads(run.output)["problems"]
    assert (problem["file"], problem["rule"]) == (ITEM_FILE, "load.required")
    assert "published_on" in problem["message"]

