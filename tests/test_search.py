"""Site search (search.html and the Pagefind bundle `ssj build` makes): in a real browser (Debian's
chromium, Playwright), searching a person's name, an institution's name, a 统一社会信用代码 and a
clause of the 方案 finds the right page among the first results, nothing is asked of any other
origin and the page logs no error (a CSP refusal would be one); without JavaScript the same page is
a directory of links, institutions by sector and people by institution; and the same records give
the same bundle, byte for byte."""
from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import yaml

from generator.filewrite import MARKER
from generator.records.kinds import SECTORS
from generator.site import search
from tests.browser import EXAMPLE_ENV, open_page, screenshot, serve_site
from tests.records_tree import PERSON, valid_tree
from tests.site_tree import ssj_build, write_records
from tests.sitecheck import REPO, Element, build_site, copy_example, parse

ENV = EXAMPLE_ENV
FIRST = 3  # "among the first results": the right page is one of the first three
CLAUSE = "（八）随机抽查比例和频次"  # a heading of the 方案 (site/pages/regulation.md), as written
PHRASE = "防止检查过多和执法扰民"  # words from the middle of that clause's text
NOT_INDEXED = {"404.html", "verify.html", "search.html"}


def records(kind: str) -> list[dict[str, Any]]:
    found = [yaml.safe_load(f.read_text(encoding="utf-8"))
             for f in sorted((REPO / "records" / kind).glob("*.yaml"))]
    assert found, f"the example has no {kind}: the tests looping over them would check nothing"
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The example site built twice from the same records, into two fresh folders; the second
    time Pagefind runs on one thread."""
    root = copy_example(tmp_path_factory.mktemp("example"))
    first = build_site(root, root / "out", env=ENV)
    assert first.exit_code == 0, first.output
    again = build_site(root, root / "again", env={**ENV, "RAYON_NUM_THREADS": "1"})
    assert again.exit_code == 0, again.output
    return root / "out", root / "again"


@pytest.fixture(scope="module")
def site(built: tuple[Path, Path]) -> Path:
    return built[0]


# --------------------------------------------------------------------------- in a browser


def searched(page: Any, term: str) -> list[str]:
    """The result links (site paths) the search page shows for `term`, typed into its box."""
    page.fill("#q", term)
    page.press("#q", "Enter")
    page.wait_for_selector(f'#results[data-term="{term}"]', timeout=20_000)
    return [a.get_attribute("href").lstrip("/")
            for a in page.query_selector_all("#results > li > a.title")]


def asked(browser: Any, site: Path, term: str, *, width: int = 1280,  # noqa: F811
          shot: str | None = None) -> dict[str, Any]:
    """Open search.html?q=`term`: the results, the status line, errors, requests elsewhere."""
    with serve_site(site) as served, open_page(browser, served, "/search.html?q=" + quote(term),
                                               width=width) as opened:
        page = opened.page
        page.wait_for_selector("#search[data-ready]", timeout=30_000)
        outcome = {
            "results": [a.get_attribute("href").lstrip("/")
                        for a in page.query_selector_all("#results > li > a.title")],
            "titles": [a.inner_text() for a in page.query_selector_all("#results > li > a.title")],
            "status": page.inner_text("#status"),
            "value": page.input_value("#q"),
            "width": page.evaluate("document.documentElement.scrollWidth"),
            "errors": opened.errors,
        }
        if shot:
            screenshot(page, shot)
    outcome["outside"] = served.outside
    return outcome


def example(what: str) -> tuple[str, str]:
    """A query of each kind the issue names, and the page it must find."""
    person = records("personnel")[0]
    institution = records("institutions")[1]
    coded = next(i for i in records("institutions") if i.get("uscc"))
    return {"person": (person["name"], f"personnel/{person['id']}.html"),
            "institution": (institution["name"], f"institutions/{institution['id']}.html"),
            "uscc": (coded["uscc"], f"institutions/{coded['id']}.html"),
            "clause": (CLAUSE, "regulation.html"),
            "phrase": (PHRASE, "regulation.html")}[what]


def test_the_clauses_searched_are_the_methods_words() -> None:
    text = (REPO / "site" / "pages" / "regulation.md").read_text(encoding="utf-8")
    assert f"\n### {CLAUSE}" in text and PHRASE in text  # a heading, and words of its clause
    assert all(len(i["uscc"]) == 18 for i in records("institutions") if i.get("uscc"))


@pytest.mark.parametrize("what", ["person", "institution", "uscc", "clause", "phrase"])
def test_a_search_from_the_address_finds_the_page(browser: Any, site: Path,  # noqa: F811
                                                 what: str) -> None:
    term, wanted = example(what)
    outcome = asked(browser, site, term)
    assert outcome["value"] == term
    assert wanted in outcome["results"][:FIRST], (what, term, outcome)
    assert re.match(r"找到 \d+ 条与“.+”相关的结果$", outcome["status"]), outcome["status"]
    assert outcome["errors"] == [] and outcome["outside"] == [], outcome


def test_every_name_and_code_of_the_example_is_found(browser: Any, site: Path) -> None:  # noqa: F811
    """Every person's and institution's name and every institution's code, typed into the box of
    one page: each finds its own page among the first results, and never a page not built."""
    cases = [(p["name"], f"personnel/{p['id']}.html") for p in records("personnel")]
    for i in records("institutions"):
        cases += [(i["name"], f"institutions/{i['id']}.html"),
                  (i.get("uscc") or i["licence_number"], f"institutions/{i['id']}.html")]
    assert len(cases) > 20
    missed = []
    with serve_site(site) as served, open_page(browser, served, "/search.html") as opened:
        opened.page.wait_for_selector("#search[data-ready]", timeout=30_000)
        for term, wanted in cases:
            found = searched(opened.page, term)
            if wanted not in found[:FIRST]:
                missed.append(f"{term} -> {found[:FIRST]} (wanted {wanted})")
            assert all((site / path).is_file() for path in found), found
        # an address that a search leaves behind asks the same again
        assert opened.page.evaluate("location.search") == "?q=" + quote(cases[-1][0])
    assert not missed, "\n".join(missed)
    assert opened.errors == [] and served.outside == []


def test_results_link_under_the_path_the_site_is_served_at(browser: Any, site: Path,  # noqa: F811
                                                           tmp_path: Path) -> None:
    """A county's site often lives under a path (/kazuo-ssj/): the bundle is found from the
    script's own address and each result links under that path, to a page that is there."""
    (tmp_path / "kazuo-ssj").symlink_to(site, target_is_directory=True)
    term, wanted = example("person")
    with serve_site(tmp_path) as served, open_page(
            browser, served, "/kazuo-ssj/search.html?q=" + quote(term)) as opened:
        page = opened.page
        page.wait_for_selector("#search[data-ready]", timeout=30_000)
        first = page.query_selector("#results > li > a.title")
        assert first.get_attribute("href") == f"/kazuo-ssj/{wanted}"
        first.click()
        page.wait_for_url(f"**/kazuo-ssj/{wanted}")
        assert page.inner_text("h1") == term
    assert opened.errors == [] and served.outside == []


def test_nothing_found_is_said_in_chinese(browser: Any, site: Path) -> None:  # noqa: F811
    outcome = asked(browser, site, "不存在的词语甲乙丙")
    assert outcome["results"] == [] and outcome["status"].startswith("没有找到"), outcome
    assert outcome["errors"] == [] and outcome["outside"] == []


@pytest.mark.parametrize("width", [375, 1280])
def test_the_search_page_on_a_phone_and_a_desktop(browser: Any, site: Path,  # noqa: F811
                                                  width: int) -> None:
    outcome = asked(browser, site, CLAUSE, width=width, shot=f"search-{width}")
    assert outcome["width"] <= width, outcome["width"]
    assert outcome["results"][0] == "regulation.html" and outcome["titles"][0] == "实施方案"
    assert outcome["errors"] == [] and outcome["outside"] == []


def test_without_javascript_the_directory_is_there(browser: Any, site: Path) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="zh-CN",
                                  java_script_enabled=False)
    try:
        page = context.new_page()
        with serve_site(site) as served:
            page.goto(served.url + "/search.html")
            assert not page.is_visible("#q") and page.is_visible("#search-note")
            assert page.is_visible(f'a[href="institutions/{records("institutions")[0]["id"]}.html"]')
            assert page.evaluate("document.documentElement.scrollWidth") <= 375
            screenshot(page, "search-375-no-script")
    finally:
        context.close()


# --------------------------------------------------------------------------- the page as built


def test_the_directory_lists_institutions_by_sector_and_people_by_institution(site: Path) -> None:
    main = parse((site / "search.html").read_text(encoding="utf-8")).one("main")
    assert main.find("form") is None  # form-action 'none': the script reads the box itself
    box = main.one(id_="search")
    assert "hidden" in box.attrs and box.get("role") == "search"
    institutions = records("institutions")
    people = records("personnel")
    for sector, name in SECTORS.items():
        members = [i for i in institutions if i["sector"] == sector]
        section = main.find("section", **{"aria-labelledby": f"dir-{sector}"})
        if not members:
            assert section is None
            continue
        assert section is not None, sector
        assert name in section.one("h3").text()
        items = {li.get("data-institution"): li for li in section.one("ul", cls="directory")
                 .find_all("li") if li.get("data-institution")}
        assert list(items) == [i["id"] for i in members], sector
        for inst in members:
            item = items[inst["id"]]
            link = item.find("a")
            assert link.get("href") == f"institutions/{inst['id']}.html"
            assert link.text() == inst["name"]
            staff = [p for p in people if p.get("institution") == inst["id"]]
            listed = [a.get("href") for a in _people_links(item)]
            assert listed == [f"personnel/{p['id']}.html" for p in staff], inst["id"]
    assert main.find(id_="dir-unattached") is None  # every example person has an institution
    every_link = {a.get("href") for a in main.iter("a")}
    assert {f"personnel/{p['id']}.html" for p in people} <= every_link


def _people_links(item: Element) -> list[Element]:
    people = item.find("ul", cls="people")
    return people.find_all("a") if people is not None else []


# --------------------------------------------------------------------------- the bundle


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_same_records_give_the_same_bundle(built: tuple[Path, Path]) -> None:
    first, again = (_tree(folder / "pagefind") for folder in built)
    assert first == again
    assert len(first) > 100
    # Pagefind names its index files by their content, so a changed page gets a new name
    assert all(name.split("_")[-1].split(".")[0].isalnum() for name in first
               if name.startswith(("index/", "fragment/")))
    # and the rest of the site too: the bundle is part of it, listed in the build's manifest
    assert _tree(built[0]) == _tree(built[1])
    manifest = json.loads((built[0] / MARKER).read_text(encoding="utf-8"))["files"]
    assert {f"pagefind/{name}" for name in first} <= set(manifest)


def test_a_rebuild_leaves_no_stale_index_file(tmp_path: Path) -> None:
    """A changed page changes the names of its index files; the rebuild prunes the old ones, as
    for any file an earlier build wrote, and the folder is what a fresh build makes."""
    root = write_records(tmp_path, valid_tree())
    assert ssj_build(root / "records", root / "out").exit_code == 0
    before = _tree(root / "out" / "pagefind")
    assert before
    person = root / "records" / "personnel" / "01211300000000001.yaml"
    person.write_text(PERSON.replace("王某明", "柳某青"), encoding="utf-8")
    assert ssj_build(root / "records", root / "out").exit_code == 0
    assert ssj_build(root / "records", root / "fresh").exit_code == 0
    after = _tree(root / "out" / "pagefind")
    assert after == _tree(root / "fresh" / "pagefind") and after != before
    assert set(after) - set(before) and set(before) - set(after)  # renamed, the old pruned


def test_the_bundle_indexes_the_content_pages_only(site: Path) -> None:
    bundle = site / "pagefind"
    assert (bundle / "pagefind.js").is_file() and (bundle / "pagefind-worker.js").is_file()
    assert not list(bundle.glob("pagefind-*ui*")) and not (bundle / "pagefind-highlight.js").exists()
    indexed = set()
    for fragment in (bundle / "fragment").iterdir():
        data = gzip.decompress(fragment.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        indexed.add(json.loads(data[len(b"pagefind_dcd"):])["url"])
    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")} - \
        {p.relative_to(site).as_posix() for p in bundle.rglob("*.html")}
    assert indexed == pages - NOT_INDEXED
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert list(entry["languages"]) == ["zh-cn"]  # one index: its order cannot vary


def test_each_chinese_character_is_indexed_as_a_word() -> None:
    """Pagefind reads the pages with a space beside each character (search.py says why), and
    the heading as written for the results' titles; the pages published are untouched."""
    page = ('<main data-pagefind-body><h1 id="t">示例 &amp; 律师事务所</h1>'
            "<p>频次<code>31211324MA01</code>（八）</p>\n<p>2026年</p></main>")
    assert search.for_index(page) == (
        '<main data-pagefind-body><meta data-pagefind-meta="heading[content]" '
        'content="示例 &amp; 律师事务所"><h1 id="t"> 示 例 &amp; 律 师 事 务 所</h1>'
        "<p> 频 次<code> 31211324MA01</code>（ 八 ）</p>\n<p>2026 年</p></main>")


def test_without_pagefind_nothing_is_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "get_executable", lambda: None)
    root = write_records(tmp_path, valid_tree())
    built = ssj_build(root / "records", root / "out")
    assert built.exit_code != 0 and "搜索索引未生成" in built.output, built.output
    assert not (root / "out" / "index.html").exists()


# --------------------------------------------------------------------------- an index in parts


@pytest.fixture(scope="module")
def parted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site with its index cut into parts of a few pages, as a province's is cut
    into parts of a few thousand (search.SINGLE, search.PART)."""
    root = copy_example(tmp_path_factory.mktemp("parted"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "SINGLE", 20)
        patch.setattr(search, "PART", 16)
        built = build_site(root, root / "out", env=ENV)
    assert built.exit_code == 0, built.output
    return root / "out"


def test_a_large_index_is_made_in_parts(site: Path, parted: Path) -> None:
    folders = sorted(p.name for p in (parted / "pagefind").iterdir() if p.is_dir())
    assert len(folders) >= 4, folders
    entry = (parted / "pagefind" / "pagefind.js").read_text(encoding="utf-8")
    for folder in folders:  # each part is merged, or is the first
        assert f"{folder}/" in entry
        assert (parted / "pagefind" / folder / "pagefind-entry.json").is_file()
    # everything else on the site is as with one index
    rest = {p.relative_to(site).as_posix() for p in site.rglob("*")
            if p.is_file() and not p.relative_to(site).as_posix().startswith("pagefind/")}
    assert rest == {p.relative_to(parted).as_posix() for p in parted.rglob("*")
                    if p.is_file() and not p.relative_to(parted).as_posix().startswith("pagefind/")}


@pytest.mark.parametrize("what", ["person", "institution", "uscc", "clause"])
def test_an_index_in_parts_finds_what_one_index_finds(browser: Any, site: Path,  # noqa: F811
                                                      parted: Path, what: str) -> None:
    term, wanted = example(what)
    one = asked(browser, site, term)
    parts = asked(browser, parted, term)
    assert wanted in parts["results"][:FIRST], (term, parts)
    assert not parts["errors"] and not parts["outside"], parts
    # at least as many pages as one index finds (Pagefind weighs words per part, and a part
    # without a code answers with near words, so the order differs and more pages may follow)
    count = re.compile(r"找到 (\d+) 条")
    assert int(count.search(parts["status"])[1]) >= int(count.search(one["status"])[1])


# --------------------------------------------------------------------------- relevance

RELEVANCE = Path(__file__).with_name("search_relevance.json")
TERMS = REPO / "site" / "static" / "search" / "terms.json"


def test_the_synonyms_name_what_the_site_names() -> None:
    """terms.json's synonym groups lead with the names the records and pages use: the sectors,
    the two lists (generator/records/kinds.py); no name is in two groups."""
    terms = json.loads(TERMS.read_text(encoding="utf-8"))
    leads = {group[0] for group in terms["synonyms"]}
    assert {"律师事务所", "基层法律服务所", "司法鉴定机构"} <= set(SECTORS.values()) & leads
    assert {"执业异常名录", "信用黑名单"} <= leads
    names = [n for group in terms["synonyms"] for n in group]
    assert len(names) == len(set(names))
    groups = {n: group for group in terms["synonyms"] for n in group}
    for short, full in [("律所", "律师事务所"), ("基层所", "基层法律服务所"), ("鉴定所", "司法鉴定机构"),
                        ("鉴定机构", "司法鉴定机构"), ("法援", "法律援助"), ("异常名录", "执业异常名录"),
                        ("黑名单", "信用黑名单")]:
        assert groups[short][0] == full, short


def test_the_relevance_set_ranks_each_page_in_the_first_three(browser: Any,  # noqa: F811
                                                              site: Path) -> None:
    """Each query of tests/search_relevance.json, typed into one search page in Chromium (the
    real search.js on the example site): its page is among the first three results."""
    queries = json.loads(RELEVANCE.read_text(encoding="utf-8"))["queries"]
    assert len(queries) >= 40
    missed = []
    with serve_site(site) as served, open_page(browser, served, "/search.html") as opened:
        opened.page.wait_for_selector("#search[data-ready]", timeout=30_000)
        for case in queries:
            wanted = case["page"] if isinstance(case["page"], list) else [case["page"]]
            assert all((site / w).is_file() for w in wanted), wanted
            found = searched(opened.page, case["q"])[:FIRST]
            if not set(wanted) & set(found):
                missed.append(f"{case['q']}（{case['kind']}）-> {found}，应有 {wanted[0]}")
        excerpts = opened.page.eval_on_selector_all("#results .excerpt", "ps => ps.map(p => p.textContent)")
    assert not missed, f"{len(missed)} of {len(queries)} missed:\n" + "\n".join(missed)
    assert opened.errors == [] and served.outside == []
    assert excerpts and all(not re.match(r"[\d。，；：、]", e) for e in excerpts), excerpts


def test_a_page_that_says_nothing_ranks_below_the_page_that_says_it(browser: Any,  # noqa: F811
                                                                     site: Path) -> None:
    """黑名单: the list and the institution on it come before the institutions whose section
    says 无; 二（九）: the 方案 before the rule catalogue; excerpts are whole clauses, marked."""
    listed = next(e for e in records("lists") if e["list"] == "blacklist")
    with serve_site(site) as served, open_page(browser, served, "/search.html") as opened:
        page = opened.page
        page.wait_for_selector("#search[data-ready]", timeout=30_000)
        found = searched(page, "黑名单")
        assert found[:2] == ["lists.html", f"institutions/{listed['institution']}.html"], found
        found = searched(page, "二（九）")
        assert found[0] == "regulation.html" and found.index("rules.html") > 0, found
        excerpt = page.inner_text("#results > li:first-child .excerpt")
        marks = page.eval_on_selector_all("#results > li:first-child mark", "ms => ms.map(m => m.textContent)")
        assert "二（九）" in marks and not re.match(r"[\d。，；…]", excerpt), excerpt
        assert excerpt.endswith(("。", "…", "；")), excerpt
    assert opened.errors == [] and served.outside == []


def test_the_index_marks_ends_clauses_and_what_says_nothing() -> None:
    page = ('<main data-pagefind-body><h1>甲</h1><section aria-labelledby="l"><h2 id="l">信用黑名单'
            '</h2>\n<p>无</p></section><h2>二、机制</h2><h3>（九）随机抽查计划</h3>'
            "<dl><dt>行业</dt><dd>律师事务所</dd></dl><table><caption>检查</caption><thead><tr>"
            '<th scope="col">结果</th></tr></thead><tbody><tr><td colspan="1">暂无</td></tr>'
            "</tbody></table></main>")
    out = search.for_index(page)
    assert 'data-pagefind-meta="empty[content]" content="信用黑名单|检查|结果"' in out
    assert 'data-pagefind-meta="headings[content]" content="信用黑名单|二、机制|二（九）随机抽查计划"' in out
    assert "<h3> 二 （ 九 ） 随 机" in out and "<dt> 行 业 ： </dt><dd> 律 师 事 务 所 ； </dd>" in out
    assert '<td colspan="1"> 暂 无 ； </td> 。 </tr>' in out
    assert search.empty_labels("<h2>二、机制</h2><h3>（一）范围</h3><p>正文</p>") == []
