"""Issue 23: no developer language in what a citizen reads. Every page template, and every plan
page, is rendered in Chromium at 375 and 1280 px; the text a visitor sees (rendered, not inside a closed
<details>, not code a reader is asked to run) must hold no code of the records' vocabulary (each
Enum's codes: sectors, methods, outcomes, statuses, roles, lists…), no drand chain name, no
RFC 3161 status word, no JSON field name and no git revision."""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.records.kinds import KINDS
from generator.records.types import Enum, FieldType, ListOf, Obj
from tests.browser import built_example, host_site, open_page
from tests.test_pages_browser import PAGES, READY, base_path

# words a page shows only as developer artefacts: drand chains, time-stamp statuses, the JSON
# fields a verifier reads
EXTRA = ("default", "quicknet", "granted", "grantedWithMods", "rejection", "waiting",
         "randomness", "signature", "previous_signature", "round", "package", "values", "result",
         "commitment", "strata", "ranking", "true", "false", "null")
# codes that are also plain words of the pages' own Latin text, where they are not codes
ALLOWED = {"ssj", "openssl", "drand", "json", "csv", "xml", "rss", "atom", "https", "http",
           "sha", "hmac", "rfc", "utc", "pdf", "url", "api", "id"}

VISIBLE_TEXT_JS = """() => {
    const skip = e => e.closest('code, pre, samp, kbd, script, style, .url, [aria-hidden=true]');
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const e = n.parentElement;
        if (!e || skip(e) || !e.checkVisibility({visibilityProperty: true})) continue;
        const r = document.createRange(); r.selectNodeContents(n);
        if (!r.getClientRects().length) continue;  // not rendered (in a closed <details>)
        out.push(n.textContent);
    }
    return out.join('\\n');
}"""


def _enum_codes(ftype: FieldType) -> Iterator[str]:
    while isinstance(ftype, ListOf):
        ftype = ftype.item
    if isinstance(ftype, Enum):
        yield from ftype.choices
    elif isinstance(ftype, Obj):
        for field in ftype.fields:
            yield from _enum_codes(field.type)


def vocabulary() -> set[str]:
    """Every code the records may hold in an Enum field, and the EXTRA words."""
    codes = {code for kind in KINDS for code in _enum_codes(kind.schema)}
    return {c for c in codes | set(EXTRA) if c.lower() not in ALLOWED and re.search("[a-z]", c)}


def test_the_vocabulary_is_the_records_own() -> None:
    words = vocabulary()
    assert {"law-firm", "legal-aid", "onsite", "blacklist", "granted", "quicknet"} <= words


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_example(tmp_path_factory)


# reference pages whose job is to name the machine's words: the open data's dictionary (each
# column's JSON field and each code beside its label), the algorithm's specification
REFERENCE = {"data.html", "draw-spec.html", "draw-spec-en.html"}


def pages_to_read(site: Path) -> list[str]:
    paths = {find(site) for _, find in PAGES.values()}
    paths |= {p.relative_to(site).as_posix() for p in (site / "plans").glob("*.html")}
    return sorted(p for p in paths if p and p not in REFERENCE)


def test_no_page_shows_a_code_of_the_vocabulary(site: Path, browser: Any) -> None:
    pattern = re.compile(r"(?<![A-Za-z0-9_.-])(" + "|".join(
        re.escape(w) for w in sorted(vocabulary(), key=len, reverse=True))
        + r")(?![A-Za-z0-9_.-])")  # a file name (result.json), shown labelled, is no code
    revision = re.compile(r"\b[0-9a-f]{7,40}\b")
    found = []
    prefix = base_path(site)
    ready = {find(site): READY.get(name) for name, (_, find) in PAGES.items()}
    with host_site(site, prefix) as hosted:
        for path in pages_to_read(site):
            with open_page(browser, hosted, prefix + path, width=375, height=800) as opened:
                if ready.get(path):
                    opened.page.wait_for_selector(ready[path], timeout=60_000)
                texts = {}
                for width in (375, 1280):  # a phone's cards and a desk's tables
                    opened.page.set_viewport_size({"width": width, "height": 800})
                    texts[width] = opened.page.evaluate(VISIBLE_TEXT_JS)
            for width, text in texts.items():
                found += [f"{path} at {width}: {m.group(1)!r} in "
                          f"…{text[max(0, m.start() - 20):m.end() + 20]!r}…"
                          for m in pattern.finditer(text)]
                found += [f"{path} at {width}: revision-like {m.group(0)!r}"
                          for m in revision.finditer(text)
                          if re.search("[a-f]", m.group(0)) and re.search("[0-9]", m.group(0))]
    assert not found, "\n".join(found[:40])
