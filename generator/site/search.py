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
of a name, a code or a clause finds the pages that contain it.

Pagefind's Python API (`pagefind.index.PagefindIndex`) speaks to the same binary (`pagefind
--service`: base64 JSON messages, each ended by a comma) but waits 0.1 s before reading each
reply, which made the example site's 114 pages take 11.5 s to index, and it cannot read a reply
over 2 MiB, which a county's whole bundle outgrows. So this module sends the same messages
itself, all at once, and reads the replies as they come.
"""
from __future__ import annotations

import base64
import json
import re
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Mapping
from html import escape, unescape
from pathlib import PurePosixPath
from typing import IO, Any

from pagefind.index import IndexConfig
from pagefind.service import get_executable

from generator.site.output import Page

PAGE = "search.html"
FOLDER = "pagefind"  # the bundle's folder in the site; search.js imports pagefind/pagefind.js
UNINDEXED = frozenset({"404.html", "verify.html", PAGE})  # pages with nothing to find
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


def bundle(pages: Mapping[str, bytes]) -> dict[str, bytes]:
    """The search bundle, as site path (under pagefind/) -> bytes, for the content pages among
    `pages` (site path -> rendered HTML). Each result links to its page's site path, which
    Pagefind's script puts under the folder that holds pagefind/, so it works at any base."""
    paths = sorted(p for p in pages if indexed(p))
    requests: list[dict[str, Any]] = [{"type": "NewIndex", "config": CONFIG}]
    requests += [{"type": "AddFile", "index_id": 0, "url": path, "file_path": None,
                  "file_contents": for_index(pages[path].decode("utf-8"))} for path in paths]
    requests.append({"type": "GetFiles", "index_id": 0})
    replies = _service(requests)
    if replies[0].get("index_id") != 0:  # a fresh service numbers its first index 0
        raise SearchError(f"意外的应答 {replies[0]}")
    out = {}
    for file in replies[-1]["files"]:
        name = PurePosixPath(file["path"])
        if name.is_absolute() or ".." in name.parts:
            raise SearchError(f"Pagefind 给出的文件名 {file['path']!r} 不在索引目录内")
        if name.as_posix() not in UNUSED:
            out[f"{FOLDER}/{name.as_posix()}"] = base64.b64decode(file["content"])
    return dict(sorted(out.items()))


_TEXT = re.compile(r">([^<]+)<")  # text between two tags (attribute values escape < and >)
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
_BESIDE_HAN = re.compile(f"(?<=[{_HAN}])(?=\\S)|(?<=\\S)(?=[{_HAN}])")
_STARTS_HAN = re.compile(f"[{_HAN}]")
_ENDS_HAN = re.compile(f"[{_HAN}]$")
_H1 = re.compile(r"<h1[\s>]")
_HEADING = re.compile(r"<h1[^>]*>(.*?)</h1>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def for_index(html: str) -> str:
    """A page as Pagefind reads it: each Chinese character set apart by spaces, so that it is a
    word, and its heading as written (meta `heading`, which search.js shows; the `title`
    Pagefind takes from the spaced <h1> counts each character as a title match)."""
    after_han = False

    def spaced(match: re.Match[str]) -> str:
        nonlocal after_han
        text = match.group(1)
        # a text begins a word of its own after a character (the next cell, the next item) and
        # when it begins with a character; a space at its end would cost Pagefind's full stop
        # after a block, so none is added there
        lead = " " if not text[0].isspace() and (after_han or _STARTS_HAN.match(text)) else ""
        after_han = bool(_ENDS_HAN.search(text))
        return ">" + lead + _BESIDE_HAN.sub(" ", text) + "<"

    out = _TEXT.sub(spaced, html)
    heading = _HEADING.search(html)
    if heading is None:
        return out
    text = " ".join(unescape(_TAG.sub("", heading.group(1))).split())
    meta = f'<meta data-pagefind-meta="heading[content]" content="{escape(text)}">'
    at = _H1.search(out).start()  # type: ignore[union-attr]
    return out[:at] + meta + out[at:]


def _service(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Send `requests` to one `pagefind --service` process; its replies' payloads, in order."""
    binary = get_executable()
    if binary is None:
        raise SearchError("找不到 Pagefind（pip install 'pagefind[extended]'）")
    with tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen([str(binary), "--service"], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=errors)
        except OSError as e:
            raise SearchError(f"无法运行 {binary}：{e}") from None
        assert process.stdin is not None and process.stdout is not None
        timed_out = threading.Event()
        watchdog = threading.Timer(TIMEOUT, lambda: (timed_out.set(), process.kill()))
        watchdog.start()
        try:
            # The service reads its input on a thread of its own, however slowly it answers:
            # writing everything before reading cannot fill both pipes.
            for n, payload in enumerate(requests, start=1):
                message = json.dumps({"message_id": n, "payload": payload}).encode()
                process.stdin.write(base64.b64encode(message) + b",")
            process.stdin.flush()
            payloads = []
            for reply in _replies(process.stdout):
                payload = reply.get("payload", {})
                if payload.get("type") == "Error" or reply.get("message_id") != len(payloads) + 1:
                    raise SearchError(f"Pagefind 报错：{payload.get('message', reply)}")
                payloads.append(payload)
                if len(payloads) == len(requests):
                    return payloads
        except (BrokenPipeError, ValueError) as e:
            raise SearchError(f"Pagefind 应答无法读取：{e}") from None
        finally:
            watchdog.cancel()
            process.stdin.close()  # end of input: the service exits
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.stdout.close()
        errors.seek(0)
        said = errors.read().decode(errors="replace").strip()
    if timed_out.is_set():
        raise SearchError(f"Pagefind 在 {TIMEOUT} 秒内未完成")
    raise SearchError(f"Pagefind 中途退出（{process.returncode}）{said[-500:]}")


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
