"""Every notice of the site shows its metadata block (公开信息), as county government disclosure
pages do: 索引号 (the bureau's code/year-serial), 发布机构, 发布日期 and, where the notice has one
of its own, 文号. Plan pages, finding pages, irregularity notices and each list entry and credit
notice on lists.html; the data JSON beside each page carries the same block ("meta")."""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator.records.load import load_records
from generator.records.model import Records
from generator.site.notice_meta import bureau_code, metadata, serial_numbers
from generator.site.render import zh_date
from tests.browser import EXAMPLE_ENV
from tests.sitecheck import Element, build_site, copy_example, parse

@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_example(tmp_path_factory.mktemp("example"))


@pytest.fixture(scope="module")
def out(example: Path) -> Path:
    built = build_site(example, example / "out", env=EXAMPLE_ENV)
    assert built.exit_code == 0, built.output
    return example / "out"


@pytest.fixture(scope="module")
def records(example: Path, out: Path) -> Records:
    """The example's records as the site publishes them, on the site's day."""
    loaded, _ = load_records(example / "records")
    day = dt.date.fromisoformat(read_json(out, "data/manifest.json")["built_on"])
    return loaded.published_by(day)


def read_json(out: Path, path: str) -> Any:
    return json.loads((out / path).read_text(encoding="utf-8"))


def blocks(where: Element) -> list[dict[str, str]]:
    """Each metadata block in `where`, as {term: text}, in page order."""
    # each term and its value grouped in a <div>, so a wrapping line never parts them
    return [{group.one("dt").text(): group.one("dd").text() for group in dl.find_all("div")}
            for dl in where.find_all("dl", cls="notice-meta")]


def page(out: Path, path: str) -> Element:
    return parse((out / path).read_text(encoding="utf-8")).root


def expected(records: Records, meta: dict[str, Any], day: str,
             number: str | None) -> dict[str, str]:
    """The block a notice published on `day` shows, checked against the records themselves."""
    jurisdiction = records.jurisdiction
    code = jurisdiction.uscc or jurisdiction.division_code
    assert re.fullmatch(rf"{re.escape(code)}/{day[:4]}-\d{{5}}", meta["index_number"])
    assert meta["publisher"] == jurisdiction.name and meta["published_on"] == day
    assert meta["document_number"] == number
    shown = {"索引号": meta["index_number"], "发布机构": jurisdiction.name, "发布日期": zh_date(day)}
    return {**shown, "文号": number} if number else shown


def test_every_plan_page_shows_its_block(out: Path, records: Records) -> None:
    assert records.plans
    for plan in records.plans:
        data = read_json(out, f"plans/{plan.id}.json")
        want = expected(records, data["meta"], plan.published_on.isoformat(), None)
        main = page(out, f"plans/{plan.id}.html")
        [block] = [dl for dl in main.find_all("dl", cls="notice-meta")
                   if not any("irregular" in a.classes for a in dl.ancestors())]
        # right under the title and any irregularity notice, before the outcome
        assert main.one("h1").line <= block.line < main.one("h2", id_="outcome").line
        aside = main.find("aside", cls="irregular")
        assert aside is None or aside.line < block.line
        assert {g.one("dt").text(): g.one("dd").text() for g in block.find_all("div")} == want
        for notice in data["irregularities"]:
            assert blocks(main.one(id_=notice["id"])) == [
                expected(records, notice["meta"], notice["published_on"], None)]


def test_every_finding_page_shows_its_block(out: Path, records: Records) -> None:
    assert records.findings
    for finding in records.findings:
        data = read_json(out, f"findings/{finding.id}.json")
        # a finding's handling decision numbers are its findings', not the notice's 文号
        want = expected(records, data["meta"], finding.published_on.isoformat(), None)
        assert blocks(page(out, f"findings/{finding.id}.html")) == [want]


def test_every_list_entry_and_credit_notice_shows_its_block(out: Path, records: Records) -> None:
    data = read_json(out, "lists.json")
    entries = {e["id"]: e for e in data["entries"]}
    notices = {n["id"]: n for n in data["credit_notices"]}
    assert entries and notices
    lists = page(out, "lists.html")
    for entry in records.list_entries:
        meta = entries[entry.id]["meta"]
        want = expected(records, meta, entry.entered_on.isoformat(), entry.decision.number)
        assert blocks(lists.one(id_=entry.id)) == [want]
    for notice in records.credit_notices:
        want = expected(records, notices[notice.id]["meta"], notice.published_on.isoformat(), None)
        assert blocks(lists.one(id_=notice.id)) == [want]
    assert any(e.decision.number for e in records.list_entries), "the example shows a 文号"


def all_meta(out: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """Every notice's block as the data files beside the pages give it, by (kind, id)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted((out / "plans").glob("*.json")):
        plan = json.loads(path.read_text(encoding="utf-8"))
        if path.stem != "index":
            found[("plan", plan["id"])] = plan["meta"]
            found.update((("irregularity", i["id"]), i["meta"]) for i in plan["irregularities"])
    for path in sorted((out / "findings").glob("*.json")):
        if path.stem != "index":
            found[("finding", path.stem)] = json.loads(path.read_text(encoding="utf-8"))["meta"]
    lists = read_json(out, "lists.json")
    found.update((("list_entry", e["id"]), e["meta"]) for e in lists["entries"])
    found.update((("credit_notice", n["id"]), n["meta"]) for n in lists["credit_notices"])
    return found


def test_index_numbers_are_unique_and_stable_between_builds(out: Path, example: Path) -> None:
    first = all_meta(out)
    numbers = [m["index_number"] for m in first.values()]
    assert len(numbers) == len(set(numbers)) > 10
    # and each page shows a number only once per notice: no two notices share one anywhere
    shown: dict[str, set[str]] = {}
    for path in sorted(out.rglob("*.html")):
        for block in blocks(page(out, path.relative_to(out).as_posix())):
            shown.setdefault(block["索引号"], set()).add(block["发布日期"])
    assert set(shown) == set(numbers) and all(len(days) == 1 for days in shown.values())
    again = build_site(example, example / "again", env=EXAMPLE_ENV)
    assert again.exit_code == 0, again.output
    assert all_meta(example / "again") == first


def test_a_notice_published_later_never_renumbers_an_earlier_one(example: Path,
                                                                  tmp_path: Path) -> None:
    shutil.copytree(example / "records", tmp_path / "records")
    before, _ = load_records(tmp_path / "records")
    numbers = serial_numbers(before)
    last = max(day for day in (r.published_on for r in before.credit_notices))
    (tmp_path / "records/credit-notices/cn-2026-99.yaml").write_text(
        "id: cn-2026-99\n"
        f"institution: \"{before.credit_notices[0].institution}\"\n"
        f"finding: {before.credit_notices[0].finding}\n"
        "platform: 信用中国（辽宁朝阳）\n"
        "published_on: 2026-11-30\n"
        "reason: 晚于本年其他公开信息发布的一条公示。\n", encoding="utf-8")
    after, _ = load_records(tmp_path / "records")
    renumbered = serial_numbers(after)
    assert last.isoformat() < "2026-11-30"
    assert {k: v for k, v in renumbered.items() if k != ("credit_notice", "cn-2026-99")} == numbers
    this_year = [v for (kind, rid), v in numbers.items()
                 if _published(before, kind, rid).year == 2026]
    assert renumbered[("credit_notice", "cn-2026-99")] == f"{len(this_year) + 1:05d}"
    # the same records give the same numbers, and each year counts from 00001 in date order
    assert serial_numbers(after) == renumbered
    for year in {_published(after, k, i).year for k, i in renumbered}:
        ordered = sorted((k for k in renumbered if _published(after, *k).year == year),
                         key=lambda k: renumbered[k])
        assert [renumbered[k] for k in ordered] == [f"{n:05d}" for n in range(1, len(ordered) + 1)]
        days = [_published(after, *k) for k in ordered]
        assert days == sorted(days)


def _published(records: Records, kind: str, record_id: str) -> dt.date:
    record = records.get(record_id, (kind,))
    return record.entered_on if kind == "list_entry" else record.published_on


def test_the_index_number_starts_with_the_bureaus_uscc_when_the_records_give_it(
        example: Path, tmp_path: Path) -> None:
    shutil.copytree(example / "records", tmp_path / "records")
    loaded, _ = load_records(tmp_path / "records")
    assert bureau_code(loaded.jurisdiction) == loaded.jurisdiction.division_code
    path = tmp_path / "records/jurisdiction.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\ndivision_code:", "\nuscc: 11211324MB0123456X\ndivision_code:",
                                 1), encoding="utf-8")
    with_uscc, problems = load_records(tmp_path / "records")
    assert not [p for p in problems if "uscc" in str(p)]
    assert bureau_code(with_uscc.jurisdiction) == "11211324MB0123456X"
    assert all(m["index_number"].startswith("11211324MB0123456X/")
               for m in metadata(with_uscc).values())
