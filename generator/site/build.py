"""`ssj build`: records in, the public disclosure site out."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from generator.checking import check_loaded
from generator.filewrite import sync_tree
from generator.records.problems import ERROR, Problem
from generator.revision import source_epoch, source_revision
from generator.site import feeds
from generator.site import search
from generator.site.history import record_history
from generator.site.pages import PageError, assemble, site_date
from generator.site.public import public
from generator.site.render import environment, json_path, page_json, render, root_path
from generator.records.load import display_path, load_records


class BuildRefused(Exception):
    """The records have errors, or two outputs would share a path."""


@dataclass(frozen=True)
class BuildResult:
    pages: int
    files: int
    written: int
    removed: int
    seconds: float
    phases: tuple[tuple[str, float], ...] = ()  # (phase, seconds), in the order they ran


class _Clock:
    """Seconds spent in each named phase of a build (`ssj build --timings`)."""

    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.phases: dict[str, float] = {}

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.phases[phase] = self.phases.get(phase, 0.0) + now - self.last
        self.last = now


NAV = (("index.html", "首页"), ("plans/index.html", "抽查计划"), ("findings/index.html", "结果公示"),
       ("items.html", "事项清单"), ("institutions/index.html", "对象名录"),
       ("lists.html", "异常名录与黑名单"), ("data.html", "开放数据"), ("rules.html", "规则"),
       ("regulation.html", "实施方案"), ("search.html", "搜索"))


def build(records_dir: Path, site_dir: Path, out_dir: Path, base_url: str | None = None) -> BuildResult:
    """Load -> check -> assemble -> render -> index -> write."""
    clock = _Clock()
    epoch = source_epoch(records_dir)
    records, problems = load_records(records_dir)
    if records.jurisdiction is None:
        raise BuildRefused("记录无法读取，先运行 ssj check")
    clock.lap("load")
    checked = check_loaded(records, problems, site_date(epoch))
    clock.lap("check")
    errors: list[Problem] = [p for p in checked.problems if p.severity == ERROR]
    if errors:
        raise BuildRefused(f"记录有 {len(errors)} 个错误，先运行 ssj check 修正")
    records = checked.records
    base = base_url or records.jurisdiction.site.base_url
    link_base = base_url  # links stay relative unless a base URL is asked for explicitly
    _refuse_links(site_dir)
    try:
        site = assemble(records, site_dir, epoch, record_history(records_dir))
    except PageError as e:
        raise BuildRefused(str(e)) from None
    clock.lap("assemble")
    env = environment(site_dir)
    jurisdiction = public(records.jurisdiction)
    nav = NAV[:5] + ((("inspectors.html", "检查人员"),) if records.policy.publish_inspector_roster
                     else ()) + NAV[5:]
    shared = {"site": {**jurisdiction, "revision": source_revision(records_dir),
                       "built_on": site.day.isoformat(), "nav": nav}}
    out: dict[str, bytes] = {}

    def put(path: str, content: bytes) -> None:
        if path in out:
            raise BuildRefused(f"两个输出写到同一路径 {path}")
        out[path] = content

    for page in site.pages:
        # the 404 page is served at any depth: its links start at the site's root path, on the
        # site's own host (/kazuo-ssj/…), so they work wherever it is served, under any domain
        put(page.path, render(env, page, shared, root_path(link_base or base)
                              if page.path == "404.html" else link_base))
        if page.data is not None:
            put(json_path(page.path), page_json(page.data))
    for file in site.files:
        put(file.path, file.content)
    for static in sorted((site_dir / "static").rglob("*")):
        if static.is_file():
            put("static/" + static.relative_to(site_dir / "static").as_posix(), static.read_bytes())
    authority = f"{jurisdiction['division_code']}.ssj"
    for feed in (feeds.Feed("feed.xml", jurisdiction["name"], "ssj", "index.html", site.notices),
                 *site.feeds):
        put(feed.path, feeds.atom(feed, base, authority, jurisdiction["name"]))
    put("robots.txt", feeds.robots(base))
    if base:
        put("sitemap.xml", feeds.sitemap([p.path for p in site.pages if p.path != "404.html"], base))
    clock.lap("render")
    try:  # the rendered pages, as published, indexed for search.html
        bundle = search.bundle({p.path: out[p.path] for p in site.pages})
    except search.SearchError as e:
        raise BuildRefused(f"搜索索引未生成：{e}") from None
    for path, content in bundle.items():
        put(path, content)
    clock.lap("index")
    written, _, removed = sync_tree(out_dir, out)
    clock.lap("write")
    return BuildResult(len(site.pages), len(out), written, removed, clock.last - clock.start,
                       tuple(clock.phases.items()))


_SOURCE_FOLDERS = ("pages", "static", "templates")  # what the build reads under site/


def _refuse_links(site_dir: Path) -> None:
    """Refuse a symbolic link anywhere the build reads under site/: a linked page, template or
    asset would publish a file from outside the repository that no review of it sees."""
    for folder in _SOURCE_FOLDERS:
        top = site_dir / folder
        # rglob lists a linked folder below but never enters it; a linked top is not entered
        linked = [top] if top.is_symlink() else [path for path in sorted(top.rglob("*"))
                                                 if path.is_symlink()]
        if linked:
            raise BuildRefused(f"{display_path(linked[0])} 是符号链接；site/ 中只能放普通文件和目录")
