"""Site search: Pagefind's bundle for the rendered pages (HTML in, bundle files out), and the
search page that uses it.

The bundle is made in memory by the extended Pagefind binary of the `pagefind[extended]` wheel,
which segments Chinese when it indexes. It is deterministic: pages go in sorted by path, Pagefind
names its files by hashes of their content and writes no time into them, and the site uses none
of the features whose output order Pagefind leaves to a hash map (filters, sort keys, more than
one language).

Each Chinese character is indexed as a word of its own. Pagefind segments a page's text with
jieba when it indexes but a query with the browser's segmenter (ICU) when it searches, and the two
disagree: jieba keeps 频次 whole, ICU cuts it into 频 and 次, and then 次 matches nothing, so
searching 随机抽查比例和频次 found no page. With one character per word both sides agree, and
search.js searches a run of characters as an exact phrase, which is a substring search: any part
of a name, a code or a clause finds the pages that contain it. It cuts a query into concepts
(site/static/search/terms.json: synonyms, terms, stop words; years; clauses; pairs of characters)
and ranks by where each is on a page, for which `for_index` tells it the page's headings and the
labels that stand over nothing (无, 暂无), and marks where cells, items and rows end.

Pagefind's Python API (`pagefind.index.PagefindIndex`) speaks to the same binary (`pagefind
--service`: base64 JSON messages, each ended by a comma) but waits 0.1 s before reading each
reply, which made the example site's 114 pages take 11.5 s to index, and it cannot read a reply
over 2 MiB, which a county's whole bundle outgrows. So this module sends the same messages
itself, all at once, and reads the replies as they come.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from html import escape, unescape
from importlib.metadata import version
from pathlib import PurePosixPath
from typing import IO, Any

from pagefind.index import IndexConfig
from pagefind.service import get_executable

from generator.site import urls
from generator.site.output import Page

PAGE = urls.SEARCH
FOLDER = "pagefind"  # the bundle's folder in the site; search.js imports pagefind/pagefind.js
UNINDEXED = frozenset({urls.NOT_FOUND, urls.VERIFY, PAGE})  # pages with nothing to find
# One index, in the language of base.html's <html lang="zh-CN">, whatever a page says.
CONFIG: IndexConfig = {"force_language": "zh-cn"}
# Pagefind's ready-made search interfaces: unused (search.js shows the results; Pagefind UI
# needs inline styles the site's policy forbids), so not published.
UNUSED = frozenset({"pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js",
                    "pagefind-modular-ui.css", "pagefind-component-ui.js",
                    "pagefind-component-ui.css", "pagefind-highlight.js"})
TIMEOUT = 300  # seconds for the whole index: a hung binary must not hang the build


class SearchError(RuntimeError):
    """Pagefind could not be run, or refused a page."""


def indexed(path: str) -> bool:
    """Whether the page at `path` goes into the search index."""
    return path.endswith(".html") and path not in UNINDEXED


# A large site's index is made in parts of a few thousand pages, each by its own Pagefind
# process in turn (Pagefind holds about 90 KB per page while it indexes: a province's 65,000
# pages at once would take 6 GB), and merged in the browser. A site up to SINGLE pages keeps one
# index in pagefind/ itself. A part ends before a page whose path hashes to 0 mod PART (once the
# part has PART // 4 pages) or at 2 * PART pages: cut by content, an added or removed page moves
# the boundaries of its own part only, so a rebuild re-indexes only the parts whose pages changed.
SINGLE = 8000
PART = 4000


@dataclass(frozen=True)
class Part:
    folder: str  # under pagefind/: "" for a single index, else named by its first page
    paths: tuple[str, ...]


def parts(paths: Iterable[str]) -> list[Part]:
    """The indexed pages among `paths`, in path order, cut into the index's parts."""
    ordered = sorted(p for p in paths if indexed(p))
    if len(ordered) <= SINGLE:
        return [Part("", tuple(ordered))]
    runs: list[list[str]] = []
    for path in ordered:
        size = len(runs[-1]) if runs else 0
        if not runs or size >= 2 * PART or (size >= PART // 4 and _cut(path)):
            runs.append([])
        runs[-1].append(path)
    return [Part(hashlib.sha256(run[0].encode()).hexdigest()[:12], tuple(run)) for run in runs]


def _cut(path: str) -> bool:
    return int.from_bytes(hashlib.sha256(path.encode()).digest()[:8], "big") % PART == 0


def entry_module(folders: list[str]) -> bytes:
    """pagefind/pagefind.js of an index in parts: Pagefind's API over the first part, with the
    others merged in before it starts, so search.js uses it as it would a single index."""
    first, rest = folders[0], folders[1:]
    return (
        "// The site's search index is in parts (one Pagefind index each, made by ssj build);\n"
        "// this module stands for Pagefind's own, merging the other parts into the first.\n"
        f'import * as pagefind from "./{first}/pagefind.js";\n'
        f"const PARTS = {json.dumps([f'{f}/' for f in rest])};\n"
        "export const options = pagefind.options;\n"
        "export const search = pagefind.search;\n"
        "export const debouncedSearch = pagefind.debouncedSearch;\n"
        "export const preload = pagefind.preload;\n"
        "export async function init() {\n"
        "  for (const part of PARTS) {\n"
        "    await pagefind.mergeIndex(new URL(part, import.meta.url).pathname);\n"
        "  }\n"
        "  await pagefind.init();\n"
        "}\n"
    ).encode()


def bundle_key(pages: Mapping[str, str], salt: bytes) -> str:
    """What the bundle is made from: the pages (site path -> SHA-256 of its bytes, in hex),
    Pagefind's version, and `salt` (the code that feeds it). The same key, the same bundle."""
    digest = hashlib.sha256(salt + version("pagefind").encode() + json.dumps(CONFIG).encode())
    for path in sorted(p for p in pages if indexed(p)):
        digest.update(f"{path}\0{pages[path]}\0".encode())
    return digest.hexdigest()


def bundle_names(names: object, folder: str) -> bool:
    """Whether `names` (read from a file) can be the bundle's in `folder`: plain paths under
    it, which never climb out."""
    return isinstance(names, list) and bool(names) and all(
        isinstance(n, str) and n.startswith(folder + "/") and ".." not in n.split("/")
        and "\\" not in n for n in names)


def bundle(pages: Mapping[str, bytes]) -> dict[str, bytes]:
    """The search bundle, as site path (under pagefind/) -> bytes, for the content pages among
    `pages` (site path -> rendered HTML). Each result links to its page's site path, which
    Pagefind's script puts under the folder that holds pagefind/, so it works at any base."""
    out: dict[str, bytes] = {}
    cut = parts(pages)
    for part in cut:
        with Indexer(part_folder(part)) as indexer:
            for path in part.paths:
                indexer.add(path, for_index(pages[path].decode("utf-8")))
            out.update(indexer.files())
    if len(cut) > 1:
        out[f"{FOLDER}/pagefind.js"] = entry_module([part.folder for part in cut])
    return dict(sorted(out.items()))


def part_folder(part: Part) -> str:
    """Where a part's bundle goes in the site."""
    return f"{FOLDER}/{part.folder}" if part.folder else FOLDER


class Indexer:
    """One `pagefind --service` process, fed page by page (in path order, which keeps the bundle
    byte-identical) while the build renders the rest: Pagefind indexes on its own threads."""

    def __init__(self, folder: str = FOLDER) -> None:
        self.folder = folder  # where the bundle goes in the site
        binary = get_executable()
        if binary is None:
            raise SearchError("找不到 Pagefind（pip install 'pagefind[extended]'）")
        self.errors = tempfile.TemporaryFile()
        try:
            self.process = subprocess.Popen([str(binary), "--service"], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=self.errors)
        except OSError as e:
            self.errors.close()
            raise SearchError(f"无法运行 {binary}：{e}") from None
        self.sent = 0
        self.timed_out = threading.Event()
        self.watchdog = threading.Timer(TIMEOUT, self._kill)
        self.watchdog.start()
        # replies are read as they come, so that neither pipe ever fills
        self.replies: list[dict[str, Any]] = []
        self.answered = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self._send({"type": "NewIndex", "config": CONFIG})

    def _kill(self) -> None:
        self.timed_out.set()
        self.process.kill()

    def _read(self) -> None:
        assert self.process.stdout is not None
        try:
            for reply in _replies(self.process.stdout):
                with self.answered:
                    self.replies.append(reply)
                    self.answered.notify()
        except ValueError as e:  # not base64 JSON
            self.replies.append({"payload": {"type": "Error", "message": str(e)}})
        with self.answered:
            self.answered.notify()

    def _send(self, payload: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.sent += 1
        message = json.dumps({"message_id": self.sent, "payload": payload}).encode()
        try:
            self.process.stdin.write(base64.b64encode(message) + b",")
        except (BrokenPipeError, ValueError):
            raise self._failure() from None

    def add(self, path: str, text: str) -> None:
        """One page, as `for_index` gives it, under its site path."""
        self._send({"type": "AddFile", "index_id": 0, "url": path, "file_path": None,
                    "file_contents": text})

    def files(self) -> dict[str, bytes]:
        """The finished bundle: site path (under pagefind/) -> bytes."""
        self.finish()
        return self.bundle()

    def finish(self) -> None:
        """No more pages: Pagefind makes the bundle on its own threads meanwhile."""
        self._send({"type": "GetFiles", "index_id": 0})
        assert self.process.stdin is not None
        try:
            self.process.stdin.flush()
        except BrokenPipeError:
            raise self._failure() from None

    def bundle(self) -> dict[str, bytes]:
        """The bundle asked for by `finish`, once Pagefind has made it."""
        with self.answered:  # every reply in (or the service gone) before its input ends,
            self.answered.wait_for(lambda: len(self.replies) >= self.sent  # which stops it
                                   or not self.reader.is_alive())
        payloads = []
        for reply in self.replies:
            payload = reply.get("payload", {})
            if payload.get("type") == "Error" or reply.get("message_id") != len(payloads) + 1:
                raise SearchError(f"Pagefind 报错：{payload.get('message', reply)}")
            payloads.append(payload)
        if len(payloads) != self.sent:
            raise self._failure()
        if payloads[0].get("index_id") != 0:  # a fresh service numbers its first index 0
            raise SearchError(f"意外的应答 {payloads[0]}")
        out = {}
        for file in payloads[-1]["files"]:
            name = PurePosixPath(file["path"])
            if name.is_absolute() or ".." in name.parts:
                raise SearchError(f"Pagefind 给出的文件名 {file['path']!r} 不在索引目录内")
            if name.as_posix() not in UNUSED:
                out[f"{self.folder}/{name.as_posix()}"] = base64.b64decode(file["content"])
        return dict(sorted(out.items()))

    def _failure(self) -> SearchError:
        if self.timed_out.is_set():
            return SearchError(f"Pagefind 在 {TIMEOUT} 秒内未完成")
        self._stop()
        self.errors.seek(0)
        said = self.errors.read().decode(errors="replace").strip()
        return SearchError(f"Pagefind 中途退出（{self.process.returncode}）{said[-500:]}")

    def _stop(self) -> None:
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> "Indexer":
        return self

    def __exit__(self, failed: type[BaseException] | None, *_: object) -> None:
        self.watchdog.cancel()
        self.watchdog.join()  # no thread of ours outlives the index (the build forks workers)
        if failed is not None and self.process.poll() is None:
            self.process.kill()  # given up on: no use waiting for the rest of its input
        try:
            if self.process.stdin is not None:
                self.process.stdin.close()  # end of input: the service exits
        except BrokenPipeError:
            pass
        self._stop()
        self.reader.join()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                try:
                    stream.close()
                except BrokenPipeError:
                    pass
        self.errors.close()


_TEXT = re.compile(r">([^<]+)<")  # text between two tags (attribute values escape < and >)
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
_BESIDE_HAN = re.compile(f"(?<=[{_HAN}])(?=\\S)|(?<=\\S)(?=[{_HAN}])")
_STARTS_HAN = re.compile(f"[{_HAN}]")
_ENDS_HAN = re.compile(f"[{_HAN}]$")
_H1 = re.compile(r"<h1[\s>]")
_HEADING = re.compile(r"<h1[^>]*>(.*?)</h1>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
# What the reader of an excerpt needs and a table or a list does not write: where a cell, an item
# or a row ends. Index only (search.js cuts its excerpts there); the pages published are as built.
_CELL_END = re.compile(r"(?=</(?:td|th|dd|li)>)")
_TERM_END = re.compile(r"(?=</(?:dt|caption)>)")
_ROW_END = re.compile(r"(?=</tr>)")
# The numbered headings of the 方案 (site/pages/regulation.md): 二、… then （九）…, which the site
# and the rules cite as 二（九）.
_SUBHEADINGS = re.compile(r"<(h[23])([^>]*)>([一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)")
_NUMERAL = re.compile(r"[一二三四五六七八九十]+")
# Blocks that say nothing: a section that is only 无, a table whose one row says 无 or 暂无.
NOTHING = frozenset({"无", "暂无"})
_BLOCK = re.compile(r"<(h[2-6])[^>]*>(.*?)</\1>|</section>|</main>", re.DOTALL)
_TABLE = re.compile(r"<table[^>]*>(.*?)</table>", re.DOTALL)
_CAPTION = re.compile(r"<caption[^>]*>(.*?)</caption>", re.DOTALL)
_COLUMN = re.compile(r"<th scope=\"col\"[^>]*>(.*?)</th>", re.DOTALL)
_BODY_ROWS = re.compile(r"<tbody[^>]*>(.*?)</tbody>", re.DOTALL)
_ROW = re.compile(r"<tr[\s>]")
_ASIDE = re.compile(r"<p class=\"(?:feed-link|data-link)\">.*?</p>", re.DOTALL)


def _text(html: str) -> str:
    return " ".join(unescape(_TAG.sub(" ", html)).split())


def _says_nothing(table: str) -> bool:
    rows = _BODY_ROWS.search(table)
    return rows is not None and len(_ROW.findall(rows.group(1))) == 1 \
        and _text(rows.group(1)) in NOTHING


def empty_labels(html: str) -> list[str]:
    """The headings, captions and column heads on a page that stand over nothing: a heading
    followed by 无 (or only by tables that say 无), a table whose one row says 无 or 暂无. Sorted,
    each once. search.js scores a match in one of them as boilerplate, not as content."""
    labels: set[str] = set()
    for table in _TABLE.finditer(html):
        if _says_nothing(table.group(1)):
            labels.update(_text(m.group(1)) for m in _CAPTION.finditer(table.group(1)))
            labels.update(_text(m.group(1)) for m in _COLUMN.finditer(table.group(1)))
    blocks = list(_BLOCK.finditer(html))
    for block, following in zip(blocks, blocks[1:]):
        if block.group(1) is None:
            continue
        between = html[block.end():following.start()]
        tables = list(_TABLE.finditer(between))
        if tables and not all(_says_nothing(t.group(1)) for t in tables):
            continue
        rest = _text(_ASIDE.sub(" ", _TABLE.sub(" ", between)))
        if rest in NOTHING or (tables and not rest):
            labels.add(_text(block.group(2)))
    labels.discard("")
    return sorted(labels)


def _clause_numbers(html: str) -> str:
    """Each （九） heading under a 二、 heading starts 二（九）, as the 方案 is cited."""
    section = ""

    def numbered(match: re.Match[str]) -> str:
        nonlocal section
        tag, attributes, number = match.groups()
        if number.endswith("、"):
            section = number[:-1] if tag == "h2" else section
            return match.group(0)
        return f"<{tag}{attributes}>{section}{number}" if tag == "h3" and section \
            else match.group(0)

    return _SUBHEADINGS.sub(numbered, html)


def for_index(html: str) -> str:
    """A page as Pagefind reads it: each Chinese character set apart by spaces, so that it is a
    word; a table's cells and a list's items ended by ；, a row by 。 and a term by ：, so that
    search.js can cut its excerpts at their ends; a clause of the 方案 numbered as cited
    (二（九）); its heading as written (meta `heading`, which search.js shows; the `title`
    Pagefind takes from the spaced <h1> counts each character as a title match), its other
    headings (meta `headings`: Pagefind lists only those with an id) and the labels that stand
    over nothing (meta `empty`, which search.js scores low)."""
    after_han = False

    def spaced(match: re.Match[str]) -> str:
        nonlocal after_han
        text = match.group(1)
        if text.isspace():  # most text between tags: nothing to space, and it ends no character
            after_han = False
            return match.group(0)
        # a text begins a word of its own after a character (the next cell, the next item) and
        # when it begins with a character; a space at its end would cost Pagefind's full stop
        # after a block, so none is added there
        lead = " " if not text[0].isspace() and (after_han or _STARTS_HAN.match(text)) else ""
        after_han = bool(_ENDS_HAN.search(text))
        return ">" + lead + _BESIDE_HAN.sub(" ", text) + "<"

    # (spaced: a code beside one stays a word of its own)
    marked = _ROW_END.sub(" 。 ", _TERM_END.sub(" ： ", _CELL_END.sub(" ； ", _clause_numbers(html))))
    out = _TEXT.sub(spaced, marked)
    heading = _HEADING.search(html)
    if heading is None:
        return out
    text = " ".join(unescape(_TAG.sub("", heading.group(1))).split())
    meta = f'<meta data-pagefind-meta="heading[content]" content="{escape(text)}">'
    headings = [_text(m.group(2)) for m in _BLOCK.finditer(_clause_numbers(html)) if m.group(1)]
    if headings:
        meta += (f'<meta data-pagefind-meta="headings[content]" '
                 f'content="{escape("|".join(h for h in headings if h))}">')
    empty = empty_labels(html)
    if empty:
        meta += f'<meta data-pagefind-meta="empty[content]" content="{escape("|".join(empty))}">'
    at = _H1.search(out).start()  # type: ignore[union-attr]
    return out[:at] + meta + out[at:]


def _replies(stream: IO[bytes]) -> Iterator[dict[str, Any]]:
    """The service's replies (base64 JSON, each ended by a comma) as they arrive."""
    pending = bytearray()
    while chunk := stream.read1(1 << 16):  # type: ignore[attr-defined]
        *ends, rest = chunk.split(b",")  # only the new bytes are searched: a reply can be MBs
        for end in ends:
            pending += end
            yield json.loads(base64.b64decode(pending))
            pending = bytearray()
        pending += rest


def search_page(sectors: list[dict[str, Any]],
                staff_of: Mapping[str, list[dict[str, Any]]]) -> Page:
    """search.html: the search box, and for readers without JavaScript a directory of links:
    institutions by sector (`sectors` as assembled for the institutions index) and each one's
    people (`staff_of`: person views by institution id)."""
    def people(views: list[dict[str, Any]]) -> list[dict[str, str]]:
        return [{"name": p["name"], "url": p["url"], "role": p["role_label"]} for p in views]

    listed = set()
    directory = []
    for sector in sectors:
        if not sector["institutions"]:
            continue
        listed.update(i["id"] for i in sector["institutions"])
        directory.append({"id": sector["id"], "name": sector["name"], "institutions": [
            {"id": i["id"], "name": i["name"], "url": i["url"], "registration": i["registration"],
             "people": people(staff_of.get(i["id"], []))} for i in sector["institutions"]]})
    unattached = [p for inst, views in staff_of.items() if inst not in listed
                  for p in people(views)]
    return Page(PAGE, (PAGE,), "站内搜索", {"directory": directory, "unattached": unattached})
