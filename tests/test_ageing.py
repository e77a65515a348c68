"""Issue 23: the measurable items of 《互联网网站适老化通用设计规范》 that a static site can meet,
measured in Chromium on one page of every template (the accessibility page says which are met):

- text enlarged to 200% (the root font size doubled, as a reader's browser setting does): no
  text clipped, and nothing but a table's own scroll box wider than a desk's window;
- reflow at 400% zoom: a 1280 px window zoomed 400% is 320 CSS px wide; the page is no wider
  and every paragraph wraps within it;
- line spacing of running text at least 1.3 times the font size;
- controls a finger uses on their own (navigation, buttons, form fields, folding summaries)
  at least 44×44 px at 375 px, or, where a row of them is denser, 24 px apart centre to centre
  (WCAG 2.2 2.5.8, the floor the 规范's own figure is measured against on the web).

Contrast is axe-core's color-contrast rule, run on every template by test_pages_browser.py.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser import built_example, host_site, open_page
from tests.test_pages_browser import PAGES, READY, base_path

CLIPPED_JS = """() => {
    const out = [];
    for (const e of document.querySelectorAll('main *, header *, footer *')) {
        const s = getComputedStyle(e);
        if (!/hidden|clip/.test(s.overflowX + s.overflowY) || e.closest('.visually-hidden, .skip')) continue;
        const r = e.getBoundingClientRect();
        if (r.width <= 1 || r.height <= 1) continue;  // hidden for the eye, kept for screen readers
        if (e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1)
            out.push(e.tagName + '.' + e.className + ' ' + e.textContent.trim().slice(0, 30));
    }
    return out;
}"""
WIDE_JS = """() => {
    const W = document.documentElement.clientWidth, out = [];
    for (const e of document.querySelectorAll('main p, main li, main dd, main h1, main h2, main h3')) {
        if (e.closest('.scroll, pre, table')) continue;
        const r = e.getBoundingClientRect();
        if (r.width && r.right > W + 0.5) out.push(e.tagName + ' ' + e.textContent.trim().slice(0, 30));
    }
    return {width: document.documentElement.scrollWidth, viewport: W, wide: out};
}"""
SPACING_JS = """() => [...document.querySelectorAll('main p, main li')]
    .filter(e => e.checkVisibility() && e.textContent.trim().length > 20 && !e.closest('pre, table'))
    .map(e => { const s = getComputedStyle(e);
                return {text: e.textContent.trim().slice(0, 20),
                        ratio: parseFloat(s.lineHeight) / parseFloat(s.fontSize)}; })
    .filter(x => !(x.ratio >= 1.3))"""
TARGETS_JS = """() => {
    const controls = [...document.querySelectorAll(
        'nav a, button, input, select, textarea, summary, .skip')]
        .filter(e => e.checkVisibility() && e.getBoundingClientRect().width > 0);
    const boxes = controls.map(e => e.getBoundingClientRect());
    const centre = r => [r.left + r.width / 2, r.top + r.height / 2];
    return controls.map((e, i) => {
        const r = boxes[i];
        if (r.width >= 44 && r.height >= 44) return null;
        const [x, y] = centre(r);
        const near = boxes.filter((b, j) => j !== i).map(b => {
            const [bx, by] = centre(b); return Math.hypot(bx - x, by - y); });
        const spaced = r.width >= 24 && r.height >= 24 || near.every(d => d >= 24);
        return spaced ? null : `${e.tagName} ${e.textContent.trim().slice(0, 20)} ${Math.round(r.width)}x${Math.round(r.height)}`;
    }).filter(Boolean);
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_example(tmp_path_factory)


def each_page(site: Path) -> list[tuple[str, str | None]]:
    return sorted({(find(site), READY.get(name)) for name, (_, find) in PAGES.items()
                   if find(site) and name != "404"})


def test_enlarged_text_reflow_spacing_and_targets(site: Path, browser: Any) -> None:
    problems: list[str] = []
    prefix = base_path(site)
    with host_site(site, prefix) as hosted:
        for path, ready in each_page(site):
            with open_page(browser, hosted, prefix + path, width=1280, height=900) as opened:
                page = opened.page
                if ready:
                    page.wait_for_selector(ready, timeout=60_000)
                size = "parseFloat(getComputedStyle(document.querySelector('main')).fontSize)"
                before = page.evaluate(size)
                page.evaluate("document.documentElement.style.fontSize = '200%'")
                # the text really is twice the size: the style sheet sizes text in rem/em
                assert page.evaluate(size) == pytest.approx(2 * before, rel=0.05), path
                clipped = page.evaluate(CLIPPED_JS)
                wide = page.evaluate(WIDE_JS)
                problems += [f"{path} text at 200%: clipped {c}" for c in clipped]
                if wide["width"] > wide["viewport"]:
                    problems.append(f"{path} text at 200%: page {wide['width']} px wide")
                page.set_viewport_size({"width": 320, "height": 256})  # 1280×1024 at 400%
                page.evaluate("document.documentElement.style.fontSize = ''")
                wide = page.evaluate(WIDE_JS)
                if wide["width"] > wide["viewport"] or wide["wide"]:
                    problems.append(f"{path} at 400% zoom: {wide}")
                page.set_viewport_size({"width": 375, "height": 800})
                problems += [f"{path}: line spacing {x['ratio']:.2f} in {x['text']!r}"
                             for x in page.evaluate(SPACING_JS)]
                problems += [f"{path}: small target {t}" for t in page.evaluate(TARGETS_JS)]
    assert not problems, "\n".join(problems[:40])
