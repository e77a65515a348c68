"""Every page template of the public site in a real browser (Debian's chromium, Playwright), as a
visitor gets it from a static host at the base URL's path, CSP on, at 320, 375 and 1280 px:

- the document is no wider than the screen;
- axe-core (pinned, tests/vendor/axe-core) finds no WCAG 2.0/2.1 A/AA violation;
- every region that scrolls can be reached with the Tab key;
- no date, code, number, clause reference or document number breaks across lines, no closing
  punctuation starts a line and no opening bracket ends one (the rendered line boxes decide);
- no text renders smaller than 12 px (the yearly report's chart included);
- the page asks for nothing that is not there (a favicon included) and logs no error.

Also: a plan page printed shows every pool entry and prints its links' targets; the 404 page is
styled and its links work at any depth; screenshots of each template at 375 and 1280 px go to
test-artifacts/page-<template>-<width>.png for a person to look at.

The site is built once for the module; each template's page is loaded once, then looked at in
each width (the viewport is resized, as a phone turned or a window narrowed would).

The pages keep their CSP throughout (a context that bypassed it would load the 404 page's
refused style sheet and hide that bug): axe-core's source is evaluated through the DevTools
protocol, which CSP does not govern, so no <script> is added to the page. Characters are on
different lines when the later one's box starts below the middle of the earlier one's (Latin
and CJK glyphs on one line differ in their tops by a pixel or two).
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser import (
    built_example,
    ARTIFACTS,
    AXE,
    Hosted,
    host_site,
    open_page,
    run_axe,
    screenshot,
)
from tests.sitecheck import REPO

WIDTHS = (320, 375, 1280)
SHOT_WIDTHS = (375, 1280)
HEIGHT = 800
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_VERSION = "4.14.1"
# the manifest's own digest: a new axe-core is a reviewed change of this line too
AXE_MANIFEST_SHA256 = "308e638b342dbc5ee6f55676121a89c718b0afaeab581045d7ab08219bc870fa"
MIN_TEXT_PX = 12
VERDICT = "main[data-verdict=pass], main[data-verdict=fail], main[data-verdict=incomplete]"
SHOWN = 12  # offenders listed per failure message


# ------------------------------------------------------------------ the pinned axe-core

def test_axe_core_is_the_pinned_release_unmodified() -> None:
    folder = AXE.parent
    manifest_bytes = (folder / "VERSION.json").read_bytes()
    assert hashlib.sha256(manifest_bytes).hexdigest() == AXE_MANIFEST_SHA256
    manifest = json.loads(manifest_bytes)
    assert manifest["package"] == "axe-core" and manifest["version"] == AXE_VERSION
    assert manifest["licence"] == "MPL-2.0" and manifest["integrity"].startswith("sha512-")
    present = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
               for p in folder.iterdir() if p.is_file() and p.name != "VERSION.json"}
    assert present == manifest["files"]
    assert AXE.read_text(encoding="utf-8").startswith(f"/*! axe v{AXE_VERSION}")


# ------------------------------------------------------------------ the site and its pages

@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_example(tmp_path_factory)


def base_url(site: Path) -> str:
    """The site's address ('https://example.org/kazuo-ssj/'), from its robots.txt sitemap line."""
    robots = (site / "robots.txt").read_text(encoding="utf-8")
    found = re.search(r"^Sitemap:\s*(\S+)", robots, re.M)
    return found.group(1).rsplit("/", 1)[0] + "/" if found else "/"


def base_path(site: Path) -> str:
    """The base URL's path ('/kazuo-ssj/'): where the host serves the site."""
    return urlsplit(base_url(site)).path or "/"


@pytest.fixture(scope="module")
def hosted(site: Path) -> Iterator[Hosted]:
    with host_site(site, base_path(site)) as served:
        yield served


def largest(site: Path, folder: str) -> str | None:
    pages = [p for p in (site / folder).glob("*.html") if p.name != "index.html"]
    return max(pages, key=lambda p: (p.stat().st_size, p.name)).relative_to(site).as_posix() \
        if pages else None


def fullest_plan(site: Path) -> str | None:
    """The drawn plan whose package lists the most targets (the longest pool lists)."""
    packages = sorted((site / "draws").glob("*/package.json"))  # ties: the first plan

    def targets(p: Path) -> int:
        return sum(len(s["targets"]) for s in json.loads(p.read_text("utf-8"))["strata"])
    return max(packages, key=targets).parent.name if packages else None


def existing(site: Path, path: str | None) -> str | None:
    return path if path and (site / path.split("?")[0]).is_file() else None


def _plan(site: Path) -> str | None:
    plan = fullest_plan(site)
    return existing(site, f"plans/{plan}.html") if plan else largest(site, "plans")


def _verify(site: Path) -> str | None:
    plan = fullest_plan(site)
    return existing(site, "verify.html" + (f"?plan={plan}" if plan else ""))


def _not_found(site: Path) -> str | None:
    return "no/such/page.html" if (site / "404.html").is_file() else None


# template name -> (its file under site/templates, how to find a page of it in the built site)
PAGES: dict[str, tuple[str, Callable[[Path], str | None]]] = {
    "home": ("home.html", lambda s: existing(s, "index.html")),
    "plans": ("plans.html", lambda s: existing(s, "plans/index.html")),
    "plan": ("plan.html", _plan),
    "findings": ("findings.html", lambda s: existing(s, "findings/index.html")),
    "finding": ("finding.html", lambda s: largest(s, "findings")),
    "items": ("items.html", lambda s: existing(s, "items.html")),
    "institutions": ("institutions.html", lambda s: existing(s, "institutions/index.html")),
    "institution": ("institution.html", lambda s: largest(s, "institutions")),
    "person": ("person.html", lambda s: largest(s, "personnel")),
    "inspectors": ("inspectors.html", lambda s: existing(s, "inspectors.html")),
    "lists": ("lists.html", lambda s: existing(s, "lists.html")),
    "data": ("data.html", lambda s: existing(s, "data.html")),
    "rules": ("rules.html", lambda s: existing(s, "rules.html")),
    "report": ("report.html", lambda s: largest(s, "report")),
    "page-regulation": ("page.html", lambda s: existing(s, "regulation.html")),
    "page-draw-spec": ("page.html", lambda s: existing(s, "draw-spec.html")),
    "404": ("404.html", _not_found),  # as a host serves it: at a missing path, any depth
    "verify": ("verify.html", _verify),
    "search": ("search.html", lambda s: existing(s, "search.html")),
}
READY = {"verify": VERDICT}  # pages that finish their work with a script: what marks it done


def page_templates() -> set[str]:
    """site/templates/*.html that are pages: those no other template extends, includes or
    imports."""
    folder = REPO / "site" / "templates"
    texts = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.html")}
    used = {name for text in texts.values()
            for name in re.findall(r"{%-?\s*(?:extends|include|import|from)\s+[\"']([^\"']+)[\"']",
                                   text)}
    return set(texts) - used


def test_every_page_template_has_a_page_under_test() -> None:
    covered = {file for file, _ in PAGES.values()}
    assert page_templates() <= covered, (
        f"page templates without a page in PAGES: {sorted(page_templates() - covered)}")


# ------------------------------------------------------------------ in the page

OVERFLOW_JS = """() => {
  const W = innerWidth, out = [];
  // clipped by an ancestor that scrolls or hides overflow, and is in its containing-block chain
  // (an absolutely positioned box escapes a static scroll box: it widens the page)
  const clips = e => {
    let pos = getComputedStyle(e).position;
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      const s = getComputedStyle(a);
      const contains = pos === 'fixed' ? s.transform !== 'none'
        : pos === 'absolute' ? s.position !== 'static' || s.transform !== 'none' : true;
      if (!contains) continue;
      if (/auto|scroll|hidden|clip/.test(s.overflowX)) return true;
      pos = s.position;
    }
    return false;
  };
  const wide = [...document.body.querySelectorAll('*')].filter(e => {
      const r = e.getBoundingClientRect(); return r.width > 0 && r.right > W + 0.5 && !clips(e); });
  for (const e of wide) {
    if (wide.some(c => c !== e && e.contains(c))) continue;  // the innermost culprits only
    const r = e.getBoundingClientRect();
    out.push(describe(e) + ` right=${Math.round(r.right)}`);
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: W, culprits: out};
}"""

DESCRIBE_JS = """
// rendered: not in a closed <details> (content-visibility), not display:none, not hidden
function rendered(e) {
  return e.checkVisibility({visibilityProperty: true, opacityProperty: true, contentVisibilityAuto: true})
    && e.getClientRects().length > 0;
}
function describe(e) {
  let s = e.tagName.toLowerCase();
  if (e.id) s += '#' + e.id;
  if (typeof e.className === 'string' && e.className.trim()) s += '.' + e.className.trim().split(/\\s+/).join('.');
  const p = e.parentElement;
  if (p && p !== document.body) {
    let q = p.tagName.toLowerCase();
    if (p.id) q += '#' + p.id;
    if (typeof p.className === 'string' && p.className.trim()) q += '.' + p.className.trim().split(/\\s+/).join('.');
    s = q + ' > ' + s;
  }
  const t = (e.textContent || '').replace(/\\s+/g, ' ').trim();
  return s + (t ? ` "${t.slice(0, 24)}${t.length > 24 ? '…' : ''}"` : '');
}
"""

# Tokens that must stay on one line. Each needs a boundary: no letter or digit right before or
# after, so that runs inside a hexadecimal digest (which may break) are not tokens.
TOKENS_JS = r"""() => {
  const TOKENS = [
    ['ISO 日期', /\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:\d{2})?)?/g],
    ['中文日期', /\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?/g],
    ['统一社会信用代码', /[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}/g],
    ['文号', /[\u4e00-\u9fff]?[〔［\[]\d{4}[〕］\]]\s*第?\s*\d+\s*号/g],  // 喀司发〔2024〕5号, from 发
    ['条款', /第[一二三四五六七八九十百零〇\d]+[章节条款项]|[一二三四五六七八九十]+(?:[（(][一二三四五六七八九十]+[）)])+/g],
    ['时间', /\d{1,2}:\d{2}(?::\d{2})?/g],
    ['编号', /[a-z]{1,4}-\d{1,4}/g],  // an item's id: lf-01
    ['编号或数字', /\d+(?:[-.:\/]\d+)*(?:-[A-Za-z]+(?:-\d+)+)?/g],
  ];
  const CLOSERS = '）〕」』》】〉〗〙］｝、。，；：！？”’)]},;:!?';
  const OPENERS = '（〔「『《【〈〖〘［｛“‘([{';
  const LABELS = 'th, td, a, button, summary, dt, dd, caption, label, li, .tag';
  const HEX = /[0-9a-fA-F]{32,}|(?:[0-9A-F]{2}:){31}[0-9A-F]{2}/;  // a digest, or a fingerprint as openssl prints it
  const ALNUM = /[0-9A-Za-z]/;

  const roots = [];
  const main = document.querySelector('main');
  if (main) roots.push(main);
  for (const f of document.querySelectorAll('footer')) if (!roots.some(r => r.contains(f))) roots.push(f);

  const blocks = new Map();
  const blockOf = el => {
    if (blocks.has(el)) return blocks.get(el);
    let e = el;
    while (e.parentElement && /^inline|^contents$|^ruby/.test(getComputedStyle(e).display)) e = e.parentElement;
    blocks.set(el, e);
    return e;
  };
  const clipped = (el, root) => {
    for (let e = el; e && e !== root.parentElement; e = e.parentElement) {
      const r = e.getBoundingClientRect();
      if (r.width <= 1 && r.height <= 1) return true;
    }
    return false;
  };
  const range = document.createRange();
  const rectOf = (node, i) => {
    range.setStart(node, i);
    range.setEnd(node, Math.min(node.data.length, i + (node.data.codePointAt(i) > 0xffff ? 2 : 1)));
    for (const r of range.getClientRects()) if (r.width > 0 || r.height > 0) return r;
    return null;
  };
  // b (after a in the text) starts a line below a's
  const below = (ra, rb) => ra && rb && rb.top >= ra.top + ra.height / 2;

  const chars = [];  // every visible non-space character: {node, i, block, checked, hard}
  const brBetween = (prev, node) => {
    const r = document.createRange();
    r.setStart(prev.node, prev.i + 1);
    r.setEnd(node, 0);
    return !!r.cloneContents().querySelector('br');
  };
  const found = [];
  const seen = new Set();
  const report = (kind, node, start, end, breaks) => {
    const text = node.data;
    let shown = '';
    for (let k = start; k < end; k++) shown += (breaks.includes(k) ? '⏎' : '') + text[k];
    const before = text.slice(Math.max(0, start - 8), start), after = text.slice(end, end + 8);
    found.push({kind, token: text.slice(start, end), shown, context: (before + '[' + shown + ']' + after).replace(/\s+/g, ' '),
                where: describe(node.parentElement)});
  };
  for (const root of roots) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || el.closest('script, style, template, noscript, svg, math')) continue;
      if (!rendered(el) || clipped(el, root)) continue;  // clipped: for screen readers only
      const box = el.closest('pre, code, .hash, .key');
      const digest = !!box && HEX.test(box.textContent);  // digests may break anywhere
      const block = blockOf(el), text = node.data;
      const keeps = /^(pre|pre-wrap|pre-line|break-spaces)$/.test(getComputedStyle(el).whiteSpace);
      let hard = false;  // a newline the CSS keeps, or a <br>, before this character
      for (let i = 0; i < text.length; i++) {
        if (/\s/.test(text[i])) { hard = hard || (keeps && text[i] === '\n'); continue; }
        if ((text.charCodeAt(i) & 0xfc00) === 0xdc00) continue;
        const br = i === 0 && chars.length > 0 && brBetween(chars[chars.length - 1], node);
        // digits are neighbours for the punctuation next to them, never checked themselves
        chars.push({node, i, block, checked: !digest, hard: hard || br});
        hard = false;
      }
      if (digest) continue;
      const spans = [];
      for (const [kind, pattern] of TOKENS) {
        for (const m of text.matchAll(pattern)) {
          const start = m.index, end = m.index + m[0].length;
          if (start > 0 && ALNUM.test(text[start - 1]) || end < text.length && ALNUM.test(text[end])) continue;
          if (spans.some(([s, e]) => s <= start && end <= e)) continue;  // inside a token already checked
          spans.push([start, end]);
          const breaks = [];
          let prev = null;
          for (let k = start; k < end; k++) {
            if (/\s/.test(text[k])) continue;
            const r = rectOf(node, k);
            if (below(prev, r)) breaks.push(k);
            if (r) prev = r;
          }
          if (breaks.length) report(kind, node, start, end, breaks);
        }
      }
    }
    // short labels (a link, a header cell, a status word, a name): at most two lines, and no
    // line holding one character alone: 查⏎看, 未移⏎出, 司法鉴定机⏎构, 序⏎号 fail; 名录数⏎（家） passes
    for (const el of root.querySelectorAll(LABELS)) {
      const t = el.textContent.trim();
      if (!t || t.length > 6 || /\s/.test(t) || !rendered(el) || clipped(el, root)) continue;
      if (el.querySelector(LABELS)) continue;
      const key = 'label:' + t + ':' + describe(el);
      const walker2 = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      let prev = null;
      const lines = [''];
      for (let n = walker2.nextNode(); n; n = walker2.nextNode()) {
        for (let k = 0; k < n.data.length; k++) {
          if (/\s/.test(n.data[k])) continue;
          const r = rectOf(n, k);
          if (below(prev, r)) lines.push('');
          lines[lines.length - 1] += n.data[k];
          if (r) prev = r;
        }
      }
      const bad = lines.length > 2 || (lines.length > 1 && lines.some(l => [...l].length === 1));
      if (bad && !seen.has(key)) {
        seen.add(key);
        const split = lines.join('⏎');
        found.push({kind: '短标签', token: t, shown: split, context: split, where: describe(el)});
      }
    }
  }
  // 禁则: closing punctuation never starts a line, an opening bracket never ends one
  const rects = chars.map(c => null);
  const rect = j => rects[j] || (rects[j] = rectOf(chars[j].node, chars[j].i));
  for (let j = 0; j < chars.length; j++) {
    const {node, i, block, checked} = chars[j];
    if (!checked) continue;
    const ch = node.data[i];
    if (ch < '\u0080' && node.parentElement.closest('pre, code')) continue;  // code wraps as code
    const closer = CLOSERS.includes(ch), opener = OPENERS.includes(ch);
    if (!closer && !opener) continue;
    if (closer && j > 0 && !chars[j].hard && chars[j - 1].block === block && below(rect(j - 1), rect(j))) {
      const p = chars[j - 1];
      found.push({kind: '行首标点', token: ch, shown: p.node.data[p.i] + '⏎' + ch,
                  context: (p.node.data.slice(Math.max(0, p.i - 8), p.i + 1) + '⏎' + node.data.slice(i, i + 8)).replace(/\s+/g, ' '),
                  where: describe(node.parentElement)});
    }
    if (opener && j + 1 < chars.length && !chars[j + 1].hard && chars[j + 1].block === block && below(rect(j), rect(j + 1))) {
      const n = chars[j + 1];
      found.push({kind: '行尾开括号', token: ch, shown: ch + '⏎' + n.node.data[n.i],
                  context: (node.data.slice(Math.max(0, i - 8), i + 1) + '⏎' + n.node.data.slice(n.i, n.i + 8)).replace(/\s+/g, ' '),
                  where: describe(node.parentElement)});
    }
  }
  return found;
}"""

TEXT_SIZE_JS = """min => {
  const out = [];
  const roots = [document.querySelector('main'), ...document.querySelectorAll('footer')].filter(Boolean);
  for (const root of roots) {
    for (const el of root.querySelectorAll('*')) {
      if (![...el.childNodes].some(n => n.nodeType === 3 && n.data.trim())) continue;
      if (!rendered(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.width <= 1 && r.height <= 1) continue;  // for screen readers only
      let px = parseFloat(getComputedStyle(el).fontSize);
      if (el instanceof SVGElement && el.getScreenCTM()) {
        const m = el.getScreenCTM();
        px *= Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
      }
      if (px < min - 0.05) out.push(describe(el) + ` ${px.toFixed(1)} px`);
    }
  }
  return out;
}"""

SCROLLERS_JS = """() => {
  const list = [];
  for (const e of document.querySelectorAll('body *')) {
    const s = getComputedStyle(e);
    const x = e.scrollWidth > e.clientWidth + 1 && /auto|scroll/.test(s.overflowX);
    const y = e.scrollHeight > e.clientHeight + 1 && /auto|scroll/.test(s.overflowY);
    if ((x || y) && rendered(e)) list.push(e);
  }
  window.__scrollers = list;
  window.__reached = new Set();
  if (!window.__recording) {
    window.__recording = true;
    document.addEventListener('focusin', ev => window.__reached && window.__reached.add(ev.target), true);
  }
  if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
  window.scrollTo(0, 0);
  const focusable = document.querySelectorAll(
    'a[href], area[href], button, input, select, textarea, summary, iframe, [tabindex], [contenteditable]');
  return {scrollers: list.length, stops: focusable.length + list.length};
}"""

REACHED_JS = """() => {
  const natively = e => e.matches('a[href], area[href], button, input, select, textarea, summary, iframe, [contenteditable]');
  const reached = [...window.__reached];
  return window.__scrollers.map(s => {
    const inside = reached.filter(r => r !== s && s.contains(r));
    const itself = reached.includes(s);
    const tabindex = s.getAttribute('tabindex');
    const declared = natively(s) || (tabindex !== null && Number(tabindex) >= 0);
    return {where: describe(s) + ` (${s.scrollWidth}x${s.scrollHeight} in ${s.clientWidth}x${s.clientHeight})`,
            ok: inside.length > 0 || (itself && declared), itself, declared, inside: inside.length};
  });
}"""


ICONS_JS = "() => [...document.querySelectorAll('link[rel~=icon]')].map(l => l.href)"


def own_404_dropped(errors: list[str]) -> list[str]:
    """The console errors of a page served with status 404, without the one Chromium logs for
    that status itself."""
    own = next((e for e in errors if "status of 404" in e), None)
    return [e for e in errors if e is not own]


@dataclass
class Seen:
    """What one template's page showed at one width."""
    path: str
    overflow: dict[str, Any] = field(default_factory=dict)
    axe: list[dict[str, Any]] = field(default_factory=list)
    scrollers: list[dict[str, Any]] = field(default_factory=list)
    tokens: list[dict[str, Any]] = field(default_factory=list)
    small_text: list[str] = field(default_factory=list)


@dataclass
class Visit:
    """One template's page, loaded once: what it logged and requested, and each width."""
    path: str
    errors: list[str]
    requests: list[tuple[str, int]]
    outside: list[str]
    icons: dict[str, int]  # each <link rel=icon>'s URL and the status it is answered with
    widths: dict[int, Seen]


def in_page(page: Any, script: str, arg: Any = None) -> Any:
    """Evaluate `script` (a function expression) with the describe() helper in scope."""
    return page.evaluate(f"(arg) => {{ {DESCRIBE_JS}\n return ({script})(arg); }}", arg)


def tab_through(page: Any) -> list[dict[str, Any]]:
    """Press Tab through the page, recording every element that gets focus; for each region
    that scrolls, whether it or something inside it was reached."""
    plan = in_page(page, SCROLLERS_JS)
    if not plan["scrollers"]:
        return []
    presses = 0
    while presses < plan["stops"] + 3:
        for _ in range(10):
            page.keyboard.press("Tab")
        presses += 10
        state = in_page(page, REACHED_JS)
        if all(s["ok"] for s in state):
            break
    return in_page(page, REACHED_JS)


def settle(page: Any) -> None:
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


RESET_JS = """() => {
  if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
  for (const e of document.querySelectorAll('body *')) if (e.scrollLeft || e.scrollTop) e.scrollTo(0, 0);
  window.scrollTo(0, 0);
}"""


def look(page: Any, template: str, width: int, path: str) -> Seen:
    page.set_viewport_size({"width": width, "height": HEIGHT})
    page.evaluate(RESET_JS)  # as loaded: no focus, nothing scrolled by the last width's Tabs
    settle(page)
    if width in SHOT_WIDTHS:
        screenshot(page, f"page-{template}-{width}")
    seen = Seen(path)
    seen.overflow = in_page(page, OVERFLOW_JS)
    seen.tokens = in_page(page, TOKENS_JS)
    seen.small_text = in_page(page, TEXT_SIZE_JS, MIN_TEXT_PX)
    seen.axe = run_axe(page, AXE_TAGS)
    seen.scrollers = tab_through(page)
    return seen


def visit_once(browser: Any, hosted: Hosted, template: str, path: str) -> Visit:
    before_log, before_outside = len(hosted.log), len(hosted.outside)
    with open_page(browser, hosted, hosted.prefix + path, width=WIDTHS[0], watch=True,
                           height=HEIGHT) as opened:
        page = opened.page
        if template in READY:
            page.wait_for_selector(READY[template], timeout=30_000)
        widths = {w: look(page, template, w, path) for w in WIDTHS}
        icons = {url: 200 if url.startswith("data:") else page.request.get(url).status
                 for url in page.evaluate(ICONS_JS)}
        errors = own_404_dropped(opened.errors) if template == "404" else list(opened.errors)
    return Visit(path, errors, hosted.log[before_log:], hosted.outside[before_outside:], icons,
                 widths)


@pytest.fixture(scope="module")
def visits(browser: Any, site: Path, hosted: Hosted) -> Callable[[str], Visit]:
    """Each template's page visited once, lazily, at every width; skipped where the build has
    no such page; a visit that broke fails every test of its template with the same reason."""
    done: dict[str, Visit | tuple[Callable[..., Any], str]] = {}

    def visit(template: str) -> Visit:
        if template not in done:
            path = PAGES[template][1](site)
            if path is None:
                done[template] = (pytest.skip, f"the build has no page of template "
                                  f"{PAGES[template][0]} ({template}) yet: nothing to test")
            else:
                try:
                    done[template] = visit_once(browser, hosted, template, path)
                except Exception as e:  # noqa: BLE001 (reported on every test of the template)
                    done[template] = (pytest.fail, f"{path}: the visit failed: {e!r}")
        found = done[template]
        if isinstance(found, tuple):
            found[0](found[1])
        assert isinstance(found, Visit)
        return found
    return visit


CASES = [pytest.param(t, w, id=f"{t}-{w}") for t in PAGES for w in WIDTHS]


def fail(title: str, items: list[str]) -> None:
    """Fail with `title` and the first offenders, one a line (no assertion rewriting noise)."""
    more = [f"… and {len(items) - SHOWN} more"] if len(items) > SHOWN else []
    pytest.fail("\n  ".join([title, *items[:SHOWN], *more]), pytrace=False)


@pytest.mark.parametrize("template, width", CASES)
def test_no_horizontal_overflow(visits: Callable[[str], Visit], template: str, width: int) -> None:
    seen = visits(template).widths[width]
    o = seen.overflow
    if o["scrollWidth"] > o["innerWidth"]:
        fail(f"{seen.path} at {width} px is {o['scrollWidth']} px wide; what sticks out:",
             o["culprits"] or ["(no single element: margins or a pseudo-element)"])


@pytest.mark.parametrize("template, width", CASES)
def test_axe_finds_no_wcag_a_or_aa_violation(visits: Callable[[str], Visit], template: str,
                                             width: int) -> None:
    seen = visits(template).widths[width]
    lines = [f"{v['id']} ({v['impact']}, {len(v['nodes'])}×): {v['help']}: "
             + "; ".join(n["target"] for n in v["nodes"][:4]) for v in seen.axe]
    if lines:
        fail(f"{seen.path} at {width} px, axe-core {AXE_VERSION}:", lines)


@pytest.mark.parametrize("template, width", CASES)
def test_every_scrolling_region_is_reached_with_tab(visits: Callable[[str], Visit],
                                                    template: str, width: int) -> None:
    seen = visits(template).widths[width]
    bad = [s["where"] + (" — reached by Tab only because this chromium makes any scroller "
                         "focusable; it has no tabindex=\"0\" (older browser cores skip it)"
                         if s["itself"] else " — neither it nor anything in it gets focus")
           for s in seen.scrollers if not s["ok"]]
    if bad:
        fail(f"{seen.path} at {width} px: regions that scroll, out of keyboard reach:", bad)


@pytest.mark.parametrize("template, width", CASES)
def test_no_token_or_bracket_is_broken_across_lines(visits: Callable[[str], Visit], template: str,
                                                    width: int) -> None:
    seen = visits(template).widths[width]
    lines = [f"{t['kind']}: {t['context']}  @ {t['where']}" for t in seen.tokens]
    if lines:
        fail(f"{seen.path} at {width} px, {len(lines)} broken (⏎ = line break):", lines)


@pytest.mark.parametrize("template, width", CASES)
def test_no_text_smaller_than_12_px(visits: Callable[[str], Visit], template: str,
                                    width: int) -> None:
    seen = visits(template).widths[width]
    if seen.small_text:
        fail(f"{seen.path} at {width} px, text under {MIN_TEXT_PX} px:", seen.small_text)


@pytest.mark.parametrize("template", list(PAGES))
def test_every_request_is_answered_and_nothing_is_logged(visits: Callable[[str], Visit],
                                                          template: str) -> None:
    """CSP on: no error in the console (a refused style sheet or script is one), nothing
    requested that the site lacks, nothing asked of another origin; and an icon declared that
    exists. Without <link rel=icon> a browser asks for /favicon.ico at the server's root, which
    is not the site's (it lives under the base URL's path); Chromium asks once a session, so
    the server sees that request only on the first page visited."""
    visit = visits(template)
    own = visit.path if template == "404" else None  # the missing page itself answers 404
    failed = [(path, status) for path, status in visit.requests
              if status >= 400 and not (own and path.endswith(own))]
    problems = ([f"answered {status}: {path}" for path, status in failed]
                + ([] if visit.icons else ["no <link rel=\"icon\">: browsers ask for /favicon.ico "
                                           "at the server's root, outside the site"])
                + [f"icon {url} answered {status}" for url, status in visit.icons.items()
                   if status != 200]
                + [f"console: {e}" for e in visit.errors]
                + [f"asked of another origin: {u}" for u in visit.outside])
    if problems:
        fail(f"{visit.path}:", problems)


# ------------------------------------------------------------------ print

POOL_JS = """([ids, names]) => {
  const section = document.getElementById('pool')?.closest('section');
  if (!section) return null;
  // getClientRects alone is not enough: a closed <details> lays its content out, unpainted
  const shownAt = el => !!el && rendered(el)
    && [...el.getClientRects()].some(r => r.width > 0 && r.height > 0);
  return ids.map(id => {
    let el = section.querySelector(`a[href*="${id}"]`);
    if (!el && names[id]) {
      const w = document.createTreeWalker(section, NodeFilter.SHOW_TEXT);
      for (let n = w.nextNode(); n; n = w.nextNode()) if (n.data.includes(names[id])) { el = n.parentElement; break; }
    }
    return {id, name: names[id] || '', found: !!el, visible: shownAt(el), text: el ? el.textContent.trim() : ''};
  });
}"""

# a printed link shows its absolute address: an external one its own, one within the site the
# site's address (its base URL) followed by the page's path below the served prefix
LINK_TARGETS_JS = """([base, prefix]) => [...document.querySelectorAll('main a[href]')]
  .filter(a => !a.getAttribute('href').startsWith('#') && rendered(a))
  .filter(a => a.textContent.trim() !== a.getAttribute('href') && a.textContent.trim() !== a.href)
  .map(a => {
    const content = getComputedStyle(a, '::after').content;
    const href = a.getAttribute('href');
    const external = /^https?:/.test(href);
    const url = new URL(a.href);
    const absolute = external ? href : base + url.pathname.slice(prefix.length) + url.search + url.hash;
    return {text: a.textContent.trim().slice(0, 30), href, content, external,
            shows: content.includes(absolute)};
  })"""


def pool(site: Path, plan: str) -> tuple[list[str], dict[str, str]]:
    package = json.loads((site / "draws" / plan / "package.json").read_text(encoding="utf-8"))
    ids = [t["id"] for s in package["strata"] for t in s["targets"]]
    names: dict[str, str] = {}
    roster = site / "institutions" / "index.json"
    if roster.is_file():
        data = json.loads(roster.read_text(encoding="utf-8"))
        for entry in data.get("institutions", []) + data.get("personnel", []):
            names[entry["id"]] = entry["name"]
    return ids, names


@pytest.fixture(scope="module")
def printed_plan(browser: Any, site: Path, hosted: Hosted) -> Iterator[tuple[str, Any]]:
    plan = fullest_plan(site)
    if plan is None:
        pytest.skip("the build has no drawn plan")
    with open_page(browser, hosted, f"{hosted.prefix}plans/{plan}.html", width=794,
                   height=1123) as opened:
        opened.page.emulate_media(media="print")
        settle(opened.page)
        yield plan, opened.page


def test_a_printed_plan_shows_every_pool_entry(site: Path, printed_plan: tuple[str, Any]) -> None:
    plan, page = printed_plan
    ids, names = pool(site, plan)
    entries = in_page(page, POOL_JS, [ids, names])
    assert entries is not None, f"plans/{plan}.html has no 抽取范围 section"
    missing = [f"{e['id']} {e['name']}" + ("" if e["found"] else " (not on the page)")
               for e in entries if not e["visible"]]
    screenshot(page, f"print-plan-{plan}")
    if missing:
        fail(f"plans/{plan}.html printed: {len(missing)} of {len(ids)} pool entries in the "
             f"package are not shown:", missing)


def test_a_printed_plan_prints_its_link_targets(site: Path, printed_plan: tuple[str, Any]) -> None:
    plan, page = printed_plan
    links = in_page(page, LINK_TARGETS_JS, [base_url(site), base_path(site)])
    assert links, f"plans/{plan}.html has no links in <main> to check"
    unprinted = [link for link in links if not link["shows"]]
    bad = [f"{link['text']} -> {link['href']} (::after content: {link['content']})"
           for link in unprinted]
    external = [link for link in unprinted if link["external"]]
    if bad:
        fail(f"plans/{plan}.html printed: {len(bad)} of {len(links)} links in <main> do not "
             f"print their target ({len(external)} of them external):", bad)


def test_a_plan_renders_to_pdf(printed_plan: tuple[str, Any]) -> None:
    plan, page = printed_plan
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = page.pdf(path=str(ARTIFACTS / f"print-plan-{plan}.pdf"), format="A4",
                   print_background=False)
    assert pdf.startswith(b"%PDF-") and len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 1


# ------------------------------------------------------------------ the 404 page

DEFAULT_STYLE_JS = """() => { const b = getComputedStyle(document.body);
  return {font: b.fontFamily, margin: b.margin, color: b.color, background: b.backgroundColor}; }"""


@pytest.mark.parametrize("missing", ["missing.html", "plans/missing.html", "no/such/page.html"])
def test_the_404_page_is_styled_and_its_links_work_at_any_depth(browser: Any, site: Path,
                                                                hosted: Hosted,
                                                                missing: str) -> None:
    if not (site / "404.html").is_file():
        pytest.skip("the build has no 404.html")
    blank = browser.new_page()
    try:
        blank.set_content("<!doctype html><body><header>x</header><main>x</main></body>")
        unstyled = blank.evaluate(DEFAULT_STYLE_JS)
    finally:
        blank.close()
    before = len(hosted.log)
    with open_page(browser, hosted, hosted.prefix + missing) as opened:
        page = opened.page
        status = next((s for p, s in hosted.log[before:] if p.endswith(missing)), None)
        sheets = page.evaluate("""() => [...document.querySelectorAll('link[rel~=stylesheet]')]
            .map(l => ({href: l.getAttribute('href'), loaded: !!(l.sheet && l.sheet.cssRules.length)}))""")
        styled = page.evaluate(DEFAULT_STYLE_JS)
        links = page.evaluate("() => [...document.querySelectorAll('a[href]')]"
                              ".map(a => ({text: a.textContent.trim(), href: a.getAttribute('href'),"
                              " url: a.href}))")
        screenshot(page, f"404-at-depth-{missing.count('/')}")
        answers = {link["url"]: page.request.get(link["url"]).status for link in links
                   if link["url"].startswith(hosted.url + "/") and not link["href"].startswith("#")}
        home = next((l for l in links if l["text"] == "首页"), None)
        landed = None
        if home is not None:
            page.get_by_role("link", name="首页", exact=True).first.click()
            page.wait_for_load_state()
            landed = (page.url, page.title())
        errors = own_404_dropped(opened.errors)
    assert status == 404, f"{missing}: the host answered {status}, not 404 with the site's 404 page"
    problems = []
    if not sheets or not all(s["loaded"] for s in sheets):
        problems.append(f"style sheets not loaded: {sheets or 'none linked'}")
    if styled == unstyled:
        problems.append(f"body looks like the browser's default: {styled}")
    problems += [f"console: {e}" for e in errors]
    own_host = urlsplit(base_url(site)).netloc  # example.org: the site's address, not where it is
    for link in {(link["text"], link["href"]): link for link in links}.values():
        href, url = link["href"], link["url"]
        if href.startswith("#") or urlsplit(url).scheme not in ("http", "https"):
            continue  # within the page; mail, telephone
        if (own_host and urlsplit(url).netloc == own_host) or "example.org" in href:
            problems.append(f"link {link['text']} -> {href} points to the site's configured "
                            "address, not a path that works wherever the site is served")
        elif url.startswith(hosted.url + "/") and not url.startswith(hosted.url + hosted.prefix):
            problems.append(f"link {link['text']} -> {href} leaves the site's folder "
                            f"{hosted.prefix}")
        elif url.startswith(hosted.url + "/") and answers.get(url) != 200:
            problems.append(f"link {link['text']} -> {href} answers {answers.get(url)}")
    if home is None:
        problems.append("no link named 首页")
    elif landed is None or urlsplit(landed[0]).path not in (hosted.prefix,
                                                             hosted.prefix + "index.html") \
            or not landed[0].startswith(hosted.url) or "页面不存在" in landed[1]:
        problems.append(f"following 首页 lands on {landed} (the home page is "
                        f"{hosted.url}{hosted.prefix})")
    if problems:
        fail(f"404 page at {hosted.prefix}{missing}:", problems)
