"""Irregularity notices (issue 20): a past timing failure of a draw, disclosed by the bureau with
its reason in records/irregularities/, is a red mark shown for good: on its plan's page, in the
site's feed (and its home page), in the yearly report (`ssj report` in every format and the
site's report page) and in open data.

The example county carries one notice (plan 2026-01, a late time-stamp, saying it is example
data); its expectations are read from the YAML with plain PyYAML. What a tree of a few records
shows (a notice published later, one that names a commit rather than a plan) is built inline.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.records.kinds import IRREGULARITY_KINDS, KINDS_BY_NAME
from generator.records.load import load_records
from generator.site.irregular import irregularity_views
from generator.site.render import environment, typeset
from tests.browser import ARTIFACTS, built_example, open_page, screenshot, serve_site
from tests.records_tree import run_ssj
from tests.site_tree import Files, build_tree, valid_tree
from tests.sitecheck import REPO, Element, Site, parse, shown

ATOM = "{http://www.w3.org/2005/Atom}"
HEADING = "抽取程序异常（已公开说明）"
NOTICE_FILE = REPO / "records" / "irregularities" / "2026-01-irregularity-01.yaml"
NOTICE = yaml.safe_load(NOTICE_FILE.read_text(encoding="utf-8"))
PLAN = yaml.safe_load((REPO / "records" / "plans" / f"{NOTICE['plan']}.yaml")
                      .read_text(encoding="utf-8"))
LABEL = IRREGULARITY_KINDS[NOTICE["kind"]]
PUBLIC = [f.name for f in KINDS_BY_NAME["irregularity"].fields if f.public]
DAY = dt.date(2026, 12, 1)  # the day tests.browser builds the example as of


def squash(text: str) -> str:
    return "".join(text.split())


def test_the_example_notice_is_honest_example_data() -> None:
    assert NOTICE["kind"] == "late-timestamp" and NOTICE["plan"] == "2026-01"
    assert "示例数据" in NOTICE["reason"]
    assert NOTICE["published_on"] <= DAY


# --------------------------------------------------------------------------- ssj report


def report(*args: str) -> str:
    run = run_ssj(REPO, "report", *args)
    assert run.exit_code == 0 and "Traceback" not in run.output, run.output
    return run.output


EXPECTED_LINE = {"id": NOTICE["id"], "published_on": NOTICE["published_on"].isoformat(),
                 "kind": NOTICE["kind"], "kind_label": LABEL, "plan": NOTICE["plan"],
                 "plan_title": PLAN["title"], "commit": None}


def test_the_report_json_lists_the_years_notices() -> None:
    data = json.loads(report("2026", "--as-of", DAY.isoformat(), "--format", "json"))
    assert data["irregularities"] == [EXPECTED_LINE]
    before = NOTICE["published_on"] - dt.timedelta(days=1)
    data = json.loads(report("2026", "--as-of", before.isoformat(), "--format", "json"))
    assert data["irregularities"] == []  # not yet published that day
    data = json.loads(report("2025", "--as-of", DAY.isoformat(), "--format", "json"))
    assert data["irregularities"] == []  # another year's


def test_the_report_markdown_table_and_csv_list_the_notice() -> None:
    markdown = report("2026", "--as-of", DAY.isoformat(), "--format", "markdown").splitlines()
    at = markdown.index(f"### {HEADING}：1 份")
    assert markdown[at + 2] == "| 编号 | 公布日期 | 抽查计划 | 计划名称 | 异常类型 | 提交 |"
    assert markdown[at + 4] == (f"| {NOTICE['id']} | {NOTICE['published_on']} | {NOTICE['plan']} |"
                                f" {PLAN['title']} | {LABEL} | — |")
    assert markdown[-1].startswith("规则检查")

    table = report("2026", "--as-of", DAY.isoformat()).splitlines()
    at = table.index(f"{HEADING}：1 份")
    assert table[at + 1] == f"  {NOTICE['published_on']} {NOTICE['id']}：计划 {NOTICE['plan']}，{LABEL}"
    assert max(len(line) for line in table) <= 80

    rows = list(csv.reader(io.StringIO(report("2026", "--as-of", DAY.isoformat(),
                                              "--format", "csv"))))
    assert len(rows[1:6]) == 5 and rows[6] == []  # the sector table, then an empty line
    assert rows[7] == ["年度", "编号", "公布日期", "抽查计划", "计划名称", "异常类型", "提交"]
    assert rows[8:] == [["2026", NOTICE["id"], NOTICE["published_on"].isoformat(), NOTICE["plan"],
                         PLAN["title"], LABEL, "—"]]


def test_a_year_without_notices_says_so() -> None:
    markdown = report("2025", "--as-of", DAY.isoformat(), "--format", "markdown")
    assert f"### {HEADING}：0 份\n\n本年度没有抽取程序异常说明。\n" in markdown
    assert f"\n{HEADING}：0 份\n" in report("2025", "--as-of", DAY.isoformat())
    rows = list(csv.reader(io.StringIO(report("2025", "--as-of", DAY.isoformat(),
                                              "--format", "csv"))))
    assert len(rows) == 6  # the sector table alone


# --------------------------------------------------------------------------- the example site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return Site(built_example(tmp_path_factory))


def feed_entries(site: Site, path: str) -> list[ET.Element]:
    return ET.fromstring(site.bytes(path)).findall(f"{ATOM}entry")


def test_the_site_feed_carries_the_notice_once(site: Site) -> None:
    slug = f":irregularity-{NOTICE['id']}"
    found = [e for e in feed_entries(site, "feed.xml") if e.findtext(f"{ATOM}id").endswith(slug)]
    assert len(found) == 1
    entry = found[0]
    day = NOTICE["published_on"].isoformat()
    assert entry.findtext(f"{ATOM}id") == f"tag:211324.ssj,{day}:plans/{NOTICE['plan']}.html{slug}"
    # set as the pages set text: 2026 年度 -> 2026年度
    assert entry.findtext(f"{ATOM}title") == f"{HEADING}：{typeset(PLAN['title'])}：{LABEL}"
    assert entry.findtext(f"{ATOM}updated") == f"{day}T00:00:00+08:00"
    assert entry.find(f"{ATOM}link").get("href").endswith(f"plans/{NOTICE['plan']}.html")
    assert squash(typeset(NOTICE["reason"])) == squash(entry.findtext(f"{ATOM}summary"))
    # the site's feed only: no institution or list follows a draw
    others = [p for p in site.files() if p.endswith(".xml") and p not in ("feed.xml", "sitemap.xml")]
    assert others and not [p for p in others if NOTICE["id"] in site.read(p)]


def test_the_report_page_marks_the_years_notices_in_red(site: Site) -> None:
    doc = site.page("report/2026.html")
    (mark,) = doc.find_all("aside", cls="irregular")
    assert mark.get("role") == "note" and mark.get("aria-labelledby") == "irregularities"
    heading = mark.one("h2", id_="irregularities")
    assert heading.one("span", cls="irregular-label").text() == "异常"  # in words, not colour
    assert heading.text() == f"异常 {HEADING}：1份"
    item = mark.one("li", id_=NOTICE["id"])
    link = item.one("a")
    assert site.resolve("report/2026.html", link.get("href"))[0] == f"plans/{NOTICE['plan']}.html"
    assert link.text() == shown(PLAN["title"])
    assert item.one("strong").text() == LABEL
    assert item.one("p", cls="irregular-meta").text() == f"2026年3月20日公布，说明编号{NOTICE['id']}"
    # the reason as Markdown: its paragraphs, no raw markup
    paragraphs = [p.text() for p in item.find_all("p")][2:]
    assert len(paragraphs) == 3 and "示例数据" in paragraphs[0]

    earlier = site.page("report/2025.html")
    assert not earlier.find_all("aside", cls="irregular")
    assert "本年度没有公布抽取程序异常说明。" in earlier.one("main").text()


def test_open_data_has_the_notices_public_fields_only(site: Site) -> None:
    rows = json.loads(site.read("data/irregularities.json"))
    expected = {name: NOTICE.get(name) for name in PUBLIC}
    expected["published_on"] = NOTICE["published_on"].isoformat()
    assert rows == [expected]
    text = site.bytes("data/irregularities.csv").decode("utf-8")
    assert text.startswith("\ufeff")
    table = list(csv.DictReader(io.StringIO(text[1:], newline="")))
    # for people: Chinese headers, the kind's code beside its label, the plan's id beside its title
    assert list(table[0]) == ["编号", "异常类型代码", "异常类型", "所涉抽查计划编号", "所涉抽查计划",
                              "时间有误的提交", "公布日期", "发生的原因与经过"]
    assert table[0]["编号"] == NOTICE["id"] and table[0]["所涉抽查计划编号"] == NOTICE["plan"]
    assert table[0]["异常类型代码"] == NOTICE["kind"] and table[0]["异常类型"] == LABEL
    assert table[0]["所涉抽查计划"] == PLAN["title"]
    assert table[0]["时间有误的提交"] == "" and table[0]["发生的原因与经过"] == NOTICE["reason"]
    data = site.page("data.html")
    section = data.one("section", **{"aria-labelledby": "t-irregularities"})
    assert section.one("h2").text() == "抽取程序异常说明"
    assert "1行" in section.text()


# --------------------------------------------------------------------------- the plan page

PLAN_TEMPLATE = (REPO / "site" / "templates" / "plan.html").read_text(encoding="utf-8")
WIRED = '"irregularities.html"' in PLAN_TEMPLATE


def views(day: dt.date = DAY) -> list[dict[str, Any]]:
    loaded, problems = load_records(REPO / "records")
    assert not [p for p in problems if p.severity == "error"]
    return irregularity_views(loaded.published_by(day), NOTICE["plan"])


def mark_html(items: list[dict[str, Any]]) -> str:
    env = environment(REPO / "site")
    return env.from_string('{% from "irregularities.html" import irregularities %}'
                           "{{ irregularities(items) }}").render(items=items)


def test_irregularity_views_give_what_the_mark_shows() -> None:
    (view,) = views()
    assert {name: view[name] for name in PUBLIC} == {
        **{name: NOTICE.get(name) for name in PUBLIC},
        "published_on": NOTICE["published_on"].isoformat()}
    assert view["kind_label"] == LABEL and view["plan_title"] == PLAN["title"]
    assert view["plan_url"] == view["url"] == f"plans/{NOTICE['plan']}.html"
    assert view["report_url"] == f"report/2026.html#{NOTICE['id']}"
    assert views(NOTICE["published_on"] - dt.timedelta(days=1)) == []  # withheld until its day


def check_mark(mark: Element, items: list[dict[str, Any]]) -> None:
    assert mark.tag == "aside" and "irregular" in mark.classes and mark.get("role") == "note"
    heading = mark.one("h2", id_=mark.get("aria-labelledby"))
    assert heading.one("span", cls="irregular-label").text() == "异常"
    assert heading.text() == f"异常 {HEADING}"
    assert "永久保留" in mark.text() and "不得删改" in mark.text()
    for item in items:
        section = mark.one("section", id_=item["id"])
        assert section.one("h3").text() == item["kind_label"]
        assert item["id"] in section.one("p", cls="irregular-meta").text()
        reason = [p.text() for p in section.find_all("p") if "irregular-meta" not in p.classes]
        assert squash("".join(reason)) == squash(item["reason"].replace("2020 年 7 月", "2020年7月"))
        if item["commit"]:
            assert section.one("code").text() == item["commit"]


def test_the_mark_macro_renders_each_notice() -> None:
    items = views()
    doc = parse(mark_html(items))
    (mark,) = doc.find_all("aside")
    check_mark(mark, items)
    assert mark_html([]).strip() == ""  # nothing at all for a plan without notices


def test_the_mark_shows_the_commit_a_notice_names() -> None:
    commit = "0123456789abcdef0123456789abcdef01234567"
    item = {**views()[0], "id": "irregularity-2026-01", "kind": "misdated-commit",
            "kind_label": IRREGULARITY_KINDS["misdated-commit"], "commit": commit,
            "reason": "提交时间写错了。"}
    (mark,) = parse(mark_html([item])).find_all("aside")
    check_mark(mark, [item])


@pytest.mark.skipif(not WIRED, reason="plan.html does not yet call the irregularities macro")
def test_the_plan_page_marks_its_notices_in_red(site: Site) -> None:
    doc = site.page(f"plans/{NOTICE['plan']}.html")
    (mark,) = doc.find_all("aside", cls="irregular")
    check_mark(mark, views())
    for other in ("2025-01", "2025-02", "2026-02"):
        assert not site.page(f"plans/{other}.html").find_all("aside", cls="irregular")


def plan_page_with_mark(site: Site) -> bytes:
    """The plan's built page: with the mark as the build wrote it once plan.html calls the
    macro, until then with the macro's output put right under its title."""
    page = site.read(f"plans/{NOTICE['plan']}.html")
    if 'class="irregular"' not in page:
        page = page.replace("</h1>\n", "</h1>\n" + mark_html(views()), 1)
    assert page.count('class="irregular"') == 1
    return page.encode("utf-8")


MARK_JS = """() => {
  const mark = document.querySelector('aside.irregular');
  const label = mark.querySelector('.irregular-label');
  const box = mark.getBoundingClientRect(), style = getComputedStyle(mark);
  const labelStyle = getComputedStyle(label);
  return {width: document.documentElement.scrollWidth, markRight: box.right,
          visible: box.height > 0 && style.visibility === 'visible',
          border: style.borderLeftColor, borderWidth: parseFloat(style.borderLeftWidth),
          background: style.backgroundColor, labelColor: labelStyle.color,
          labelBackground: labelStyle.backgroundColor, labelText: label.innerText};
}"""


def luminance(css: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"\d+", css)[:3])
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize("width", [375, 1280])
def test_the_mark_in_a_browser(site: Site, browser: Any, width: int) -> None:
    path = f"/plans/{NOTICE['plan']}.html"
    with serve_site(site.root, {path: plan_page_with_mark(site)}) as served, \
            open_page(browser, served, path, width=width) as opened:
        page = opened.page
        found = page.evaluate(MARK_JS)
        screenshot(page, f"irregularity-plan-{width}")
        page.locator("aside.irregular").screenshot(path=str(ARTIFACTS / f"irregularity-mark-{width}.png"))
        assert not opened.errors and not served.outside
    assert found["width"] <= width and found["markRight"] <= width  # no sideways scrolling
    assert found["visible"] and found["labelText"] == "异常"
    red = [int(x) for x in re.findall(r"\d+", found["border"])[:3]]
    assert red[0] > 120 and red[1] < 60 and red[2] < 60, found  # a red rule down its side
    assert found["borderWidth"] >= 6
    assert contrast(found["labelColor"], found["labelBackground"]) >= 7, found
    assert contrast("rgb(122, 13, 16)", found["background"]) >= 7, found  # the heading's colour


# --------------------------------------------------------------------------- small trees

LATER = "2026-01-10"
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def notice(number: str, published_on: str, kind: str = "late-timestamp",
           about: str = "plan: 2025-01") -> str:
    return (f"id: {number}\nkind: {kind}\n{about}\npublished_on: {published_on}\n"
            "reason: 时间戳服务中断，抽取包的时间戳晚于规定。\n")


def tree(*notices: tuple[str, str]) -> Files:
    return {**valid_tree(), **{f"records/irregularities/{n}.yaml": text for n, text in notices}}


def test_a_notice_published_later_is_withheld_until_its_day(tmp_path: Path) -> None:
    files = tree(("2025-01-irregularity-01", notice("2025-01-irregularity-01", LATER)))
    before = build_tree(tmp_path / "before", files, day="2025-12-31")
    assert json.loads(before.read("data/irregularities.json")) == []
    assert "irregularity" not in before.read("feed.xml")
    assert not [p for p in before.files() if p.startswith("report/2026")]
    assert not before.page("report/2025.html").find_all("aside", cls="irregular")

    on = build_tree(tmp_path / "on", files, day=LATER)
    assert [r["id"] for r in json.loads(on.read("data/irregularities.json"))] == [
        "2025-01-irregularity-01"]
    assert "irregularity-2025-01-irregularity-01" in on.read("feed.xml")
    # the notice's year has a report page, though no plan or finding is of that year
    item = on.page("report/2026.html").one("li", id_="2025-01-irregularity-01")
    assert "2025年律师事务所随机抽查" in item.text()


def test_a_notice_naming_a_commit_links_to_its_row_of_the_yearly_report(tmp_path: Path) -> None:
    files = tree(("irregularity-2025-01", notice("irregularity-2025-01", "2025-06-01",
                                                  "misdated-commit", f"commit: {COMMIT}")))
    built = build_tree(tmp_path, files, day="2025-12-31")
    (entry,) = [e for e in feed_entries(built, "feed.xml")
                if e.findtext(f"{ATOM}id").endswith(":irregularity-irregularity-2025-01")]
    assert entry.findtext(f"{ATOM}title") == (
        f"{HEADING}：提交 {COMMIT[:12]}：{IRREGULARITY_KINDS['misdated-commit']}")
    href = entry.find(f"{ATOM}link").get("href")
    target, fragment = built.resolve("feed.xml", href)
    assert (target, fragment) == ("report/2025.html", "irregularity-2025-01")
    item = built.page("report/2025.html").one("li", id_="irregularity-2025-01")
    assert item.one("code").text() == COMMIT and "提交" in item.find("p").text()
