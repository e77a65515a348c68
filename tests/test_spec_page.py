"""Spec ssj-draw/1 on every site, twice: site/pages/draw-spec-en.md publishes the normative English
text, byte for byte as the steering repository's shared/spec/draw.md (where that sits beside this
checkout), and site/pages/draw-spec.md its Chinese rendition. Each page is front matter, one
Chinese paragraph saying what it is (linking the other), then the spec.

The rendition is held to the English block by block: the same headings in the same order, every
fenced block identical, the same inline code, the same numbers in the prose, the same standards,
file names and identifiers, the same vector paths, and per section the same paragraphs and list
items with the same bold lead-ins, so that a dropped section, rule, constant or vector fails here.
Translator's notes (a quoted paragraph starting "> 译注：") are the only additions allowed, and are
left out of the comparison."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.records_tree import valid_tree
from tests.rules_tree import write_files
from tests.sitecheck import REPO, Site, build_site

PAGES = REPO / "site" / "pages"
ZH = PAGES / "draw-spec.md"
EN = PAGES / "draw-spec-en.md"
SHARED = REPO.parent / "shared" / "spec" / "draw.md"
ENV = {"SOURCE_DATE_EPOCH": "1796083200", "SSJ_SOURCE_REVISION": "0" * 40}

NOTE = "> 译注："
CJK = "\u3400-\u4dbf\u4e00-\u9fff"
CODE_SPAN = re.compile(r"`([^`\n]+)`")
# a number standing alone as far as Latin letters and digits go: 256 in SHA-256, 24 in 默认24小时,
# 2 and 53 in 2^53; not the 2 of log2, the 3 of 福彩3D or the 001 of U+001F
NUMBER = re.compile(r"(?<![0-9A-Za-z])\d+(?:\.\d+)?(?![0-9A-Za-z])")
WORD = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9+^./-]*[A-Za-z0-9])?")


def split(text: str) -> tuple[str, str, str]:
    """(front matter, the explanatory paragraph, the spec)."""
    assert text.startswith("---\n")
    head, _, rest = text[4:].partition("\n---\n\n")
    intro, _, spec = rest.partition("\n\n")
    return head, intro, spec


def spec_of(path: Path) -> str:
    return split(path.read_text(encoding="utf-8"))[2]


@dataclass(frozen=True)
class Block:
    kind: str  # h1, h2, h3, p, li (bulleted), ol (numbered), code (fenced), note (译注)
    text: str


def blocks(spec: str) -> list[Block]:
    """The spec's Markdown as a flat list of blocks; a list item's continuation lines are its
    own, and a paragraph runs to a blank line or the start of another block."""
    out: list[Block] = []
    lines = iter(spec.split("\n"))
    current: list[str] | None = None  # the open paragraph or list item, continued line by line
    for line in lines:
        if line.startswith("```"):
            body = []
            for inner in lines:
                if inner.startswith("```"):
                    break
                body.append(inner)
            else:
                raise AssertionError("a fenced block is never closed")
            out.append(Block("code", "\n".join(body)))
            current = None
        elif heading := re.match(r"(#{1,6}) (.*)", line):
            out.append(Block(f"h{len(heading[1])}", heading[2]))
            current = None
        elif not line.strip():
            current = None
        elif line.startswith(NOTE):
            out.append(Block("note", line))
            current = None
        elif item := re.match(r"(- |\d+\. )", line):
            out.append(Block("li" if item[1] == "- " else "ol", line))
            current = [line]
        elif current is not None:
            last = out.pop()
            out.append(Block(last.kind, last.text + "\n" + line))
        else:
            out.append(Block("p", line))
            current = [line]
    return out


def normative(spec: str) -> list[Block]:
    return [b for b in blocks(spec) if b.kind != "note"]


def prose(spec: str) -> str:
    """The normative text outside fenced blocks, headings included, code spans kept."""
    return "\n".join(b.text for b in normative(spec) if b.kind != "code")


def without_code(text: str) -> str:
    return CODE_SPAN.sub(" ", text)


def shape(spec: str) -> list[list[tuple[str, int]]]:
    """Per section (a heading and what follows up to the next), each block's kind and how many
    bold spans it has: a rule of the list is a bold lead-in and its item."""
    sections: list[list[tuple[str, int]]] = [[]]
    for b in normative(spec):
        if b.kind.startswith("h"):
            sections.append([])
        sections[-1].append((b.kind, len(re.findall(r"\*\*[^*]+\*\*", b.text))))
    return sections


def numbers(spec: str) -> Counter[str]:
    return Counter(NUMBER.findall(without_code(prose(spec))))


def technical_words(spec: str) -> set[str]:
    """Words of the prose that are names rather than English: with a digit (SHA-256, UTF-8,
    2^53, U+001F), an acronym (JSON, DER), camel case (timeStamping) or a file name."""
    words = {w.removeprefix("non-") for w in WORD.findall(without_code(prose(spec)))}
    return {w for w in words if re.search(r"\d|[A-Z].*[A-Z]|[a-z][A-Z]|\.json$", w)}


def vector_paths(text: str) -> set[str]:
    return set(re.findall(r"vectors/[A-Za-z0-9_./-]*", text))


def spacing_faults(text: str) -> list[str]:
    """Spaces between a Chinese character and a digit or Latin word (the site writes 2026年,
    使用SHA-256), outside code; a code span counts as a Latin word."""
    outside = CODE_SPAN.sub("x", "\n".join(b.text for b in blocks(text) if b.kind != "code"))
    return re.findall(rf"[{CJK}] +[A-Za-z0-9]|[A-Za-z0-9] +[{CJK}]", outside)


# ------------------------------------------------------------------------------------- the pages

def test_each_page_has_a_title_and_one_explanatory_paragraph_linking_the_other() -> None:
    head, intro, spec = split(EN.read_text(encoding="utf-8"))
    assert head == "title: 抽取算法规范 ssj-draw/1（英文原文）"
    assert "\n" not in intro and "规范性文本" in intro and "tests/vectors/" in intro
    assert "(draw-spec.html)" in intro
    assert spec.startswith("# Draw specification `ssj-draw/1`\n")

    head, intro, spec = split(ZH.read_text(encoding="utf-8"))
    assert head == "title: 抽取算法规范 ssj-draw/1"
    assert "\n" not in intro and "中文译本" in intro and "以英文原文为准" in intro
    assert "[英文原文](draw-spec-en.html)" in intro
    assert spec.startswith("# 抽取算法规范`ssj-draw/1`\n")


@pytest.mark.skipif(not SHARED.is_file(), reason="shared/ is not beside this checkout")
def test_the_english_spec_on_the_site_is_the_shared_one() -> None:
    assert spec_of(EN).encode("utf-8") == SHARED.read_bytes()


def test_the_pages_are_set_as_the_site_sets_chinese() -> None:
    for page in (ZH, EN):
        _, intro, _ = split(page.read_text(encoding="utf-8"))
        assert spacing_faults(intro) == [], page.name
    assert spacing_faults(spec_of(ZH)) == []


# ------------------------------------------------------------------- the rendition, against the English

def test_the_same_headings_in_the_same_order_each_translated() -> None:
    en = [b for b in blocks(spec_of(EN)) if b.kind.startswith("h")]
    zh = [b for b in blocks(spec_of(ZH)) if b.kind.startswith("h")]
    assert [b.kind for b in en] == [b.kind for b in zh]
    assert Counter(b.kind for b in en) == {"h1": 1, "h2": 7}
    for b in zh:
        assert re.search(f"[{CJK}]", without_code(b.text)), b.text
        assert CODE_SPAN.findall(b.text) == CODE_SPAN.findall(en[zh.index(b)].text), b.text


def test_every_section_has_the_same_paragraphs_list_items_and_bold_lead_ins() -> None:
    assert shape(spec_of(ZH)) == shape(spec_of(EN))
    rules = shape(spec_of(EN))[-1]  # the rules around the algorithm: each item one rule
    assert rules == [("h2", 0)] + [("li", 1)] * 8 + [("li", 0)]


def test_every_fenced_block_is_kept_as_it_is() -> None:
    en = [b.text for b in blocks(spec_of(EN)) if b.kind == "code"]
    assert len(en) == 3
    assert [b.text for b in blocks(spec_of(ZH)) if b.kind == "code"] == en


def test_the_same_inline_code() -> None:
    en = Counter(CODE_SPAN.findall(prose(spec_of(EN))))
    assert en["min_lead"] == 2 and en["vectors/tsa/"] == 1 and sum(en.values()) > 50
    assert Counter(CODE_SPAN.findall(prose(spec_of(ZH)))) == en


def test_the_same_numbers_in_the_prose() -> None:
    en = numbers(spec_of(EN))
    for constant in ("1692803367", "1595431050", "53", "24", "30", "3161", "20520", "10", "20"):
        assert en[constant], constant  # the extraction finds what it is meant to
    assert en["3"] == 5  # weight 3, 3 tickets, step 3, period 3 s, revised at most 3 times
    assert numbers(spec_of(ZH)) == en


def test_the_same_standards_names_and_formulas() -> None:
    en = technical_words(spec_of(EN))
    assert {"SHA-256", "UTF-8", "2^53", "U+001F", "timeStamping", "signingCertificateV2",
            "result.json", "log2", "RFC", "GB/T"} <= en
    assert technical_words(spec_of(ZH)) == en
    for formula in ("2^53", "U+0000–U+001F", "U+007F", "log2 C(N, k) + 20", "福彩3D"):
        assert formula in prose(spec_of(EN)) and formula in prose(spec_of(ZH)), formula


def test_the_same_test_vectors() -> None:
    en = vector_paths(spec_of(EN))
    assert en == {"vectors/draw-basic/", "vectors/tsa/"}
    assert vector_paths(spec_of(ZH)) == en


def test_no_english_prose_is_left_in_the_rendition() -> None:
    left = re.findall(r"[A-Za-z]+(?:[ ,]+[A-Za-z]+){3,}", without_code(prose(spec_of(ZH))))
    assert left == []


def test_translators_notes_only_add_to_the_text() -> None:
    notes = [b.text for b in blocks(spec_of(ZH)) if b.kind == "note"]
    assert all("\n" not in n for n in notes)
    assert not [b for b in blocks(spec_of(EN)) if b.kind == "note"]


# -------------------------------------------------------------------------------- the built site

@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """A small valid records tree with this checkout's site sources, built once."""
    import shutil

    root = tmp_path_factory.mktemp("spec")
    write_files(root, valid_tree())
    shutil.copytree(REPO / "site", root / "site")
    built = build_site(root, root / "out", env=ENV)
    assert built.exit_code == 0, built.output
    return Site(root / "out")


@pytest.mark.parametrize("here, there", [("draw-spec.html", "draw-spec-en.html"),
                                         ("draw-spec-en.html", "draw-spec.html")])
def test_the_two_pages_link_each_other(site: Site, here: str, there: str) -> None:
    main = site.main(here)
    assert there in [site.resolve(here, a.get("href") or "")[0] for a in main.iter("a")]


def test_both_pages_are_filed_under_the_plans(site: Site) -> None:
    for path in ("draw-spec.html", "draw-spec-en.html"):
        crumbs = site.page(path).one("nav", **{"aria-label": "当前位置"})
        assert [site.resolve(path, a.get("href") or "")[0] for a in crumbs.iter("a")] == \
            ["index.html", "plans/index.html"], path


def test_the_built_pages_have_the_same_blocks_of_code_and_headings(site: Site) -> None:
    zh, en = site.main("draw-spec.html"), site.main("draw-spec-en.html")
    assert [p.text() for p in zh.iter("pre")] == [p.text() for p in en.iter("pre")]
    assert len(list(en.iter("pre"))) == 3
    for tag in ("h2", "h3", "h4"):
        assert len(list(zh.iter(tag))) == len(list(en.iter(tag))), tag
