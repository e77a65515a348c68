"""What is published, and when (issue 11): a record dated to be published later is withheld from
every output until the first build on or after that date; the site's date is the build's
(SOURCE_DATE_EPOCH, else the records' HEAD commit), never the latest date in the records; an
amendment of a record not yet published is not published either."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from generator.records.timing import BEIJING
from tests.sitecheck import Site, build_site, copy_example

FINDING = "records/findings/2026-02-03.yaml"
# a sentence found only in that finding, and one only in an amendment written for it below
FINDING_TEXT = "抽调案卷 10 卷齐全规范"
AMENDMENT_TEXT = "抽调案卷应为 12 卷"
AMENDMENT = f"""\
id: 2026-02-03-a1
record: 2026-02-03
date: 2026-11-04
reason: 核对案卷清单时发现数量有误。
correction: {AMENDMENT_TEXT}，原公示中的其他内容不变。
"""
NOTICE = "records/credit-notices/cn-2026-01.yaml"


def epoch(day: str) -> str:
    """Noon in Beijing on `day`, as SOURCE_DATE_EPOCH."""
    return str(int(dt.datetime.fromisoformat(f"{day}T12:00").replace(tzinfo=BEIJING).timestamp()))


def everything(site: Site) -> str:
    """Every text output of the site (pages, JSON, CSV, feed, sitemap) in one string."""
    return "\n".join(site.bytes(p).decode("utf-8", "replace") for p in site.files()
                     if p.endswith((".html", ".json", ".csv", ".xml", ".txt")))


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def later(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example county with finding 2026-02-03 (amended) to be published on 2026-11-04, the
    last day the publication rule allows."""
    root = copy_example(tmp_path_factory.mktemp("later"))
    edit(root, FINDING, "published_on: 2026-10-30", "published_on: 2026-11-04")
    (root / "records/amendments/2026-02-03-a1.yaml").write_text(AMENDMENT, encoding="utf-8")
    return root


def built(root: Path, out: Path, day: str | None) -> Site:
    env = {"SOURCE_DATE_EPOCH": epoch(day) if day else None, "SSJ_SOURCE_REVISION": "test"}
    result = build_site(root, out, env=env)
    assert result.exit_code == 0, result.output
    return Site(out)


def test_a_finding_published_later_is_withheld_from_every_output(later: Path,
                                                                 tmp_path: Path) -> None:
    site = built(later, tmp_path / "before", "2026-11-03")
    text = everything(site)
    assert FINDING_TEXT not in text
    assert not any("2026-02-03" in p for p in site.files())
    # its amendment is not published either, not even in the open data
    assert AMENDMENT_TEXT not in text
    assert "findings/2026-02-03.html" not in site.read("feed.xml")


def test_it_appears_in_the_first_build_on_its_date(later: Path, tmp_path: Path) -> None:
    site = built(later, tmp_path / "on", "2026-11-04")
    text = everything(site)
    assert FINDING_TEXT in text and AMENDMENT_TEXT in text
    assert "findings/2026-02-03.html" in site.files()
    assert "findings/2026-02-03.html" in site.read("feed.xml")


def test_a_credit_notice_published_later_is_withheld(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "root")
    text = (root / NOTICE).read_text(encoding="utf-8")
    published = next(line for line in text.splitlines() if line.startswith("published_on:"))
    edit(root, NOTICE, published, "published_on: 2026-12-20")
    site = built(root, tmp_path / "out", "2026-12-19")
    assert "cn-2026-01" in everything(built(root, tmp_path / "on", "2026-12-20"))
    assert not any("cn-2026-01" in p for p in site.files())
    assert "cn-2026-01" not in everything(site)


def git(root: Path, *args: str, when: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    if when:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = epoch(when) + " +0800"
    subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=root, env=env, check=True,
                   capture_output=True)


def test_without_an_epoch_the_site_date_is_the_head_commit(later: Path, tmp_path: Path) -> None:
    """The finding is the latest date in the records; the build must still not show it before
    its day, and two builds of one commit are identical."""
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("records", "site"):
        subprocess.run(["cp", "-r", str(later / name), str(root / name)], check=True)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "records", when="2026-11-01")
    site = built(root, tmp_path / "out", None)
    assert FINDING_TEXT not in everything(site)
    assert "2026-11-01" in site.read("index.html")
    again = built(root, tmp_path / "again", None)
    assert {p: site.bytes(p) for p in site.files()} == {p: again.bytes(p) for p in again.files()}
    # the next commit, on the finding's day, publishes it
    git(root, "commit", "-q", "--allow-empty", "-m", "a day later", when="2026-11-04")
    assert FINDING_TEXT in everything(built(root, tmp_path / "later", None))
