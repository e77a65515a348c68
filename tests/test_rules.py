"""The regulation's rules (`ssj rules`, run by `ssj check`): for every rule, records trees that pass
it and trees that break it, with the exit code, the rule id and the offending file and line.

Each case is the smallest valid tree (records_tree.valid_tree) or the drawn tree (rules_tree: a plan
frozen and drawn by the CLI, its drawn targets inspected by their drawn teams) with a few files
edited inline the way staff would edit them. Every check gives `--as-of`, so no test depends on
today's date.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from generator.records.problems import ERROR, NOTICE, WARNING
from generator.rules.catalogue import CATALOGUE, LISTED
from generator.rules.checks import NO_CLAUSE
from tests.records_tree import (
    FINDING,
    FIRM_ID,
    ITEM,
    JURISDICTION,
    LIST_ENTRY,
    PLAN,
    inspector,
    run_ssj,
)
from tests.rules_tree import (  # noqa: F401  (the drawn_tree fixture)
    FINDING_FILE,
    FIRM_FILE,
    ITEM_FILE,
    JURISDICTION_FILE,
    LIST_FILE,
    NOTICE_FILE,
    PERSON_ID,
    PLAN_FILE,
    REPO,
    Drawn,
    Files,
    drawn_tree_fixture,
    edit,
    round_json,
    firm_id,
    inspector_file,
    line_of,
    tree_with,
    write_files,
)

LABELS = {ERROR: "错误", WARNING: "警告", NOTICE: "提示"}
PROBLEM = re.compile(r"^(?P<file>[^\s:]+):(?P<line>[0-9]+): (?P<label>错误|警告|提示) "
                     r"\[(?P<rule>[a-z]+\.[a-z-]+)\] ")

J = JURISDICTION_FILE
RANDOM_1 = "records/findings/2025-01-01.yaml"  # in the drawn tree: the first drawn target's
RANDOM_2 = "records/findings/2025-01-02.yaml"
NT_ITEM_FILE = "records/items/nt-01.yaml"
LF02_FILE = "records/items/lf-02.yaml"

# ------------------------------------------------------------------------------------------------
# Records written inline
# ------------------------------------------------------------------------------------------------

# the law-firm entry of the valid tree's policy, under `- sector: law-firm`
LAW_FIRM = """\
      lead_department: lawyer
      inspections_per_year: 0
      min_targets: 1
      ratio_percent: 20
      exemption: 测试用的最小记录，不考核年度抽查次数。
"""
QUOTAS_FROM = "  publish_inspector_roster: true\n"


def law_firm_policy(entry: str, quotas_from: str | None = None,
                    base: str = JURISDICTION) -> str:
    """The jurisdiction with the law-firm entry replaced by `entry` (and the yearly quotas
    counted from `quotas_from`)."""
    text = edit(base, LAW_FIRM, entry)
    if quotas_from is None:
        return text
    return edit(text, QUOTAS_FROM, f"{QUOTAS_FROM}  quotas_from: {quotas_from}\n")


def quota(more: str = "", min_targets: int = 1) -> str:
    """Law firms once a year, counted from 2025 (still exempt from the 方案's floor)."""
    return law_firm_policy(edit(LAW_FIRM, "inspections_per_year: 0\n      min_targets: 1",
                                f"inspections_per_year: 1\n      min_targets: {min_targets}")
                           + more, "2025-01-01")


QUOTA_JURISDICTION = quota()
# at the 方案's floor for law firms, no exemption; no quota counted before 2026
AT_THE_FLOOR = """\
      lead_department: lawyer
      inspections_per_year: 1
      min_targets: 2
      ratio_percent: 20
"""


EXEMPT = "inspections_per_year: 0,\n       min_targets: 0, ratio_percent: 0, exemption: "


def exempt_entry(sector: str, reason: str) -> str:
    """A sector of the valid tree's policy, exempt from the floor (测试县没有……)."""
    return f'    - {{sector: {sector}, lead_department: "lawyer", {EXEMPT}{reason}}}\n'


NOTARY_ENTRY = exempt_entry("notary", "测试县没有公证处。")
APPRAISAL_ENTRY = exempt_entry("appraisal", "测试县没有司法鉴定机构。")


def notary_policy(lead: str = "lawyer", entry: str | None = None,
                  base: str = JURISDICTION) -> str:
    """`base` with notaries led by `lead` (their exempt fields replaced by `entry`)."""
    fields = f"{EXEMPT}测试县没有公证处。" if entry is None else entry
    return edit(base, NOTARY_ENTRY,
                f'    - {{sector: notary, lead_department: "{lead}", {fields}}}\n')


NOTARY_JURISDICTION = notary_policy()

NOTARY_ITEM = """\
id: nt-01
sector: notary
title: 公证机构执业活动检查
content: 检查公证程序与档案管理。
methods: [onsite, document]
subject: lawyer
target_kind: institution
basis:
  - law: 中华人民共和国公证法
    articles: 第五条
effective_from: 2024-05-01
published_on: 2023-08-01
"""

LF02_ITEM = """\
id: lf-02
sector: law-firm
title: 律师执业行为检查
content: 检查律师执业行为与收费。
methods: [onsite, document]
subject: lawyer
target_kind: institution
basis:
  - law: 律师执业管理办法
    articles: 第五章
effective_from: 2024-05-01
published_on: 2023-08-01
"""

NOTARY_SCOPE_PLAN = edit(PLAN, "    min_count: 1\n", """\
    min_count: 1
  - sector: notary
    ratio_percent: 100
    min_count: 1
""")

HELD = """\
  held_on: 2025-03-20
  place: 县司法局会议室
  witnesses:
    - name: 李某
      capacity: 律师协会代表
"""


def with_draw(plan: str, more: str) -> str:
    """`plan` with `more` added to its draw (after the declared source)."""
    return edit(plan, "      round: 1000\n", "      round: 1000\n" + more)

ABNORMAL_BEFORE = f"""\
id: abnormal-2025-00
list: abnormal
institution: "{FIRM_ID}"
ground: other
reason: 未按规定报送年度执业情况。
decision:
  authority: 测试县司法局
  number: 测司异〔2025〕1号
  date: 2025-01-10
entered_on: 2025-01-10
"""

BLACKLIST_BY_DECISION = f"""\
id: blacklist-2025-01
list: blacklist
institution: "{FIRM_ID}"
ground: other
reason: 市司法局作出行政处罚决定后列入。
decision:
  authority: 朝阳市司法局
  number: 朝司罚〔2025〕3号
  date: 2025-02-10
entered_on: 2025-02-15
"""

PENALTY_BLACKLIST = f"""\
id: blacklist-2025-01
list: blacklist
institution: "{FIRM_ID}"
ground: penalty
reason: 受到行政处罚。
finding: 2025-01-01
decision:
  authority: 测试县司法局
  number: 测司罚〔2025〕1号
  date: 2025-05-20
entered_on: 2025-05-25
"""

NOT_CORRECTED_ENTRY = f"""\
id: abnormal-2025-02
list: abnormal
institution: "{FIRM_ID}"
ground: not-corrected
reason: 经书面提醒仍不整改。
finding: 2025-01-01
decision:
  authority: 测试县司法局
  date: 2025-05-20
entered_on: 2025-05-20
"""

REVISITED = """\
follow_ups:
  - due: 2025-05-10
    visited_on: 2025-05-08
    outcome: rectified
"""

# 二(三): a plan carried out for the city bureau, which drew the targets and published its draw
DRAND_1000 = """\
  sources:
    - kind: drand
      chain: quicknet
      round: 1000
"""
DELEGATED = """\
  delegated:
    url: https://sfj.example.gov.cn/ssj/2025-01.html
    commitment: c6f84af12756571bbdfb1967bb7a581016082be7459d2df261307875a865cdd5
"""
# what integrity.py must change before a plan drawn by a higher bureau can pass ssj check

def delegated(plan: str, *, sources: bool = False, by: bool = True) -> str:
    """`plan` drawn by the city bureau: its draw referenced, no local sources (unless `sources`),
    the delegating bureau named (unless not `by`)."""
    text = edit(plan, DRAND_1000, (DRAND_1000 if sources else "  sources: []\n") + DELEGATED)
    if not by:
        return text
    return edit(text, "  department: lawyer\n", "  department: lawyer\n  delegated_by: 朝阳市司法局\n")


# the valid tree's finding as an inspection under plan 2025-01
RANDOM_FINDING = edit(FINDING, "targeted: {ground: complaint, note: 收到群众投诉。}\n",
                      "plan: 2025-01\n")


def inspection(rest: str, published: str | None = "2025-04-20") -> str:
    """The targeted inspection of the firm on 2025-04-10, its outcome and handling in `rest`."""
    return f"""\
id: 2025-01-01
targeted:
  ground: complaint
  note: 收到群众投诉。
target: "{FIRM_ID}"
inspectors: ["21132419001", "21132419002"]
inspected:
  start: 2025-04-10
  end: 2025-04-10
method: onsite
items: [lf-01]
""" + rest + (f"published_on: {published}\n" if published else "")


def penalised(*penalties: tuple[str, str | None]) -> str:
    """The targeted inspection that ended in these penalties (date, decision number or None
    for a penalty recorded without its number)."""
    steps = "".join(f"""\
  - action: penalty
    date: {day}
""" + (f"    decision_number: {number}\n" if number else "") for day, number in penalties)
    return inspection(f"""\
outcome: violation
result: 超越执业范围执业。
handling:
  - action: case-filed
    date: 2025-04-12
{steps}follow_ups:
  - due: 2025-06-20
    visited_on: 2025-06-18
    outcome: rectified
""")


def alone(finding: str, more: Files | None = None) -> Files:
    """The valid tree's finding replaced; its abnormal-list entry and credit notice left out."""
    return {FINDING_FILE: finding, LIST_FILE: None, NOTICE_FILE: None, **(more or {})}


def targeted_on(target: str, number: int, day: str, team: tuple[str, str], method: str) -> str:
    return f"""\
id: 2025-t-{number:02d}
targeted:
  ground: complaint
  note: 收到群众投诉。
target: "{target}"
inspectors: ["{team[0]}", "{team[1]}"]
inspected:
  start: {day}
  end: {day}
method: {method}
items: [lf-01]
outcome: compliant
result: 未发现问题。
published_on: {day}
"""


def again(day: str) -> Files:
    """The firm inspected again on `day` by inspector 001 (who was there on 2025-04-10) and 003."""
    return {inspector_file(3): inspector("21132419003", "lawyer"),
            "records/findings/2027-01-01.yaml": f"""\
id: 2027-01-01
targeted: {{ground: complaint, note: 再次收到群众投诉。}}
target: "{FIRM_ID}"
inspectors: ["21132419001", "21132419003"]
inspected:
  start: {day}
  end: {day}
method: onsite
items: [lf-01]
outcome: compliant
result: 未发现问题。
published_on: 2027-04-20
"""}


def documents_only(d: Drawn) -> Files:
    """The drawn plan done by documents only: 0% on site."""
    return {PLAN_FILE: edit(d.files[PLAN_FILE], "method: onsite", "method: document"),
            RANDOM_1: edit(d.finding(1), "method: onsite", "method: document"),
            RANDOM_2: edit(d.finding(2), "method: onsite", "method: document")}


def two_targeted(d: Drawn, method: str) -> Files:
    """Two targeted inspections of the firm that was not drawn."""
    return {"records/findings/2025-t-01.yaml": targeted_on(
                d.undrawn, 1, "2025-06-10", ("21132419001", "21132419002"), method),
            "records/findings/2025-t-02.yaml": targeted_on(
                d.undrawn, 2, "2025-07-10", ("21132419003", "21132419004"), method)}


# ------------------------------------------------------------------------------------------------
# Cases
# ------------------------------------------------------------------------------------------------

Says = tuple["str | Callable[[Drawn], str]", ...]


@dataclass(frozen=True)
class Flagged:
    """An expected problem: the line of `file` containing `marker`, with this severity."""

    file: str
    marker: str
    severity: str = ERROR
    says: Says = ()


@dataclass(frozen=True)
class Case:
    rule: str
    files: Files | Callable[[Drawn], Files]  # a callable edits the drawn tree
    as_of: str
    flagged: tuple[Flagged, ...]  # empty: the tree passes the rule (and `ssj check --strict`)
    also: tuple[str, ...]  # other rules this tree breaks too

    @property
    def drawn(self) -> bool:
        return callable(self.files)


def _waiting(bug: str, waits: str) -> list:
    """xfail marks: a known bug, or a case waiting for a change elsewhere (`waits` says which)."""
    return ([pytest.mark.xfail(strict=True, reason=f"BUG: {bug}")] if bug else []) + (
        [pytest.mark.xfail(strict=True, reason=f"WAITS: {waits}")] if waits else [])


def passes(rule: str, name: str, files: Files | Callable[[Drawn], Files],
           as_of: str = "2025-06-01", bug: str = "", waits: str = "",
           also: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    return pytest.param(Case(rule, files, as_of, (), also), id=f"{rule}:pass:{name}",
                        marks=_waiting(bug, waits))


def fails(rule: str, name: str, files: Files | Callable[[Drawn], Files], *flagged: Flagged,
          as_of: str = "2025-06-01", also: tuple[str, ...] = (),
          waits: str = ""):  # type: ignore[no-untyped-def]
    assert flagged
    return pytest.param(Case(rule, files, as_of, flagged, also), id=f"{rule}:fail:{name}",
                        marks=_waiting("", waits))


CASES = [
    # --- 二(三) ------------------------------------------------------------------------------
    passes("plan.self-inspection", "direct", {}),
    passes("plan.self-inspection", "self-and-focused-with-deadline", {
        PLAN_FILE: edit(PLAN, "mode: direct\n",
                        "mode: self-and-focused\nself_inspection_deadline: 2025-04-20\n")}),
    fails("plan.self-inspection", "self-then-focused-without-deadline", {
        PLAN_FILE: edit(PLAN, "mode: direct", "mode: self-then-focused")},
        Flagged(PLAN_FILE, "mode: self-then-focused", says=("self_inspection_deadline",))),
    # (self-and-focused without a deadline passes: tests/test_rules_reading.py)
    passes("plan.self-inspection", "focused-after-deadline", lambda d: {
        PLAN_FILE: edit(d.files[PLAN_FILE], "mode: direct\n",
                        "mode: self-then-focused\nself_inspection_deadline: 2025-04-05\n")}),
    passes("plan.self-inspection", "focused-on-deadline-day", lambda d: {
        PLAN_FILE: edit(d.files[PLAN_FILE], "mode: direct\n",
                        "mode: self-then-focused\nself_inspection_deadline: 2025-04-10\n")}),
    fails("plan.self-inspection", "focused-before-deadline", lambda d: {
        PLAN_FILE: edit(d.files[PLAN_FILE], "mode: direct\n",
                        "mode: self-then-focused\nself_inspection_deadline: 2025-04-20\n")},
        Flagged(RANDOM_1, "start: 2025-04-10", says=("2025-04-20",)),
        Flagged(RANDOM_2, "start: 2025-04-10", says=("2025-04-20",))),
    passes("plan.self-inspection", "simultaneous-inspections-before-deadline", lambda d: {
        PLAN_FILE: edit(d.files[PLAN_FILE], "mode: direct\n",
                        "mode: self-and-focused\nself_inspection_deadline: 2025-04-20\n")}),

    passes("plan.organiser", "lead-department", {}),
    fails("plan.organiser", "other-department", {
        PLAN_FILE: edit(PLAN, "department: lawyer", "department: supervision")},
        Flagged(PLAN_FILE, "department: supervision", says=("lawyer",))),
    passes("plan.organiser", "lead-of-either-sector", {
        J: notary_policy(lead="supervision"),
        NT_ITEM_FILE: edit(NOTARY_ITEM, "subject: lawyer", "subject: supervision"),
        PLAN_FILE: edit(edit(NOTARY_SCOPE_PLAN, "items: [lf-01]", "items: [lf-01, nt-01]"),
                        "department: lawyer", "department: supervision")}),

    passes("plan.delegated-draw", "drawn-here", {}),
    passes("plan.delegated-draw", "drawn-by-the-higher-bureau", {PLAN_FILE: delegated(PLAN)}),
    fails("plan.delegated-draw", "local-sources-as-well", {
        PLAN_FILE: delegated(PLAN, sources=True)},
        Flagged(PLAN_FILE, "  sources:", says=("不再声明随机源",))),
    fails("plan.delegated-draw", "delegating-bureau-not-named", {
        PLAN_FILE: delegated(PLAN, sources=True, by=False)},
        Flagged(PLAN_FILE, "  sources:"),
        Flagged(PLAN_FILE, "organiser:", says=("organiser.delegated_by",))),
    # its own draw beside: the files are not the higher bureau's (draw.delegated refuses them)
    fails("plan.delegated-draw", "drawn-here-as-well", lambda d: {
        PLAN_FILE: delegated(d.files[PLAN_FILE], sources=True)},
        Flagged(PLAN_FILE, "  sources:"), also=("draw.delegated",)),

    # --- 二(四) ------------------------------------------------------------------------------
    passes("finding.certificate", "valid-through-the-inspection-day", {
        inspector_file(1): edit(inspector("21132419001", "lawyer"),
                                "valid_until: 2029-12-31", "valid_until: 2025-04-10"),
        # (a lawyer in post afterwards, so the roster stays 以业务主管部门为主)
        inspector_file(3): inspector("21132419003", "lawyer")}),
    fails("finding.certificate", "expired-the-day-before", {
        inspector_file(1): edit(inspector("21132419001", "lawyer"),
                                "valid_until: 2029-12-31", "valid_until: 2025-04-09")},
        Flagged(FINDING_FILE, "inspectors:", says=("检查员1", "2025-04-09")),
        also=("roster.composition",)),
    fails("finding.certificate", "issued-after-the-inspection", {
        inspector_file(2): edit(inspector("21132419002", "supervision"),
                                "valid_from: 2024-01-01", "valid_from: 2025-04-11")},
        Flagged(FINDING_FILE, "inspectors:", says=("检查员2",))),
    fails("finding.certificate", "not-in-post", {
        inspector_file(1): inspector("21132419001", "lawyer") + """\
  - since: 2025-04-01
    status: inactive
"""}, Flagged(FINDING_FILE, "inspectors:", says=("不在岗",)), also=("roster.composition",)),

    passes("finding.lead-department", "one-from-the-lead-department", {}),
    # (random inspections: a targeted one is not bound, tests/test_rules_reading.py)
    fails("finding.lead-department", "none-from-the-lead-department", {
        FINDING_FILE: RANDOM_FINDING, inspector_file(1): inspector("21132419001", "supervision")},
        Flagged(FINDING_FILE, "inspectors:", says=("0 人",)),
        also=("roster.composition", "plan.drawn-first")),
    fails("finding.lead-department", "policy-asks-two", {
        FINDING_FILE: RANDOM_FINDING,
        J: edit(JURISDICTION, "lead_department_min: 1", "lead_department_min: 2")},
        Flagged(FINDING_FILE, "inspectors:", says=("1 人", "至少 2 人")),
        also=("plan.drawn-first",)),

    # the roster as a whole (二(四) 以业务主管部门执法人员为主): lead departments of all sectors
    passes("roster.composition", "as-many-from-lead-departments", {}),
    fails("roster.composition", "most-from-other-departments", {
        inspector_file(3): inspector("21132419003", "supervision")},
        Flagged(J, "departments:", WARNING, says=("3 名", "只有 1 名", "其他股室 2 名"))),
    passes("roster.composition", "lead-department-of-another-sector", {
        J: notary_policy(lead="supervision"),
        inspector_file(3): inspector("21132419003", "supervision")}),
    passes("roster.composition", "others-no-longer-in-post", {
        inspector_file(3): inspector("21132419003", "supervision") + """\
  - since: 2025-05-01
    status: inactive
"""}),
    fails("roster.composition", "lead-department-certificate-expired", {
        inspector_file(1): edit(inspector("21132419001", "lawyer"),
                                "valid_until: 2029-12-31", "valid_until: 2025-05-31")},
        Flagged(J, "departments:", WARNING, says=("只有 0 名",))),

    # --- 二(五) ------------------------------------------------------------------------------
    passes("finding.target-scope", "drawn-target", lambda d: {}),
    passes("finding.target-scope", "suspended-after-the-pool-date", lambda d: {
        d.institution_file(d.target(1)): d.institution(d.target(1)) + """\
  - since: 2025-03-02
    status: suspended
  - since: 2025-03-20
    status: active
"""}),
    fails("finding.target-scope", "suspended-on-the-pool-date", lambda d: {
        d.institution_file(d.target(1)): d.institution(d.target(1)) + """\
  - since: 2025-02-01
    status: suspended
  - since: 2025-03-15
    status: active
"""}, Flagged(RANDOM_1, "target:", says=("2025-03-01",))),
    # (a drawn target's sector rewritten afterwards no longer reaches this rule: the package
    # then differs from what the records give, and draw.derivation refuses it first;
    # tests/test_draw_trust.py covers that)

    # --- 二(六) ------------------------------------------------------------------------------
    passes("item.listed", "listed-through-the-inspection-day", {
        ITEM_FILE: ITEM + "effective_until: 2025-04-10\n"}),
    fails("item.listed", "delisted-before-the-inspection", {
        FINDING_FILE: RANDOM_FINDING, ITEM_FILE: ITEM + "effective_until: 2025-04-09\n"},
        Flagged(FINDING_FILE, "items:", says=("lf-01", "2025-04-10")), also=("plan.drawn-first",)),
    fails("item.listed", "listed-after-the-pool-date", {
        ITEM_FILE: edit(ITEM, "effective_from: 2024-05-01", "effective_from: 2025-03-02")},
        Flagged(PLAN_FILE, "items:", says=("2025-03-01",)),
        also=("item.list-complete",)),
    fails("item.listed", "other-sector-item-on-a-finding", {
        NT_ITEM_FILE: NOTARY_ITEM,
        FINDING_FILE: edit(FINDING, "items: [lf-01]", "items: [lf-01, nt-01]")},
        Flagged(FINDING_FILE, "items:", says=("nt-01", "notary"))),
    fails("item.listed", "other-sector-item-on-a-plan", {
        NT_ITEM_FILE: NOTARY_ITEM,
        PLAN_FILE: edit(PLAN, "items: [lf-01]", "items: [lf-01, nt-01]")},
        Flagged(PLAN_FILE, "items:", says=("nt-01", "不在计划范围内"))),
    passes("item.listed", "random-finding-with-planned-items", lambda d: {
        LF02_FILE: LF02_ITEM,
        PLAN_FILE: edit(d.files[PLAN_FILE], "items: [lf-01]", "items: [lf-01, lf-02]"),
        RANDOM_1: edit(d.finding(1), "items: [lf-01]", "items: [lf-01, lf-02]")}),
    fails("item.listed", "random-finding-with-an-unplanned-item", lambda d: {
        LF02_FILE: LF02_ITEM,
        RANDOM_1: edit(d.finding(1), "items: [lf-01]", "items: [lf-01, lf-02]")},
        Flagged(RANDOM_1, "items:", says=("lf-02", "2025-01"))),
    passes("item.listed", "targeted-finding-with-an-unplanned-item", {
        LF02_FILE: LF02_ITEM,
        FINDING_FILE: edit(FINDING, "items: [lf-01]", "items: [lf-02]")}),

    passes("item.basis", "with-basis", {}),
    fails("item.basis", "empty-basis", {
        ITEM_FILE: edit(ITEM, """\
basis:
  - law: 中华人民共和国律师法
    articles: 第四条、第六章
""", "basis: []\n")},
        Flagged(ITEM_FILE, "basis:", says=("lf-01",))),

    passes("item.list-complete", "every-sector-listed-and-planned", {
        J: NOTARY_JURISDICTION, NT_ITEM_FILE: NOTARY_ITEM,
        PLAN_FILE: edit(NOTARY_SCOPE_PLAN, "items: [lf-01]", "items: [lf-01, nt-01]")}),
    fails("item.list-complete", "no-items-for-a-sector", {
        J: NOTARY_JURISDICTION, PLAN_FILE: NOTARY_SCOPE_PLAN},
        Flagged(PLAN_FILE, "- sector: notary", says=("notary",))),
    fails("item.list-complete", "sector-item-not-planned", {
        J: NOTARY_JURISDICTION, NT_ITEM_FILE: NOTARY_ITEM, PLAN_FILE: NOTARY_SCOPE_PLAN},
        Flagged(PLAN_FILE, "items: [lf-01]", says=("notary",))),
    fails("item.list-complete", "sector-item-listed-after-the-pool-date", {
        J: NOTARY_JURISDICTION,
        NT_ITEM_FILE: edit(NOTARY_ITEM, "effective_from: 2024-05-01", "effective_from: 2025-03-02"),
        PLAN_FILE: edit(NOTARY_SCOPE_PLAN, "items: [lf-01]", "items: [lf-01, nt-01]")},
        Flagged(PLAN_FILE, "- sector: notary"),
        also=("item.listed",)),

    # --- 二(七) ------------------------------------------------------------------------------
    passes("finding.method", "method-the-item-allows", {
        FINDING_FILE: edit(FINDING, "method: onsite", "method: document")}),
    fails("finding.method", "method-the-item-does-not-allow", {
        J: edit(JURISDICTION, "onsite_min_percent: 51", "onsite_min_percent: 0"),
        PLAN_FILE: edit(PLAN, "method: onsite", "method: document"),
        ITEM_FILE: edit(ITEM, "methods: [onsite, document]", "methods: [onsite]"),
        FINDING_FILE: edit(RANDOM_FINDING, "method: onsite", "method: document")},
        Flagged(FINDING_FILE, "method: document", says=("lf-01", "书面检查")),
        also=("plan.drawn-first",)),
    passes("finding.method", "random-as-planned", lambda d: {
        **documents_only(d),
        J: edit(JURISDICTION, "onsite_min_percent: 51", "onsite_min_percent: 0")}),
    fails("finding.method", "random-not-as-planned", lambda d: {
        RANDOM_1: edit(d.finding(1), "method: onsite", "method: document"),
        J: edit(JURISDICTION, "onsite_min_percent: 51", "onsite_min_percent: 50")},
        Flagged(RANDOM_1, "method: document", says=("实地检查", "书面检查"))),

    passes("year.onsite-share", "all-on-site", lambda d: {}, as_of="2026-01-15"),
    fails("year.onsite-share", "documents-only-year-in-progress", documents_only,
          Flagged(J, "onsite_min_percent:", WARNING, says=("2025 年", "实地检查 0 次", "51%"))),
    fails("year.onsite-share", "documents-only-year-over", documents_only,
          Flagged(J, "onsite_min_percent:", ERROR, says=("2025 年",)), as_of="2026-01-15"),
    fails("year.onsite-share", "targeted-on-site-not-counted", lambda d: {
        **documents_only(d), **two_targeted(d, "onsite"),
        J: edit(JURISDICTION, "onsite_min_percent: 51", "onsite_min_percent: 50")},
        Flagged(J, "onsite_min_percent:", WARNING, says=("随机检查 2 次", "实地检查 0 次")),
        as_of="2025-08-01"),
    passes("year.onsite-share", "targeted-documents-not-counted",
           lambda d: two_targeted(d, "document"), as_of="2025-08-01"),

    # --- 二(八) ------------------------------------------------------------------------------
    passes("plan.scope-policy", "above-policy", {
        PLAN_FILE: edit(edit(PLAN, "ratio_percent: 20", "ratio_percent: 30"),
                        "min_count: 1", "min_count: 2")}),
    fails("plan.scope-policy", "ratio-below-policy", {
        PLAN_FILE: edit(PLAN, "ratio_percent: 20", "ratio_percent: 10")},
        Flagged(PLAN_FILE, "ratio_percent: 10", says=("10%", "20%"))),
    fails("plan.scope-policy", "count-below-policy", {
        PLAN_FILE: edit(PLAN, "min_count: 1", "min_count: 0")},
        Flagged(PLAN_FILE, "min_count: 0", says=("不少于 1",))),
    fails("plan.scope-policy", "sector-not-in-policy", {
        J: edit(JURISDICTION, NOTARY_ENTRY, ""),
        NT_ITEM_FILE: NOTARY_ITEM,
        PLAN_FILE: edit(edit(PLAN, "  - sector: law-firm\n", "  - sector: notary\n"),
                        "items: [lf-01]", "items: [nt-01]")},
        Flagged(PLAN_FILE, "- sector: notary", says=("notary",)), also=("policy.floor",)),
    passes("plan.scope-policy", "numbers-set-by-the-higher-bureau", {
        PLAN_FILE: edit(delegated(PLAN), "min_count: 1", "min_count: 0")}),

    # the 方案's own floor (二(八)1–5), below which the policy may go only with a reason
    passes("policy.floor", "below-the-floor-with-reasons", {}),
    passes("policy.floor", "at-the-floor", {
        J: law_firm_policy(AT_THE_FLOOR, "2026-01-01"),
        PLAN_FILE: edit(PLAN, "min_count: 1", "min_count: 2")}),
    passes("policy.floor", "targeted-inspections-counted-for-notaries", {
        J: notary_policy(entry="inspections_per_year: 1, min_targets: 1, ratio_percent: 100, "
                               "targeted_count: true",
                         base=law_firm_policy(LAW_FIRM, "2026-01-01"))}),
    fails("policy.floor", "below-the-floor-without-a-reason", {
        J: law_firm_policy(edit(LAW_FIRM, "      exemption: 测试用的最小记录，不考核年度抽查次数。\n",
                                ""))},
        Flagged(J, "      inspections_per_year: 0",
                says=("律师事务所每年 0 次", "二（八）1", "每年 1 次随机抽查，每次不少于 2 家")),
        Flagged(J, "min_targets: 1", says=("律师事务所每次至少 1 家", "每次不少于 2 家"))),
    fails("policy.floor", "a-sector-left-out", {J: edit(JURISDICTION, APPRAISAL_ENTRY, "")},
          Flagged(J, "  sectors:", says=("没有列出司法鉴定机构", "二（八）4", "每年 1 次检查"))),
    fails("policy.floor", "fewer-each-time", {
        J: law_firm_policy(edit(AT_THE_FLOOR, "min_targets: 2", "min_targets: 1"), "2026-01-01")},
        Flagged(J, "min_targets: 1", says=("不少于 2 家",))),
    fails("policy.floor", "targeted-inspections-counted-for-law-firms", {
        J: law_firm_policy(AT_THE_FLOOR + "      targeted_count: true\n", "2026-01-01"),
        PLAN_FILE: edit(PLAN, "min_count: 1", "min_count: 2")},
        Flagged(J, "targeted_count: true", says=("随机抽查", "非随机检查不能计入"))),

    passes("year.frequency", "no-quota", {}),
    passes("year.frequency", "before-quotas-start", {J: QUOTA_JURISDICTION}, as_of="2024-12-31"),
    fails("year.frequency", "year-in-progress-targeted-not-counted", {J: QUOTA_JURISDICTION},
          Flagged(J, "- sector: law-firm", WARNING,
                  says=("2025 年", "实际完成抽查 0 次（计入随机抽查）", "尚未达到",
                        "还需 1 次"))),
    passes("year.frequency", "targeted-counted-where-the-policy-says", {
        J: quota("      targeted_count: true\n")}),
    fails("year.frequency", "year-over", {J: QUOTA_JURISDICTION},
          Flagged(J, "- sector: law-firm", ERROR, says=("2025 年", "少于每年 1 次")),
          Flagged(J, "- sector: law-firm", WARNING, says=("2026 年",)),
          as_of="2026-01-15"),
    fails("year.frequency", "quotas-from-the-regulation-year", {
        J: law_firm_policy(edit(LAW_FIRM, "inspections_per_year: 0", "inspections_per_year: 1"))},
        Flagged(J, "- sector: law-firm", ERROR, says=("2024 年",)),
        Flagged(J, "- sector: law-firm", WARNING, says=("2025 年",))),
    passes("year.frequency", "delegated-counted-where-the-policy-says", {
        J: quota("      delegated_count: true\n"), PLAN_FILE: delegated(PLAN),
        FINDING_FILE: RANDOM_FINDING}),
    fails("year.frequency", "delegated-not-counted", {
        J: QUOTA_JURISDICTION, PLAN_FILE: delegated(PLAN), FINDING_FILE: RANDOM_FINDING},
        Flagged(J, "- sector: law-firm", WARNING, says=("实际完成抽查 0 次",))),
    fails("year.frequency", "drawn-but-not-yet-inspected", lambda d: {
        J: QUOTA_JURISDICTION, RANDOM_1: None, RANDOM_2: None},
        Flagged(J, "- sector: law-firm", WARNING, says=("实际完成抽查 0 次",)),
        as_of="2025-05-15"),
    passes("year.frequency", "as-many-each-time-as-the-policy-asks",
           lambda d: {J: quota(min_targets=2)}, as_of="2025-05-15"),
    fails("year.frequency", "fewer-inspected-than-each-time", lambda d: {
        J: quota(min_targets=2), RANDOM_2: None},
        Flagged(J, "- sector: law-firm", WARNING,
                says=("实际完成抽查 0 次", "另有 1 次检查的机构少于每次 2 家")),
        as_of="2025-05-15"),
    passes("year.frequency", "drawn-plan-year-in-progress",
           lambda d: {J: QUOTA_JURISDICTION}, as_of="2025-06-01"),
    passes("year.frequency", "drawn-plan-last-day",
           lambda d: {J: QUOTA_JURISDICTION}, as_of="2025-12-31"),
    fails("year.frequency", "drawn-plan-next-year", lambda d: {J: QUOTA_JURISDICTION},
          Flagged(J, "- sector: law-firm", WARNING, says=("2026 年",)), as_of="2026-01-15"),

    passes("plan.risk-weight", "as-frozen", lambda d: {}),
    passes("plan.risk-weight", "risk-after-the-pool-date", lambda d: {
        FIRM_FILE: d.files[FIRM_FILE] + """\
risk_flags:
  - kind: complaints
    since: 2025-03-02
"""}),
    fails("plan.risk-weight", "complaints-recorded-after-freezing", lambda d: {
        FIRM_FILE: d.files[FIRM_FILE] + """\
risk_flags:
  - kind: complaints
    since: 2024-06-01
    note: 一年内收到投诉 5 件。
"""}, Flagged(PLAN_FILE, "pool_date:", says=("示例青松律师事务所", "应为 2", "为 1"))),
    fails("plan.risk-weight", "listed-before-the-pool-date-recorded-after-freezing", lambda d: {
        "records/lists/abnormal-2025-00.yaml": ABNORMAL_BEFORE.replace(FIRM_ID, firm_id(2))},
        Flagged(PLAN_FILE, "pool_date:", says=("示例第2律师事务所", "应为 3"))),

    # --- 二(九) ------------------------------------------------------------------------------
    passes("plan.all-drawn-inspected", "all-inspected", lambda d: {}),
    passes("plan.all-drawn-inspected", "schedule-not-over", lambda d: {RANDOM_2: None},
           as_of="2025-05-31"),
    fails("plan.all-drawn-inspected", "one-not-inspected", lambda d: {RANDOM_2: None},
          Flagged(PLAN_FILE, "end: 2025-05-31", says=(lambda d: d.target(2),))),

    passes("plan.drawn-first", "no-findings", {}),
    passes("plan.drawn-first", "drawn-then-inspected", lambda d: {}),
    passes("plan.drawn-first", "drawn-the-day-of-inspection", lambda d: {
        PLAN_FILE: with_draw(d.files[PLAN_FILE], "  held_on: 2025-04-10\n")}),
    passes("plan.drawn-first", "drawn-by-the-higher-bureau", {
        PLAN_FILE: delegated(PLAN), FINDING_FILE: RANDOM_FINDING}),
    fails("plan.drawn-first", "random-finding-without-a-draw", {
        FINDING_FILE: edit(FINDING, "targeted: {ground: complaint, note: 收到群众投诉。}",
                           "plan: 2025-01")},
        Flagged(PLAN_FILE, "draw:", says=("1 个检查结果",))),
    fails("plan.drawn-first", "drawn-after-inspection", lambda d: {
        PLAN_FILE: with_draw(d.files[PLAN_FILE], "  held_on: 2025-04-11\n")},
        Flagged(PLAN_FILE, "held_on: 2025-04-11", says=("2025-04-10",))),

    passes("plan.witnesses", "not-required", lambda d: {}),
    passes("plan.witnesses", "required-and-recorded", lambda d: {
        J: edit(JURISDICTION, "witnesses_required: false", "witnesses_required: true"),
        PLAN_FILE: with_draw(d.files[PLAN_FILE], HELD)}),
    passes("plan.witnesses", "required-but-not-yet-drawn", {
        J: edit(JURISDICTION, "witnesses_required: false", "witnesses_required: true")}),
    fails("plan.witnesses", "required-not-recorded", lambda d: {
        J: edit(JURISDICTION, "witnesses_required: false", "witnesses_required: true")},
        Flagged(PLAN_FILE, "draw:")),
    fails("plan.witnesses", "witnesses-without-date", lambda d: {
        J: edit(JURISDICTION, "witnesses_required: false", "witnesses_required: true"),
        PLAN_FILE: with_draw(d.files[PLAN_FILE], edit(HELD, "  held_on: 2025-03-20\n", ""))},
        Flagged(PLAN_FILE, "draw:")),

    passes("finding.targeted-ground", "complaint-with-note", {}),
    fails("finding.targeted-ground", "complaint-without-note", {
        FINDING_FILE: edit(FINDING, "targeted: {ground: complaint, note: 收到群众投诉。}",
                           "targeted: {ground: complaint}")},
        Flagged(FINDING_FILE, "targeted:", says=("note",))),
    fails("finding.targeted-ground", "violation-found-without-note", {
        FINDING_FILE: edit(FINDING, "targeted: {ground: complaint, note: 收到群众投诉。}",
                           "targeted:\n  ground: violation-found")},
        Flagged(FINDING_FILE, "targeted:")),
    passes("finding.targeted-ground", "abnormal-listed-and-listed", {
        "records/lists/abnormal-2025-00.yaml": ABNORMAL_BEFORE,
        FINDING_FILE: edit(FINDING, "targeted: {ground: complaint, note: 收到群众投诉。}",
                           "targeted:\n  ground: abnormal-listed")}),
    fails("finding.targeted-ground", "abnormal-listed-but-listed-later", {
        FINDING_FILE: edit(FINDING, "targeted: {ground: complaint, note: 收到群众投诉。}",
                           "targeted:\n  ground: abnormal-listed")},
        Flagged(FINDING_FILE, "ground: abnormal-listed", says=("2025-04-10", "执业异常名录"))),
    fails("finding.targeted-ground", "abnormal-listed-but-already-removed", {
        "records/lists/abnormal-2025-00.yaml": ABNORMAL_BEFORE + """\
exit:
  date: 2025-03-01
  reason: 已补报。
""",
        FINDING_FILE: edit(FINDING, "targeted: {ground: complaint, note: 收到群众投诉。}",
                           "targeted:\n  ground: abnormal-listed")},
        Flagged(FINDING_FILE, "ground: abnormal-listed")),
    fails("finding.targeted-ground", "blacklisted-but-only-abnormal-listed", {
        "records/lists/abnormal-2025-00.yaml": ABNORMAL_BEFORE,
        FINDING_FILE: edit(FINDING, "targeted: {ground: complaint, note: 收到群众投诉。}",
                           "targeted:\n  ground: blacklisted")},
        Flagged(FINDING_FILE, "ground: blacklisted", says=("信用黑名单",))),
    passes("finding.targeted-ground", "blacklisted-and-blacklisted", {
        "records/lists/blacklist-2025-01.yaml": BLACKLIST_BY_DECISION,
        FINDING_FILE: edit(FINDING, "targeted: {ground: complaint, note: 收到群众投诉。}",
                           "targeted:\n  ground: blacklisted")}),

    passes("finding.team-size", "two", {}),
    fails("finding.team-size", "one", {
        FINDING_FILE: edit(FINDING, '"21132419001", "21132419002"', '"21132419001"')},
        Flagged(FINDING_FILE, "inspectors:", says=("只有 1 名", "至少需要 2 名"))),
    fails("finding.team-size", "policy-asks-three", {
        J: edit(JURISDICTION, "team_size: 2", "team_size: 3")},
        Flagged(FINDING_FILE, "inspectors:", says=("至少需要 3 名",))),

    passes("finding.same-inspector", "after-the-period", again("2027-04-10"), as_of="2027-05-01"),
    fails("finding.same-inspector", "random-after-a-targeted-one-within-the-period", lambda d: {
        "records/findings/2025-00-01.yaml": f"""\
id: 2025-00-01
targeted: {{ground: complaint, note: 收到投诉。}}
target: "{d.target(1)}"
inspectors: ["{d.team(1)[0]}", "{d.team(1)[1]}"]
inspected:
  start: 2025-01-15
  end: 2025-01-15
method: onsite
items: [lf-01]
outcome: compliant
result: 未发现问题。
published_on: 2025-01-25
"""}, Flagged(RANDOM_1, "inspectors:", says=("2025-01-15", "730")),
        Flagged(RANDOM_1, "inspectors:", says=("2025-01-15", "730"))),
    passes("finding.same-inspector", "a-later-targeted-inspection-is-not-bound",
           again("2027-04-09"), as_of="2027-05-01"),
    passes("finding.same-inspector", "a-targeted-inspection-of-a-person-of-the-firm", {
        inspector_file(3): inspector("21132419003", "lawyer"),
        "records/findings/2026-01-01.yaml": f"""\
id: 2026-01-01
targeted: {{ground: complaint, note: 收到对王某明律师的投诉。}}
target: "{PERSON_ID}"
inspectors: ["21132419001", "21132419003"]
inspected:
  start: 2026-04-10
  end: 2026-04-10
method: onsite
items: [lf-01]
outcome: compliant
result: 未发现问题。
published_on: 2026-04-20
"""}, as_of="2026-05-01"),

    passes("finding.conflict", "declared-after-the-inspection", {
        inspector_file(2): inspector("21132419002", "supervision") + f"""\
conflicts:
  - target: "{FIRM_ID}"
    declared_on: 2025-05-01
"""}),
    fails("finding.conflict", "declared-before-the-inspection", {
        inspector_file(2): inspector("21132419002", "supervision") + f"""\
conflicts:
  - target: "{FIRM_ID}"
    declared_on: 2025-01-01
    detail: 配偶在该所执业。
"""}, Flagged(FINDING_FILE, "inspectors:", says=("检查员2",))),
    fails("finding.conflict", "declared-with-a-lawyer-of-the-firm", {
        inspector_file(2): inspector("21132419002", "supervision") + f"""\
conflicts:
  - target: "{PERSON_ID}"
    declared_on: 2025-01-01
"""}, Flagged(FINDING_FILE, "inspectors:", says=("检查员2",))),

    # --- 三(一) ------------------------------------------------------------------------------
    passes("finding.notice-complete", "violation-with-handling", alone(inspection("""\
outcome: violation
result: 未按规定公示收费标准。
handling:
  - action: rectification-ordered
    date: 2025-04-10
""" + REVISITED))),
    fails("finding.notice-complete", "violation-without-handling", alone(inspection("""\
outcome: violation
result: 未按规定公示收费标准。
""" + REVISITED)), Flagged(FINDING_FILE, "outcome: violation", says=("handling",))),
    passes("finding.notice-complete", "issues-with-guidance", alone(inspection("""\
outcome: issues-found
result: 收费公示不够醒目。
guidance:
  - kind: advice
    date: 2025-04-10
    detail: 建议在接待场所醒目位置公示收费标准。
""" + REVISITED))),
    fails("finding.notice-complete", "issues-without-handling-or-guidance", alone(inspection("""\
outcome: issues-found
result: 收费公示不够醒目。
""" + REVISITED)), Flagged(FINDING_FILE, "outcome: issues-found")),

    passes("finding.published", "on-the-last-day", {
        FINDING_FILE: edit(FINDING, "published_on: 2025-04-20", "published_on: 2025-04-30")}),
    fails("finding.published", "published-late", {
        FINDING_FILE: edit(FINDING, "published_on: 2025-04-20", "published_on: 2025-05-01")},
        Flagged(FINDING_FILE, "published_on: 2025-05-01", says=("2025-04-30",))),
    passes("finding.published", "unpublished-within-the-deadline", {
        FINDING_FILE: edit(FINDING, "published_on: 2025-04-20\n", "")}, as_of="2025-04-30"),
    fails("finding.published", "unpublished-past-the-deadline", {
        FINDING_FILE: edit(FINDING, "published_on: 2025-04-20\n", "")},
        Flagged(FINDING_FILE, "id: 2025-01-01", says=("尚未公示", "2025-04-30")),
        as_of="2025-05-01"),

    # --- 三(三) ------------------------------------------------------------------------------
    passes("finding.unreachable-listed", "listed", {}),
    fails("finding.unreachable-listed", "not-listed", {LIST_FILE: None},
          Flagged(FINDING_FILE, "outcome: unreachable")),
    fails("finding.unreachable-listed", "blacklisted-instead", {
        LIST_FILE: edit(LIST_ENTRY, "list: abnormal", "list: blacklist")},
        Flagged(FINDING_FILE, "outcome: unreachable"), also=("list.basis",)),

    passes("finding.penalty-blacklisted", "blacklisted", alone(penalised(("2025-05-20", "测司罚〔2025〕1号")), {"records/lists/blacklist-2025-01.yaml": PENALTY_BLACKLIST}), as_of="2025-07-01"),
    fails("finding.penalty-blacklisted", "not-blacklisted", alone(penalised(("2025-05-20", "测司罚〔2025〕1号"))), Flagged(FINDING_FILE, "- action: penalty"), as_of="2025-07-01"),

    passes("finding.not-corrected-listed", "rectified-after-reminder", alone(inspection("""\
outcome: issues-found
result: 收费公示不规范。
handling:
  - action: written-reminder
    date: 2025-04-12
follow_ups:
  - due: 2025-05-10
    visited_on: 2025-05-09
    outcome: rectified
"""))),
    fails("finding.not-corrected-listed", "not-rectified-not-listed", alone(inspection("""\
outcome: issues-found
result: 收费公示不规范。
handling:
  - action: written-reminder
    date: 2025-04-12
follow_ups:
  - due: 2025-05-10
    visited_on: 2025-05-09
    outcome: not-rectified
  - due: 2025-06-30
""")), Flagged(FINDING_FILE, "follow_ups:", WARNING)),
    fails("finding.not-corrected-listed", "not-rectified-after-interview", alone(inspection("""\
outcome: violation
result: 未按规定建立执业档案。
handling:
  - action: interview
    date: 2025-04-12
follow_ups:
  - due: 2025-05-10
    visited_on: 2025-05-09
    outcome: rectified
  - due: 2025-05-30
    visited_on: 2025-05-29
    outcome: not-rectified
  - due: 2025-06-30
""")), Flagged(FINDING_FILE, "follow_ups:", WARNING)),
    passes("finding.not-corrected-listed", "rectified-at-the-second-visit", alone(inspection("""\
outcome: issues-found
result: 收费公示不规范。
handling:
  - action: written-reminder
    date: 2025-04-12
follow_ups:
  - due: 2025-05-10
    visited_on: 2025-05-09
    outcome: not-rectified
  - due: 2025-05-30
    visited_on: 2025-05-29
    outcome: rectified
"""))),
    passes("finding.not-corrected-listed", "not-rectified-and-listed", alone(inspection("""\
outcome: issues-found
result: 收费公示不规范。
handling:
  - action: written-reminder
    date: 2025-04-12
follow_ups:
  - due: 2025-05-10
    visited_on: 2025-05-09
    outcome: not-rectified
  - due: 2025-06-30
"""), {"records/lists/abnormal-2025-02.yaml": NOT_CORRECTED_ENTRY})),

    passes("finding.follow-up", "corrected-on-site-only", alone(inspection("""\
outcome: issues-found
result: 执业证未在接待场所公示，当场改正。
handling:
  - action: corrected-on-site
    date: 2025-04-10
"""))),
    passes("finding.follow-up", "revisited", alone(inspection("""\
outcome: issues-found
result: 收费公示不规范。
handling:
  - action: rectification-ordered
    date: 2025-04-10
""" + REVISITED))),
    fails("finding.follow-up", "issues-without-follow-ups", alone(inspection("""\
outcome: issues-found
result: 收费公示不规范。
handling:
  - action: rectification-ordered
    date: 2025-04-10
""")), Flagged(FINDING_FILE, "outcome: issues-found", says=("follow_ups",))),
    fails("finding.follow-up", "corrected-on-site-and-reminded", alone(inspection("""\
outcome: violation
result: 未按规定公示收费标准。
handling:
  - action: corrected-on-site
    date: 2025-04-10
  - action: written-reminder
    date: 2025-04-12
""")), Flagged(FINDING_FILE, "outcome: violation")),
    passes("finding.follow-up", "due-today", alone(inspection("""\
outcome: issues-found
result: 收费公示不规范。
handling:
  - action: rectification-ordered
    date: 2025-04-10
follow_ups:
  - due: 2025-05-10
""")), as_of="2025-05-10"),
    fails("finding.follow-up", "past-due-not-visited", alone(inspection("""\
outcome: issues-found
result: 收费公示不规范。
handling:
  - action: rectification-ordered
    date: 2025-04-10
follow_ups:
  - due: 2025-05-10
""")), Flagged(FINDING_FILE, "due: 2025-05-10", says=("2025-05-10",)), as_of="2025-05-11"),
    fails("finding.follow-up", "visited-without-outcome", alone(inspection("""\
outcome: issues-found
result: 收费公示不规范。
handling:
  - action: rectification-ordered
    date: 2025-04-10
follow_ups:
  - due: 2025-05-10
    visited_on: 2025-05-08
""")), Flagged(FINDING_FILE, "visited_on: 2025-05-08")),

    passes("finding.referred", "reported-to-licensing", alone(inspection("""\
outcome: violation
result: 执业许可证已被注销，仍继续执业。
concerns: [unlicensed-practice]
handling:
  - action: rectification-ordered
    date: 2025-04-10
  - action: reported-to-licensing
    date: 2025-04-11
""" + REVISITED))),
    fails("finding.referred", "unlicensed-not-reported", alone(inspection("""\
outcome: violation
result: 执业许可证已被注销，仍继续执业。
concerns: [unlicensed-practice]
handling:
  - action: rectification-ordered
    date: 2025-04-10
""" + REVISITED)), Flagged(FINDING_FILE, "concerns:", says=("unlicensed-practice",))),
    fails("finding.referred", "crime-not-transferred", alone(inspection("""\
outcome: violation
result: 涉嫌伪造公文。
concerns: [suspected-crime]
handling:
  - action: case-filed
    date: 2025-04-10
  - action: reported-to-licensing
    date: 2025-04-11
""" + REVISITED)), Flagged(FINDING_FILE, "concerns:", says=("suspected-crime",))),

    passes("finding.credit-notice", "noticed", {
        FINDING_FILE: inspection("""\
outcome: not-cooperating
result: 拒绝提供执业档案，经多次告知仍不配合。
concerns: [serious-non-cooperation]
"""), LIST_FILE: None}),
    fails("finding.credit-notice", "not-noticed", alone(inspection("""\
outcome: not-cooperating
result: 拒绝提供执业档案，经多次告知仍不配合。
concerns: [serious-non-cooperation]
""")), Flagged(FINDING_FILE, "concerns:")),

    passes("list.basis", "finding-cited", {}),
    passes("list.basis", "decision-number", {
        "records/lists/blacklist-2025-01.yaml": BLACKLIST_BY_DECISION}),
    fails("list.basis", "neither-finding-nor-number", {
        "records/lists/blacklist-2025-01.yaml": edit(BLACKLIST_BY_DECISION,
                                                      "  number: 朝司罚〔2025〕3号\n", "")},
        Flagged("records/lists/blacklist-2025-01.yaml", "decision:")),
    fails("list.basis", "ground-not-in-the-finding", {
        LIST_FILE: edit(LIST_ENTRY, "ground: unreachable", "ground: penalty")},
        Flagged(LIST_FILE, "ground: penalty", says=("2025-01-01",))),
]


def problems(output: str) -> list[re.Match]:
    assert "Traceback" not in output
    found = [PROBLEM.match(line) for line in output.splitlines()]
    return [m for m in found if m is not None]


@pytest.mark.parametrize("case", CASES)
def test_rule(case: Case, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    drawn: Drawn | None = None
    if case.drawn:
        drawn = request.getfixturevalue("drawn_tree")
        drawn.copy(tmp_path)
        write_files(tmp_path, case.files(drawn))  # type: ignore[operator]
    else:
        write_files(tmp_path, tree_with(case.files))  # type: ignore[arg-type]
    run = run_ssj(tmp_path, "check", "--as-of", case.as_of)
    strict = run_ssj(tmp_path, "check", "--strict", "--as-of", case.as_of)
    found = problems(run.output)
    assert not [m for m in found if m["rule"].startswith(("load.", "integrity.", "draw."))
                and m["label"] != "提示" and m["rule"] not in case.also], run.output
    others = {m["rule"] for m in found if m["rule"] != case.rule and m["label"] != "提示"}
    assert others <= set(case.also), run.output
    mine = [m.string for m in found if m["rule"] == case.rule]
    if not case.flagged:
        assert mine == [], run.output
        if not case.also:  # what else the tree breaks decides the exit code then
            assert run.exit_code == 0 and strict.exit_code == 0, run.output
        return
    errors = any(f.severity == ERROR for f in case.flagged)
    assert run.exit_code == (1 if errors else 0), run.output
    assert strict.exit_code == 1, strict.output
    for f in case.flagged:
        line = line_of(tmp_path, f.file, f.marker)
        prefix = f"{f.file}:{line}: {LABELS[f.severity]} [{case.rule}] "
        says = [s(drawn) if callable(s) else s for s in f.says]
        match = [line for line in mine if line.startswith(prefix) and all(s in line for s in says)]
        assert match, (prefix, says, run.output)
        mine.remove(match[0])
    assert mine == [], f"unexpected: {mine}"


def test_every_rule_has_a_passing_and_a_failing_case() -> None:
    ids = [r.id for r in CATALOGUE]
    assert len(ids) == len(set(ids)) == 36
    from tests.test_rules_reading import CASES as READING  # issue 12's readings
    cases: list[Case] = [p.values[0] for p in CASES + READING]
    assert {c.rule for c in cases} <= set(ids)
    for rule_id in ids:
        assert any(c.rule == rule_id and not c.flagged for c in cases), f"{rule_id}: no pass case"
        assert any(c.rule == rule_id and c.flagged for c in cases), f"{rule_id}: no fail case"


def test_a_warning_rule_fails_only_with_strict(tmp_path: Path) -> None:
    """finding.not-corrected-listed is the catalogue's warning: exit 0, and 1 with --strict."""
    assert [r.id for r in CATALOGUE if r.severity == WARNING] == ["roster.composition",
                                                                  "finding.not-corrected-listed"]
    write_files(tmp_path, tree_with(alone(inspection("""\
outcome: issues-found
result: 收费公示不规范。
handling:
  - action: written-reminder
    date: 2025-04-12
follow_ups:
  - due: 2025-05-10
    visited_on: 2025-05-09
    outcome: not-rectified
  - due: 2025-06-30
"""))))
    run = run_ssj(tmp_path, "check", "--as-of", "2025-06-01")
    assert run.exit_code == 0 and "ssj check 通过" in run.output and "警告 1" in run.output
    strict = run_ssj(tmp_path, "check", "--strict", "--as-of", "2025-06-01")
    assert strict.exit_code == 1 and "ssj check 未通过" in strict.output
    data = json.loads(run_ssj(tmp_path, "check", "--format", "json",
                              "--as-of", "2025-06-01").output)
    (problem,) = data["problems"]
    assert problem["rule"] == "finding.not-corrected-listed"
    assert problem["severity"] == WARNING and problem["field"] == "follow_ups"
    assert problem["hint"] and problem["message"].startswith("方案 三（三）：")


LOTTERY_PLAN = edit(PLAN, """\
    - kind: drand
      chain: quicknet
      round: 1000
""", """\
    - kind: drand
      chain: quicknet
      round: 1000
    - kind: lottery
      game: 福彩3D
      issue: "2025100"
      date: 2025-04-20
      time: "21:15"
      result_url: https://www.cwl.gov.cn/ygkj/wqkjgg/fc3d/2025100.shtml
""")


def test_drawn_first_knows_a_draw_cannot_precede_its_random_source(tmp_path: Path) -> None:
    files = {name: text for name, text in tree_with({PLAN_FILE: LOTTERY_PLAN}).items()
             if not name.startswith(("records/findings/", "records/lists/",
                                     "records/credit-notices/"))}
    write_files(tmp_path, files)
    assert run_ssj(tmp_path, "draw", "freeze", "2025-01").exit_code == 0
    (tmp_path / "round.json").write_text(json.dumps(round_json()), encoding="utf-8")
    out = run_ssj(tmp_path, "draw", "run", "2025-01", "--value", "3 5 7",
                  "--drand-round", "round.json")
    assert out.exit_code == 0, out.output
    result = json.loads((tmp_path / "records/draws/2025-01/result.json").read_bytes())
    (team,) = result["teams"]
    write_files(tmp_path, {FINDING_FILE: f"""\
id: 2025-01-01
plan: 2025-01
target: "{team['target']}"
inspectors: [{", ".join(f'"{i}"' for i in team["inspectors"])}]
inspected:
  start: 2025-04-10
  end: 2025-04-10
method: onsite
items: [lf-01]
outcome: compliant
result: 未发现问题。
published_on: 2025-04-20
"""})
    run = run_ssj(tmp_path, "check", "--as-of", "2025-06-01")
    assert run.exit_code == 1, run.output
    assert [m for m in problems(run.output)
            if m["rule"] == "plan.drawn-first" and m["file"] == PLAN_FILE], run.output


def test_rules_wait_for_integrity(tmp_path: Path) -> None:
    """With an integrity error the rules do not run: one mistake, one line."""
    write_files(tmp_path, tree_with({
        FINDING_FILE: edit(edit(FINDING, "published_on: 2025-04-20", "published_on: 2025-04-01"),
                           '"21132419001", "21132419002"', '"21132419001"')}))
    run = run_ssj(tmp_path, "check", "--as-of", "2025-06-01")
    assert run.exit_code == 1
    rules = {m["rule"] for m in problems(run.output)}
    assert rules == {"integrity.date-order"}, run.output


# ------------------------------------------------------------------------------------------------
# The bundled example county
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("as_of", [dt.date.today().isoformat(), "2026-12-31"])
def test_example_county_passes_every_rule(as_of: str) -> None:
    run = run_ssj(REPO, "check", "--as-of", as_of)
    assert run.exit_code == 0, run.output
    found = problems(run.output)
    assert not [m for m in found if m["label"] == "错误"], run.output
    assert "错误 0" in run.output.splitlines()[-1]
    catalogue = {r.id for r in CATALOGUE}
    assert not [m.string for m in found if m["rule"] in catalogue and m["label"] == "警告"
                and as_of == "2026-12-31"], run.output


# ------------------------------------------------------------------------------------------------
# ssj rules
# ------------------------------------------------------------------------------------------------

def test_rules_text_lists_every_id_with_its_category_and_clause() -> None:
    run = run_ssj(REPO, "rules")
    assert run.exit_code == 0
    lines = run.output.splitlines()
    assert len(lines) == len(LISTED)
    for line, r in zip(lines, LISTED):
        rule_id, category, clause, label, statement = line.split("\t")
        assert (rule_id, category, statement) == (r.id, r.category, r.statement)
        assert clause == (f"方案 {r.clause}" if r.clause else "记录完整性（不对应方案条款）")
        assert label == LABELS[r.severity]


def test_rules_json() -> None:
    run = run_ssj(REPO, "rules", "--format", "json")
    assert run.exit_code == 0
    data = json.loads(run.output)
    assert [d["id"] for d in data] == [r.id for r in LISTED]
    for entry, r in zip(data, LISTED):
        assert entry == r.as_dict()
        assert set(entry) == {"id", "category", "clause", "statement", "severity", "hint"}
        assert entry["severity"] in (ERROR, WARNING, NOTICE)
        assert entry["clause"] == "" or re.fullmatch(r"[一二三四](（[一二三四五六七八九十]）)",
                                                     entry["clause"])


def test_rules_markdown_is_the_committed_document() -> None:
    run = run_ssj(REPO, "rules", "--format", "markdown")
    assert run.exit_code == 0
    assert run.output == (REPO / "docs" / "rules.md").read_text(encoding="utf-8"), (
        "docs/rules.md is stale: regenerate it with `ssj rules --format markdown > docs/rules.md`")
    for r in LISTED:
        assert f"| `{r.id}` | {r.category} | {r.clause or NO_CLAUSE} |" in run.output