"""Issue 22's scenarios end to end: member sites served on 127.0.0.1, fetched through the real
HTTP client by `ssj federate fetch`, re-verified and built by `ssj federate build`. A member
with a tampered draw, one that rewrites a published finding between two fetches, an unreachable
one, one whose file does not match its manifest, and one whose commitments first appear after
their rounds are each marked red on the oversight site, with the reason; the honest member
(stamped in time, witnessed weeks before its rounds) is green."""
from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from generator.federation import witness
from tests.records_tree import run_ssj, write_tree
from tests.test_federate_build import SEEN, stamped_again
# `example` is a fixture: the example county's published files, built once for the module
from tests.test_federate_verify import (EXAMPLE_ROOT, changed, commitment_of, example, load,
                                        manifest_of, root_of, write_federation)
from tests.browser import EXAMPLE_ENV
from tests.localhost import closed_url, local_server
from tests.sitecheck import Site, build_site, copy_example, records_of, table_captioned
from tests.test_draw_witness import pin_witness, witness_entry
from tests.tsa_authority import Authority, make_authority, serve

HONEST, TAMPERED, REWRITER, UNREACHABLE, MISMATCH, LATE, FORGER = (
    "211324", "211322", "211321", "211381", "211303", "211302", "211382")
FORGED = "draws/2025-01/witness-city/run.json"
PLANS = ("2025-01", "2025-02", "2026-01", "2026-02")


def put_site(folder: Path, code: str, files: dict[str, bytes], edit: Any = None,
             served: dict[str, bytes] | None = None) -> None:
    """Publish `files` as the member `code`'s site in `folder`, its manifest describing them
    (`served`: bytes actually served in place of some files, as a broken site would)."""
    kwargs = {"edit": edit} if edit else {}
    write_tree(folder / code, {**files, **(served or {}),
                               "data/manifest.json": manifest_of(code, files, **kwargs)})


def handler(folder: Path):  # type: ignore[no-untyped-def]
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass
    return functools.partial(Quiet, directory=str(folder))


@dataclass(frozen=True)
class Scenario:
    site: Site  # the oversight site built
    fed_tsa: Authority  # the federation's pinned authority


@pytest.fixture(scope="module")
def scenario(example: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    base = tmp_path_factory.mktemp("scenarios")
    sites, root = base / "sites", base / "fed"
    fed_tsa = make_authority(base / "fedtsa", valid_from=SEEN - dt.timedelta(days=1))
    member_tsa = make_authority(base / "membertsa", valid_from=SEEN - dt.timedelta(days=1))
    honest, list_tokens = stamped_again(example, member_tsa)
    put_site(sites, HONEST, honest, list_tokens)
    put_site(sites, REWRITER, honest, list_tokens)
    put_site(sites, LATE, honest, list_tokens)
    put_site(sites, TAMPERED, changed(honest, "draws/2025-01/result.json",
                                      lambda result: {**result, "seed": "0" * 64}), list_tokens)
    # its manifest names findings no other member has; it serves other bytes under that name
    # (a file the mirror already holds by its hash is never asked for again, whoever lists it)
    listed = changed(honest, "data/findings.json", lambda findings: findings[:1])
    put_site(sites, MISMATCH, listed, list_tokens,
             served={"data/findings.json": honest["data/findings.json"]})
    # a record "of" the witness's first sight, written by the member itself: a public
    # authority's token would prove when it existed, never that the witness wrote it
    forged = json.dumps({"format": witness.RUN_FORMAT, "federation": "211300",
                         "run": witness.run_name(SEEN), "fetched_at": "2020-07-01T00:00:00Z",
                         "members": {}, "first_seen": []}).encode()

    def list_forged(document: dict[str, Any]) -> None:
        list_tokens(document)
        next(d for d in document["draws"] if d["plan"] == "2025-01")["files"].append(FORGED)
    put_site(sites, FORGER, {**honest, FORGED: forged}, list_forged)
    roots = [EXAMPLE_ROOT, root_of(member_tsa)]
    with local_server(handler(sites)) as url, serve(fed_tsa) as tsa:
        root.mkdir()
        write_federation(root, [(code, roots) for code in
                                (HONEST, TAMPERED, REWRITER, UNREACHABLE, MISMATCH, LATE,
                                 FORGER)],
                         fed_tsa, tsa)
        members = (root / "members.yaml").read_text(encoding="utf-8")
        for code in (HONEST, TAMPERED, REWRITER, MISMATCH, LATE, FORGER):
            members = members.replace(f"https://example.org/{code}/", f"{url}/{code}/")
        members = members.replace(f"https://example.org/{UNREACHABLE}/",
                                  closed_url(f"/{UNREACHABLE}/"))
        (root / "members.yaml").write_text(members, encoding="utf-8")
        # all but LATE's commitments seen weeks before their rounds, that run stamped then
        federation = load(root)
        run = witness.record_run(root, federation.division_code, SEEN, [
            witness.Sighting(code, plan, commitment_of(example, plan))
            for code in (HONEST, TAMPERED, REWRITER, MISMATCH, FORGER) for plan in PLANS], {}, {})
        (root / witness.token_file(run.name, "fedtsa")).write_bytes(
            fed_tsa.reply((root / run.file).read_bytes(), gen_time=SEEN))
        first = run_ssj(root, "federate", "fetch", "--timeout", "5")
        assert first.exit_code == 0 and "Traceback" not in first.output, first.output
        assert run_ssj(root, "federate", "verify", "--jobs", "1").exit_code == 1
        # between two fetches, REWRITER changes a finding it had published
        rewritten = changed(honest, "data/findings.json", lambda findings: [
            {**f, "result": f["result"] + "（已改写）"} if i == 0 else f
            for i, f in enumerate(findings)])
        put_site(sites, REWRITER, rewritten, list_tokens)
        second = run_ssj(root, "federate", "fetch", "--timeout", "5")
        assert second.exit_code == 0, second.output
    built = run_ssj(root, "federate", "build", "--out", str(base / "site"), "--jobs", "1")
    assert built.exit_code == 0 and "Traceback" not in built.output, built.output
    return Scenario(Site(base / "site"), fed_tsa)


@pytest.fixture(scope="module")
def oversight(scenario: Scenario) -> Site:
    return scenario.site


def rows(site: Site) -> dict[str, Any]:
    table = table_captioned(site.page("index.html"), "各局核验结果")
    return {row["区划代码"].text(): row for row in records_of(table)}


def test_the_honest_member_is_green(oversight: Site) -> None:
    status = rows(oversight)[HONEST]["状态"].text()
    assert "合格" in status and "不合格" not in status and "待核" not in status, status


@pytest.mark.parametrize("code, why", [
    (TAMPERED, "result.json"),
    (REWRITER, "已公开的记录被改写"),
    (UNREACHABLE, ""),
    (MISMATCH, "data/findings.json"),
    (LATE, "公开晚/未经见证"),
    (FORGER, f"该站公布的 {FORGED} 以本见证机关的名义写成，却不是本机关的见证记录"),
], ids=["tampered-draw", "rewrote-a-finding", "unreachable", "file-not-as-manifest",
        "first-seen-after-its-round", "forged-witness-record"])
def test_each_misbehaving_member_is_red_with_its_reason(oversight: Site, code: str,
                                                        why: str) -> None:
    status = rows(oversight)[code]["状态"].text()
    assert "不合格" in status, status
    page = oversight.page(f"members/m{code}.html").text()
    assert why in page, page[:2000]


def test_a_draw_has_a_witness_page_where_the_county_links(oversight: Site) -> None:
    """A county lists <oversight site>/members/<id>/ as its witness: its plan page's link, the
    witness's URL followed by plans/<plan>.html, lands on this draw's witness record."""
    text = oversight.page(f"members/m{HONEST}/plans/2025-01.html").text()
    assert "见证机关于2020年7月1日" in text and "首次看到承诺值" in text
    late = oversight.page(f"members/m{LATE}/plans/2025-01.html").text()
    assert "公开晚/未经见证" in late


def test_a_county_takes_its_witness_record_home_and_its_plan_page_says_so(
        scenario: Scenario, tmp_path: Path) -> None:
    """`ssj draw witness` fetches the honest county's record from the oversight site as built,
    checks it as `ssj check` will and writes it beside the draw; the plan page then says when
    the city first saw the commitment. A witness with no page for the draw is a failure that
    writes nothing."""
    county = copy_example(tmp_path)
    record = county / "records/draws/2025-01/witness-chaoyang"
    jurisdiction = county / "records/jurisdiction.yaml"
    original = jurisdiction.read_text(encoding="utf-8")
    with local_server(handler(scenario.site.root)) as url:
        def witnessed_as(member: str) -> None:
            jurisdiction.write_text(original, encoding="utf-8")
            pin_witness(county, witness_entry(scenario.fed_tsa, f"{url}/members/m{member}/")
                        .replace("city-tsa", "fedtsa"))
        witnessed_as(UNREACHABLE)  # never fetched: the oversight site has no page for its draws
        missing = run_ssj(county, "draw", "witness", "2025-01")
        witnessed_as(HONEST)
        taken = run_ssj(county, "draw", "witness", "2025-01")
        again = run_ssj(county, "draw", "witness", "2025-01")
    assert missing.exit_code == 1 and "HTTP 404" in missing.output, missing.output
    assert taken.exit_code == 0 and "已写入 records/draws/2025-01/witness-chaoyang" in taken.output, \
        taken.output
    assert again.exit_code == 0 and "已有见证记录" in again.output, again.output
    assert sorted(p.name for p in record.iterdir()) == ["run.json", "timestamp-fedtsa.tsr"]
    checked = run_ssj(county, "check")
    assert checked.exit_code == 0 and "draw.witness" not in checked.output, checked.output
    built = build_site(county, county / "out", env=EXAMPLE_ENV)
    assert built.exit_code == 0, built.output
    told = (county / "out/plans/2025-01.html").read_text(encoding="utf-8").split("见证：")[1]
    assert "朝阳市司法局</a>于" in told and "2020年7月1日" in told and "首次看到该承诺值" in told
