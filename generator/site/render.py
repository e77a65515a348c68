"""Rendering pages with Jinja: autoescaped, strict about undefined names, most specific template
first, and links that work from any depth (relative) or under a configured base URL."""
from __future__ import annotations

import datetime as dt
import functools
import json
import posixpath
import re
from pathlib import Path
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

import jinja2
from markupsafe import Markup, escape

from generator.site import urls
from generator.site.markup import render_markdown
from generator.site.output import Page

# YYYY-MM-DD, then optionally a time and what follows it ("08:00:00 北京时间")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?))?(.*)", re.S)
# what must never break across lines (禁则 for tokens): dates, clause references (二（八）,
# 第四条), document numbers (喀司发〔2024〕5号) and 统一社会信用代码; found in text from records
# and pages, each wrapped in <span class="nw">, which the style sheet keeps on one line
_TOKEN = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?"
    r"|\d{4}年\d{1,2}月(?:\d{1,2}日)?"
    r"|第[一二三四五六七八九十百零〇\d]+[章节条款项]"
    r"|[一二三四五六七八九十]+(?:[（(][一二三四五六七八九十]+[）)])+(?:\d+(?:[–-]\d+)?)?"
    r"|[\u4e00-\u9fff]{0,3}[〔［\[]\d{4}[〕］\]]第?\d+号"
    r"|(?<![0-9A-Za-z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Za-z])")
_TAG = re.compile(r"(<[^>]*>)")
# text typed by staff, set as the pages set their own: clause references full-width as the 方案
# writes them (二(八) -> 二（八）), dates without spaces (2026 年 4 月 10 日 -> 2026年4月10日);
# the records and data files keep what was typed
_N = "一二三四五六七八九十"
_TYPESET = (
    (re.compile(rf"(?<=[{_N}])\(([{_N}])\)"), r"（\1）"),
    (re.compile(rf"(?<=）)\(([{_N}])\)"), r"（\1）"),
    (re.compile(rf"(?<=[{_N}]（[{_N}]）) (?=[\u4e00-\u9fff“《])"), ""),
    (re.compile(r"(\d{4}) ?年 ?(\d{1,2}) ?月 ?(\d{1,2}) ?日"), r"\1年\2月\3日"),
    (re.compile(r"(\d{4}) ?年 ?(\d{1,2}) ?月"), r"\1年\2月"),
    (re.compile(r"(?<![\d年])(\d{1,2}) ?月 ?(\d{1,2}) ?日"), r"\1月\2日"),
    (re.compile(r"(?<=\d日)、(\d{1,2}) 日"), r"、\1日"),
    (re.compile(r"(?<!\d)(\d{4}) 年"), r"\1年"),
    (re.compile(r"(?<=[\u4e00-\u9fff]) (?=\d{4}年|\d{1,2}月\d{1,2}日)"), ""),
    (re.compile(r"(?<=\d[月日]) (?=[\u4e00-\u9fff])"), ""),
)


# every pattern of _TYPESET needs one of these: most text has none, and is left as it is at once
_TYPESET_NEEDS = re.compile(r"[\d(（]")


def typeset(text: str) -> str:
    """`text` with the site's typography for clause references and dates (see _TYPESET)."""
    if not _TYPESET_NEEDS.search(text):
        return text
    for pattern, replacement in _TYPESET:
        text = pattern.sub(replacement, text)
    return text


def environment(site_dir: Path, compiled: Path | None = None) -> jinja2.Environment:
    """The templates of `site_dir`; `compiled`: a folder of the user's cache (never in the
    repository) where compiled templates are kept between builds, so that a rebuild of a few
    pages does not compile every template again. Jinja checks each against its source's digest."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(site_dir / "templates"),
        bytecode_cache=None if compiled is None else jinja2.FileSystemBytecodeCache(str(compiled)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # a build makes its own environment: no template changes under it
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = lambda text: keep_tokens(render_markdown(text))
    env.filters["nw"] = keep_tokens
    env.filters["date"] = time_element
    env.filters["zh_date"] = zh_date
    env.filters["links"] = site_links
    env.filters["as_typed"] = as_typed
    return env


def _date_parts(value: str | dt.date | None) -> tuple[str, str | None, str, str] | None:
    """(ISO date, time of day or None, what follows, the date as pages write it: 2026年4月28日),
    or None for text that is not a date."""
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    m = _ISO.fullmatch(text)
    if m is None:
        return None
    year, month, day, clock, rest = m.groups()
    return f"{year}-{month}-{day}", clock, rest, f"{int(year)}年{int(month)}月{int(day)}日"


def zh_date(value: str | dt.date | None) -> str:
    """A date as pages write it: 2026-04-28 -> 2026年4月28日 (a time after it is kept). Data
    files (JSON, CSV, feeds) keep ISO dates; only what people read changes."""
    if value is None:
        return ""
    parts = _date_parts(value)
    if parts is None:
        return str(value)
    _, clock, rest, shown = parts
    return shown + (f" {clock}" if clock else "") + rest


def time_element(value: str | dt.date | None) -> Markup:
    """<time datetime="2026-04-28">2026年4月28日</time>, kept on one line; a time of day goes
    into the datetime too (北京时间: +08:00). Text that is not a date is shown as it is."""
    if value is None or value == "":
        return Markup("")
    parts = _date_parts(value)
    if parts is None:
        return escape(str(value))
    stamp, clock, rest, shown = parts
    if clock:
        stamp += "T" + clock + ("+08:00" if "北京时间" in rest else "")
        shown += f" {clock}"
    return Markup('<time datetime="{}">{}</time>{}').format(stamp, shown, rest)


def keep_tokens(text: Any) -> Markup:
    """Text (escaped here) or HTML (Markup, already safe), typeset as the site's own text, with
    every token that must not break across lines wrapped in <span class="nw">; tags and
    attributes are left alone."""
    html = str(text if isinstance(text, Markup) else escape("" if text is None else text))
    parts = _TAG.split(html)
    return Markup("".join(part if part.startswith("<") else
                          _TOKEN.sub(lambda m: f'<span class="nw">{m.group(0)}</span>',
                                     typeset(part))
                          for part in parts))


# an href to a path of this site: no scheme, no fragment alone, not from the host's root
_SITE_PATH = r'href="(?![A-Za-z][A-Za-z0-9+.-]*:|#|/)([^"]+)"'
_SITE_HREF = re.compile(_SITE_PATH)


def site_links(html: str, url: Any) -> Markup:
    """HTML written by hand (a page under site/pages/) with each link to a site path made as
    the templates' `url` makes it, so a page links right under a base URL's path too."""
    return Markup(_SITE_HREF.sub(lambda m: f'href="{url(m.group(1))}"', str(html)))


def link(base_url: str | None, here: str, target: str) -> str:
    """`target` (a site path, may carry #fragment) as seen from the page at `here`."""
    if base_url:
        return base_url + target
    path, _, fragment = target.partition("#")
    rel = _relative(path, posixpath.dirname(here)) if path else ""
    return rel + (f"#{fragment}" if fragment else "")


@functools.lru_cache(maxsize=1 << 16)  # the same links from pages of the same folder
def _relative(path: str, folder: str) -> str:
    """posixpath.relpath(path, folder or "."), for the plain site paths the pages link to (no
    `.`, `..` or empty segment) without its two abspath calls: a province site makes millions."""
    parts = path.split("/")
    if not folder:
        return path if "" not in parts and "." not in parts and ".." not in parts else \
            posixpath.relpath(path, ".")
    base = folder.split("/")
    if "" in parts or "" in base or {".", ".."} & (set(parts) | set(base)):
        return posixpath.relpath(path, folder)
    common = 0
    while common < min(len(parts), len(base)) and parts[common] == base[common]:
        common += 1
    return "/".join([".."] * (len(base) - common) + parts[common:]) or "."


def root_path(base_url: str | None) -> str:
    """The path part of the site's base URL, the root that root-relative links start from:
    https://example.org/kazuo-ssj/ -> /kazuo-ssj/; no base URL -> /."""
    path = urlsplit(base_url).path if base_url else ""
    return path if path.endswith("/") else path + "/"


def json_path(page_path: str) -> str:
    return urls.json_beside(page_path)


def page_json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def section_of(path: str) -> str | None:
    """The navigation target `path` is filed under (itself for a section's own page), or None."""
    found = [(prefix, target) for prefix, target in urls.SECTIONS if path.startswith(prefix)]
    return max(found, key=lambda f: len(f[0]))[1] if found else None


def crumbs(path: str, nav: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The breadcrumb's links above the page at `path` (the page itself comes last, unlinked):
    the home page, then the page's section if it is not the section itself. None on the home
    page and on the 404 page (served at any depth, with its own short way back)."""
    if path in (urls.HOME, urls.NOT_FOUND):
        return []
    labels = dict(nav)
    trail = [(urls.HOME, labels.get(urls.HOME, "首页"))]
    section = section_of(path)
    if section is not None and section not in (urls.HOME, path) and section in labels:
        trail.append((section, labels[section]))
    return trail


# One spacing rule across the site: no space between a Chinese character (or full-width
# punctuation) and a digit, whoever wrote the text (templates, records). Inline tags between
# them do not count; block boundaries, code and a clock time (日 12:00) keep their space.
_CJK = "\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff01-\uff0f\uff1a-\uff20"
_INLINE = r"(?:</?(?:a|span|strong|em|b|i|time|abbr|mark|small)\b[^>]*>)*"
# the character before the space is consumed (not looked behind), so the scan only stops at a
# Chinese character or a digit; _joined keeps the pairs the rule is not about
_SPACED = re.compile(rf"([{_CJK}\d])({_INLINE})[ \n]+({_INLINE})(?=([{_CJK}\d]))")
_CLOCK_AFTER = re.compile(r"\d{1,2}:\d{2}")
_CLOCK_BEFORE = re.compile(r"\d:\d{2}$")
_VERBATIM = re.compile(r"(<(code|pre|samp|kbd|script|style|textarea)\b.*?</\2>)", re.S)


def as_typed(text: str) -> Markup:
    """`text` exempt from the spacing rule: a number in its official form (辽公网安备
    21132402000001号 has its space), each space written as a character reference."""
    return Markup(str(escape(text)).replace(" ", "&#32;"))


# a number and its unit never part across lines (20家, 3.0天, 25%, 第1337轮 keeps 1337轮)
_UNIT = re.compile(r"(?<![0-9A-Za-z.])\d+(?:\.\d+)?(?:%|个|家|名|次|份|轮|期|天|小时|户次|条|项|人|处|行|列|位|年度)")
# text a span cannot go in, besides the verbatim elements
_PLAIN_TEXT = re.compile(r"(<(title|option|textarea|code|pre|samp|kbd|script|style)\b.*?</\2>)", re.S)


def one_spacing(html: str) -> str:
    """`html` with the site's spacing rule applied to its text (see _SPACED), and in its body
    each number kept on one line with its unit."""
    parts = _VERBATIM.split(html)
    out = []
    for n, part in enumerate(parts):
        kind = n % 3  # 0: text and markup, 1: a verbatim element, 2: its tag name
        if kind == 2:
            continue
        out.append(part if kind == 1 else _SPACED.sub(lambda m: _joined(m, part), part))
    spaced = "".join(out)
    body = spaced.find("<body")
    return spaced if body < 0 else spaced[:body] + _units_kept(spaced[body:])


def _units_kept(html: str) -> str:
    out = []
    for n, part in enumerate(_PLAIN_TEXT.split(html)):
        if n % 3 == 2:
            continue
        out.append(part if n % 3 == 1 else _UNIT.sub(_unit_in_text, part))
    return "".join(out)


def _unit_in_text(match: re.Match[str]) -> str:
    # a page has far fewer numbers than tags: each match is looked at, not each tag; one
    # inside a tag (an attribute's value) is left as it is
    text = match.string
    if text.rfind("<", 0, match.start()) > text.rfind(">", 0, match.start()):
        return match.group(0)
    return f'<span class="nw">{match.group(0)}</span>'


def _joined(match: re.Match[str], text: str) -> str:
    before, after = match.group(1), match.group(4)
    if before.isdigit() == after.isdigit() or _CLOCK_AFTER.match(text, match.end()) \
            or _CLOCK_BEFORE.search(text, 0, match.end(1)):
        return match.group(0)  # not a Chinese character beside a digit, or a clock time
    return before + match.group(2) + match.group(3)


_RELATIVE_LINK = re.compile(r'<a ((?:(?!>)[^h]|h(?!ref=))*)' + _SITE_PATH)


def print_targets(html: str, page_url: str) -> str:
    """Each link to another page of the site carries its absolute address in data-print, which
    the print style shows after it: a printed page's links then say where they go."""
    folder = page_url[:page_url.rfind("/") + 1]
    return _RELATIVE_LINK.sub(
        lambda m: f'<a {m.group(1)}href="{m.group(2)}" data-print="'
                  f'{_absolute(page_url if m.group(2)[0] == "?" else folder, m.group(2))}"',
        html)


@functools.lru_cache(maxsize=1 << 16)
def _absolute(folder: str, href: str) -> str:
    """urljoin(folder, href) for a folder's URL (ending in /): a province's pages hold millions
    of links, most of them the same few from pages of the same folder."""
    return urljoin(folder, href)


def render(env: jinja2.Environment, page: Page, shared: dict[str, Any],
           base_url: str | None) -> bytes:
    template = env.select_template(page.templates)
    nav = shared.get("site", {}).get("nav", ())
    html = template.render(
        **shared, **page.context, page=page,
        section=section_of(page.path), crumbs=crumbs(page.path, nav),
        url=lambda target: link(base_url, page.path, target),
        data_url=link(base_url, page.path, json_path(page.path)) if page.data is not None else None,
    )
    html = one_spacing(html)
    address = (shared.get("site", {}).get("site") or {}).get("base_url")
    return (print_targets(html, address + page.path) if address else html).encode()
