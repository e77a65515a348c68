"""`ssj example` (issue 15): the synthetic county passes `ssj check` with no error or warning and
builds; the same arguments give the same bytes, in another process with another hash seed; a
non-empty --out is refused before anything is written; and the counts it prints are the files it
wrote, and the records `ssj check` reads."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.records.kinds import KINDS_BY_NAME
from tests.sitecheck import REPO, run_ssj

AS_OF = "2026-12-31"  # the five years are over; fixed, so the test means the same every year
ENV = {"SOURCE_DATE_EPOCH": "1798675200", "SSJ_SOURCE_REVISION": "test"}  # 2026-12-31
ARGS = ("example", "--scale", "county", "--seed", "7")
# what `example: true` turns from errors into notices: years-old rounds, no time-stamps, no git
EXAMPLE_NOTICES = {"draw.publication-late", "draw.timestamp-missing", "plan.published"}


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("example") / "records"
    run = CliRunner().invoke(cli, [*ARGS, "--out", str(out)], catch_exceptions=False)
    assert run.exit_code == 0, run.output
    lines = run.output.strip().splitlines()
    assert len(lines) == 1, run.output
    return out, lines[0]


def test_the_county_passes_ssj_check_with_notices_only(county: tuple[Path, str]) -> None:
    out, _ = county
    run = CliRunner().invoke(cli, ["check", "--records", str(out), "--as-of", AS_OF,
                                   "--format", "json"], catch_exceptions=False)
    assert run.exit_code == 0, run.output[-2000:]
    report = json.loads(run.output)
    assert report["summary"]["errors"] == 0 and report["summary"]["warnings"] == 0
    problems = report["problems"]
    assert problems, "an example's draws cannot be proven early: expected notices"
    assert {p["severity"] for p in problems} == {"notice"}
    assert {p["rule"] for p in problems} == EXAMPLE_NOTICES
    assert all("示例数据" in p["message"] for p in problems)
    # and with today's date, as a user runs it (the data end before 2026-12)
    assert CliRunner().invoke(cli, ["check", "--records", str(out)]).exit_code == 0


def test_the_county_has_every_kind_of_record(county: tuple[Path, str]) -> None:
    out, _ = county
    plans = {p.stem: p.read_text(encoding="utf-8") for p in (out / "plans").glob("*.yaml")}
    assert any("revision:" in text for text in plans.values()), "a revision (redraw)"
    assert sorted(p.name for p in (out / "draws").iterdir()) == sorted(plans)
    for plan in plans:
        names = {p.name for p in (out / "draws" / plan).iterdir()}
        assert {"package.json", "commitment.txt", "values.json", "result.json"} <= names
        assert any(re.fullmatch(r"drand-(quicknet|default)-\d+\.json", n) for n in names)
    lists = [p.read_text(encoding="utf-8") for p in (out / "lists").glob("*.yaml")]
    assert any("list: blacklist" in t for t in lists) and any("list: abnormal" in t for t in lists)
    findings = [p.read_text(encoding="utf-8") for p in (out / "findings").glob("*.yaml")]
    assert any("targeted:" in t for t in findings)
    assert any("action: penalty" in t for t in findings)
    for folder in ("credit-notices", "amendments"):
        assert list((out / folder).glob("*.yaml")), folder
    assert "example: true" in (out / "jurisdiction.yaml").read_text(encoding="utf-8")


def test_the_printed_counts_are_the_files_written(county: tuple[Path, str]) -> None:
    out, summary = county
    printed = {title: int(n) for title, n in re.findall(r"([^\s，：；]+) (\d+)", summary)}
    for kind in KINDS_BY_NAME.values():
        if not kind.singleton:
            assert printed[kind.title] == len(list((out / kind.folder).glob("*.yaml"))), kind.name
    assert printed["抽取目录"] == len(list((out / "draws").iterdir()))
    assert printed["文件"] == len(files_of(out))
    check = CliRunner().invoke(cli, ["check", "--records", str(out), "--as-of", AS_OF,
                                     "--format", "json"])
    counts = json.loads(check.output)["summary"]["records"]
    assert counts == {k: printed[KINDS_BY_NAME[k].title] for k in counts}


def test_the_county_builds(county: tuple[Path, str], tmp_path: Path) -> None:
    out, _ = county
    site = tmp_path / "site"
    run = CliRunner().invoke(cli, ["build", "--records", str(out), "--site", str(REPO / "site"),
                                   "--out", str(site)], env=ENV, catch_exceptions=False)
    assert run.exit_code == 0, run.output
    pages = int(re.search(r"(\d+) 个页面", run.output).group(1))
    findings = len(list((out / "findings").glob("*.yaml")))
    assert pages > findings and (site / "index.html").is_file()


def test_the_same_arguments_give_the_same_bytes(county: tuple[Path, str], tmp_path: Path) -> None:
    out, _ = county
    again = tmp_path / "again"
    # another process, hence another hash seed: no set order may leak into the files
    run = run_ssj(*ARGS, "--out", str(again), env={"PYTHONHASHSEED": "12345"})
    assert run.returncode == 0, run.stderr
    assert files_of(again) == files_of(out)
    other = tmp_path / "other"
    assert CliRunner().invoke(cli, [*ARGS[:-1], "8", "--out", str(other)]).exit_code == 0
    assert files_of(other) != files_of(out)


@pytest.mark.parametrize("occupied", ["a file in it", "a file"])
def test_an_occupied_out_is_a_usage_error_in_one_line(tmp_path: Path, occupied: str) -> None:
    out = tmp_path / "records"
    if occupied == "a file":
        out.write_text("keep\n")
    else:
        out.mkdir()
        (out / "notes.txt").write_text("keep\n")
    before = files_of(tmp_path)
    run = CliRunner().invoke(cli, [*ARGS, "--out", str(out)])
    assert run.exit_code == 2, run.output
    assert "Traceback" not in run.output
    assert len(run.stderr.strip().splitlines()) == 1 and not run.stdout.strip(), run.output
    assert str(out) in run.stderr
    assert files_of(tmp_path) == before
