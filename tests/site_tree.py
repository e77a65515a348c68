"""Small records trees written inline and built into a site with the CLI (`ssj build`), as the rules
tests check small trees: a test about a behaviour of the site writes the records that behaviour
needs (`valid_tree()` with one thing edited), builds them, and reads the output back, so it fails
when the behaviour breaks whatever the example county happens to contain.

`build_tree` builds into a test's own folder; the `site_tree` fixture builds each distinct tree
(files, prepared base folder, site date, base URL) once per session, for tests that only read.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.records.timing import BEIJING
from tests.records_tree import valid_tree
from tests.rules_tree import edit, write_files
from tests.sitecheck import REPO, Site

SITE = REPO / "site"
DAY = "2025-12-31"  # the site's date, unless a test gives another
REVISION = "site-tree"

Files = dict[str, "str | bytes | None"]


def epoch(day: str) -> str:
    """Noon in Beijing on `day` (YYYY-MM-DD), as SOURCE_DATE_EPOCH."""
    noon = dt.datetime.fromisoformat(f"{day}T12:00").replace(tzinfo=BEIJING)
    return str(int(noon.timestamp()))


def zh(day: dt.date | str) -> str:
    """A date as the pages write it (2026-04-28 -> 2026年4月28日)."""
    d = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10])
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass(frozen=True)
class Run:
    exit_code: int
    output: str


def ssj_build(records: Path, out: Path, *, day: str = DAY, site: Path = SITE,
              base_url: str | None = None, env: dict[str, str | None] | None = None) -> Run:
    """`ssj build --records … --site … --out …` (in this process, through the CLI), with the
    site's date fixed to `day` and the source revision to REVISION."""
    argv = ["build", "--records", str(records), "--site", str(site), "--out", str(out)]
    if base_url:
        argv += ["--base-url", base_url]
    full_env = {"SOURCE_DATE_EPOCH": epoch(day), "SSJ_SOURCE_REVISION": REVISION, **(env or {})}
    result = CliRunner().invoke(cli, argv, env=full_env, catch_exceptions=False)
    return Run(result.exit_code, result.output)


def write_records(root: Path, files: Files, base: Path | None = None) -> Path:
    """`base` (a prepared folder, e.g. the drawn tree's) copied into `root`, then `files` written
    over it (None removes a file)."""
    if base is not None:
        shutil.copytree(base, root, dirs_exist_ok=True)
    root.mkdir(parents=True, exist_ok=True)
    return write_files(root, files)


def build_tree(root: Path, files: Files, *, base: Path | None = None, day: str = DAY,
               site: Path = SITE, base_url: str | None = None, out: str = "out") -> Site:
    """Write the tree under `root` and build it into root/`out`; the build must succeed."""
    write_records(root, files, base)
    built = ssj_build(root / "records", root / out, day=day, site=site, base_url=base_url)
    assert built.exit_code == 0, built.output
    return Site(root / out, base_url)


class SiteTrees:
    """Builds a tree once per session and hands the same read-only Site to every test asking for
    it (the cache is shared by every module that imports the fixture)."""

    _built: dict[str, Site] = {}

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self.factory = factory

    def __call__(self, files: Files | None = None, *, base: Path | None = None, day: str = DAY,
                 base_url: str | None = None) -> Site:
        files = valid_tree() if files is None else files
        key = hashlib.sha256(json.dumps(
            [sorted((k, v if isinstance(v, str | None) else v.hex()) for k, v in files.items()),
             str(base), day, base_url], ensure_ascii=False).encode()).hexdigest()
        if key not in self._built:
            root = self.factory.mktemp("site-tree")
            self._built[key] = build_tree(root, files, base=base, day=day, base_url=base_url)
        return self._built[key]


@pytest.fixture(scope="session", name="site_tree")
def site_tree_fixture(tmp_path_factory: pytest.TempPathFactory) -> SiteTrees:
    """site_tree(files, day=…) -> the built Site, made once per session for those arguments."""
    return SiteTrees(tmp_path_factory)


# --- records the site tests add to the valid tree --------------------------------------------

def finding(number: str, *, target: str, day: str, published_on: str | None,
            rest: str = "outcome: compliant\nresult: 未发现问题。\n",
            inspectors: tuple[str, ...] = ("21132419001", "21132419002"),
            items: str = "lf-01") -> str:
    """A targeted (non-random) onsite inspection on `day`; published_on None leaves it a draft."""
    published = f"published_on: {published_on}\n" if published_on else ""
    return f"""\
id: {number}
targeted: {{ground: complaint, note: 收到群众投诉。}}
target: "{target}"
inspectors: [{", ".join(f'"{i}"' for i in inspectors)}]
inspected:
  start: {day}
  end: {day}
method: onsite
items: [{items}]
{rest}{published}"""


def amendment(number: str, record: str, day: str, correction: str,
              reason: str = "核对时发现有误。") -> str:
    return f"""\
id: {number}
record: {record}
date: {day}
reason: {reason}
correction: {correction}
"""


def with_exit(entry: str, day: str, reason: str) -> str:
    """A list entry (as written in valid_tree()) that has ended on `day`."""
    return entry + f"exit:\n  date: {day}\n  reason: {reason}\n"


__all__ = ["DAY", "SITE", "Files", "Run", "SiteTrees", "amendment", "build_tree", "edit", "epoch",
           "finding", "site_tree_fixture", "ssj_build", "with_exit", "write_records", "zh"]
