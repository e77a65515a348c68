"""The oversight site (generator.federation.site): the example county mirrored as two members,
one honest (its draws stamped again in time and witnessed before their rounds) and one with a
tampered result.json, verified from the mirror alone, then built; and verdicts made by hand where
a page needs a case the mirror does not give (a status that changes, a rewrite, a fetch that
failed).

Each page says what it must (the marks, every check of every draw, both members' lists, the
witness log with openssl commands whose files are in the output and verify), the feeds parse,
every internal link resolves, the headings and landmarks are in order, two builds are
byte-identical, and at 375 px no page scrolls sideways and axe-core finds nothing.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shlex
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from generator.federation import mirror, witness
from generator.federation.config import Federation
from generator.federation.history import draw_anchor
from generator.federation.mirror import Flag, State
from generator.federation.site import build_federation_site
from generator.federation.verify import MIRROR, MemberVerdict, Rewrite, as_json, verify_federation
from generator.records.timing import package_source_times
from generator.site.build import BuildRefused
from tests.browser import open_page, run_axe, screenshot, serve_site
from tests.sitecheck import REPO, Site, records_of, table_captioned
from tests.sitecheck import shown as sitecheck_shown
# `example` is a fixture: the example county's published files, built once for the module
from tests.test_federate_verify import (EXAMPLE_ROOT, NOW, changed, commitment_of, example,
                                        load, publish, root_of, write_federation)
from tests.tsa_authority import make_authority

HONEST, TAMPERED = "211324", "211322"
SEEN = dt.datetime(2020, 7, 1, tzinfo=dt.timezone.utc)  # weeks before the example's first round
TODAY = dt.date(2026, 12, 7)
PLANS = ("2025-01", "2025-02", "2026-01", "2026-02")
ATOM = "{http://www.w3.org/2005/Atom}"


@dataclasses.dataclass(frozen=True)
class Oversight:
    root: Path  # the federation repository
    federation: Federation
    verdicts: list[MemberVerdict]
    out: Path  # the site built from them

    @property
    def site(self) -> Site:
        return Site(self.out)


def stamped_again(files: dict[str, bytes], authority: Any) -> tuple[dict[str, bytes], Any]:
    """`files` with each draw stamped again by `authority` two days before its first source,
    and the edit that lists the new tokens in the manifest."""
    extra = {"timestamp-authorities/local.pem": authority.chain_pem}
    for plan in PLANS:
        first = min(package_source_times(json.loads(files[f"draws/{plan}/package.json"])))
        extra[f"draws/{plan}/timestamp-local.tsr"] = authority.reply(
            digest=bytes.fromhex(commitment_of(files, plan)),
            gen_time=dt.datetime.fromtimestamp(first, dt.timezone.utc) - dt.timedelta(hours=48))

    def list_tokens(document: dict[str, Any]) -> None:
        for draw in document["draws"]:
            token = f"draws/{draw['plan']}/timestamp-local.tsr"
            draw["tokens"].append(token)
            draw["files"].append(token)
    return {**files, **extra}, list_tokens


@pytest.fixture(scope="module")
def oversight(example: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory) -> Oversight:
    base = tmp_path_factory.mktemp("oversight")
    root = base / "fed"
    root.mkdir()
    fed_tsa = make_authority(base / "fedtsa", valid_from=SEEN - dt.timedelta(days=1))
    member_tsa = make_authority(base / "membertsa", valid_from=SEEN - dt.timedelta(days=1))
    honest, list_tokens = stamped_again(example, member_tsa)
    publish(root / MIRROR, HONEST, honest, list_tokens)
    publish(root / MIRROR, TAMPERED, changed(example, "draws/2025-01/result.json",
                                             lambda result: {**result, "seed": "0" * 64}))
    for code in (HONEST, TAMPERED):
        mirror.write_state(root / MIRROR, code, State(last_good="2026-12-07T01:00:00Z",
                                                      last_attempt="2026-12-07T01:00:00Z"))
    write_federation(root, [(HONEST, [EXAMPLE_ROOT, root_of(member_tsa)]),
                            (TAMPERED, [EXAMPLE_ROOT])], fed_tsa, "https://tsa.example.invalid/")
    federation = load(root)
    # every commitment of both members seen weeks before its round, the run stamped then
    run = witness.record_run(root, federation.division_code, SEEN, [
        witness.Sighting(code, plan, commitment_of(example, plan))
        for code in (HONEST, TAMPERED) for plan in PLANS], {}, {})
    (root / witness.token_file(run.name, "fedtsa")).write_bytes(
        fed_tsa.reply((root / run.file).read_bytes(), gen_time=SEEN))
    verdicts = verify_federation(root, federation, NOW, jobs=1)
    out = base / "site"
    build_federation_site(root, federation, verdicts, REPO / "site", out, TODAY)
    return Oversight(root, federation, verdicts, out)


def member_rows(site: Site) -> dict[str, dict[str, Any]]:
    table = table_captioned(site.page("index.html"), "各局核验结果")
    return {row["机关"].text(): row for row in records_of(table)}


def marks(element: Any) -> list[tuple[str, str]]:
    """(status class, words) of each mark inside `element`."""
    return [(next(c for c in e.classes if c.startswith("mark-")), e.text())
            for e in element.find_all("span", cls="mark")]


def test_the_home_page_marks_the_tampered_member_red_and_the_honest_one_green(
        oversight: Oversight) -> None:
    honest, tampered = (v for v in oversight.verdicts)
    assert honest.status == "pass", [(d.plan, d.checks) for d in honest.draws]
    assert tampered.status == "fail"
    rows = member_rows(oversight.site)
    assert list(rows) == ["成员211324司法局", "成员211322司法局"]
    good, bad = rows["成员211324司法局"], rows["成员211322司法局"]
    assert marks(good["状态"]) == [("mark-pass", "✓ 合格")]
    assert marks(bad["状态"]) == [("mark-fail", "✗ 不合格")]
    # its result.json, and the example's own late tokens (the honest member's were stamped again)
    assert "4次抽取核验不通过" in bad["状态"].text()
    assert (bad["抽取不通过"].text(), good["抽取不通过"].text()) == ("4 / 4", "0 / 4")
    assert good["区划代码"].text() == HONEST and good["改写的记录"].text() == "0"
    assert good["最近成功抓取"].text() == "2026年12月7日 09:00:00 北京时间"
    assert good["机关"].one("a").get("href") == f"members/m{HONEST}.html"


def test_a_member_page_lists_every_check_of_every_draw(oversight: Oversight) -> None:
    tampered = oversight.verdicts[1]
    page = oversight.site.page(f"members/m{TAMPERED}.html")
    for draw in tampered.draws:
        section = page.one(id_=draw_anchor(draw.plan)).section()
        table = table_captioned(section, f"计划{draw.plan}的各项核验")
        shown = [(r["核验项"].text(), *marks(r["结果与说明"])[0], r["结果与说明"].text())
                 for r in records_of(table)]
        words = {"pass": "✓ 通过", "incomplete": "? 待核", "fail": "✗ 不通过"}
        assert [(status, said) for _, status, _, said in shown] == [
            (f"mark-{c.status}", sitecheck_shown(f"{words[c.status]} {' '.join(c.message.split())}"))
            for c in draw.checks]
        assert [label for label, *_ in shown] == ["承诺值", "公开随机源", "抽取结果", "可信时间戳",
                                                  "按时冻结", "见证"]
        link = section.find("a", href=f"https://example.org/{TAMPERED}/plans/{draw.plan}.html")
        assert link is not None
    result = table_captioned(page, "计划2025-01的各项核验")
    assert marks(records_of(result)[2]["结果与说明"]) == [("mark-fail", "✗ 不通过")]
    assert "seed" in records_of(result)[2]["结果与说明"].text()


def test_a_member_page_sets_each_sector_against_the_floor(oversight: Oversight,
                                                         example: dict[str, bytes]) -> None:
    page = oversight.site.page(f"members/m{HONEST}.html")
    assert [h.text() for h in page.one(id_="reports").section().find_all("h3")] == \
        ["2026年", "2025年"]
    report = json.loads(example["report/2026.json"])
    rows = records_of(table_captioned(page, "2026年各行业随机抽查与方案下限"))
    assert [r["行业"].text() for r in rows] == [row["name"] for row in report["rows"]]
    law = rows[0]
    first = report["rows"][0]
    assert law["抽查次数（实际 / 下限）"].text() == f"{first['rounds']} / {first['floor_per_year']}"
    assert law["每次最少家数（实际 / 下限）"].text() == \
        f"{first['smallest_round']} / {first['floor_min_targets']}"
    assert marks(law["对照下限"]) == [("mark-pass", "✓ 达到下限")]
    assert law["低于下限的理由"].text() == "—"
    # the irregularity the county disclosed in 2026: its own word on publishing on time
    said = page.one(id_="year-2026").following_until("h3")
    assert any("可信时间戳缺失或晚于规定" in e.text() for e in said if not isinstance(e, str))
    assert "没有发现被改写或删除的已公开记录" in page.one(id_="rewrites").section().text()


def test_the_lists_page_holds_both_members_entries_newest_first(oversight: Oversight,
                                                               example: dict[str, bytes]) -> None:
    page = oversight.site.page("lists.html")
    entries = records_of(table_captioned(page, "各局的名录记录"))
    count = len(json.loads(example["data/list-entries.json"]))
    assert len(entries) == 2 * count
    assert {r["公布机关"].text() for r in entries} == {"成员211324司法局", "成员211322司法局"}
    dates = [r["列入日期"].one("time").get("datetime") for r in entries]
    assert dates == sorted(dates, reverse=True)
    institutions = {i["id"]: i["name"] for i in json.loads(example["data/institutions.json"])}
    entry = json.loads(example["data/list-entries.json"])[0]
    assert any(r["机构"].text().startswith(institutions[entry["institution"]]) for r in entries)
    assert entries[0]["原公示"].one("a").get("href").startswith("https://example.org/")
    notices = records_of(table_captioned(page, "各局的信用平台公示"))
    assert {r["公布机关"].text() for r in notices} == {"成员211324司法局", "成员211322司法局"}


def test_the_witness_page_gives_commands_that_check_the_published_files(
        oversight: Oversight) -> None:
    site = oversight.site
    page = site.page("witness.html")
    log = records_of(table_captioned(page, "首次看到的承诺值"))
    assert len(log) == 2 * len(PLANS)
    assert {r["机关"].text() for r in log} == {"成员211324司法局", "成员211322司法局"}
    assert log[0]["首次看到"].text() == "2020年7月1日 08:00:00 北京时间"
    commands = [c.text() for c in page.find_all("code", cls="command")]
    verify = [c for c in commands if c.startswith("openssl ts -verify")]
    assert len(verify) == 1
    words = shlex.split(verify[0])
    files = [words[words.index(flag) + 1] for flag in ("-in", "-data", "-CAfile")]
    assert files[0].startswith("witness/runs/") and files[0].endswith("-fedtsa.tsr")
    assert files[2] == "timestamp-authorities/fedtsa.pem"
    for path in files:
        assert (oversight.out / path).is_file(), path
    assert (oversight.out / "witness/log.jsonl").read_bytes() == \
        (oversight.root / "witness/log.jsonl").read_bytes()
    text = page.one(id_="check").section().text()
    assert "时间戳命令能证明的" in text and "不能证明的" in text
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    for command in commands:
        run = subprocess.run(shlex.split(command), cwd=oversight.out, capture_output=True,
                             text=True, check=False)
        expect = command.startswith("openssl ts") and "Verification: OK" or "Fingerprint="
        assert expect in run.stdout + run.stderr, (command, run.stdout, run.stderr)


def test_the_feeds_parse_and_carry_each_failure(oversight: Oversight) -> None:
    feeds = {path: ET.parse(oversight.out / path).getroot()
             for path in ("feed.xml", f"members/m{HONEST}.xml", f"members/m{TAMPERED}.xml")}
    titles = {path: [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
              for path, root in feeds.items()}
    assert titles[f"members/m{HONEST}.xml"] == ["核验状态：成员211324司法局：合格"]
    assert "抽取核验不通过：成员211322司法局 计划 2025-01：抽取结果不通过" in \
        titles[f"members/m{TAMPERED}.xml"]
    assert sorted(titles["feed.xml"]) == sorted(titles[f"members/m{HONEST}.xml"]
                                                + titles[f"members/m{TAMPERED}.xml"])
    ids = [e.findtext(f"{ATOM}id") for e in feeds["feed.xml"].iter(f"{ATOM}entry")]
    assert len(set(ids)) == len(ids) and all(i.startswith("tag:211300.ssj,2026-12-07:")
                                             for i in ids)
    page = oversight.site.page(f"members/m{TAMPERED}.html")
    assert page.find("link", rel="alternate", href=f"m{TAMPERED}.xml") is not None


def test_the_verdicts_are_published_as_verify_gives_them(oversight: Oversight) -> None:
    assert (oversight.out / "data/verdicts.json").read_bytes() == as_json(oversight.verdicts)
    assert json.loads((oversight.out / "index.json").read_bytes())[0]["status"] == "pass"


def test_every_internal_link_resolves_and_every_page_is_reached(oversight: Oversight) -> None:
    site = oversight.site
    reached, broken = site.crawl()
    assert broken == []
    assert set(site.html_pages()) <= reached
    assert "static/style.css" in reached and "data/verdicts.json" in reached


def test_pages_have_landmarks_and_headings_in_order(oversight: Oversight) -> None:
    site = oversight.site
    for path in site.html_pages():
        page = site.page(path)
        assert page.one("html").get("lang") == "zh-CN", path
        assert page.find("main") is not None and page.find("footer") is not None, path
        assert page.find("nav", **{"aria-label": "主导航"}) is not None, path
        levels = [int(h.tag[1]) for h in page.one("main").iter() if h.tag in
                  ("h1", "h2", "h3", "h4")]
        assert levels[0] == 1 and levels.count(1) == 1, path
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), (path, levels)


def test_two_builds_are_byte_identical(oversight: Oversight, tmp_path: Path) -> None:
    again = tmp_path / "again"
    build_federation_site(oversight.root, oversight.federation, oversight.verdicts,
                          REPO / "site", again, TODAY)
    files = oversight.site.files()
    assert Site(again).files() == files
    assert [f for f in files if (again / f).read_bytes() != (oversight.out / f).read_bytes()] == []
    # a day later, nothing new: each event keeps its day, in the repository and on the site
    kept = oversight.root / MIRROR / "members" / HONEST / "history.json"
    before = kept.read_bytes()
    build_federation_site(oversight.root, oversight.federation, oversight.verdicts,
                          REPO / "site", again, TODAY + dt.timedelta(days=1))
    assert kept.read_bytes() == before
    assert (again / "data/history.json").read_bytes() == \
        (oversight.out / "data/history.json").read_bytes()


def own_copy(oversight: Oversight, tmp_path: Path) -> Path:
    """The federation repository copied, for a test that adds to its members' histories."""
    return Path(shutil.copytree(oversight.root, tmp_path / "fed"))


def test_a_change_of_status_a_rewrite_and_a_failed_fetch_are_dated_when_first_seen(
        oversight: Oversight, tmp_path: Path) -> None:
    root, out = own_copy(oversight, tmp_path), tmp_path / "site"
    later = dataclasses.replace(
        oversight.verdicts[0], fetch_status="kept-last-good",
        flags=(Flag("unreachable", "data/manifest.json", "连接超时"),),
        rewrites=(Rewrite("findings", "2025-01-02", "changed", "检查结果 2025-01-02 的公开内容与 "
                          "2026-12-07 首次见到的不同：已公开的记录被改写"),))
    next_day = TODAY + dt.timedelta(days=1)
    build_federation_site(root, oversight.federation, [later], REPO / "site", out, next_day)
    site = Site(out)
    row = member_rows(site)["成员211324司法局"]
    assert marks(row["状态"]) == [("mark-fail", "✗ 不合格")]
    assert "最近一次抓取失败：连接超时" in row["状态"].text()
    page = site.page(f"members/m{HONEST}.html")
    rewrites = records_of(table_captioned(page, "被改写或删除的已公开记录"))
    assert [(r["编号"].text(), marks(r["结果与说明"])) for r in rewrites] == [
        ("2025-01-02", [("mark-fail", "✗ 被改写")])]
    assert marks(page.one(id_="fetch").section()) == [("mark-fail", "✗ 抓取失败")]
    feed = ET.parse(out / f"members/m{HONEST}.xml").getroot()
    entries = [(e.findtext(f"{ATOM}updated")[:10], e.findtext(f"{ATOM}title"))
               for e in feed.iter(f"{ATOM}entry")]
    assert entries == [
        ("2026-12-08", "改写已公开记录：成员211324司法局：检查结果 2025-01-02 被改写"),
        ("2026-12-08", "核验状态：成员211324司法局：不合格"),
        ("2026-12-07", "核验状态：成员211324司法局：合格")]
    # the same again a day later: each event keeps its first day
    build_federation_site(root, oversight.federation, [later], REPO / "site", out,
                          next_day + dt.timedelta(days=1))
    assert ET.parse(out / f"members/m{HONEST}.xml").getroot().findtext(f"{ATOM}updated") == \
        "2026-12-08T00:00:00+08:00"


def test_a_history_this_site_did_not_write_is_refused(oversight: Oversight,
                                                      tmp_path: Path) -> None:
    root, out = own_copy(oversight, tmp_path), tmp_path / "site"
    (root / MIRROR / "members" / HONEST / "history.json").write_text("{}", encoding="utf-8")
    with pytest.raises(BuildRefused, match="history.json"):
        build_federation_site(root, oversight.federation, oversight.verdicts, REPO / "site", out,
                              TODAY)
    assert not out.exists()


OVERFLOW = "() => [document.documentElement.scrollWidth, innerWidth]"
SHOTS = {"index.html": "federation-index-375", f"members/m{TAMPERED}.html": "federation-member-375"}


def test_every_page_fits_a_phone_and_passes_axe(oversight: Oversight, browser: Any) -> None:
    """At 375 px no page scrolls sideways (wide tables scroll in their own box) and axe-core
    finds no WCAG 2.1 A/AA violation; the home page and a member page are screenshot."""
    with serve_site(oversight.out) as served:
        for path in oversight.site.html_pages():
            with open_page(browser, served, "/" + path, width=375, height=800) as opened:
                width, screen = opened.page.evaluate(OVERFLOW)
                assert width <= screen, (path, width)
                assert run_axe(opened.page, ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]) == [], \
                    path
                assert opened.errors == [], path
                if path in SHOTS:
                    screenshot(opened.page, SHOTS[path])
        assert served.outside == []
