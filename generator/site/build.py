"""`ssj build`: records in, the public disclosure site out."""
from __future__ import annotations

import contextlib
import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from generator.checks.run import CheckResult
from generator.filewrite import TreeWriter
from generator.records.load import display_path
from generator.records.problems import ERROR, Problem
from generator.site.revision import source_epoch, source_revision
from generator.site import feeds
from generator.site import manifest
from generator.site import search
from generator.site import urls
from generator.site.history import record_history
from generator.site.indextexts import IndexTexts
from generator.site.output import File, Page
from generator.site.pages import PageError, assemble, site_date
from generator.site.public import public
from generator.site.render import environment, json_path, page_json, render, root_path
from generator.site.renderpass import (
    FileEntry,
    Rendered,
    file_digest,
    file_entry,
    read_state,
    render_pages,
    reuse,
    shared_digest,
    write_state,
)


class BuildRefused(Exception):
    """The records have errors, or two outputs would share a path. `problems`: the records'
    errors, for the caller to print as `ssj check` does."""

    def __init__(self, message: str, problems: tuple[Problem, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True)
class Source:
    """What the build reads from the records' repository besides the records themselves."""

    epoch: str | None  # SOURCE_DATE_EPOCH or the HEAD commit's time: the site's date
    revision: str  # shown in the footer
    history: dict[str, list[dict[str, str]]]  # each record file's commits

    @property
    def day(self) -> dt.date:
        """The site's date: the rules are checked as of it, later records are withheld."""
        return site_date(self.epoch)


def read_source(records_dir: Path) -> Source:
    return Source(source_epoch(records_dir), source_revision(records_dir),
                  record_history(records_dir))


@dataclass(frozen=True)
class BuildResult:
    pages: int
    files: int
    written: int
    removed: int
    seconds: float
    phases: tuple[tuple[str, float], ...] = ()  # (phase, seconds), in the order they ran
    rendered: int = 0  # pages rendered; the others were unchanged since the last build


class Clock:
    """Seconds spent in each named phase (`ssj build --timings`)."""

    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.phases: dict[str, float] = {}

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.phases[phase] = self.phases.get(phase, 0.0) + now - self.last
        self.last = now


def build(checked: CheckResult, site_dir: Path, out_dir: Path, source: Source,
          base_url: str | None = None, *, jobs: int = 1, state_file: Path | None = None,
          clock: Clock | None = None, verify: bool = False) -> BuildResult:
    """Checked records -> assemble -> render -> index -> write into `out_dir`.

    Refuses records with errors (`checked` must be checked as of `source.day`). `jobs`: processes
    that render; `state_file`: where the build remembers each page's inputs, so that the next
    build renders only the pages whose inputs changed (None: render every page); `verify`: read
    back every file the last build left, rather than trust those whose size and mtime are as it
    recorded them."""
    clock = clock or Clock()
    errors = tuple(p for p in checked.problems if p.severity == ERROR)
    if errors or checked.records.jurisdiction is None:
        raise BuildRefused(f"记录有 {len(errors)} 个错误，先运行 ssj check 修正", errors)
    records = checked.records
    base = base_url or records.jurisdiction.site.base_url
    link_base = base_url  # links stay relative unless a base URL is asked for explicitly
    refuse_links(site_dir)
    try:
        # the state file lies in the records' cache folder, which keeps past years' reports too
        site = assemble(records, site_dir, source.day, source.history,
                        checked.rule_problems if checked.as_of == source.day else None,
                        None if state_file is None else state_file.parent)
    except PageError as e:
        raise BuildRefused(str(e)) from None
    clock.lap("assemble")
    env = environment(site_dir, _compiled_folder(state_file))
    jurisdiction = public(records.jurisdiction)
    nav = urls.NAV[:5] + ((urls.NAV_INSPECTORS,) if records.policy.publish_inspector_roster
                          else ()) + urls.NAV[5:]
    shared = {"site": {**jurisdiction, "revision": source.revision,
                       "built_on": site.day.isoformat(), "nav": nav}}
    # each file is written as soon as it is made, and only its digest kept: a province's site
    # is never held in memory whole
    writer = TreeWriter(out_dir)
    state = read_state(state_file)
    before: dict[str, Any] = state.get("files", {})
    digests: dict[str, str] = {}
    sizes: dict[str, int] = {}  # for the manifest
    entries: dict[str, FileEntry] = {}  # files left as they were: the next state's record

    def claim(path: str, digest: str, size: int) -> None:
        if path in digests:
            raise BuildRefused(f"两个输出写到同一路径 {path}")
        digests[path], sizes[path] = digest, size

    def put(path: str, content: bytes) -> None:
        """One output file; not even compared when the last build wrote these bytes there."""
        claim(path, file_digest(content), len(content))
        if not verify and (entry := file_entry(out_dir / path, digests[path])) is not None \
                and list(entry) == before.get(path):
            entries[path] = entry
            writer.keep(path)
        else:
            writer.put(path, content)

    def keep(path: str, entry: FileEntry) -> None:
        """One output file that the last build wrote and `out_dir` still holds."""
        claim(path, entry[0], entry[1])
        entries[path] = entry
        writer.keep(path)

    def page_files(page: Page) -> Rendered:
        # the 404 page is served at any depth: its links start at the site's root path, on the
        # site's own host (/kazuo-ssj/…), so they work wherever it is served, under any domain
        html = render(env, page, shared, root_path(link_base or base)
                      if page.path == urls.NOT_FOUND else link_base)
        data = {json_path(page.path): page_json(page.data)} if page.data is not None else {}
        # its text for the search index is made here too: on the worker, beside the page
        return Rendered(page.path, {page.path: html, **data}, extra=search.for_index(
            html.decode("utf-8")) if search.indexed(page.path) else None)

    def names(page: Page) -> list[str]:
        return sorted([page.path] + ([json_path(page.path)] if page.data is not None else []))

    claimed = [name for page in site.pages for name in names(page)]
    if len(set(claimed)) < len(claimed):  # before any is rendered: two pages never share a file
        raise BuildRefused(f"两个输出写到同一路径 {_first_repeated(claimed)}")
    inputs = shared_digest(site_dir, shared, link_base, base)

    with contextlib.ExitStack() as stack:
        stack.callback(writer.abort)  # a refused build leaves no temporary file behind
        stream = _IndexStream(site.pages, out_dir, state, inputs, digests, put, keep, verify,
                              IndexTexts(None if state_file is None else state_file.with_name(
                                  state_file.stem + "-index"), inputs))
        stack.callback(stream.abort)

        def visit(page: Rendered) -> None:
            for name, content in page.files.items():
                put(name, content)
            for name, entry in (page.kept or {}).items():
                keep(name, entry)
            stream.add(page)  # once a part's last page is in, its index is made

        outcome = render_pages(site.pages, page_files, names, inputs, out_dir, state, jobs, visit,
                               verify)
        for file in site.files:
            put(file.path, file.content)
        for file in static_files(site_dir):
            put(file.path, file.content)
        authority = f"{jurisdiction['division_code']}.ssj"
        for feed in (feeds.Feed(urls.FEED, jurisdiction["name"], "ssj", urls.HOME,
                                site.notices), *site.feeds):
            put(feed.path, feeds.atom(feed, base, authority, jurisdiction["name"]))
        put(urls.ROBOTS, feeds.robots(base))
        if base:
            put(urls.SITEMAP, feeds.sitemap([p.path for p in site.pages
                                             if p.path != urls.NOT_FOUND], base))
        clock.lap("render")
        stream.finish()
        clock.lap("index")
        # last: it lists every other file
        put(manifest.PATH, manifest.manifest(
            records, {"name": jurisdiction["name"], "division_code": jurisdiction["division_code"],
                      "base_url": base}, source.revision, site.day,
            {path: (digests[path], sizes[path]) for path in digests}))
        written, _, removed = writer.commit()
    for path in digests.keys() - entries.keys():  # written, or found holding its bytes
        if (entry := file_entry(out_dir / path, digests[path])) is not None:
            entries[path] = entry
    write_state(state_file, {"pages": outcome.pages, "search": stream.made, "files": entries})
    clock.lap("write")
    return BuildResult(len(site.pages), len(digests), written, removed, clock.last - clock.start,
                       tuple(clock.phases.items()), outcome.rendered)


def _compiled_folder(state_file: Path | None) -> Path | None:
    """Compiled templates beside the build's state, in the user's cache (None: no caching)."""
    if state_file is None:
        return None
    folder = state_file.parent / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # a cache that cannot be written is no reason to refuse a build
    return folder


def _first_repeated(names: list[str]) -> str:
    seen: set[str] = set()
    return next(n for n in names if n in seen or seen.add(n))  # type: ignore[func-returns-value]


class _IndexStream:
    """Makes the search index while pages render, a part at a time (search.parts), each part
    by its own Pagefind process started at the part's first page rendered afresh: a part whose
    pages are all as the last build left them reuses its last bundle, if its key still matches,
    and holds no page meanwhile. A part's bundle is collected once the next part is fed (or at
    the end), so that two Pagefind processes work at once, never more."""

    def __init__(self, pages: list[Page], out_dir: Path, state: dict[str, Any], salt: bytes,
                 digests: dict[str, str], put: Callable[[str, bytes], None],
                 keep: Callable[[str, FileEntry], None], verify: bool,
                 texts: IndexTexts) -> None:
        self.parts = search.parts(page.path for page in pages)
        self.part_of = {path: part for part in self.parts for path in part.paths}
        self.out_dir, self.salt, self.digests = out_dir, salt, digests
        self.put, self.keep, self.verify = put, keep, verify
        before = state.get("search")
        self.before = before if isinstance(before, dict) else {}
        self.files = state.get("files", {})
        self.made: dict[str, list[Any]] = {}  # part folder -> [key, files]: the next state
        self.stack = contextlib.ExitStack()  # the running part's Pagefind
        self.indexer: search.Indexer | None = None
        # the part whose bundle Pagefind is making: (part, key, its Pagefind, their stack)
        self.finishing: tuple[search.Part, str, search.Indexer, contextlib.ExitStack] | None = None
        self.waiting: list[str] = []  # the part's pages read back unchanged, not yet indexed
        self.texts = texts
        self.kept_texts: dict[str, str] = {}  # the running part's texts from the last build
        self.fed: dict[str, str] = {}  # page digest -> text, of the running part

    def add(self, page: Rendered) -> None:
        part = self.part_of.get(page.path)
        if part is None:
            return
        if page.fresh or self.indexer is not None:
            self._start(part)
            self._send(page.path, page.extra if page.fresh else self._text(page.path))
        else:
            self.waiting.append(page.path)
        if page.path == part.paths[-1]:
            self._close(part)

    def finish(self) -> None:
        """The parts no page closed (an index of no page), and the module over the parts."""
        self._collect()
        for part in self.parts:
            if part.folder not in self.made:
                self._close(part)
                self._collect()
        if len(self.parts) > 1:
            self.put(f"{search.FOLDER}/pagefind.js",
                     search.entry_module([part.folder for part in self.parts]))

    def abort(self) -> None:
        self.stack.close()
        if self.finishing is not None:
            self.finishing[3].close()

    def _start(self, part: search.Part) -> None:
        if self.indexer is not None:
            return
        try:
            self.indexer = self.stack.enter_context(search.Indexer(search.part_folder(part)))
        except search.SearchError as e:
            raise BuildRefused(f"搜索索引未生成：{e}") from None
        self.kept_texts = self.texts.read(part.folder)
        for path in self.waiting:  # just found in, and kept by, this build
            self._send(path, self._text(path))
        self.waiting = []

    def _text(self, path: str) -> str:
        """A kept page's text for the index: as the last build made it, or made again."""
        return self.kept_texts.get(self.digests[path]) or search.for_index(
            (self.out_dir / path).read_text("utf-8"))

    def _send(self, path: str, text: str) -> None:
        assert self.indexer is not None
        self.fed[self.digests[path]] = text
        try:
            self.indexer.add(path, text)
        except search.SearchError as e:
            raise BuildRefused(f"搜索索引未生成：{e}") from None

    def _close(self, part: search.Part) -> None:
        key = search.bundle_key({p: self.digests[p] for p in part.paths},
                                self.salt + part.folder.encode())
        previous = self.before.get(part.folder)
        kept = (reuse(self.out_dir, previous[1], self.files, self.verify)
                if self.indexer is None and isinstance(previous, list) and len(previous) == 2
                and previous[0] == key and search.bundle_names(previous[1],
                                                               search.part_folder(part))
                else None)
        if kept is not None:
            self.waiting = []
            for name, entry in kept.items():
                self.keep(name, entry)
            self.made[part.folder] = [key, sorted(kept)]
            return
        self._start(part)
        assert self.indexer is not None
        self._collect()
        try:
            self.indexer.finish()
        except search.SearchError as e:
            raise BuildRefused(f"搜索索引未生成：{e}") from None
        self.finishing = (part, key, self.indexer, self.stack.pop_all())
        self.indexer = None
        self.texts.write(part.folder, self.fed)
        self.kept_texts, self.fed = {}, {}

    def _collect(self) -> None:
        """The bundle of the part Pagefind is finishing, if there is one, put into the site."""
        if self.finishing is None:
            return
        part, key, indexer, stack = self.finishing
        with stack:
            try:
                bundle = indexer.bundle()
            except search.SearchError as e:
                raise BuildRefused(f"搜索索引未生成：{e}") from None
        self.finishing = None
        for name, content in bundle.items():
            self.put(name, content)
        self.made[part.folder] = [key, sorted(bundle)]


_SOURCE_FOLDERS = ("pages", "static", "templates")  # what the build reads under site/


def refuse_links(site_dir: Path) -> None:
    """Refuse a symbolic link anywhere the build reads under site/: a linked page, template or
    asset would publish a file from outside the repository that no review of it sees."""
    for folder in _SOURCE_FOLDERS:
        top = site_dir / folder
        # rglob lists a linked folder below but never enters it; a linked top is not entered
        linked = [top] if top.is_symlink() else [path for path in sorted(top.rglob("*"))
                                                 if path.is_symlink()]
        if linked:
            raise BuildRefused(f"{display_path(linked[0])} 是符号链接；site/ 中只能放普通文件和目录")


def static_files(site_dir: Path) -> list[File]:
    """site/static/ as the site publishes it, under static/, in path order."""
    folder = site_dir / "static"
    return [File("static/" + path.relative_to(folder).as_posix(), path.read_bytes())
            for path in sorted(folder.rglob("*")) if path.is_file()]
