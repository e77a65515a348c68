"""Reading a built site the way a browser and a link checker would, with only the standard library.

`parse()` turns HTML into a small element tree (html.parser underneath); `Site` wraps an output
folder: its pages, how a link resolves from a page, and a crawl from the home page.
"""
from __future__ import annotations

import os
import posixpath
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

def plain(html_text: str) -> str:
    """A page's HTML without its tags: its text as a reader sees it, spans and all removed."""
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


def shown(text: str) -> str:
    """Text typed in the records as the pages show it: the staff-text typography, then the
    site's spacing rule (no space between Chinese and digits)."""
    import html

    from markupsafe import escape

    from generator.site.render import one_spacing, typeset
    return html.unescape(one_spacing(str(escape(typeset(text)))))


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
# Attributes that make the browser fetch or navigate to a URL.
URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "poster", "data", "cite",
                  "background", "xlink:href", "ping", "manifest"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)
    parent: Element | None = field(default=None, repr=False)
    line: int = 0
    duplicate_attrs: bool = False

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def iter(self, tag: str | None = None) -> Iterator[Element]:
        """This element and every element below it, in document order."""
        if tag is None or self.tag == tag:
            yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter(tag)

    def find_all(self, tag: str | None = None, *, cls: str | None = None,
                 **attrs: str) -> list[Element]:
        """Descendants (and self) with this tag, class and attribute values (`id_="x"` for id)."""
        wanted = {k.rstrip("_"): v for k, v in attrs.items()}
        return [e for e in self.iter(tag)
                if (cls is None or cls in e.classes)
                and all(e.attrs.get(k) == v for k, v in wanted.items())]

    def find(self, tag: str | None = None, *, cls: str | None = None,
             **attrs: str) -> Element | None:
        found = self.find_all(tag, cls=cls, **attrs)
        return found[0] if found else None

    def one(self, tag: str | None = None, *, cls: str | None = None, **attrs: str) -> Element:
        found = self.find_all(tag, cls=cls, **attrs)
        assert len(found) == 1, f"expected one <{tag}> {cls or ''} {attrs}, found {len(found)}"
        return found[0]

    def raw_text(self) -> str:
        return "".join(c if isinstance(c, str) else c.raw_text() for c in self.children)

    def text(self) -> str:
        """The text content with runs of whitespace collapsed (as displayed)."""
        return " ".join(self.raw_text().split())

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def section(self) -> Element | None:
        """The nearest enclosing <section>."""
        return next((a for a in self.ancestors() if a.tag == "section"), None)

    def following_until(self, stop_tag: str) -> list[Element | str]:
        """The siblings after this element up to (not including) the next `stop_tag` sibling."""
        assert self.parent is not None
        siblings = self.parent.children
        out: list[Element | str] = []
        for child in siblings[siblings.index(self) + 1:]:
            if isinstance(child, Element) and child.tag == stop_tag:
                break
            out.append(child)
        return out


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self.stack = [self.root]
        self.decl: list[str] = []
        self.comments: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.decl.append(decl)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def _open(self, tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> None:
        parent = self.stack[-1]
        element = Element(tag, dict(attrs), parent=parent, line=self.getpos()[0],
                          duplicate_attrs=len({name for name, _ in attrs}) != len(attrs))
        parent.children.append(element)
        if not closed and tag not in VOID:
            self.stack.append(element)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open(tag, attrs, closed=True)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return
        # a stray end tag: ignored, as a browser would

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


@dataclass
class Document:
    root: Element
    doctype: list[str]
    comments: list[str]

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.root, name)


def parse(html: str) -> Document:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return Document(builder.root, builder.decl, builder.comments)


def rows(table: Element) -> list[list[Element]]:
    """The table's body rows (its own, not a nested table's) as lists of cells (th and td)."""
    body = table.find("tbody")
    assert body is not None, "table without <tbody>"
    return [[c for c in tr.children if isinstance(c, Element) and c.tag in ("th", "td")]
            for tr in body.children if isinstance(tr, Element) and tr.tag == "tr"]


def headers(table: Element) -> list[str]:
    head = table.find("thead")
    assert head is not None, "table without <thead>"
    return [th.text() for th in head.iter("th")]


def records_of(table: Element) -> list[dict[str, Element]]:
    """Body rows keyed by the column headers."""
    names = headers(table)
    out = []
    for cells in rows(table):
        if len(cells) == 1 and cells[0].get("colspan"):
            continue  # the "none" row of an empty table
        assert len(cells) == len(names), f"row of {len(cells)} cells under {names}"
        out.append(dict(zip(names, cells)))
    return out


def table_captioned(doc: Document | Element, caption_start: str,
                    within: Element | None = None) -> Element:
    """The one table whose caption starts with `caption_start`."""
    scope = within or doc
    found = [t for t in scope.iter("table")
             if t.find("caption") is not None and t.find("caption").text().startswith(caption_start)]
    assert len(found) == 1, f"{len(found)} tables captioned {caption_start!r}"
    return found[0]


def css_urls(css: str) -> list[str]:
    return [m.strip("'\" ") for m in re.findall(r"url\(\s*([^)]*?)\s*\)", css)]


def is_external(url: str) -> bool:
    parts = urlsplit(url.strip())
    return bool(parts.scheme or parts.netloc)


class Site:
    """A built site in `root`; pages are parsed once and cached."""

    def __init__(self, root: Path, base_url: str | None = None) -> None:
        self.root = root
        self.base_url = base_url
        self._docs: dict[str, Document] = {}

    def files(self) -> list[str]:
        return sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*")
                      if p.is_file())

    def html_pages(self) -> list[str]:
        pages = [f for f in self.files() if f.endswith(".html")]
        assert pages, f"{self.root} holds no page: a check over every page would check nothing"
        return pages

    def read(self, path: str) -> str:
        return (self.root / path).read_text(encoding="utf-8")

    def bytes(self, path: str) -> bytes:
        return (self.root / path).read_bytes()

    def page(self, path: str) -> Document:
        if path not in self._docs:
            self._docs[path] = parse(self.read(path))
        return self._docs[path]

    def main(self, path: str) -> Element:
        return self.page(path).one("main")

    def links(self, path: str) -> list[tuple[Element, str, str]]:
        """(element, attribute, value) for every URL-bearing attribute in the page."""
        out = []
        for element in self.page(path).iter():
            for name, value in element.attrs.items():
                if name in URL_ATTRIBUTES and value is not None:
                    out.append((element, name, value))
        return out

    def resolve(self, here: str, url: str) -> tuple[str | None, str]:
        """(site path or None if it leaves the site, fragment) of `url` as seen from page `here`.

        With a base URL, absolute URLs under the base map to the output folder; anything else
        absolute leaves the site.
        """
        url = url.strip()
        if self.base_url and url.startswith(self.base_url):
            rest = url[len(self.base_url):]
            path, _, fragment = rest.partition("#")
            return posixpath.normpath(unquote(path.split("?")[0]) or "index.html"), fragment
        if is_external(url):
            return None, ""
        path, _, fragment = url.partition("#")
        path = unquote(path.split("?")[0])
        if not path:
            return here, fragment
        if path.startswith("/"):  # root-relative (the 404 page's links): under the base URL's path
            root = urlsplit(self.base_url).path if self.base_url else None
            if root and path.startswith(root):
                return posixpath.normpath(path[len(root):] or "index.html"), fragment
            return None, fragment  # not under the site's folder in general
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(here), path))
        if joined.startswith("../") or joined == "..":
            return None, fragment
        if path.endswith("/"):
            joined += "/index.html"
        return joined, fragment

    def ids(self, path: str) -> set[str]:
        return {e.attrs["id"] for e in self.page(path).iter() if e.attrs.get("id")}

    def crawl(self, start: str = "index.html") -> tuple[set[str], list[str]]:
        """Follow every internal link from `start`: (pages and files reached, broken links)."""
        seen: set[str] = set()
        broken: list[str] = []
        todo = [start]
        while todo:
            here = todo.pop()
            if here in seen:
                continue
            seen.add(here)
            if not here.endswith(".html"):
                continue
            for element, attr, value in self.links(here):
                if element.tag == "a" and value.startswith(("mailto:", "tel:")):
                    continue
                target, fragment = self.resolve(here, value)
                if target is None:
                    if self.base_url is None and not is_external(value):
                        broken.append(f"{here}: <{element.tag} {attr}={value!r}> leaves the site")
                    continue
                if not (self.root / target).is_file():
                    broken.append(f"{here}: <{element.tag} {attr}={value!r}> -> {target} missing")
                    continue
                if fragment and target.endswith(".html") and fragment not in self.ids(target):
                    broken.append(f"{here}: {value!r}: no id={fragment!r} in {target}")
                todo.append(target)
        return seen, broken


def run_ssj(*args: str, cwd: Path | None = None, env: dict[str, str | None] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`ssj …` as a separate process (its own hash seed, exit code, stdout and stderr);
    `env` adds variables to the current environment, a None value removes one."""
    full_env = dict(os.environ)
    for name, value in (env or {}).items():
        if value is None:
            full_env.pop(name, None)
        else:
            full_env[name] = value
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def facts(dl: Element) -> dict[str, Element]:
    """A definition list as {term text: its <dd>}."""
    out: dict[str, Element] = {}
    term = None
    for child in dl.children:
        if isinstance(child, Element) and child.tag == "dt":
            term = child.text()
        elif isinstance(child, Element) and child.tag == "dd" and term is not None:
            out[term] = child
    return out


def section_of(doc: Document | Element, heading_id: str) -> Element:
    """The <section> headed by the element with this id."""
    heading = doc.one(id_=heading_id)
    section = heading.section()
    assert section is not None, f"#{heading_id} is not inside a <section>"
    return section


REPO = Path(__file__).resolve().parent.parent


def copy_example(dst: Path) -> Path:
    """A private copy of the example county's records and the site sources under `dst`."""
    import shutil

    shutil.copytree(REPO / "records", dst / "records")
    shutil.copytree(REPO / "site", dst / "site")
    return dst


@dataclass
class Built:
    exit_code: int
    output: str


def build_site(root: Path, out: Path, *args: str, env: dict[str, str | None] | None = None,
               records: Path | None = None) -> Built:
    """`ssj build` in this process (fast), on root/records and root/site into `out`."""
    from click.testing import CliRunner

    from generator.cli import cli

    argv = ["build", "--records", str(records or root / "records"), "--site", str(root / "site"),
            "--out", str(out), *args]
    result = CliRunner().invoke(cli, argv, env=env, catch_exceptions=False)
    return Built(result.exit_code, result.output)
