"""Issue 13, "by hand, exactly as written": every command of a drawn plan page's section
"自己核验这次抽取", copied from the page and run with bash in one folder holding the files the page
links, prints the value the page shows beside it."""
from __future__ import annotations

import hashlib
import json
import os
import posixpath
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.site.handcheck import SSJ_UNVERIFIED, SSJ_VERIFIED, quoted
from tests.sitecheck import plain, shown

REPO = Path(__file__).resolve().parent.parent
DRAWN = sorted(p.parent.name for p in (REPO / "records" / "draws").glob("*/result.json"))
MIN_COMMANDS = 5  # commitment, time-stamp, drand round, seed, ranking key (and ssj draw verify)


class Section(HTMLParser):
    """The folded proof with id `verify`: each code.command with the samp of the p.expect that
    must come right after its pre, and every link."""

    def __init__(self) -> None:
        super().__init__()  # convert_charrefs: text arrives unescaped, as a reader copies it
        self.depth = 0  # <details> open inside (and including) the verify proof
        self.commands: list[list[str]] = []  # [command, expected]
        self.links: list[str] = []
        self.problems: list[str] = []
        self._in: str | None = None  # "command" or "samp" while reading one
        self._text: list[str] = []
        self._awaiting_expect = False  # after a command's </pre>: the next tag must be p.expect
        self._in_expect = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "details" and (self.depth or attributes.get("id") == "verify"):
            self.depth += 1
        if not self.depth:
            return
        if self._in is not None:
            self.problems.append(f"<{tag}> inside {self._in}")
        if self._awaiting_expect:
            self._awaiting_expect = False
            if tag != "p" or "expect" not in classes:
                self.problems.append(f"command {self.commands[-1][0]!r} not followed by p.expect")
            self._in_expect = tag == "p"
            return
        if tag == "code" and "command" in classes:
            self._in, self._text = "command", []
        elif tag == "samp" and self._in_expect:
            self._in, self._text = "samp", []
        elif tag == "a":
            self.links.append(attributes.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if not self.depth:
            return
        if tag == "details":
            self.depth -= 1
        elif tag == "code" and self._in == "command":
            self.commands.append(["".join(self._text), ""])
            self._in = None
        elif tag == "pre" and self.commands and self.commands[-1][1] == "" and not self._in:
            self._awaiting_expect = True
        elif tag == "samp" and self._in == "samp":
            self.commands[-1][1] = "".join(self._text)
            self._in = None
        elif tag == "p":
            self._in_expect = False

    def handle_data(self, data: str) -> None:
        if self._in is not None:
            self._text.append(data)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "_site"
    run = CliRunner().invoke(cli, ["build", "--records", str(REPO / "records"), "--site",
                                   str(REPO / "site"), "--out", str(out)],
                             catch_exceptions=False)
    assert run.exit_code == 0, run.output
    return out


def section(site: Path, plan_id: str) -> Section:
    parsed = Section()
    parsed.feed((site / "plans" / f"{plan_id}.html").read_text(encoding="utf-8"))
    parsed.close()
    assert not parsed.problems, parsed.problems
    return parsed


def downloaded(site: Path, plan_id: str, links: list[str], folder: Path) -> list[str]:
    """The files the section links (draw files and authority chains) saved into `folder`."""
    names = []
    for href in links:
        path = posixpath.normpath(posixpath.join("plans", href.split("#")[0]))
        if path.startswith(("draws/", "timestamp-authorities/")):
            shutil.copy(site / path, folder / posixpath.basename(path))
            names.append(posixpath.basename(path))
    return sorted(names)


def test_every_drawn_example_plan_is_checked() -> None:
    assert len(DRAWN) >= 2


def run_commands(site: Path, plan_id: str, folder: Path) -> list[list[str]]:
    """Every command of the page, run as written in `folder` (the linked files saved there);
    returns them. Exit 0, except `ssj draw verify` when it says some value is unverified (3)."""
    parsed = section(site, plan_id)
    assert len(parsed.commands) >= MIN_COMMANDS, parsed.commands
    names = downloaded(site, plan_id, parsed.links, folder)
    stored = sorted(p.name for p in (site / "draws" / plan_id).iterdir())
    assert set(stored) <= set(names), names
    # ssj draw verify is the one command that needs ssj: this interpreter's, as installed
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "LC_ALL": "C.UTF-8"}
    for command, expected in parsed.commands:
        assert expected, f"no expected output for {command!r}"
        assert "&#" not in command and "&quot;" not in command and "&amp;" not in command
        done = subprocess.run(["bash", "-c", command], cwd=folder, capture_output=True,
                              text=True, timeout=20, env=env)
        allowed = {0, 3} if expected == SSJ_UNVERIFIED else {0}
        assert done.returncode in allowed, (command, done.stdout, done.stderr)
        assert expected in done.stdout, (command, expected, done.stdout, done.stderr)
    return parsed.commands


@pytest.mark.parametrize("plan_id", DRAWN)
def test_each_command_prints_what_the_page_says(site: Path, tmp_path: Path,
                                                plan_id: str) -> None:
    commands = run_commands(site, plan_id, tmp_path)
    assert any(p.suffix == ".pem" for p in tmp_path.iterdir())
    assert [c for c, _ in commands if c.startswith("openssl ts -verify")]
    assert commands[-1][1] == SSJ_VERIFIED  # every example value is a drand round
    commitment = (tmp_path / "commitment.txt").read_text().strip()
    assert [c for c, e in commands if e == commitment]  # the commitment is recomputed
    # the page's claim: the file's own hash is not the commitment (it is pretty-printed)
    done = subprocess.run(["bash", "-c", "sha256sum package.json"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=20, check=True)
    assert commitment not in done.stdout
    assert hashlib.sha256((tmp_path / "package.json").read_bytes()).hexdigest() != commitment


def test_a_lottery_value_is_left_to_the_official_notice(tmp_path: Path) -> None:
    from tests.test_draw_commands import (DRAWS, LOTTERY_SOURCE, PLAN_ID, QUICK_1000,
                                          drand_source, frozen, inspected, put_round, ssj, tree)

    root = tmp_path / "bureau"
    official = "https://www.cwl.gov.cn/ygkj/wqkjgg/fc3d/2025060.html"  # as the bureau records it
    frozen(root, tree(sources=drand_source(1000) + LOTTERY_SOURCE
                      + f"      result_url: {official}\n"))
    name = put_round(root, QUICK_1000)
    assert ssj(root, "draw", "run", PLAN_ID, "--drand-round", name, "--value",
               "3 7 1").exit_code == 0
    inspected(root, json.loads((root / DRAWS / "result.json").read_bytes()))
    shutil.copytree(REPO / "site", root / "site")
    run = CliRunner().invoke(cli, ["build", "--records", str(root / "records"), "--site",
                                   str(root / "site"), "--out", str(root / "_site")],
                             catch_exceptions=False)
    assert run.exit_code == 0, run.output
    folder = tmp_path / "download"
    folder.mkdir()
    commands = run_commands(root / "_site", PLAN_ID, folder)
    assert commands[-1][1] == SSJ_UNVERIFIED
    page = (root / "_site" / "plans" / f"{PLAN_ID}.html").read_text(encoding="utf-8")
    assert shown("福彩3D 第 2025060 期") in plain(page) and "官方开奖公告核对" in page and official in page


@pytest.mark.parametrize("plan_id", DRAWN)
def test_the_section_links_the_browser_verifier_and_the_spec(site: Path, plan_id: str) -> None:
    links = section(site, plan_id).links
    assert links[0] == f"../verify.html?plan={plan_id}"
    assert "../draw-spec.html" in links
    assert (site / "draw-spec.html").is_file()
    assert [link for link in links if link.startswith("https://api.drand.sh/")]


@pytest.mark.parametrize("text", ["plain", "it's", "'", "''", "a\\nb %s %%", "中文 ssj-draw/1",
                                  '["x","y",1]', "$(echo no) `echo no` $HOME"])
def test_quoted_text_reaches_printf_unchanged(text: str) -> None:
    done = subprocess.run(["bash", "-c", f"printf '%s' {quoted(text)}"], capture_output=True,
                          timeout=20, check=True)
    assert done.stdout == text.encode()
