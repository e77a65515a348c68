"""Phones first: every primary listing reads as one card per record below 40rem, and the yearly
report as one block per sector at every width (site/templates/macros.html cards/row/cell,
site/static/style.css). The example site is built once for the module and each listing page is
opened in Debian's chromium at 375 and 1280 px:

- at 375 px nothing in <main> is wider than the screen and the document does not scroll sideways;
  each table of cards shows every cell of every record, on the screen and not empty, with its
  label drawn before it (the cell's data-label, word for word its column's header);
- at 1280 px the listings are tables again (their header row shown) and the yearly report's
  blocks fit: no horizontal scroll;
- Chromium's accessibility tree keeps the table: column headers, row headers and cells, a cell's
  name without its drawn label (not read twice);
- axe-core (pinned, tests/vendor/axe-core) finds no WCAG 2.0/2.1 A/AA violation;
- a token kept on one line (<span class="nw">: 2026年度, a date) is on one line.

Screenshots of each page at 375 and 1280 px go to test-artifacts/cards-<page>-<width>.png.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import Served, built_example, open_page, run_axe, screenshot, serve_site

PHONE, DESK = 375, 1280
HEIGHT = 800
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _largest(site: Path, folder: str) -> str:
    pages = [p for p in (site / folder).glob("*.html") if p.name != "index.html"]
    assert pages, f"the example has no page under {folder}/"
    return max(pages, key=lambda p: (p.stat().st_size, p.name)).relative_to(site).as_posix()


def _latest_report(site: Path) -> str:
    return max((site / "report").glob("[0-9][0-9][0-9][0-9].html")).relative_to(site).as_posix()


# page name -> how to find it in the built site
PAGES = {
    "home": lambda s: "index.html",
    "findings": lambda s: "findings/index.html",
    "institutions": lambda s: "institutions/index.html",
    "institution": lambda s: _largest(s, "institutions"),
    "person": lambda s: _largest(s, "personnel"),
    "inspectors": lambda s: "inspectors.html",
    "lists": lambda s: "lists.html",
    "items": lambda s: "items.html",
    "plans": lambda s: "plans/index.html",
    "report": _latest_report,
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_example(tmp_path_factory)


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[Served]:
    with serve_site(site) as s:
        yield s


def fail(title: str, items: list[str], shown: int = 12) -> None:
    more = [f"… and {len(items) - shown} more"] if len(items) > shown else []
    pytest.fail("\n  ".join([title, *items[:shown], *more]), pytrace=False)


HIDDEN_JS = """
  // for screen readers only: clipped to (or inside a box clipped to) a pixel
  const hidden = e => {
    for (let a = e; a && a.tagName !== 'MAIN'; a = a.parentElement) {
      const r = a.getBoundingClientRect();
      if (r.width <= 1 && r.height <= 1 && (a === e || /hidden|clip/.test(getComputedStyle(a).overflowX))) return true;
    }
    return false;
  };
"""

OVERFLOW_JS = """() => {
  const W = innerWidth, out = [];
HIDDEN
  for (const e of document.querySelectorAll('main *')) {
    const r = e.getBoundingClientRect();
    if (hidden(e)) continue;
    if (r.right > W + 0.5 || r.left < -0.5)
      out.push(`${e.tagName.toLowerCase()}.${e.className} "${(e.textContent || '').trim().slice(0, 20)}" ${Math.round(r.left)}..${Math.round(r.right)}`);
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: W, wide: out};
}"""

# every table of cards in <main>: how it is shown, and each labelled cell against its header
CARDS_JS = """() => {
  const W = innerWidth, out = [];
HIDDEN
  for (const t of document.querySelectorAll('main table.cards')) {
    const heads = [...t.tHead.rows[0].cells].map(c => c.textContent.trim());
    const table = {caption: t.caption ? t.caption.textContent.trim() : '', display: getComputedStyle(t).display,
                   headShown: t.tHead.getBoundingClientRect().height > 1, always: t.classList.contains('always'),
                   cells: 0, problems: []};
    for (const tr of t.tBodies[0].rows) {
      [...tr.cells].forEach((c, i) => {
        if (c.classList.contains('no-rows')) return;
        table.cells++;
        const where = `${table.caption} / ${heads[0]}=${tr.cells[0].textContent.trim().slice(0, 16)} / ${heads[i]}`;
        const label = c.getAttribute('data-label');
        if (label !== heads[i]) table.problems.push(`${where}: data-label ${JSON.stringify(label)} is not its header`);
        if (getComputedStyle(t).display === 'table') return;  // a table: the header row labels it
        const before = getComputedStyle(c, '::before');
        if (before.display === 'none' || !before.content.includes('attr(data-label)') && !before.content.includes(label))
          table.problems.push(`${where}: no label drawn (${before.content})`);
        const r = c.getBoundingClientRect();
        if (r.width < 1 || r.height < 1 || r.left < -0.5 || r.right > W + 0.5)
          table.problems.push(`${where}: cell at ${Math.round(r.left)}..${Math.round(r.right)}, ${Math.round(r.height)} high`);
        // the value itself: every line box of the cell's content on the screen, and some shown
        const boxes = [];
        const walker = document.createTreeWalker(c, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          if (!n.data.trim() || hidden(n.parentElement)) continue;
          const range = document.createRange();
          range.selectNodeContents(n);
          boxes.push(...[...range.getClientRects()].filter(b => b.width > 1 && b.height > 1));
        }
        const shown = boxes.length > 0 || getComputedStyle(c, '::after').content.includes('—');
        if (!shown) table.problems.push(`${where}: value not shown`);
        for (const b of boxes) if (b.left < r.left - 0.5 || b.right > Math.min(W, r.right) + 0.5)
          table.problems.push(`${where}: value at ${Math.round(b.left)}..${Math.round(b.right)} outside its cell`);
        // the label sits in the cell's padding (beside the value) or above it, not over it
        const pad = parseFloat(getComputedStyle(c).paddingLeft);
        const first = boxes.length ? Math.min(...boxes.map(b => b.left)) : r.left + pad;
        if (before.float === 'left' && first < r.left + pad - 0.5)
          table.problems.push(`${where}: value starts under its label`);
      });
    }
    out.push(table);
  }
  return out;
}"""

NOWRAP_JS = """() => {
  const out = [];
  for (const e of document.querySelectorAll('main .nw, main time')) {
    const tops = new Set([...e.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
    if (tops.size > 1) out.push(e.textContent.trim());
  }
  return out;
}"""


def with_hidden(script: str) -> str:
    return script.replace("HIDDEN\n", HIDDEN_JS)


def ax_tables(page: Any) -> dict[str, Any]:
    """From Chromium's own accessibility tree: the roles of the first table of cards' parts, and
    the names of its cells."""
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    by_id = {n["nodeId"]: n for n in nodes}
    table = next((n for n in nodes if n.get("role", {}).get("value") == "table"), None)
    roles: dict[str, int] = {}
    names: list[str] = []
    stack = [table] if table else []
    while stack:
        n = stack.pop()
        role = n.get("role", {}).get("value", "")
        roles[role] = roles.get(role, 0) + 1
        if role in ("cell", "gridcell", "rowheader"):
            names.append(n.get("name", {}).get("value", ""))
        stack.extend(by_id[c] for c in n.get("childIds", []) if c in by_id)
    return {"found": table is not None, "roles": roles, "names": names}


@pytest.fixture(scope="module")
def seen(browser: Any, site: Path, served: Served) -> dict[tuple[str, int], dict[str, Any]]:
    """Each page at each width, looked at once: screenshots saved, the checks' raw findings."""
    out: dict[tuple[str, int], dict[str, Any]] = {}
    for name, find in PAGES.items():
        path = find(site)
        for width in (PHONE, DESK):
            with open_page(browser, served, "/" + path, width=width, height=HEIGHT) as opened:
                page = opened.page
                page.evaluate("() => new Promise(r => requestAnimationFrame(() => "
                              "requestAnimationFrame(r)))")
                screenshot(page, f"cards-{name}-{width}")
                out[name, width] = {
                    "path": path, "errors": opened.errors,
                    "overflow": page.evaluate(with_hidden(OVERFLOW_JS)),
                    "cards": page.evaluate(with_hidden(CARDS_JS)),
                    "nowrap": page.evaluate(NOWRAP_JS), "ax": ax_tables(page),
                    "axe": run_axe(page, AXE_TAGS)}
    return out


CASES = [pytest.param(n, w, id=f"{n}-{w}") for n in PAGES for w in (PHONE, DESK)]


@pytest.mark.parametrize("name, width", CASES)
def test_nothing_scrolls_sideways(seen: dict[tuple[str, int], dict[str, Any]], name: str,
                                  width: int) -> None:
    s = seen[name, width]
    o = s["overflow"]
    if o["scrollWidth"] > o["innerWidth"] or o["wide"]:
        fail(f"{s['path']} at {width} px: document {o['scrollWidth']} px wide; in <main>, wider "
             "than the screen:", o["wide"] or ["(nothing in main: the page itself)"])


@pytest.mark.parametrize("name", list(PAGES))
def test_every_record_is_a_card_with_every_value_labelled_on_a_phone(
        seen: dict[tuple[str, int], dict[str, Any]], name: str) -> None:
    s = seen[name, PHONE]
    tables = s["cards"]
    assert tables, f"{s['path']}: no table of cards"
    assert any(t["cells"] for t in tables), f"{s['path']}: every table of cards is empty"
    problems = [p for t in tables for p in t["problems"]]
    problems += [f"{t['caption']}: shown as {t['display']}, its header row "
                 f"{'shown' if t['headShown'] else 'hidden'}" for t in tables
                 if t["display"] == "table" or t["headShown"]]
    if problems:
        fail(f"{s['path']} at {PHONE} px:", problems)


@pytest.mark.parametrize("name", list(PAGES))
def test_listings_are_tables_on_a_desk_and_the_report_blocks(
        seen: dict[tuple[str, int], dict[str, Any]], name: str) -> None:
    s = seen[name, DESK]
    problems = [p for t in s["cards"] for p in t["problems"]]
    for t in s["cards"]:
        if t["always"] and (t["display"] == "table" or t["headShown"]):
            problems.append(f"{t['caption']}: one block per sector wanted, got a table")
        if not t["always"] and (t["display"] != "table" or not t["headShown"]):
            problems.append(f"{t['caption']}: a table wanted at {DESK} px, got {t['display']}")
    if name == "report":
        assert [t["always"] for t in s["cards"]] == [True], "the report: one table of sectors"
    if problems:
        fail(f"{s['path']} at {DESK} px:", problems)


@pytest.mark.parametrize("name, width", CASES)
def test_screen_readers_keep_the_table(seen: dict[tuple[str, int], dict[str, Any]], name: str,
                                       width: int) -> None:
    s = seen[name, width]
    ax = s["ax"]
    assert ax["found"], f"{s['path']} at {width} px: no table in the accessibility tree"
    roles = ax["roles"]
    assert roles.get("columnheader") and roles.get("row"), roles
    assert roles.get("cell", 0) + roles.get("gridcell", 0), roles
    # a cell's accessible name is its value, not "label value": the drawn label is not read
    doubled = [n for n in ax["names"] if any(n.startswith(h) and n != h for h in HEADS)]
    assert not doubled, f"{s['path']} at {width} px: cells read with their label: {doubled[:5]}"


# the column headers of the listings (a cell's drawn label is one of them)
HEADS = ("被抽查对象", "登记号", "抽查时间", "违法行为查处情况", "统一社会信用代码", "执业证号",
         "执法证号", "列入情形与理由", "决定机关", "列入日期", "抽查内容", "实施时间",
         "每年应抽查次数", "已抽查对象", "名录数（家）", "随机抽查对象（家）", "方案下限",
         "本局政策", "生效日期")


@pytest.mark.parametrize("name, width", CASES)
def test_axe_finds_no_wcag_a_or_aa_violation(seen: dict[tuple[str, int], dict[str, Any]],
                                             name: str, width: int) -> None:
    s = seen[name, width]
    lines = [f"{v['id']} ({v['impact']}, {len(v['nodes'])}×): {v['help']}: "
             + "; ".join(n["target"] for n in v["nodes"][:4]) for v in s["axe"]]
    if lines:
        fail(f"{s['path']} at {width} px:", lines)


@pytest.mark.parametrize("name, width", CASES)
def test_kept_tokens_stay_on_one_line(seen: dict[tuple[str, int], dict[str, Any]], name: str,
                                      width: int) -> None:
    s = seen[name, width]
    assert not s["nowrap"], f"{s['path']} at {width} px: broken across lines: {s['nowrap'][:8]}"
    assert not s["errors"], s["errors"]


def test_a_year_keeps_its_niandu_on_the_home_page(site: Path) -> None:
    """Plan titles as staff type them ('2026 年度…') are shown typeset, the year and 年度
    together: 2026年度 in one unbreakable span, no space between the digits and the Chinese."""
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "年度" in home
    assert '<span class="nw">2026年度</span>' in home
    assert "2026 年度" not in home
