"""The site shows a choice by the label its field declares, the same `choices()` the pages are made
from: one small tree written inline holds a record for every choice of a finding's outcome, a list
entry's list, a plan's mode and an institution's status, is built with `ssj build`, and each page
that shows the value is read back. A choice added to the schema gets its record here by itself."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from generator.records.kinds import choices
from tests.records_tree import FINDING, FIRM_ID, PLAN, valid_tree
from tests.rules_tree import edit, firm, firm_file, firm_id
from tests.site_tree import (  # noqa: F401  (the site_tree fixture)
    Files,
    SiteTrees,
    finding,
    site_tree_fixture,
    zh,
)
from tests.sitecheck import (
    Element,
    Site,
    facts,
    headers,
    records_of,
    section_of,
    table_captioned,
)

OUTCOMES = choices("finding", "outcome")
LISTS = choices("list_entry", "list")
MODES = choices("plan", "mode")
STATUS = choices("institution", "status_history.status")
ATOM = "{http://www.w3.org/2005/Atom}"
NAME = "示例青松律师事务所"  # the valid tree's firm, target of every finding and list entry

# what a record needs besides the choice to pass the rules
CLOSED_OUT = """\
handling:
  - action: rectification-ordered
    date: 2025-09-01
follow_ups:
  - due: 2025-10-01
    visited_on: 2025-09-25
    outcome: rectified
"""
OUTCOME_NEEDS = {"issues-found": CLOSED_OUT, "violation": CLOSED_OUT}
DEADLINE = "2025-04-15"
MODE_NEEDS = {"self-then-focused": f"self_inspection_deadline: {DEADLINE}\n"}


def finding_of(outcome: str) -> str:
    """The id of the finding with this outcome (the valid tree's own for "unreachable": the
    abnormal list entry that outcome calls for cites it)."""
    return "2025-01-01" if outcome == "unreachable" else f"2025-o-{list(OUTCOMES).index(outcome)}"


def plan_of(mode: str) -> str:
    return f"2025-{list(MODES).index(mode) + 2:02d}"


def institution_of(status: str) -> str:
    return firm_id(list(STATUS).index(status) + 2)


def entry_of(name: str) -> str:
    return f"{name}-2025-09"


def labels_tree() -> Files:
    files: Files = dict(valid_tree())
    assert "outcome: unreachable" in FINDING
    for outcome in OUTCOMES:
        if outcome != "unreachable":
            files[f"records/findings/{finding_of(outcome)}.yaml"] = finding(
                finding_of(outcome), target=FIRM_ID, day="2025-09-01", published_on="2025-09-10",
                rest=f"outcome: {outcome}\nresult: 检查情况见记录。\n{OUTCOME_NEEDS.get(outcome, '')}")
    for name in LISTS:
        files[f"records/lists/{entry_of(name)}.yaml"] = f"""\
id: {entry_of(name)}
list: {name}
institution: "{FIRM_ID}"
ground: other
reason: 未按规定报送年度执业情况。
decision:
  authority: 测试县司法局
  number: 测司名〔2025〕{list(LISTS).index(name) + 1}号
  date: 2025-09-15
entered_on: 2025-09-15
"""
    for mode in MODES:
        files[f"records/plans/{plan_of(mode)}.yaml"] = edit(
            edit(PLAN, "id: 2025-01", f"id: {plan_of(mode)}"), "mode: direct",
            f"mode: {mode}") + MODE_NEEDS.get(mode, "")
    for n, status in enumerate(STATUS, start=2):
        assert institution_of(status) == firm_id(n)
        files[firm_file(n)] = firm(n) + ("" if status == "active" else
                                         f"  - since: 2025-06-01\n    status: {status}\n")
    return files


@pytest.fixture(scope="module")
def site(site_tree: SiteTrees) -> Site:
    return site_tree(labels_tree())


def feed_titles(site: Site, path: str) -> list[str]:
    return [e.findtext(f"{ATOM}title") for e in ET.fromstring(site.bytes(path)).iter(f"{ATOM}entry")]


def test_the_choices_are_there_to_show() -> None:
    for labels in (OUTCOMES, LISTS, MODES, STATUS):
        assert len(labels) >= 2 and all(labels.values())
        assert len(set(labels.values())) == len(labels)  # no two choices shown alike


def row_linking(site: Site, page: str, target: str) -> dict[str, Element]:
    """The one table row on `page` whose 详情 cell links to site path `target`."""
    found = [row for table in site.main(page).iter("table") if "详情" in headers(table)
             for row in records_of(table)
             if [site.resolve(page, a.get("href"))[0] for a in row["详情"].iter("a")] == [target]]
    assert len(found) == 1, (page, target, len(found))
    return found[0]


@pytest.mark.parametrize("outcome", list(OUTCOMES))
def test_a_findings_outcome_is_shown_by_its_label(site: Site, outcome: str) -> None:
    label, path = OUTCOMES[outcome], f"findings/{finding_of(outcome)}.html"
    assert facts(site.main(path).find("dl"))["抽查结果"].text() == label
    assert row_linking(site, "findings/index.html", path)["结果"].text() == label
    assert row_linking(site, f"institutions/{FIRM_ID}.html", path)["结果"].text() == label
    for feed in (f"institutions/{FIRM_ID}.xml", "feed.xml"):  # 检查结果：<who><when><kind>：<label>
        assert [t for t in feed_titles(site, feed)
                if t.startswith(f"检查结果：{NAME}") and t.endswith(f"：{label}")], feed


@pytest.mark.parametrize("name", list(LISTS))
def test_a_list_is_shown_by_its_label(site: Site, name: str) -> None:
    label = LISTS[name]
    section = section_of(site.page("lists.html"), name)
    assert section.find("h2").text() == label
    row = site.page("lists.html").one("tr", id_=entry_of(name))
    assert row.section() is section  # the entry is listed under its list's heading
    lists = section_of(site.page(f"institutions/{FIRM_ID}.html"), "lists")
    (item,) = [li for li in lists.find_all("li")
               if li.find("a", href=f"../lists.html#{entry_of(name)}") is not None]
    assert item.text().startswith(f"{label}：")
    for feed in (f"institutions/{FIRM_ID}.xml", "feed.xml"):  # dated if the firm is listed twice
        assert [t for t in feed_titles(site, feed) if t.startswith(f"列入{label}：{NAME}")], feed


@pytest.mark.parametrize("mode", list(MODES))
def test_a_plans_mode_is_shown_by_its_label(site: Site, mode: str) -> None:
    shown = facts(section_of(site.page(f"plans/{plan_of(mode)}.html"), "plan").one("dl"))
    deadline = f"（自查截止{zh(DEADLINE)}）" if mode in MODE_NEEDS else ""
    assert shown["检查方式"].text() == MODES[mode] + deadline


@pytest.mark.parametrize("status", list(STATUS))
def test_an_institutions_status_is_shown_by_its_label(site: Site, status: str) -> None:
    label, number = STATUS[status], institution_of(status)
    page = site.page(f"institutions/{number}.html")
    assert facts(section_of(page, "reg").one("dl"))["当前状态"].text() == label
    history = records_of(table_captioned(section_of(page, "reg"), "执业状态变更"))
    assert history[-1]["状态"].text() == label
    assert [r["生效日期"].text() for r in history][-1] == \
        (zh("2015-03-01") if status == "active" else zh("2025-06-01"))
    roster = [tr for tr in site.main("institutions/index.html").iter("tr")
              if tr.find("a", href=f"{number}.html") is not None]
    assert len(roster) == 1
    assert roster[0].find_all("td")[-1].text() == label
