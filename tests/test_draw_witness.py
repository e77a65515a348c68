"""Issue 22, the county side: a witness's record of first seeing a draw's commitment, kept in
records/draws/<plan>/witness-<id>/, is verified by `ssj check` against the chain pinned for that
witness and shown on the plan page ("见证：某市司法局于 … 首次看到该承诺值"); every record that
proves nothing is refused with its file, and a record showing the commitment seen too late is
reported as late publication."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from generator.federation import witness
from tests.browser import EXAMPLE_ENV
from tests.records_tree import run_ssj
from tests.sitecheck import build_site, copy_example, plain
from tests.timeline import authority_lines, root_fingerprint
from tests.tsa_authority import Authority, make_authority

PLAN = "2025-01"
ROUND_1000 = dt.datetime(2023, 8, 23, 15, 59, 24, tzinfo=dt.timezone.utc)  # the plan's round
EARLY = ROUND_1000 - dt.timedelta(days=3)
CITY = "211300"
FOLDER = f"records/draws/{PLAN}/witness-chaoyang"


def witness_entry(authority: Authority, url: str = "https://witness.example.org/members/m211324/",
                  code: str = CITY) -> str:
    pins = authority_lines("city-tsa", "市局时间戳", authority.chain_pem, root_fingerprint(authority))
    return ("witnesses:\n  - id: chaoyang\n    name: 朝阳市司法局\n"
            f"    division_code: \"{code}\"\n    url: {url}\n    timestamp_authorities:\n"
            + "".join(f"    {line}\n" if line else "\n" for line in pins))


def pin_witness(root: Path, entry: str) -> None:
    path = root / "records/jurisdiction.yaml"
    path.write_text(path.read_text(encoding="utf-8") + entry, encoding="utf-8")


def run_file(tmp: Path, commitment: str, when: dt.datetime, code: str = CITY,
             member: str = "211324", plan: str = PLAN) -> bytes:
    """What a federation's fetch run writes when it first sees `commitment`."""
    tmp.mkdir(parents=True, exist_ok=True)
    run = witness.record_run(tmp, code, when, [witness.Sighting(member, plan, commitment)], {}, {})
    return (tmp / run.file).read_bytes()


@pytest.fixture(scope="module")
def city_tsa(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    return make_authority(tmp_path_factory.mktemp("citytsa"), valid_from=EARLY - dt.timedelta(days=30))


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory, city_tsa: Authority) -> Path:
    """The example county pinning the city as its witness, with no witness record yet."""
    root = copy_example(tmp_path_factory.mktemp("county"))
    pin_witness(root, witness_entry(city_tsa))
    return root


def commitment(root: Path, plan: str = PLAN) -> str:
    return (root / f"records/draws/{plan}/commitment.txt").read_text().strip()


def with_record(county: Path, tmp_path: Path, files: dict[str, bytes]) -> Path:
    root = tmp_path / "county"
    shutil.copytree(county, root)
    for name, data in files.items():
        (root / FOLDER / name).parent.mkdir(parents=True, exist_ok=True)
        (root / FOLDER / name).write_bytes(data)
    return root


def honest(county: Path, tmp_path: Path, tsa: Authority, when: dt.datetime = EARLY
           ) -> dict[str, bytes]:
    run = run_file(tmp_path / "fed", commitment(county), when)
    return {"run.json": run, "timestamp-city-tsa.tsr": tsa.reply(run, gen_time=when)}


def test_a_witness_record_is_verified_and_told_on_the_plan_page(county: Path, tmp_path: Path,
                                                                city_tsa: Authority) -> None:
    root = with_record(county, tmp_path, honest(county, tmp_path, city_tsa))
    checked = run_ssj(root, "check")
    assert checked.exit_code == 0, checked.output
    assert "draw.witness" not in checked.output
    built = build_site(root, root / "out", env=EXAMPLE_ENV)
    assert built.exit_code == 0, built.output
    page = (root / "out/plans/2025-01.html").read_text(encoding="utf-8")
    assert "见证：" in page and "朝阳市司法局</a>于" in page and "首次看到该承诺值" in page
    assert "2023年8月20日" in page and "比首个随机源早3.0天" in plain(page)
    assert "不足规定" not in page.split("见证：")[1].split("</p>")[0]
    # the record is published beside the draw, and the page links each file of it
    for name in ("run.json", "timestamp-city-tsa.tsr"):
        assert (root / "out/draws/2025-01/witness-chaoyang" / name).is_file()
        assert f"witness-chaoyang/{name}" in page
    # the other plans have no record: nothing is claimed for them
    assert "见证：" not in (root / "out/plans/2025-02.html").read_text(encoding="utf-8")


def test_a_record_seen_after_the_round_is_late_publication(county: Path, tmp_path: Path,
                                                           city_tsa: Authority) -> None:
    late = ROUND_1000 + dt.timedelta(hours=2)
    root = with_record(county, tmp_path, honest(county, tmp_path, city_tsa, late))
    checked = run_ssj(root, "check")
    # example data: a past fault is a notice, with the same words a real bureau gets as an error
    (line,) = [x for x in checked.output.splitlines() if "draw.witness-late" in x]
    assert "朝阳市司法局首次看到承诺值" in line and "晚于规定" in line and "run.json" in line
    built = build_site(root, root / "out", env=EXAMPLE_ENV)
    assert built.exit_code == 0, built.output
    page = (root / "out/plans/2025-01.html").read_text(encoding="utf-8")
    told = page.split("见证：")[1].split("</p>")[0]
    assert "比首个随机源晚2.0小时" in plain(told) and "外部见证表明抽取包公开得晚" in told


def _other_commitment(county, tmp_path, tsa):  # type: ignore[no-untyped-def]
    run = run_file(tmp_path / "fed", "0" * 64, EARLY)
    return {"run.json": run, "timestamp-city-tsa.tsr": tsa.reply(run, gen_time=EARLY)}


def _edited_after_stamping(county, tmp_path, tsa):  # type: ignore[no-untyped-def]
    files = honest(county, tmp_path, tsa)
    data = json.loads(files["run.json"])
    data["fetched_at"] = "2023-08-10T00:00:00Z"
    return {**files, "run.json": json.dumps(data).encode()}


def _unpinned_authority(county, tmp_path, tsa):  # type: ignore[no-untyped-def]
    files = honest(county, tmp_path, tsa)
    return {"run.json": files["run.json"], "timestamp-freetsa.tsr": files["timestamp-city-tsa.tsr"]}


def _another_federation(county, tmp_path, tsa):  # type: ignore[no-untyped-def]
    # a run file "written" under another code, stamped by a public authority: a token proves
    # when, not who, so the run must name the witness pinned
    run = run_file(tmp_path / "fed", commitment(county), EARLY, code="211400")
    return {"run.json": run, "timestamp-city-tsa.tsr": tsa.reply(run, gen_time=EARLY)}


def _another_member(county, tmp_path, tsa):  # type: ignore[no-untyped-def]
    run = run_file(tmp_path / "fed", commitment(county), EARLY, member="211322")
    return {"run.json": run, "timestamp-city-tsa.tsr": tsa.reply(run, gen_time=EARLY)}


def _no_token(county, tmp_path, tsa):  # type: ignore[no-untyped-def]
    return {"run.json": honest(county, tmp_path, tsa)["run.json"]}


def _malformed(county, tmp_path, tsa):  # type: ignore[no-untyped-def]
    files = honest(county, tmp_path, tsa)
    return {**files, "run.json": b'{\n "format": "ssj-witness-run/1",\n "run": \n}\n'}


def _stray(county, tmp_path, tsa):  # type: ignore[no-untyped-def]
    return {**honest(county, tmp_path, tsa), "notes.txt": b"seen\n"}


@pytest.mark.parametrize("make, file, words", [
    (_other_commitment, "run.json", "没有首次看到本局（211324）计划 2025-01 的承诺值"),
    (_edited_after_stamping, "timestamp-city-tsa.tsr", "见证记录的时间戳无效"),
    (_unpinned_authority, "timestamp-freetsa.tsr", "时间戳机构 freetsa 未在 jurisdiction.yaml 中为见证机关"),
    (_another_federation, "run.json", "不是 jurisdiction.yaml 中该见证机关（211300）的"),
    (_another_member, "run.json", "没有首次看到本局（211324）"),
    (_no_token, "", "见证记录没有时间戳"),
    (_malformed, "run.json:4", ""),
    (_stray, "notes.txt", "见证目录只含 run.json 和 timestamp-<时间戳机构>.tsr"),
], ids=["another-commitment", "edited-after-stamping", "unpinned-authority",
        "another-federation", "another-member", "no-token", "malformed-json", "stray-file"])
def test_a_record_that_proves_nothing_is_refused_with_its_file(
        county: Path, tmp_path: Path, city_tsa: Authority, make, file: str, words: str) -> None:  # type: ignore[no-untyped-def]
    root = with_record(county, tmp_path, make(county, tmp_path, city_tsa))
    before = {p: p.read_bytes() for p in (root / FOLDER).iterdir()}
    checked = run_ssj(root, "check")
    assert checked.exit_code == 1 and "Traceback" not in checked.output, checked.output
    errors = [x for x in checked.output.splitlines() if " 错误 " in x]
    assert len(errors) == 1, checked.output
    assert f"{FOLDER}/{file}".rstrip("/") in errors[0] and words in errors[0], errors[0]
    assert {p: p.read_bytes() for p in (root / FOLDER).iterdir()} == before  # nothing touched


def test_a_folder_for_a_witness_not_listed_is_refused(county: Path, tmp_path: Path,
                                                      city_tsa: Authority) -> None:
    root = with_record(county, tmp_path, honest(county, tmp_path, city_tsa))
    (root / FOLDER).rename(root / f"records/draws/{PLAN}/witness-beijing")
    checked = run_ssj(root, "check")
    assert checked.exit_code == 1, checked.output
    (line,) = [x for x in checked.output.splitlines() if " 错误 " in x]
    assert "witness-beijing" in line and "未在 jurisdiction.yaml 的 witnesses 中列出" in line
