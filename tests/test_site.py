"""Acceptance tests of the public disclosure site (`ssj build`), read back as HTML, XML, CSV and
JSON and compared with the records they come from.

The example county is built once per module (into a temporary folder) with the site's date and
source revision fixed, for what is about its whole site (every page, every link, every record
shown as the records say). A test of one behaviour (what is withheld until its date, an ended
list entry, an open rectification, an amendment, a refused build…) writes a small tree inline
for it instead (tests/site_tree.py), so it does not depend on what the example happens to hold.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from generator.records.kinds import KINDS_BY_NAME, METHODS, ROLES, SECTORS, choices
from generator.records.load import load_records
from generator.rules.catalogue import LISTED
from generator.rules.checks import NO_CLAUSE
from tests.records_tree import FIRM_ID, LIST_ENTRY, PERSON, valid_tree
from tests.rules_tree import (  # noqa: F401  (the drawn_tree fixture)
    FINDING_FILE,
    JURISDICTION_FILE,
    Drawn,
    drawn_tree_fixture,
    firm_file,
)
from tests.site_tree import (  # noqa: F401  (the site_tree fixture)
    SiteTrees,
    amendment,
    edit,
    finding,
    site_tree_fixture,
    ssj_build,
    with_exit,
    write_records,
)
from tests.sitecheck import (shown, 
    REPO,
    Element,
    Site,
    build_site,
    copy_example,
    css_urls,
    facts,
    headers,
    is_external,
    records_of,
    run_ssj,
    section_of,
    table_captioned,
)

DAY = dt.date(2026, 12, 31)


def zh(day: dt.date | str) -> str:
    """A date as the pages write it (2026-04-28 -> 2026年4月28日); data files keep ISO."""
    d = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10])
    return f"{d.year}年{d.month}月{d.day}日" + ("" if isinstance(day, dt.date) else str(day)[10:])


EPOCH = str(int(dt.datetime(2026, 12, 31, tzinfo=dt.UTC).timestamp()))
REVISION = "rev-0123456789ab"
ENV = {"SOURCE_DATE_EPOCH": EPOCH, "SSJ_SOURCE_REVISION": REVISION}
PLAN_IDS = sorted(p.stem for p in (REPO / "records" / "plans").glob("*.yaml"))
INSTITUTION_IDS = sorted(p.stem for p in (REPO / "records" / "institutions").glob("*.yaml"))
FINDING_IDS = sorted(p.stem for p in (REPO / "records" / "findings").glob("*.yaml"))
# The drand networks' chain hashes, as published by the League of Entropy.
DRAND_CHAIN_HASH = {
    "default": "8990e7a9aaed2ffed73dbd7092123d6f289930540d7651336225dc172e51b2ce",
    "quicknet": "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
}
DRAND_GENESIS = {"default": (1595431050, 30), "quicknet": (1692803367, 3)}
BEIJING = dt.timezone(dt.timedelta(hours=8))
OUTCOMES = choices("finding", "outcome")
MODES = choices("plan", "mode")
ACTIONS = choices("finding", "handling.action")
LIST_LABELS = choices("list_entry", "list")
LIST_GROUNDS = choices("list_entry", "ground")
FOLLOW_UP = choices("finding", "follow_ups.outcome")
INSTITUTION_STATUS = choices("institution", "status_history.status")
TARGET_KINDS = choices("item", "target_kind")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_example(tmp_path_factory.mktemp("example"))


@pytest.fixture(scope="module")
def out(example: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("built") / "site"
    built = build_site(example, folder, env=ENV)
    assert built.exit_code == 0, built.output
    return folder


@pytest.fixture(scope="module")
def site(out: Path) -> Site:
    return Site(out)


@pytest.fixture(scope="module")
def records(example: Path):  # type: ignore[no-untyped-def]
    loaded, problems = load_records(example / "records")
    assert not [p for p in problems if p.severity == "error"]
    # the tests loop over these: an empty kind would let them pass without checking anything
    assert all(loaded.all(kind) for kind in ("institution", "person", "inspector", "item", "plan",
                                             "finding", "list_entry", "credit_notice", "amendment"))
    return loaded


@pytest.fixture(scope="module")
def published(records) -> list:  # type: ignore[no-untyped-def]
    found = [f for f in records.findings if f.published_on and f.published_on <= DAY]
    assert found, "no published finding: the tests looping over them would check nothing"
    return found


def draw_file(example: Path, plan: str, name: str) -> bytes:
    return (example / "records" / "draws" / plan / name).read_bytes()


def draw_json(example: Path, plan: str, name: str):  # type: ignore[no-untyped-def]
    return json.loads(draw_file(example, plan, name))


def href_id(element: Element) -> str:
    """The record id a link points at: the file stem or the #fragment."""
    href = element.get("href") or ""
    if "#" in href:
        return href.split("#", 1)[1]
    return Path(href).stem


def link_ids(element: Element) -> list[str]:
    return [href_id(a) for a in element.iter("a")]


def squash(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- every page


def test_the_parametrised_tests_have_cases() -> None:
    """The tests parametrised over these would check nothing (pytest skips an empty list)."""
    assert PLAN_IDS and INSTITUTION_IDS and FINDING_IDS


def test_the_build_writes_pages_data_and_draw_files(site: Site) -> None:
    files = set(site.files())
    for path in ("index.html", "items.html", "institutions/index.html", "inspectors.html",
                 "plans/index.html", "findings/index.html", "lists.html", "rules.html",
                 "regulation.html", "data.html", "404.html", "feed.xml", "sitemap.xml",
                 "robots.txt", "static/style.css", "report/2025.html", "report/2026.html"):
        assert path in files, path
    assert {f"plans/{p}.html" for p in PLAN_IDS} <= files
    assert {f"institutions/{i}.html" for i in INSTITUTION_IDS} <= files
    assert {f"findings/{f}.html" for f in FINDING_IDS} <= files


def test_every_page_is_zh_cn_with_one_h1_and_the_landmarks(site: Site) -> None:
    problems = []
    for path in site.html_pages():
        doc = site.page(path)
        if doc.doctype != ["doctype html"]:
            problems.append(f"{path}: doctype {doc.doctype}")
        html = doc.find_all("html")
        if len(html) != 1 or html[0].get("lang") != "zh-CN":
            problems.append(f"{path}: <html lang> is not zh-CN")
        if not doc.find("meta", charset="utf-8"):
            problems.append(f"{path}: no <meta charset=utf-8>")
        titles = doc.find_all("title")
        if len(titles) < 1 or not titles[0].text():
            problems.append(f"{path}: no <title>")
        for tag, count in (("h1", 1), ("main", 1), ("footer", 1)):
            found = len(doc.find_all(tag))
            if found != count:
                problems.append(f"{path}: {found} <{tag}>")
        if not doc.find_all("nav"):
            problems.append(f"{path}: no <nav>")
        h1 = doc.find("h1")
        if h1 is not None and not any(a.tag == "main" for a in h1.ancestors()):
            problems.append(f"{path}: the <h1> is outside <main>")
        if h1 is not None and not h1.text():
            problems.append(f"{path}: empty <h1>")
    assert not problems, "\n".join(problems)


def test_every_table_has_a_caption_and_header_cells(site: Site) -> None:
    problems = []
    tables = 0
    for path in site.html_pages():
        for n, table in enumerate(site.page(path).iter("table")):
            tables += 1
            first = next((c for c in table.children if isinstance(c, Element)), None)
            if first is None or first.tag != "caption" or not first.text():
                problems.append(f"{path}: table {n} has no leading <caption>")
            if not table.find_all("th"):
                problems.append(f"{path}: table {n} has no <th>")
            for th in table.find("thead").iter("th") if table.find("thead") else ():
                if th.get("scope") != "col":
                    problems.append(f"{path}: table {n}: header {th.text()!r} without scope=col")
    assert tables > 50, tables
    assert not problems, "\n".join(problems[:20])


def verifier_script(e) -> bool:  # type: ignore[no-untyped-def]
    """The draw verifier's two scripts: the import map, and its module from this site."""
    return e.attrs == {"type": "importmap"} or e.attrs == {"type": "module",
                                                           "src": "static/verify/page.js"}


def search_script(e) -> bool:  # type: ignore[no-untyped-def]
    """The site search's one script: its module from this site (which loads pagefind/)."""
    return e.attrs == {"type": "module", "src": "static/search/search.js"}


# the pages that run scripts: which, and how many; every other page runs none
OWN_SCRIPTS = {"verify.html": (verifier_script, 2), "search.html": (search_script, 1)}


def test_no_script_and_the_content_security_policy_forbids_inline_script(site: Site) -> None:
    problems = []
    for path in site.html_pages():
        doc = site.page(path)
        own, count = OWN_SCRIPTS.get(path, (verifier_script, 0))
        if [own(e) for e in doc.find_all("script")] != [True] * count:
            problems.append(f"{path}: <script> element")
        for e in doc.iter():
            for name in e.attrs:
                if name.startswith("on"):
                    problems.append(f"{path}: <{e.tag} {name}>")
        metas = doc.find_all("meta", **{"http-equiv": "Content-Security-Policy"})
        if len(metas) != 1:
            problems.append(f"{path}: {len(metas)} CSP meta elements")
            continue
        policy = {}
        for directive in (metas[0].get("content") or "").split(";"):
            words = directive.split()
            if words:
                policy[words[0]] = words[1:]
        scripts = policy.get("script-src", policy.get("default-src"))
        if path == "verify.html":  # its own modules, and its import map by the hash of its text
            if len(scripts) != 2 or scripts[0] != "'self'" or not scripts[1].startswith("'sha256-"):
                problems.append(f"{path}: scripts allowed by {scripts}")
            continue
        if (path == "search.html") != (scripts == ["'self'", "'wasm-unsafe-eval'"]):
            problems.append(f"{path}: scripts allowed by {scripts}")  # Pagefind's WebAssembly
        if scripts is None:
            problems.append(f"{path}: no script-src and no default-src")
        elif any(w in scripts for w in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:")) or \
                any(is_external(w) for w in scripts):
            problems.append(f"{path}: scripts allowed by {scripts}")
        for directive in ("default-src", "style-src"):
            if "'unsafe-inline'" in policy.get(directive, []):
                problems.append(f"{path}: {directive} allows 'unsafe-inline'")
        if policy.get("base-uri") != ["'none'"] and policy.get("base-uri") != ["'self'"]:
            problems.append(f"{path}: base-uri not restricted")
    assert not problems, "\n".join(problems[:20])


def test_no_inline_styles_that_the_policy_would_block(site: Site) -> None:
    """style-src 'self' blocks inline styles: the site must not depend on any."""
    problems = [f"{path}: <{e.tag}> {'style attribute' if e.tag != 'style' else ''}"
                for path in site.html_pages() for e in site.page(path).iter()
                if e.tag == "style" or "style" in e.attrs]
    assert not problems, "\n".join(problems[:20])


def test_nothing_is_loaded_from_outside_the_site(site: Site) -> None:
    problems = []
    for path in site.html_pages():
        for element, attr, value in site.links(path):
            loads = attr != "href" or element.tag == "link"
            if loads and is_external(value) and not value.startswith("data:"):
                problems.append(f"{path}: <{element.tag} {attr}={value!r}>")
    for path in site.files():
        if path.endswith(".css"):
            css = site.read(path)
            problems += [f"{path}: url({u})" for u in css_urls(css) if is_external(u)
                         and not u.startswith("data:")]
            problems += [f"{path}: @import" for _ in re.findall(r"@import", css)]
    assert not problems, "\n".join(problems[:20])


def test_the_stylesheet_prints_and_uses_the_system_fonts(site: Site) -> None:
    css = site.read("static/style.css")
    assert re.search(r"@media\s+print\s*\{", css)
    assert "@font-face" not in css
    families = re.findall(r"font-family\s*:\s*([^;]+);", css)
    body = [f for f in families if "sans-serif" in f]
    assert body, families
    stack = [name.strip().strip("\"'") for name in body[0].split(",")]
    assert stack[-1] == "sans-serif"
    assert {"system-ui", "-apple-system", "BlinkMacSystemFont", "Segoe UI"} & set(stack)
    assert {"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC"} & set(stack)  # Chinese faces


def test_ids_are_unique_and_attributes_are_not_repeated(site: Site) -> None:
    problems = []
    for path in site.html_pages():
        seen: dict[str, int] = {}
        for e in site.page(path).iter():
            if e.duplicate_attrs:
                problems.append(f"{path}:{e.line}: <{e.tag}> repeats an attribute")
            if e.get("id"):
                seen[e.get("id")] = seen.get(e.get("id"), 0) + 1
            label = e.get("aria-labelledby")
            if label and label not in site.ids(path):
                problems.append(f"{path}: aria-labelledby={label!r} names no element")
        problems += [f"{path}: id {i!r} used {n} times" for i, n in seen.items() if n > 1]
    assert not problems, "\n".join(problems[:20])


def test_every_page_has_the_footer(site: Site, records) -> None:  # type: ignore[no-untyped-def]
    j = records.jurisdiction
    expected = [j.name, f"网站标识码：{j.site.website_id}", j.site.icp_record, j.site.psb_record,
                zh(DAY), j.regulation.number, "主办单位", "联系我们", j.site.telephone,
                j.site.email, "无障碍与适老化说明", "党政机关网站标识"]
    problems = []
    for path in site.html_pages():
        text = site.page(path).one("footer").text()
        problems += [f"{path}: footer lacks {want!r}" for want in expected if want not in text]
        # a git revision means nothing to a reader: it is in data/manifest.json, not in sight
        if REVISION[:7] in text:
            problems.append(f"{path}: the footer shows the revision")
    assert not problems, "\n".join(problems[:20])


def test_the_example_banner_is_on_every_page(site: Site) -> None:
    missing = []
    for path in site.html_pages():
        banners = [p for p in site.page(path).iter("p") if "banner" in p.classes]
        if len(banners) != 1 or "示例数据" not in banners[0].text() or \
                any(a.tag == "main" for a in banners[0].ancestors()):
            missing.append(path)
    assert not missing


def test_there_is_no_banner_when_the_records_are_not_an_example(site_tree: SiteTrees) -> None:
    # without its plan and what follows from it: a real bureau's published plan whose round is
    # public needs its draw files (draw.unfrozen), which this small tree does not keep
    files = {name: text for name, text in valid_tree().items() if not name.startswith(
        ("records/plans/", "records/findings/", "records/lists/", "records/credit-notices/"))}
    files[JURISDICTION_FILE] = edit(str(files[JURISDICTION_FILE]), "example: true",
                                    "example: false")
    example = site_tree()  # the same tree as an example: the banner on every page
    assert all("示例数据" in example.page(p).one(cls="banner").text()
               for p in example.html_pages())
    small = site_tree(files)
    for path in small.html_pages():
        html = small.read(path)
        assert "示例数据" not in html, path
        assert not small.page(path).find_all(cls="banner"), path
        assert "测试县司法局" in small.page(path).one("footer").text()


def test_each_page_marks_itself_in_the_navigation(site: Site) -> None:
    from generator.site.urls import NAV

    # the example publishes its inspector roster, which then has a place in the navigation
    targets = [t for t, _ in NAV]
    targets.insert(5, "inspectors.html")
    for path in site.html_pages():
        if path == "404.html":
            continue  # served at any depth: its own short navigation (test_the_404_page)
        nav = site.page(path).one("nav", **{"aria-label": "主导航"})
        reached = [site.resolve(path, a.get("href"))[0] for a in nav.iter("a")]
        assert reached == targets, path
        current = [a for a in nav.iter("a") if a.get("aria-current") == "page"]
        assert [site.resolve(path, a.get("href"))[0] for a in current] == \
            ([path] if path in targets else []), path


# a detail page's section in the navigation, and its breadcrumb's links above it
SECTIONS = {"plans/2025-01.html": ("plans/index.html", ["index.html", "plans/index.html"]),
            "findings/2025-01-01.html": ("findings/index.html",
                                         ["index.html", "findings/index.html"]),
            "institutions/31211324MA010851XN.html": ("institutions/index.html",
                                                     ["index.html", "institutions/index.html"]),
            "report/2025.html": ("index.html", ["index.html"]),
            "verify.html": ("plans/index.html", ["index.html", "plans/index.html"]),
            "rules.html": ("regulation.html", ["index.html", "regulation.html"]),
            "accessibility.html": (None, ["index.html"])}


@pytest.mark.parametrize("path", sorted(SECTIONS))
def test_a_detail_page_has_a_breadcrumb_and_marks_its_section(site: Site, path: str) -> None:
    section, above = SECTIONS[path]
    doc = site.page(path)
    nav = doc.one("nav", **{"aria-label": "主导航"})
    marked = [site.resolve(path, a.get("href"))[0] for a in nav.iter("a")
              if a.get("aria-current") == "true"]
    assert marked == ([section] if section else []), path
    crumbs = doc.one("nav", **{"aria-label": "当前位置"})
    items = crumbs.one("ol").find_all("li")
    assert [site.resolve(path, a.get("href"))[0] for a in crumbs.iter("a")][:len(above)] == above
    assert items[-1].find("span").get("aria-current") == "page"
    assert items[-1].text() == doc.find("title").text().split(" · ")[0]


def test_a_person_s_breadcrumb_passes_through_the_institution(site: Site, records) -> None:  # type: ignore[no-untyped-def]
    person = next(p for p in records.personnel if p.institution)
    path = f"personnel/{person.id}.html"
    crumbs = site.page(path).one("nav", **{"aria-label": "当前位置"})
    assert [site.resolve(path, a.get("href"))[0] for a in crumbs.iter("a")] == [
        "index.html", "institutions/index.html", f"institutions/{person.institution}.html"]


def test_the_home_page_has_no_breadcrumb(site: Site) -> None:
    assert not site.page("index.html").find_all("nav", **{"aria-label": "当前位置"})


# --------------------------------------------------------------------------- links


def test_every_internal_link_resolves(site: Site) -> None:
    seen, broken = site.crawl("index.html")
    assert not broken, "\n".join(broken[:20])
    assert len(seen) > 100


def test_every_link_on_every_page_resolves(site: Site) -> None:
    """The crawl only sees pages it reaches; this checks the links of the rest too."""
    broken = []
    served = Site(site.root, base_url=EXAMPLE_BASE)  # the 404 page's links are root-relative
    for path in site.html_pages():
        for element, attr, value in site.links(path):
            target, fragment = (served if path == "404.html" else site).resolve(path, value)
            if target is None:
                if not is_external(value):
                    broken.append(f"{path}: {value!r} leaves the site")
                continue
            if not (site.root / target).is_file():
                broken.append(f"{path}: {value!r} -> {target} missing")
            elif fragment and target.endswith(".html") and fragment not in site.ids(target):
                broken.append(f"{path}: {value!r}: no #{fragment}")
    assert not broken, "\n".join(broken[:20])


def test_every_page_is_reachable_from_the_home_page(site: Site) -> None:
    seen, _ = site.crawl("index.html")
    unreachable = sorted(set(site.html_pages()) - seen - {"404.html"})
    assert not unreachable


def test_every_page_except_the_inspector_roster_is_reachable(site: Site) -> None:
    """Guards the rest of the site while the roster's missing link (above) is open."""
    seen, _ = site.crawl("index.html")
    unreachable = sorted(set(site.html_pages()) - seen - {"404.html", "inspectors.html"})
    assert not unreachable
    assert "404.html" not in seen


def test_the_404_page_links_work_from_any_missing_url(site: Site) -> None:
    site = Site(site.root, base_url=EXAMPLE_BASE)
    checked = 0
    for served_at in ("missing.html", "findings/missing.html", "findings/2020/old/missing.html"):
        for element, attr, value in site.links("404.html"):
            if value.startswith("#") or is_external(value):  # mailto:, the ICP registry
                continue
            checked += 1
            assert value.startswith(urlsplit(EXAMPLE_BASE).path), value  # root-relative
            target, _ = site.resolve(served_at, value)
            assert target is not None and (site.root / target).is_file(), \
                f"404 page served at {served_at}: {value!r} -> {target}"
    assert checked >= 3 * 5, checked  # the stylesheet, the home page, the navigation…


# The drawn tree's second random finding is published on PUBLISHED; a list entry and an amendment
# are dated the day before. Built the day before that (WITHHELD) and on PUBLISHED.
WITHHELD, PUBLISHED = "2025-04-25", "2025-04-28"


def withheld_files(d: Drawn) -> dict[str, str]:
    return {
        d.finding_file(2): edit(d.finding(2), "published_on: 2025-04-20",
                                f"published_on: {PUBLISHED}"),
        "records/lists/abnormal-2025-01.yaml": f"""\
id: abnormal-2025-01
list: abnormal
institution: "{d.undrawn}"
ground: other
reason: 未按规定报送年度执业情况。
decision:
  authority: 测试县司法局
  number: 测司异〔2025〕1号
  date: 2025-04-27
entered_on: 2025-04-27
""",
        "records/amendments/2025-01-01-a1.yaml": amendment(
            "2025-01-01-a1", "2025-01-01", "2025-04-27", "检查日期应为 2025 年 4 月 10 日。"),
    }


@pytest.fixture(scope="module")
def early(drawn_tree: Drawn, site_tree: SiteTrees) -> tuple[Site, Site]:
    """(the site on WITHHELD, the site on PUBLISHED) of the same records."""
    files = withheld_files(drawn_tree)
    return (site_tree(files, base=drawn_tree.root, day=WITHHELD),
            site_tree(files, base=drawn_tree.root, day=PUBLISHED))


def test_an_unpublished_finding_has_no_page(early: tuple[Site, Site]) -> None:
    before, on = early
    for built in early:  # the finding published on the 20th is there on either day
        assert "findings/2025-01-01.html" in built.files()
    assert "findings/2025-01-02.html" not in before.files()
    assert "findings/2025-01-02.json" not in before.files()
    assert [f["id"] for f in json.loads(before.bytes("findings/index.json"))] == ["2025-01-01"]
    assert not [p for p in before.files() if b"findings/2025-01-02" in before.bytes(p)]
    assert "findings/2025-01-02.html" in on.files()  # and on its day it is published
    assert "findings/2025-01-02.html" in [on.resolve("plans/2025-01.html", a.get("href"))[0]
                                          for a in on.main("plans/2025-01.html").iter("a")]


def test_links_resolve_when_a_finding_is_not_yet_published(early: tuple[Site, Site]) -> None:
    before, _ = early
    # the plan's page still links the finding that is published, and only that one
    linked = [before.resolve("plans/2025-01.html", a.get("href"))[0]
              for a in before.main("plans/2025-01.html").iter("a")]
    assert sorted({p for p in linked if p and re.fullmatch(r"findings/[^/]+-\d\d\.html", p)}) == \
        ["findings/2025-01-01.html"]
    seen, broken = before.crawl("index.html")
    assert not broken, broken
    assert "findings/2025-01-01.html" in seen


def test_the_home_page_announces_nothing_dated_after_the_site_date(
        early: tuple[Site, Site]) -> None:
    before, on = early
    dates = [t.get("datetime") for t in before.main("index.html").iter("time")]
    assert dates and max(dates) <= WITHHELD, dates
    # the same records have notices dated after WITHHELD: shown once their day has come
    later = {t.get("datetime") for t in on.main("index.html").iter("time")} - set(dates)
    assert later and min(later) > WITHHELD, later


# --------------------------------------------------------------------------- home


def test_the_home_page_explains_the_scheme(site: Site) -> None:
    main = site.main("index.html")
    assert "双随机一公开" in main.one("h1").text()
    lead = main.one(cls="lead").text()
    for words in ("随机抽取检查对象", "随机选派执法检查人员", "向社会公开", "核验"):
        assert words in lead


def test_the_home_page_lists_the_latest_notices_newest_first(site: Site) -> None:
    notices = section_of(site.page("index.html"), "latest").one("ol")
    items = [li for li in notices.children if isinstance(li, Element) and li.tag == "li"]
    assert len(items) >= 10
    dates = [li.one("time").get("datetime") for li in items]
    assert dates == sorted(dates, reverse=True)
    assert all(li.one("time").text() == zh(li.one("time").get("datetime")) for li in items)
    # the same notices, in the same order, as the top of the feed
    feed = ET.fromstring(site.bytes("feed.xml"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    top = [(e.find("a:updated", ns).text[:10], e.find("a:title", ns).text)
           for e in feed.findall("a:entry", ns)][:len(items)]
    shown = [(li.one("time").get("datetime"),
              f"{li.one(cls='tag').text()}：{li.find('a').text()}") for li in items]
    assert shown == top
    kinds = {li.one(cls="tag").text() for li in items}
    assert {"抽取公告", "抽取结果", "检查结果"} <= kinds


def test_the_home_page_shows_this_years_progress_against_the_policy(
        site: Site, records, example: Path) -> None:  # type: ignore[no-untyped-def]
    table = table_captioned(site.page("index.html"), f"{DAY.year}年各行业随机抽查完成情况")
    rows = {r["行业"].text(): r for r in records_of(table)}
    report = {r["行业"].text(): r
              for r in records_of(table_captioned(site.page(f"report/{DAY.year}.html"),
                                                  f"{DAY.year}年各行业汇总"))}
    superseded = {p.revision.supersedes for p in records.plans if p.revision}
    policy = records.jurisdiction.policy.sectors
    assert policy and list(rows) == [SECTORS[s.sector] for s in policy]
    for s in policy:
        row = rows[SECTORS[s.sector]]
        done = sum(1 for p in records.plans if p.year == DAY.year and p.id not in superseded
                   and (example / "records" / "draws" / p.id / "result.json").exists()
                   and any(x.sector == s.sector for x in p.scope))
        assert row["每年应抽查次数"].text() == str(s.inspections_per_year)
        assert row["每次至少对象数"].text() == str(s.min_targets)
        assert row["已完成抽取"].text() == str(done)
        r = report[SECTORS[s.sector]]
        assert row["已抽查对象 / 名录数"].text() == \
            f"{r['随机抽查对象（家）'].text()} / {r['名录数（家）'].text()}"
        roster = sum(1 for i in records.institutions if i.sector == s.sector
                     and i.status_on(DAY) == "active")
        assert r["名录数（家）"].text() == str(roster)


def test_the_home_page_links_each_yearly_report(site: Site) -> None:
    reports = section_of(site.page("index.html"), "reports")
    assert [site.resolve("index.html", a.get("href"))[0] for a in reports.iter("a")] == \
        ["report/2026.html", "report/2025.html"]


# --------------------------------------------------------------------------- items


def test_the_items_page_lists_every_item_by_sector(site: Site, records) -> None:  # type: ignore[no-untyped-def]
    doc = site.page("items.html")
    j = records.jurisdiction
    departments = {d.id: d.name for d in j.departments}
    assert len(records.items) == 18
    for item in records.items:
        row = doc.one("tr", id_=item.id)
        section = row.section()
        assert section.find("h2").text() == SECTORS[item.sector]
        table = next(a for a in row.ancestors() if a.tag == "table")
        cells = dict(zip(headers(table), [c for c in row.children if isinstance(c, Element)]))
        assert cells["编号"].text() == item.id
        assert cells["事项"].text().startswith(item.title)
        assert cells["抽查内容"].text() == squash(item.content)
        assert cells["方式"].text() == "、".join(METHODS[m] for m in item.methods)
        assert cells["主体"].text() == f"{j.short_name}{departments[item.subject]}"
        assert cells["对象"].text() == TARGET_KINDS[item.target_kind]
        basis = [li.text() for li in cells["依据"].iter("li")]
        assert basis == [f"{b.law}{b.articles}" for b in item.basis]


# --------------------------------------------------------------------------- rosters


def test_the_institution_roster_lists_every_institution_with_its_code(
        site: Site, records) -> None:  # type: ignore[no-untyped-def]
    doc = site.page("institutions/index.html")
    listed = {}
    for table in doc.iter("table"):
        if "法律服务人员" in table.one("caption").text():
            continue
        sector = table.section().find("h2").text()
        for row in records_of(table):
            name_link = row["名称"].one("a")
            listed[href_id(name_link)] = (sector, name_link.text(),
                                          row["统一社会信用代码 / 许可证号"].text(),
                                          row["住所"].text(), row["状态"].text())
    assert sorted(listed) == INSTITUTION_IDS
    for inst in records.institutions:
        assert listed[inst.id] == (SECTORS[inst.sector], inst.name,
                                   inst.uscc or inst.licence_number, shown(inst.address),
                                   INSTITUTION_STATUS[inst.status_on(DAY)])
        assert inst.uscc, f"the example's {inst.id} has a 统一社会信用代码"


def test_the_institution_roster_lists_the_personnel(site: Site, records) -> None:  # type: ignore[no-untyped-def]
    table = table_captioned(site.page("institutions/index.html"), "法律服务人员")
    rows = records_of(table)
    assert len(rows) == len(records.personnel)
    by_id = {href_id(r["姓名"].one("a")): r for r in rows}
    for person in records.personnel:
        row = by_id[person.id]
        assert row["姓名"].text() == person.name
        assert row["类别"].text() == ROLES[person.role]
        assert row["执业证号"].text() == (person.licence_number or "")
        assert href_id(row["所属机构"].one("a")) == person.institution


def test_the_inspector_roster_shows_public_fields_only(site: Site, records) -> None:  # type: ignore[no-untyped-def]
    assert records.jurisdiction.policy.publish_inspector_roster
    table = table_captioned(site.page("inspectors.html"), "执法检查人员")
    assert headers(table) == ["姓名", "股室", "执法证号", "有效期", "状态"]
    departments = {d.id: d.name for d in records.jurisdiction.departments}
    rows = {tr.get("id"): tr for tr in table.one("tbody").iter("tr")}
    assert sorted(rows) == sorted(i.id for i in records.inspectors)
    assert any(i.phone for i in records.inspectors)  # so the check below has phones to look for
    for inspector in records.inspectors:
        cells = [c.text() for c in rows[inspector.id].children if isinstance(c, Element)]
        c = inspector.certificate
        assert cells[:4] == [inspector.name, departments[inspector.department], c.number,
                             f"{zh(c.valid_from)}至{zh(c.valid_until)}"]
        if inspector.phone:
            assert inspector.phone not in site.read("inspectors.html")


def test_no_inspector_roster_when_the_policy_keeps_it_private(site_tree: SiteTrees) -> None:
    files = valid_tree()
    files[JURISDICTION_FILE] = edit(str(files[JURISDICTION_FILE]), "publish_inspector_roster: true",
                                    "publish_inspector_roster: false")
    assert "inspectors.html" in site_tree().files()  # published when the policy says so
    small = site_tree(files)
    assert "inspectors.html" not in small.files()
    assert "data/inspectors.csv" not in small.files()
    assert not [p for p in small.html_pages() if "inspectors.html" in small.read(p)]
    assert not small.crawl()[1]


# --------------------------------------------------------------------------- plans and draws


def test_the_plans_page_lists_every_plan(site: Site, records) -> None:  # type: ignore[no-untyped-def]
    table = table_captioned(site.page("plans/index.html"), "抽查计划")
    rows = records_of(table)
    assert [r["编号"].text() for r in rows] == sorted(PLAN_IDS, reverse=True)
    for row in rows:
        plan = records.get(row["编号"].text(), ("plan",))
        assert row["计划"].one("a").text() == shown(plan.title)  # 2026 年度 -> 2026年度
        assert href_id(row["计划"].one("a")) == plan.id
        assert row["范围"].text() == "、".join(SECTORS[s.sector] for s in plan.scope)
        assert row["实施时间"].text() == f"{zh(plan.schedule.start)}至{zh(plan.schedule.end)}"
        assert row["抽取"].text() == "已抽取"


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_the_plan_page_describes_the_plan(site: Site, records, plan_id: str) -> None:  # type: ignore[no-untyped-def]
    plan = records.get(plan_id, ("plan",))
    doc = site.page(f"plans/{plan_id}.html")
    assert doc.one("h1").text() == shown(plan.title)
    dd = facts(section_of(doc, "plan").one("dl"))
    assert dd["计划编号"].text() == plan.id
    assert dd["抽查范围与比例"].text() == "；".join(
        f"{SECTORS[s.sector]}：抽取{s.ratio_percent}%，至少{s.min_count}家" for s in plan.scope)
    assert dd["抽查方式"].text() == METHODS[plan.method]
    assert link_ids(dd["抽查事项"]) == list(plan.fields["items"])
    assert [a.text() for a in dd["抽查事项"].iter("a")] == \
        [records.get(i, ("item",)).title for i in plan.fields["items"]]
    assert dd["实施时间"].text() == f"{zh(plan.schedule.start)}至{zh(plan.schedule.end)}"
    assert dd["检查方式"].text().startswith(MODES[plan.mode])
    if plan.self_inspection_deadline:
        assert f"自查截止{zh(plan.self_inspection_deadline)}" in dd["检查方式"].text()
    department = {d.id: d.name for d in records.jurisdiction.departments}[plan.organiser.department]
    assert department in dd["组织实施"].text()
    if plan.organiser.delegated_by:
        assert f"受{plan.organiser.delegated_by}委托" in dd["组织实施"].text()
    if plan.joint_departments:
        assert dd["联合抽查部门"].text() == "、".join(plan.joint_departments)
    else:
        assert "联合抽查部门" not in dd
    assert dd["名录取数日期"].text() == zh(plan.pool_date)
    if plan.published_on:
        assert dd["公布日期"].text() == zh(plan.published_on)
    if plan.description:
        assert squash(shown(plan.description)) in squash(section_of(doc, "plan").text())


def test_the_example_covers_every_way_of_carrying_out_a_plan(records) -> None:  # type: ignore[no-untyped-def]
    """So the parametrised test above sees deadlines, joint departments and delegation."""
    plans = records.plans
    assert any(p.self_inspection_deadline for p in plans)
    assert any(p.joint_departments for p in plans)
    assert any(p.organiser.delegated_by for p in plans)


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_the_draw_notice(site: Site, example: Path, records, plan_id: str) -> None:  # type: ignore[no-untyped-def]
    plan = records.get(plan_id, ("plan",))
    package = draw_json(example, plan_id, "package.json")
    doc = site.page(f"plans/{plan_id}.html")
    notice = doc.one(id_="notice")  # folded among the proofs
    commitment = draw_file(example, plan_id, "commitment.txt").decode().strip()
    assert package["strata"] and all(s["targets"] for s in package["strata"])
    assert notice.one("p", cls="hash").text() == commitment
    assert hashlib.sha256(json.dumps(package, ensure_ascii=False, sort_keys=True,
                                     separators=(",", ":")).encode()).hexdigest() == commitment
    sources = records_of(table_captioned(notice, "事先声明的公开随机源"))
    assert len(sources) == len(package["sources"]) == len(plan.draw.sources)
    for row, source in zip(sources, package["sources"]):
        assert source["kind"] == "drand"
        chain, number = source["chain"], source["round"]
        assert row["随机源"].text() == f"drand {chain} 第{number}轮"
        genesis, period = DRAND_GENESIS[chain]
        known = dt.datetime.fromtimestamp(genesis + (number - 1) * period, BEIJING)
        assert row["公布时间"].text() == zh(known.strftime("%Y-%m-%d %H:%M:%S") + " 北京时间")
        official = f"https://api.drand.sh/{DRAND_CHAIN_HASH[chain]}/public/{number}"
        assert [a.get("href") for a in row["官方来源"].iter("a")] == [official]
    text = notice.text()
    assert f"取数日期{zh(package['as_of'])}" in text
    assert f"每个对象选派{package['team_size']}名执法检查人员" in text
    # the frozen pool, stratum by stratum, with each target's tickets, folded (print opens it)
    pools = section_of(doc, "pool").find_all("details")
    assert len(pools) == len(package["strata"])
    for details, stratum in zip(pools, package["strata"]):
        summary = details.one("summary").text()
        tickets = sum(t["weight"] for t in stratum["targets"])
        assert summary == (f"{SECTORS[stratum['id']]}：{len(stratum['targets'])}个对象中抽取"
                           f"{stratum['k']}个" + (f"，共{tickets}份签"
                                                 if tickets != len(stratum["targets"]) else ""))
        assert "open" not in details.attrs
        entries = details.find_all("li")
        assert [href_id(li.one("a")) for li in entries] == [t["id"] for t in stratum["targets"]]
        for li, target in zip(entries, stratum["targets"]):
            assert li.one("a").text() == records.get(target["id"]).name
            assert (f"（{target['weight']}份）" in li.text()) == (target["weight"] > 1)
    if plan.draw.witnesses:  # who watched, and when: with the outcome, above the proofs
        told = section_of(doc, "outcome").text()
        for w in plan.draw.witnesses:
            assert f"{w.name}（{w.capacity}）" in told
        assert zh(plan.draw.held_on) in told


def test_a_weighted_target_is_in_the_example(example: Path) -> None:
    weights = [t["weight"] for p in PLAN_IDS
               for s in draw_json(example, p, "package.json")["strata"] for t in s["targets"]]
    assert max(weights) > 1


@pytest.fixture(scope="module")
def pending(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """Plan 2026-02 between its notice and its draw: the package is frozen and published, the
    round has not come, and nothing has been inspected (built as of 2026-08-25)."""
    root = copy_example(tmp_path_factory.mktemp("pending"))
    draws = root / "records" / "draws" / "2026-02"
    for name in ("result.json", "values.json", "drand-default-1000.json"):
        (draws / name).unlink()
    for record in (root / "records" / "findings").glob("2026-02-*.yaml"):
        record.unlink()
    epoch = str(int(dt.datetime(2026, 8, 25, tzinfo=dt.UTC).timestamp()))
    built = build_site(root, root / "out", env={**ENV, "SOURCE_DATE_EPOCH": epoch})
    assert built.exit_code == 0, built.output
    return Site(root / "out")


def test_before_the_draw_the_notice_is_public_and_no_result(pending: Site, example: Path) -> None:
    doc = pending.page("plans/2026-02.html")
    notice = doc.one(id_="notice")
    assert notice.one("p", cls="hash").text() == \
        draw_file(example, "2026-02", "commitment.txt").decode().strip()
    assert len(section_of(doc, "pool").find_all("details")) == 3
    assert doc.find(id_="result") is None
    # the hand checks of what exists before the draw only: the commitment, its authority's root
    # fingerprint and its time-stamp
    commands = [c.raw_text() for c in doc.one(id_="verify").iter("code")
                if "command" in c.classes]
    assert len(commands) == 3 and commands[1].startswith("openssl x509 -noout -fingerprint")
    assert commands[2].startswith("openssl ts -verify")
    assert "种子" not in doc.one("main").text()
    assert sorted(p for p in pending.files() if p.startswith("draws/2026-02/")) == \
        ["draws/2026-02/commitment.txt", "draws/2026-02/package.json",
         "draws/2026-02/timestamp-example-tsa.tsr"]
    row = next(r for r in records_of(table_captioned(pending.page("plans/index.html"), "抽查计划"))
               if r["编号"].text() == "2026-02")
    assert row["抽取"].text() == "已公布抽取包，待抽取"
    titles = [e.find(f"{ATOM}title").text
              for e in ET.fromstring(pending.bytes("feed.xml")).iter(f"{ATOM}entry")]
    plan_title = "2026年度公证处、司法鉴定机构、法律援助机构书面检查计划"  # typeset, as pages set it
    assert any(t.startswith("抽取公告") and plan_title in t for t in titles)
    assert not any(t.startswith("抽取结果") and plan_title in t for t in titles)


def test_before_the_draw_every_link_resolves(pending: Site) -> None:
    _, broken = pending.crawl()
    assert not broken, broken


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_the_draw_result(site: Site, example: Path, records, plan_id: str) -> None:  # type: ignore[no-untyped-def]
    doc = site.page(f"plans/{plan_id}.html")
    result = draw_json(example, plan_id, "result.json")
    values = draw_json(example, plan_id, "values.json")
    package = draw_json(example, plan_id, "package.json")
    section = doc.one(id_="result")  # folded among the proofs
    published = [code.text() for code in section.one("ol").iter("code")]
    assert published == values == result["values"] and values
    assert result["strata"] and all(s["ranking"] for s in result["strata"])
    # each value is the official source's published randomness, linked from the page
    official = {a.get("href") for a in doc.iter("a")}
    for value, source in zip(values, package["sources"]):
        stored = json.loads(draw_file(example, plan_id,
                                      f"drand-{source['chain']}-{source['round']}.json"))
        assert stored["randomness"] == value
        assert (f"https://api.drand.sh/{DRAND_CHAIN_HASH[source['chain']]}/public/"
                f"{source['round']}") in official
    for li, source in zip(section.one("ol").find_all("li"), package["sources"]):
        assert f"drand {source['chain']} 第{source['round']}轮" in li.text()
    # the seed: HMAC-SHA256 keyed by the commitment over the canonical values, its full value
    # one action away from its prefix
    seed_line = next(p for p in section.iter("p") if p.text().startswith("种子"))
    seed = seed_line.one("code", cls="hash").text()
    assert seed == result["seed"]
    commitment = draw_file(example, plan_id, "commitment.txt").decode().strip()
    canonical = json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode()
    assert hmac.new(bytes.fromhex(commitment), canonical, "sha256").hexdigest() == seed
    # every stratum's full ranking with its keys, the selected targets and their teams
    names = {i.id: i.name for i in records.inspectors}
    teams = {t["target"]: t["inspectors"] for t in result["teams"]}
    for stratum in result["strata"]:
        table = table_captioned(section, f"{SECTORS[stratum['id']]}：完整排序")
        assert f"前{stratum['k']}名抽中" in table.one("caption").text()
        trs = [tr for tr in table.one("tbody").children if isinstance(tr, Element)]
        rows = records_of(table)
        assert len(rows) == len(stratum["ranking"])
        for n, (tr, row, entry) in enumerate(zip(trs, rows, stratum["ranking"]), start=1):
            selected = n <= stratum["k"]
            assert row["名次"].text() == (f"{n}抽中" if selected else str(n))
            assert ("selected" in tr.classes) == selected
            assert href_id(row["对象"].one("a")) == entry["id"]
            assert row["对象"].text() == records.get(entry["id"]).name
            assert row["排序键"].one("code", cls="hash").text() == entry["key"]
            assert row["排序键"].text().startswith(entry["key"][:12] + "…")
            expected_team = "、".join(names[i] for i in teams.get(entry["id"], []))
            assert row["检查组"].text() == expected_team
            assert bool(expected_team) == selected


OPENSSL = re.compile(r"^printf '%s' '([^']*)' \| openssl dgst -sha256 -mac HMAC "
                     r"-macopt hexkey:([0-9a-f]{64})$")


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_how_to_check_the_draw_yourself(site: Site, example: Path, plan_id: str) -> None:
    path = f"plans/{plan_id}.html"
    section = site.page(path).one(id_="verify")
    commands = [pre.text() for pre in section.iter("pre")]
    verify = [c for c in commands if c.startswith("ssj draw verify")]
    assert len(verify) == 1
    words = verify[0].split()
    package_file = words[words.index("--package") + 1]
    values_file = words[words.index("--values") + 1]
    # the files the command names can be downloaded right there, byte for byte as recorded
    downloads = {Path(a.get("href")).name: site.resolve(path, a.get("href"))[0]
                 for a in section.iter("a") if f"draws/{plan_id}/" in a.get("href")}
    stored = sorted(p.name for p in (example / "records" / "draws" / plan_id).iterdir())
    assert sorted(downloads) == stored
    for name in (package_file, values_file, "result.json", "commitment.txt"):
        assert site.bytes(downloads[name]) == draw_file(example, plan_id, name)
    # the openssl command keyed by the seed reproduces a key shown in the ranking
    result = draw_json(example, plan_id, "result.json")
    ssl = [c for c in commands if "openssl" in c and c.endswith(f"hexkey:{result['seed']}")]
    assert len(ssl) == 1
    match = OPENSSL.match(ssl[0])
    assert match, ssl[0]
    message, key = match.groups()
    assert key == result["seed"]
    digest = hmac.new(bytes.fromhex(key), message.encode(), "sha256").hexdigest()
    spec, kind, stratum, target, ticket = json.loads(message)
    assert (spec, kind, ticket) == ("ssj-draw/1", "target", 1)
    assert target in section.text()
    ranking = table_captioned(site.page(path).one(id_="result"), f"{SECTORS[stratum]}：完整排序")
    keys = {href_id(row["对象"].one("a")): row["排序键"].one("code", cls="hash").text()
            for row in records_of(ranking)}
    assert keys[target] == digest
    if shutil.which("openssl") and shutil.which("sh"):
        done = subprocess.run(["sh", "-c", ssl[0]], capture_output=True, text=True, timeout=30,
                              check=True)
        assert done.stdout.strip().split()[-1] == digest


def test_the_openssl_example_matches_a_shown_key_for_a_weighted_target(example: Path) -> None:
    from generator.draw.spec import draw
    from generator.site.family.draws import _key_example

    package = draw_json(example, "2025-02", "package.json")
    values = draw_json(example, "2025-02", "values.json")
    for weight in range(2, 12):
        package["strata"][0]["targets"][0]["weight"] = weight
        result = draw(package, values)
        example_key = _key_example(package, result)
        digest = hmac.new(bytes.fromhex(example_key["seed"]), example_key["message"].encode(),
                          "sha256").hexdigest()
        shown = {e["id"]: e["key"] for s in result["strata"] for e in s["ranking"]}
        assert shown[example_key["target"]] == digest, f"weight {weight}"


def test_the_draw_files_are_published_byte_for_byte(site: Site, example: Path) -> None:
    stored = sorted(p.relative_to(example / "records").as_posix()
                    for p in (example / "records" / "draws").rglob("*") if p.is_file())
    published = [f for f in site.files() if f.startswith("draws/")]
    assert stored and published == stored
    for name in stored:
        assert site.bytes(name) == (example / "records" / name).read_bytes(), name


# --------------------------------------------------------------------------- findings


def test_the_findings_page_lists_findings_by_year(site: Site, records, published) -> None:  # type: ignore[no-untyped-def]
    doc = site.page("findings/index.html")
    years = sorted({f.inspected.start.year for f in published}, reverse=True)
    assert [h.text() for h in doc.one("main").iter("h2")] == [f"{y}年" for y in years]
    for year in years:
        table = table_captioned(doc, f"{year}年检查结果")
        rows = records_of(table)
        expected = sorted((f for f in published if f.inspected.start.year == year),
                          key=lambda f: (f.inspected.start, f.id), reverse=True)
        assert [href_id(r["详情"].one("a")) for r in rows] == [f.id for f in expected]
        for row, f in zip(rows, expected):
            target = records.get(f.target)
            assert row["被抽查对象"].text() == target.name
            assert href_id(row["被抽查对象"].one("a")) == target.id
            assert row["登记号"].text() == (target.uscc or target.licence_number)
            when = zh(f.inspected.start) if f.inspected.end == f.inspected.start else \
                f"{zh(f.inspected.start)}至{zh(f.inspected.end)}"
            assert row["抽查时间"].text() == when
            assert row["方式"].text() == METHODS[f.method]
            assert row["类别"].text() == ("随机抽查" if f.plan else "非随机检查")
            assert row["结果"].text() == OUTCOMES[f.outcome]


def test_the_findings_page_shows_items_and_handling(site: Site, records, published) -> None:  # type: ignore[no-untyped-def]
    doc = site.page("findings/index.html")
    assert any(f.handling for f in published)  # so the labels of handling are looked for
    assert list(doc.one("main").iter("table"))
    for table in doc.one("main").iter("table"):
        names = headers(table)
        assert "抽查内容" in names and any("查处" in n for n in names), names
    row_text = {href_id(tr.find_all("a")[-1]): tr.text()
                for t in doc.one("main").iter("table") for tr in t.one("tbody").iter("tr")}
    for f in published:
        for item in f.fields["items"]:
            assert records.get(item, ("item",)).title in row_text[f.id]
        for h in f.handling:
            assert ACTIONS[h.action] in row_text[f.id]


@pytest.mark.parametrize("finding_id", FINDING_IDS)
def test_the_finding_page(site: Site, records, finding_id: str) -> None:  # type: ignore[no-untyped-def]
    f = records.get(finding_id, ("finding",))
    doc = site.page(f"findings/{finding_id}.html")
    target = records.get(f.target)
    assert doc.one("h1").text() == f"{target.name} 检查结果"
    dd = facts(doc.one("main").find("dl"))
    assert href_id(dd["被抽查对象"].one("a")) == target.id
    assert dd["登记号"].text() == (target.uscc or target.licence_number)
    assert dd["抽查时间"].text().startswith(zh(f.inspected.start))
    assert zh(f.inspected.end) in dd["抽查时间"].text()
    assert dd["抽查方式"].text() == METHODS[f.method]
    if f.plan:
        assert dd["检查类别"].text().startswith("随机抽查")
        assert href_id(dd["检查类别"].one("a")) == f.plan
    else:
        assert dd["检查类别"].text().startswith("非随机检查")
    assert link_ids(dd["抽查内容"]) == list(f.fields["items"])
    assert dd["执法检查人员"].text() == "、".join(records.get(i).name for i in f.inspectors)
    assert dd["抽查结果"].text() == OUTCOMES[f.outcome]
    assert dd["公示日期"].text() == zh(f.published_on)
    result = section_of(doc, "result")
    assert result.one("h2").text() == "结果说明"
    assert result.text().removeprefix("结果说明").strip() == squash(shown(f.result))
    handling = section_of(doc, "handling").text()
    for h in f.handling:
        assert f"{zh(h.date)} {ACTIONS[h.action]}" in handling
        for part in (h.authority, h.decision_number, h.detail):
            if part:
                assert squash(shown(part)) in handling
    if not f.handling:
        assert "无" in handling
    if f.guidance:
        guidance = section_of(doc, "guidance").text()
        assert all(squash(shown(g.detail or "")) in guidance for g in f.guidance)
    if f.follow_ups:
        items = section_of(doc, "follow").find_all("li")
        assert len(items) == len(f.follow_ups)
        for li, v in zip(items, f.follow_ups):
            text = li.text()
            assert f"回访期限{zh(v.due)}" in text
            if v.visited_on:
                assert f"{zh(v.visited_on)}回访" in text
            assert FOLLOW_UP.get(v.outcome or "", "待回访") in text
            if v.note:
                assert squash(shown(v.note)) in text
    else:
        assert doc.find(id_="follow") is None


def test_the_example_covers_what_a_finding_page_shows(records) -> None:  # type: ignore[no-untyped-def]
    """So the parametrised test above sees each part of a finding page it checks when present."""
    findings = records.findings
    assert any(f.plan for f in findings) and any(not f.plan for f in findings)
    assert any(f.inspected.start != f.inspected.end for f in findings)
    assert any(f.handling for f in findings) and any(not f.handling for f in findings)
    assert any(h.authority and h.decision_number for f in findings for h in f.handling)
    assert any(f.guidance for f in findings)
    assert any(f.follow_ups for f in findings) and any(not f.follow_ups for f in findings)
    assert any(v.visited_on and v.note for f in findings for v in f.follow_ups)


# --------------------------------------------------------------------------- integrity files


@pytest.mark.parametrize("institution_id", INSTITUTION_IDS)
def test_the_institution_integrity_file(site: Site, records, published,
                                        institution_id: str) -> None:  # type: ignore[no-untyped-def]
    inst = records.get(institution_id, ("institution",))
    path = f"institutions/{institution_id}.html"
    doc = site.page(path)
    assert doc.one("h1").text() == inst.name
    dd = facts(section_of(doc, "reg").one("dl"))
    assert dd["行业"].text() == SECTORS[inst.sector]
    assert dd["统一社会信用代码"].text() == inst.uscc
    if inst.licence_number:
        assert dd["执业许可证号"].text() == inst.licence_number
    assert dd["住所"].text() == shown(inst.address)
    if inst.responsible_person:
        assert dd["负责人"].text() == inst.responsible_person
    if inst.founded:
        assert dd["成立日期"].text() == zh(inst.founded)
    assert dd["当前状态"].text() == INSTITUTION_STATUS[inst.status_on(DAY)]
    history = records_of(table_captioned(section_of(doc, "reg"), "执业状态变更"))
    assert [(r["生效日期"].text(), r["状态"].text()) for r in history] == \
        [(zh(s.since), INSTITUTION_STATUS[s.status]) for s in inst.status_history]
    # every inspection of the institution or its people, with its result
    people = {p.id for p in records.persons_of(inst.id)}
    own = [f for f in published if f.target == inst.id or f.target in people]
    rows = records_of(table_captioned(section_of(doc, "inspections"), "检查记录"))
    assert sorted(href_id(r["详情"].one("a")) for r in rows) == sorted(f.id for f in own)
    for row in rows:
        f = records.get(href_id(row["详情"].one("a")), ("finding",))
        assert row["结果"].text() == OUTCOMES[f.outcome]
    # list entries and exits, credit notices
    lists = section_of(doc, "lists")
    entries = [e for e in records.list_entries if e.institution == inst.id]
    first = next((c for c in lists.one("h2").following_until("h3") if isinstance(c, Element)), None)
    items = first.find_all("li") if entries and first is not None and first.tag == "ul" else []
    assert len(items) == len(entries)
    for li, e in zip(items, entries):
        text = li.text()
        assert text.startswith(LIST_LABELS[e.list])
        assert f"{zh(e.entered_on)}列入（{LIST_GROUNDS[e.ground]}）" in text
        if e.exit:
            assert f"{zh(e.exit.date)}移出：{squash(shown(e.exit.reason))}" in text
        else:
            assert "至今未移出" in text
        assert href_id(li.one("a")) == e.id
    if not entries:
        after = [c for c in lists.one("h2").following_until("h3") if isinstance(c, Element)]
        assert after and after[0].tag == "p" and after[0].text() == "无"
    for n in (n for n in records.credit_notices if n.institution == inst.id):
        assert f"{zh(n.published_on)}在{n.platform}公示：{squash(shown(n.reason))}" in lists.text()
    # open rectifications (none in the example: every follow-up is rectified)
    assert section_of(doc, "rect").text() == "未结整改 无"
    staff = section_of(doc, "staff") if people else None
    if staff is not None:
        assert sorted(link_ids(staff)) == sorted(people)


def test_the_example_covers_what_an_integrity_file_shows(records) -> None:  # type: ignore[no-untyped-def]
    """So the parametrised test above sees list entries (ended and current), credit notices,
    staff, and an institution with none of them."""
    listed = {e.institution for e in records.list_entries}
    assert any(e.exit for e in records.list_entries)
    assert any(not e.exit for e in records.list_entries)
    assert records.credit_notices
    assert any(records.persons_of(i.id) for i in records.institutions)
    assert [i for i in records.institutions if i.id not in listed]
    assert any(i.licence_number and i.responsible_person and i.founded
               for i in records.institutions)


def test_a_person_integrity_file(site: Site, records) -> None:  # type: ignore[no-untyped-def]
    for person in records.personnel:
        doc = site.page(f"personnel/{person.id}.html")
        assert doc.one("h1").text() == person.name
        dd = facts(doc.one("main").find("dl"))
        assert dd["类别"].text() == ROLES[person.role]
        if person.licence_number:
            assert dd["执业证号"].text() == person.licence_number
        assert href_id(dd["所属机构"].one("a")) == person.institution
        assert table_captioned(doc, "以本人为对象的检查") is not None


RECTIFICATION = "records/findings/2025-t-01.yaml"


def rectification(follow_up: str) -> str:
    """A targeted inspection of the valid tree's firm that ordered a rectification."""
    return finding("2025-t-01", target=FIRM_ID, day="2025-09-01", published_on="2025-09-10",
                   rest=f"""\
outcome: issues-found
result: 收费公示不规范。
handling:
  - action: rectification-ordered
    date: 2025-09-01
follow_ups:
{follow_up}""")


def test_an_open_rectification_is_on_the_integrity_file(site_tree: SiteTrees) -> None:
    site = site_tree({**valid_tree(), RECTIFICATION: rectification(
        "  - due: 2026-03-31\n    note: 复查收费公示整改落实情况。\n")})  # due after the site's date
    rect = section_of(site.page(f"institutions/{FIRM_ID}.html"), "rect")
    items = rect.find_all("li")
    assert len(items) == 1
    assert href_id(items[0].one("a")) == "2025-t-01"
    assert "回访期限2026年3月31日" in items[0].text() and "待回访" in items[0].text()
    follow = section_of(site.page("findings/2025-t-01.html"), "follow")
    assert "回访期限2026年3月31日" in follow.text() and "复查收费公示整改落实情况。" in follow.text()
    # once the visit finds it rectified, it is no longer open
    closed = site_tree({**valid_tree(), RECTIFICATION: rectification(
        "  - due: 2025-10-31\n    visited_on: 2025-10-20\n    outcome: rectified\n")})
    assert section_of(closed.page(f"institutions/{FIRM_ID}.html"), "rect").text() == "未结整改 无"
    assert FOLLOW_UP["rectified"] in section_of(closed.page("findings/2025-t-01.html"),
                                                "follow").text()


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The example with a plan published on the day of its draw."""
    root = copy_example(tmp_path_factory.mktemp("edited"))
    # plan 2026-01 published on the day of its draw (2026-03-13) rather than eleven days before
    plan = root / "records" / "plans" / "2026-01.yaml"
    text = plan.read_text(encoding="utf-8")
    assert "\npublished_on: 2026-03-02\n" in text and "held_on: 2026-03-13" in text
    plan.write_text(text.replace("\npublished_on: 2026-03-02\n", "\npublished_on: 2026-03-13\n"),
                    encoding="utf-8")
    built = build_site(root, root / "out", env=ENV)
    assert built.exit_code == 0, built.output
    return Site(root / "out")


def test_feed_entry_ids_stay_unique_when_a_plan_is_published_on_its_draw_day(
        edited: Site) -> None:
    feed = ET.fromstring(edited.bytes("feed.xml"))
    ids = [e.find(f"{ATOM}id").text for e in feed.iter(f"{ATOM}entry")]
    titles = [e.find(f"{ATOM}title").text for e in feed.iter(f"{ATOM}entry")]
    assert any(t.startswith("抽取公告") and "2026年度律师事务所" in t for t in titles)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


# --------------------------------------------------------------------------- amendments


CORRECTION = "检查人员应为检查员1、检查员2，原公示中的其他内容不变。"
AMENDMENT_REASON = "核对执法记录时发现人员有误。"


def test_an_amendment_is_shown_beside_the_finding_it_corrects(site_tree: SiteTrees) -> None:
    site = site_tree({**valid_tree(), "records/amendments/2025-01-01-a1.yaml": amendment(
        "2025-01-01-a1", "2025-01-01", "2025-06-02", CORRECTION, AMENDMENT_REASON)})
    doc = site.page("findings/2025-01-01.html")
    li = doc.one("li", id_="2025-01-01-a1")
    section = li.section()
    assert section.one("h2").text() == "更正"
    assert CORRECTION in li.text() and AMENDMENT_REASON in li.text()
    assert zh("2025-06-02") in li.text()
    # the original text is left as it was
    assert "通过登记的住所无法联系。" in section_of(doc, "result").text()
    # and a finding nobody corrected has no such section
    plain = site_tree()
    assert not [h for h in plain.main("findings/2025-01-01.html").iter("h2")
                if h.text() == "更正"]


def test_every_public_record_kind_has_an_open_data_table(site: Site) -> None:
    tables = {name.removesuffix(".json") for name in
              (p.removeprefix("data/") for p in site.files() if p.startswith("data/"))
              if name.endswith(".json")}
    folder_to_table = {"lists": "list-entries"}
    for kind in KINDS_BY_NAME.values():
        if kind.singleton:
            continue
        assert folder_to_table.get(kind.folder, kind.folder) in tables, kind.name


# --------------------------------------------------------------------------- lists


def test_the_lists_page(site: Site, records) -> None:  # type: ignore[no-untyped-def]
    doc = site.page("lists.html")
    for list_id in ("abnormal", "blacklist"):
        section = section_of(doc, list_id)
        assert section.find("h2").text() == LIST_LABELS[list_id]
        current = records_of(table_captioned(section, "当前列入"))
        past = records_of(table_captioned(section, "已移出"))
        entries = [e for e in records.list_entries if e.list == list_id]
        assert entries, f"the example has no {list_id} entry"
        assert sorted(href_id(r["机构"].one("a")) for r in current) == \
            sorted(e.institution for e in entries if not e.exit)
        assert sorted(href_id(r["机构"].one("a")) for r in past) == \
            sorted(e.institution for e in entries if e.exit)
        for e in entries:
            row = doc.one("tr", id_=e.id)
            cells = [c.text() for c in row.children if isinstance(c, Element)]
            inst = records.get(e.institution)
            assert cells[0] == inst.name
            assert cells[1] == inst.uscc
            assert cells[2].startswith(f"{LIST_GROUNDS[e.ground]}：{squash(shown(e.reason))}")
            assert cells[3] == " ".join(x for x in (e.decision.authority, e.decision.number) if x)
            assert cells[4] == zh(e.entered_on)
            assert cells[5] == (f"{zh(e.exit.date)}：{squash(shown(e.exit.reason))}" if e.exit else "未移出")
            if e.finding:
                assert e.finding in link_ids(row)
    assert any(e.exit for e in records.list_entries)
    assert any(not e.exit for e in records.list_entries)
    notices = records_of(table_captioned(section_of(doc, "credit"), "信用平台公示"))
    assert len(notices) == len(records.credit_notices) >= 1
    for row, n in zip(notices, records.credit_notices):
        assert row["机构"].text() == records.get(n.institution).name
        assert row["公示平台"].text() == n.platform
        assert row["公示日期"].text() == zh(n.published_on)
        assert row["内容"].text().startswith(squash(shown(n.reason)))
        assert n.finding in link_ids(row["内容"])


EXIT_REASON = "已恢复在登记住所执业，经实地核实可以联系，依申请移出。"


@pytest.mark.parametrize("ended", [True, False], ids=["ended", "current"])
def test_a_list_entry_that_has_ended_shows_as_removed(site_tree: SiteTrees, ended: bool) -> None:
    entry = with_exit(LIST_ENTRY, "2025-09-01", EXIT_REASON) if ended else LIST_ENTRY
    site = site_tree({**valid_tree(), "records/lists/abnormal-2025-01.yaml": entry})
    name = "示例青松律师事务所"
    section = section_of(site.page("lists.html"), "abnormal")
    current = records_of(table_captioned(section, "当前列入"))
    past = records_of(table_captioned(section, "已移出"))
    assert [href_id(r["机构"].one("a")) for r in (past if ended else current)] == [FIRM_ID]
    assert (current if ended else past) == []
    cells = [c.text() for c in site.page("lists.html").one("tr", id_="abnormal-2025-01").children
             if isinstance(c, Element)]
    assert cells[5] == (f"{zh('2025-09-01')}：{EXIT_REASON}" if ended else "未移出")
    lists = section_of(site.page(f"institutions/{FIRM_ID}.html"), "lists")
    (li,) = [li for li in lists.find_all("li") if li.text().startswith(LIST_LABELS["abnormal"])]
    if ended:
        assert f"{zh('2025-09-01')}移出：{EXIT_REASON}" in li.text()
        assert "至今未移出" not in li.text()
    else:
        assert "至今未移出" in li.text() and "移出：" not in li.text()
    titles = [e.find(f"{ATOM}title").text
              for e in ET.fromstring(site.bytes("lists/abnormal.xml")).iter(f"{ATOM}entry")]
    assert (f"移出{LIST_LABELS['abnormal']}：{name}" in titles) == ended
    assert f"列入{LIST_LABELS['abnormal']}：{name}" in titles


# --------------------------------------------------------------------------- reports


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_yearly_report_has_an_inline_chart_of_its_table(site: Site, records,
                                                            year: int) -> None:  # type: ignore[no-untyped-def]
    doc = site.page(f"report/{year}.html")
    main = doc.one("main")
    assert str(year) in main.one("h1").text()
    svg = main.one("svg")
    assert svg.get("role") == "img" and svg.get("aria-label")
    assert svg.one("title").text() == svg.get("aria-label")
    assert any(a.tag == "figure" for a in svg.ancestors())
    assert not doc.find_all("img") and not doc.find_all("object") and not doc.find_all("iframe")
    rows = records_of(table_captioned(doc, f"{year}年各行业汇总"))
    assert [r["行业"].text() for r in rows] == list(SECTORS.values())
    # the bars carry the table's numbers: per sector, 名录数 then 随机抽查对象
    texts = [t.text() for t in svg.iter("text")]
    numbers = [t for t in texts if t.isdigit()]
    expected = [n for r in rows for n in (r["名录数（家）"].text(), r["随机抽查对象（家）"].text())]
    assert numbers == expected
    for r in rows:
        assert r["行业"].text() in texts
    inspected = sum(int(r["随机检查（户次）"].text()) + int(r["非随机检查（户次）"].text())
                    for r in rows)
    findings = [f for f in records.findings if f.inspected.start.year == year]
    assert inspected == len(findings)


# --------------------------------------------------------------------------- rules, regulation


def test_the_rule_catalogue_cites_the_clauses(site: Site) -> None:
    doc = site.page("rules.html")
    table = table_captioned(doc, "规则")
    assert table.one("caption").text() == f"规则（{len(LISTED)}条）"
    rows = [tr for tr in table.one("tbody").children if isinstance(tr, Element)]
    assert rows and [tr.get("id") for tr in rows] == [r.id for r in LISTED]  # anchors: rule ids
    for n, (tr, rule) in enumerate(zip(rows, LISTED), start=1):
        cells = [c.text() for c in tr.children if isinstance(c, Element)]
        assert cells == [str(n), rule.category, rule.clause or NO_CLAUSE, shown(rule.statement),
                         "错误" if rule.severity == "error" else "警告"]
        assert rule.id not in tr.text()  # the internal id is no visible text
    assert "regulation.html" in [site.resolve("rules.html", a.get("href"))[0]
                                 for a in doc.one("main").iter("a")]


def test_every_cited_clause_is_in_the_regulation_page(site: Site, records) -> None:  # type: ignore[no-untyped-def]
    main = site.main("regulation.html")
    assert main.one("h1").text() == "实施方案"
    assert records.jurisdiction.regulation.number in main.text()
    parts: dict[str, str] = {}
    for h2 in main.iter("h2"):
        numeral = h2.text().split("、")[0]
        parts[numeral] = " ".join(c if isinstance(c, str) else c.text()
                                  for c in h2.following_until("h2"))
    cited = [r for r in LISTED if r.clause]
    assert cited
    for rule in cited:
        match = re.fullmatch(r"([一二三四五六七八九十]+)（([一二三四五六七八九十]+)）", rule.clause)
        assert match, rule.clause
        part, sub = match.groups()
        assert part in parts, rule.clause
        assert f"（{sub}）" in parts[part], rule.clause
    # same-level items alike: every （一）… of a part is a level-3 heading, none a paragraph
    items = [h.text() for h in main.iter("h3")]
    assert len(items) == 2 + 9 + 4 + 3 and all(re.match(r"（[一二三四五六七八九十]）\S", t) for t in items)
    assert not [p for p in main.iter("p") if re.match(r"[（(][一二三四五六七八九十][）)]", p.text())]


# --------------------------------------------------------------------------- open data


def test_every_table_as_csv_and_json_with_its_dictionary(site: Site, records, published) -> None:  # type: ignore[no-untyped-def]
    doc = site.page("data.html")
    sections = [s for s in doc.one("main").iter("section") if s.find("table") is not None]
    names = [s.one("h2").get("id").removeprefix("t-") for s in sections]
    required = ["institutions", "personnel", "inspectors", "items", "plans", "findings",
                "list-entries", "credit-notices"]
    assert [n for n in names if n in required] == required
    for section, name in zip(sections, names):  # any further table comes as CSV and JSON too
        assert {site.resolve("data.html", a.get("href"))[0] for a in section.iter("a")} == \
            {f"data/{name}.csv", f"data/{name}.json"}
        assert site.bytes(f"data/{name}.csv").startswith(b"\xef\xbb\xbf")
        json.loads(site.bytes(f"data/{name}.json"))
    sections = [s for s, n in zip(sections, names) if n in required]
    names = required
    expected_ids = {
        "institutions": {i.id for i in records.institutions},
        "personnel": {p.id for p in records.personnel},
        "inspectors": {i.id for i in records.inspectors},
        "items": {i.id for i in records.items},
        "plans": {p.id for p in records.plans},
        "findings": {f.id for f in published},
        "list-entries": {e.id for e in records.list_entries},
        "credit-notices": {n.id for n in records.credit_notices},
    }
    kinds = {"institutions": "institution", "personnel": "person", "inspectors": "inspector",
             "items": "item", "plans": "plan", "findings": "finding",
             "list-entries": "list_entry", "credit-notices": "credit_notice"}
    for section, name in zip(sections, names):
        links = {Path(a.get("href")).suffix: site.resolve("data.html", a.get("href"))[0]
                 for a in section.iter("a")}
        assert links == {".csv": f"data/{name}.csv", ".json": f"data/{name}.json"}
        dictionary = records_of(section.one("table"))
        columns = [r["列名"].text() for r in dictionary]
        private = {f.name for f in KINDS_BY_NAME[kinds[name]].fields if not f.public}
        assert not private & {r["JSON 字段"].text().split(".")[0] for r in dictionary}
        assert all(r["类型"].text() and r["含义"].text() for r in dictionary)
        raw = site.bytes(f"data/{name}.csv")
        assert raw.startswith(b"\xef\xbb\xbf")
        table = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline="")))
        assert table[0] == columns
        data = json.loads(site.bytes(f"data/{name}.json"))
        assert isinstance(data, list)
        assert [r[0] for r in table[1:]] == [r["id"] for r in data]
        assert {r["id"] for r in data} == expected_ids[name]
        assert section.find("p").text().startswith(f"{len(data)}行")
        public = {f.name for f in KINDS_BY_NAME[kinds[name]].fields if f.public}
        assert all(set(r) <= public for r in data)
    # a value, not just the shape: an institution's row
    rows = {r["编号"]: r for r in csv.DictReader(io.StringIO(
        site.bytes("data/institutions.csv")[3:].decode("utf-8"), newline=""))}
    inst = records.institutions[0]
    assert rows[inst.id]["机构名称"] == inst.name
    assert rows[inst.id]["统一社会信用代码"] == (inst.uscc or "")
    assert rows[inst.id]["住所"] == inst.address
    assert rows[inst.id]["行业代码"] == inst.sector and rows[inst.id]["行业"] == SECTORS[inst.sector]


def test_each_page_has_its_data_beside_it(site: Site, published) -> None:  # type: ignore[no-untyped-def]
    findings = json.loads(site.bytes("findings/index.json"))
    assert sorted(f["id"] for f in findings) == sorted(f.id for f in published)
    for path in ("items.html", "plans/2026-01.html", "findings/2025-01-03.html",
                 "institutions/31211324MA01474718.html", "lists.html", "rules.html"):
        json_path = path.removesuffix(".html") + ".json"
        alternate = [link for link in site.page(path).find_all("link", rel="alternate")
                     if link.get("type") == "application/json"]
        assert [site.resolve(path, a.get("href"))[0] for a in alternate] == [json_path]
        json.loads(site.bytes(json_path))
    plan = json.loads(site.bytes("plans/2026-01.json"))
    assert plan["drawing"]["result"]["seed"] == json.loads(
        site.bytes("draws/2026-01/result.json"))["seed"]


def test_a_persons_data_is_in_their_institutions_json(site: Site, records, published) -> None:  # type: ignore[no-untyped-def]
    """No JSON file per person (a province's 50,000 would pass a host's file limit): each person's
    public data is in their institution's JSON, which their page links."""
    assert not [p for p in site.files() if p.startswith("personnel/") and p.endswith(".json")]
    person = next(p for p in records.personnel if p.phone)
    private = {f.name for f in KINDS_BY_NAME["person"].fields if not f.public}
    assert "phone" in private
    path = f"personnel/{person.id}.html"
    link = site.page(path).one("p", cls="data-link").find_all("a")[0]
    target = site.resolve(path, link.get("href"))[0]
    assert target == f"institutions/{person.institution}.json"
    data = json.loads(site.bytes(target))
    staff = {p.id for p in records.personnel if p.institution == person.institution}
    assert {entry["person"]["id"] for entry in data["personnel"]} == staff
    entry = next(e for e in data["personnel"] if e["person"]["id"] == person.id)
    assert sorted(entry["findings"]) == sorted(f.id for f in published if f.target == person.id)
    public = {f.name for f in KINDS_BY_NAME["person"].fields if f.public}
    assert public <= set(entry["person"]) and not private & set(entry["person"])
    assert (entry["person"]["name"], entry["person"]["licence_number"]) == \
        (person.name, person.licence_number)
    assert person.phone not in site.bytes(target).decode("utf-8")


# --------------------------------------------------------------------------- feed, sitemap, robots

ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_atom_feed(site: Site, records, published) -> None:  # type: ignore[no-untyped-def]
    base = records.jurisdiction.site.base_url
    feed = ET.fromstring(site.bytes("feed.xml"))
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}title").text == records.jurisdiction.name
    entries = feed.findall(f"{ATOM}entry")
    updated = [e.find(f"{ATOM}updated").text for e in entries]
    assert updated == sorted(updated, reverse=True)
    assert feed.find(f"{ATOM}updated").text == updated[0]
    for stamp in updated:
        dt.datetime.fromisoformat(stamp)
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("tag:") for i in ids)
    mapped = Site(site.root, base)
    for e in entries:
        href = e.find(f"{ATOM}link").get("href")
        target, fragment = mapped.resolve("index.html", href)
        assert target and (site.root / target).is_file(), href
        if fragment:
            assert fragment in site.ids(target)
    titles = [e.find(f"{ATOM}title").text for e in entries]
    kinds = [t.split("：")[0] for t in titles]
    # every published finding, draw notice and result, list entry and exit, credit notice
    assert kinds.count("检查结果") == len(published)
    assert kinds.count("抽取公告") == sum(1 for p in records.plans if p.published_on)
    assert kinds.count("抽取结果") == len(PLAN_IDS)
    assert sum(kinds.count(f"列入{label}") for label in LIST_LABELS.values()) == \
        len(records.list_entries)
    assert sum(kinds.count(f"移出{label}") for label in LIST_LABELS.values()) == \
        sum(1 for e in records.list_entries if e.exit)
    assert kinds.count("信用平台公示") == len(records.credit_notices)
    assert any("移出" in t for t in titles)
    self_link = [link.get("href") for link in feed.findall(f"{ATOM}link")
                 if link.get("rel") == "self"]
    assert self_link == [base + "feed.xml"]


def test_the_sitemap_lists_every_page_but_the_404(site: Site, records) -> None:  # type: ignore[no-untyped-def]
    base = records.jurisdiction.site.base_url
    root = ET.fromstring(site.bytes("sitemap.xml"))
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    assert root.tag == f"{ns}urlset"
    locs = [u.find(f"{ns}loc").text for u in root.findall(f"{ns}url")]
    assert len(locs) == len(set(locs))
    assert sorted(locs) == sorted(base + p for p in site.html_pages() if p != "404.html")


def test_robots_txt_allows_all_and_names_the_sitemap(site: Site, records) -> None:  # type: ignore[no-untyped-def]
    lines = site.read("robots.txt").splitlines()
    assert "User-agent: *" in lines
    assert not [line for line in lines if line.startswith("Disallow:") and line.strip() != "Disallow:"]
    assert f"Sitemap: {records.jurisdiction.site.base_url}sitemap.xml" in lines


EXAMPLE_BASE = "https://example.org/kazuo-ssj/"  # records/jurisdiction.yaml site.base_url


def test_the_404_page(site: Site) -> None:
    site = Site(site.root, base_url=EXAMPLE_BASE)  # its links are root-relative: served anywhere
    doc = site.page("404.html")
    assert doc.one("h1").text() == "页面不存在"
    assert "index.html" in [site.resolve("404.html", a.get("href"))[0]
                            for a in doc.one("main").iter("a")]


# --------------------------------------------------------------------------- sub-path

SUB = "https://example.gov.cn/ssj/"


@pytest.fixture(scope="module")
def sub(example: Path, tmp_path_factory: pytest.TempPathFactory) -> Site:
    folder = tmp_path_factory.mktemp("sub") / "site"
    built = build_site(example, folder, "--base-url", SUB, env=ENV)
    assert built.exit_code == 0, built.output
    return Site(folder, SUB)


def test_under_a_sub_path_every_internal_link_starts_with_the_base(sub: Site) -> None:
    problems = []
    for path in sub.html_pages():
        for element, attr, value in sub.links(path):
            if value.startswith((SUB, "#")):  # "#main": the skip link
                continue
            if path == "404.html" and value.startswith(urlsplit(SUB).path):
                continue  # served at any depth, on this host: root-relative under the base path
            host = urlsplit(value).netloc
            official = element.tag == "a" and is_external(value) and host not in (
                "example.gov.cn", "example.org")
            if not official:
                problems.append(f"{path}: <{element.tag} {attr}={value!r}>")
    assert not problems, "\n".join(problems[:20])


def test_under_a_sub_path_the_links_resolve(sub: Site) -> None:
    seen, broken = sub.crawl("index.html")
    assert not broken, "\n".join(broken[:20])
    assert len(seen) > 100


def test_under_a_sub_path_the_feed_and_sitemap_use_the_base(sub: Site) -> None:
    feed = ET.fromstring(sub.bytes("feed.xml"))
    hrefs = [link.get("href") for link in feed.iter(f"{ATOM}link")]
    assert hrefs and all(h.startswith(SUB) for h in hrefs)
    sitemap = sub.read("sitemap.xml")
    assert "example.org" not in sitemap
    assert f"<loc>{SUB}index.html</loc>" in sitemap
    assert f"Sitemap: {SUB}sitemap.xml" in sub.read("robots.txt")


# --------------------------------------------------------------------------- determinism


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_builds_are_byte_identical(example: Path, tmp_path: Path, out: Path) -> None:
    """Separate processes with different hash seeds, so set and dict order cannot hide."""
    outputs = []
    for seed in ("1", "2"):
        folder = tmp_path / f"out{seed}"
        done = run_ssj("build", "--records", str(example / "records"), "--site",
                       str(example / "site"), "--out", str(folder),
                       env={**ENV, "PYTHONHASHSEED": seed})
        assert done.returncode == 0, done.stderr
        outputs.append(snapshot(folder))
    assert sorted(outputs[0]) == sorted(outputs[1])
    different = [name for name in outputs[0] if outputs[0][name] != outputs[1][name]]
    assert not different
    assert outputs[0] == snapshot(out)  # and the in-process build


def test_a_rebuild_writes_nothing(example: Path, tmp_path: Path) -> None:
    folder = tmp_path / "public"
    first = build_site(example, folder, env=ENV)
    assert first.exit_code == 0, first.output
    files = [p for p in folder.rglob("*") if p.is_file()]
    # every file written, the build's own marker among them
    assert re.search(rf"写入 {len(files)}，删除 0", first.output), first.output
    before = {p: p.stat().st_mtime_ns for p in files}
    second = build_site(example, folder, env=ENV)
    assert second.exit_code == 0, second.output
    assert "写入 0，删除 0" in second.output, second.output
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()} == before


def test_a_removed_record_is_pruned_on_rebuild(tmp_path: Path) -> None:
    person = "01211300000000002"  # a second lawyer of the firm, inspected by no one
    record = f"records/personnel/{person}.yaml"
    write_records(tmp_path, {**valid_tree(), record: PERSON.replace("01211300000000001", person)
                             .replace("王某明", "李某清")})
    folder = tmp_path / "public"
    assert ssj_build(tmp_path / "records", folder).exit_code == 0
    assert (folder / "personnel" / f"{person}.html").is_file()
    assert "李某清" in (folder / "institutions" / f"{FIRM_ID}.html").read_text(encoding="utf-8")
    (tmp_path / record).unlink()
    built = ssj_build(tmp_path / "records", folder)
    assert built.exit_code == 0, built.output
    assert not (folder / "personnel" / f"{person}.html").exists()
    assert not (folder / "personnel" / f"{person}.json").exists()
    after = Site(folder)
    assert not [p for p in after.files() if person in after.bytes(p).decode("utf-8", "replace")
                or "李某清" in after.bytes(p).decode("utf-8", "replace")]
    assert not after.crawl()[1]
    fresh = tmp_path / "fresh"
    assert ssj_build(tmp_path / "records", fresh).exit_code == 0
    assert snapshot(fresh) == snapshot(folder)


def test_build_refuses_a_folder_it_did_not_create(tmp_path: Path) -> None:
    write_records(tmp_path, valid_tree())
    folder = tmp_path / "mine"
    (folder / "notes").mkdir(parents=True)
    (folder / "notes" / "keep.txt").write_text("我的文件", encoding="utf-8")
    (folder / "index.html").write_text("<p>my page</p>", encoding="utf-8")
    before = snapshot(folder)
    done = run_ssj("build", "--records", str(tmp_path / "records"), "--site",
                   str(REPO / "site"), "--out", str(folder), env=ENV)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert str(folder) in done.stderr
    assert snapshot(folder) == before
    assert sorted(p.name for p in folder.rglob("*")) == ["index.html", "keep.txt", "notes"]


def rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


# each breaks the drawn tree (records/ under the root it was copied to) in one way
BREAKAGES = {
    "yaml syntax": lambda r, d: (r / FINDING_FILE).write_text(
        "id: 2025-01-01\ntarget: [unclosed\n", encoding="utf-8"),
    "unknown field": lambda r, d: rewrite(r / firm_file(1), "\nname:", "\nnmae: x\nname:"),
    "broken reference": lambda r, d: rewrite(r / d.finding_file(1), f'target: "{d.target(1)}"',
                                             'target: "nobody"'),
    "rule error (team of one)": lambda r, d: (r / "records/findings/2025-t-01.yaml").write_text(
        finding("2025-t-01", target=d.undrawn, day="2025-09-01", published_on="2025-09-10",
                inspectors=("21132419001",)), encoding="utf-8"),
    "tampered draw result": lambda r, d: tamper(r / "records/draws/2025-01/result.json"),
    "missing jurisdiction": lambda r, d: (r / JURISDICTION_FILE).unlink(),
}


def tamper(result: Path) -> None:
    """Change one hex digit of the stored seed."""
    seed = json.loads(result.read_bytes())["seed"]
    rewrite(result, seed, ("1" if seed[0] != "1" else "2") + seed[1:])


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_build_on_records_with_errors_writes_nothing(drawn_tree: Drawn, tmp_path: Path,
                                                     breakage: str) -> None:
    root = drawn_tree.copy(tmp_path / "root")
    BREAKAGES[breakage](root, drawn_tree)
    folder = tmp_path / "public"
    done = run_ssj("build", "--records", str(root / "records"), "--site", str(REPO / "site"),
                   "--out", str(folder), env=ENV)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output
    # one line of refusal, after the records' errors as `ssj check` prints them (if any)
    *problems, refusal = output.strip().splitlines()
    assert "ssj check" in refusal and refusal.startswith("ssj: "), output
    assert all(": 错误 [" in line for line in problems), output
    assert not folder.exists()


def test_build_on_errors_keeps_the_previous_site(drawn_tree: Drawn, tmp_path: Path) -> None:
    root = drawn_tree.copy(tmp_path / "root")
    folder = tmp_path / "public"
    built = ssj_build(root / "records", folder, day="2025-12-31")
    assert built.exit_code == 0, built.output  # the unbroken tree builds
    before = snapshot(folder)
    BREAKAGES["rule error (team of one)"](root, drawn_tree)
    built = ssj_build(root / "records", folder, day="2025-12-31")
    assert built.exit_code == 1
    assert snapshot(folder) == before


@pytest.fixture(scope="module")
def from_git(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The repository's own records, built where they are (a git checkout), without
    SSJ_SOURCE_REVISION: the footer and each record's change list come from git."""
    if subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO / "records", capture_output=True,
                      check=False).returncode != 0:
        pytest.skip("not a git checkout")
    folder = tmp_path_factory.mktemp("git") / "site"
    built = build_site(REPO, folder, env={"SSJ_SOURCE_REVISION": None, "SOURCE_DATE_EPOCH": EPOCH})
    assert built.exit_code == 0, built.output
    return Site(folder)


def test_the_manifest_names_the_git_revision_by_default(from_git: Site) -> None:
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO / "records",
                          capture_output=True, text=True, check=True).stdout.strip()
    manifest = json.loads((from_git.root / "data/manifest.json").read_text(encoding="utf-8"))
    assert manifest["revision"][:12] == head[:12]
    for path in ("index.html", "findings/2025-01-03.html"):
        assert head[:7] not in from_git.page(path).text()


def test_a_build_from_git_is_as_sound_as_any(from_git: Site) -> None:
    """The same page-level checks on a build whose pages also list each record's commits."""
    problems = []
    for path in from_git.html_pages():
        doc = from_git.page(path)
        if len(doc.find_all("h1")) != 1 or len(doc.find_all("main")) != 1:
            problems.append(f"{path}: h1/main")
        ids = [e.get("id") for e in doc.iter() if e.get("id")]
        problems += [f"{path}: id {i!r} repeated" for i in set(ids) if ids.count(i) > 1]
        for table in doc.iter("table"):
            if table.find("caption") is None or not table.find_all("th"):
                problems.append(f"{path}: table without caption or th")
        own, _ = OWN_SCRIPTS.get(path, (lambda e: False, 0))
        if not all(own(e) for e in doc.find_all("script")):
            problems.append(f"{path}: script")
    _, broken = from_git.crawl()
    assert not problems + broken, "\n".join((problems + broken)[:20])
    # the change is dated; its commit is no reader's business (the records' history has it)
    changes = section_of(from_git.page("findings/2025-01-03.html"), "changes-2025-01-03")
    assert changes.find("li") is not None and changes.find("code") is None


# --------------------------------------------------------------------------- ssj serve


def test_serve_previews_and_rebuilds(tmp_path: Path) -> None:
    root = write_records(tmp_path, valid_tree())
    record = root / firm_file(1)
    env = {**os.environ, **ENV, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--records", str(root / "records"),
         "--site", str(REPO / "site"), "--out", str(tmp_path / "public"), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout],
                     daemon=True).start()
    seen: list[str] = []

    def wait_for(pattern: str, seconds: float) -> re.Match[str] | None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.1)
            except queue.Empty:
                if process.poll() is not None and lines.empty():
                    return None
                continue
            seen.append(line)
            match = re.search(pattern, line)
            if match:
                return match
        return None

    try:
        started = wait_for(r"http://127\.0\.0\.1:(\d+)/", 20)
        assert started is not None, f"ssj serve printed no address (exit {process.poll()}): {seen}"
        url = f"http://127.0.0.1:{started.group(1)}/"
        assert started.group(1) != "0"

        def fetch(path: str) -> str:
            with urllib.request.urlopen(url + path, timeout=5) as response:
                assert response.status == 200
                return response.read().decode("utf-8")

        assert "测试局“双随机一公开”监管信息公开</h1>" in fetch("index.html")
        page = f"institutions/{FIRM_ID}.html"
        assert shown("示例路 99 号") not in fetch(page)
        text = record.read_text(encoding="utf-8")
        record.write_text(re.sub(r"(?m)^address: .*$", "address: 辽宁省朝阳市喀左县示例路 99 号",
                                 text), encoding="utf-8")
        assert wait_for("已重新生成", 15), seen
        assert shown("辽宁省朝阳市喀左县示例路 99 号") in fetch(page)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
