"""The federation repository (`ssj federate init`, federation.yaml, members.yaml) and its
witness log: each commitment logged once, at the run that first saw it, the run's file
time-stamped by the federation's own pinned authority, and the log never rewritten."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
from pathlib import Path

import pytest
import yaml
from cryptography.hazmat.primitives.serialization import Encoding

from generator.federation import witness
from generator.federation.config import load_federation
from tests.records_tree import run_ssj, write_tree
from tests.test_audit import commit, git
from tests.tools import extras_tool
from tests.tsa_authority import closed_url, make_authority, serve

PINNED = "ssj @ git+https://example.invalid/ssj.git@0123456789abcdef0123456789abcdef01234567"
INIT = ("--name", "某市司法局", "--division-code", "211300", "--requirement", PINNED)
MEMBERS = """\
members:
  - id: kazuo
    name: 喀左县司法局
    division_code: "211324"
    url: http://127.0.0.1:1/kazuo/
  - id: jianping
    name: 建平县司法局
    division_code: "211322"
    url: http://127.0.0.1:1/jianping/
"""
T0 = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def federation(tmp_path: Path) -> Path:
    run = run_ssj(tmp_path, "federate", "init", "fed", *INIT)
    assert run.exit_code == 0, run.output
    root = tmp_path / "fed"
    write_tree(root, {"members.yaml": MEMBERS})
    return root


def pin(root: Path, url: str, tmp_path: Path) -> None:
    """Pin a throwaway authority serving at `url` in federation.yaml."""
    authority = make_authority(tmp_path / "tsa")
    text = (root / "federation.yaml").read_text(encoding="utf-8")
    entry = {"id": "local", "name": "本地测试时间戳", "url": url,
             "chain": authority.chain_pem.decode(), "root_url": "https://example.invalid/root",
             "root_sha256": hashlib.sha256(authority.root.public_bytes(Encoding.DER)).hexdigest()}
    text = text.replace("timestamp_authorities: []\n", yaml.safe_dump(
        {"timestamp_authorities": [entry]}, allow_unicode=True))
    (root / "federation.yaml").write_text(text, encoding="utf-8")
    return authority


def test_init_writes_a_federation_that_passes_its_check(federation: Path) -> None:
    run = run_ssj(federation, "federate", "check")
    assert run.exit_code == 0, run.output
    assert "成员 2" in run.output
    for name in ("federation.yaml", "members.yaml", "README.md", "CODEOWNERS", "requirements.txt",
                 "requirements.lock", ".github/workflows/fetch.yml",
                 ".github/workflows/pull-request.yml", ".github/dependabot.yml"):
        assert (federation / name).is_file(), name
    fetch = yaml.safe_load((federation / ".github/workflows/fetch.yml").read_text("utf-8"))
    crons = [c["cron"] for c in fetch[True]["schedule"]]
    hours = crons[0].split()[1]
    assert hours.startswith("*/") and int(hours[2:]) <= 6, "several times a day"


def test_init_workflows_pass_actionlint_and_zizmor(federation: Path) -> None:
    from tests.test_workflows import zizmor

    actionlint = extras_tool("actionlint")
    flows = sorted((federation / ".github/workflows").glob("*.yml"))
    done = subprocess.run([actionlint, "-no-color", *map(str, flows)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    done = zizmor(federation / ".github")
    assert done.returncode == 0 and "No findings" in done.stdout, done.stdout + done.stderr


def test_init_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    write_tree(tmp_path, {"fed/x": "1\n"})
    run = run_ssj(tmp_path, "federate", "init", "fed", *INIT)
    assert run.exit_code == 1 and run.output.startswith("ssj: 未新建：") and "Traceback" not in run.output
    assert sorted(p.name for p in (tmp_path / "fed").iterdir()) == ["x"]


@pytest.mark.parametrize("members, says", [
    (MEMBERS.replace('"211322"', '"211324"'), "members.yaml:8: 错误 [federation.member] "
                                              "字段 members[2].division_code：211324 与第 1 个成员重复"),
    (MEMBERS.replace("http://127.0.0.1:1/kazuo/", "http://127.0.0.1:1/kazuo"),
     "members.yaml:5: 错误 [load.format]"),
    ("members:\n  - id: x\n", "members.yaml:2: 错误 [load.required]"),
    ("members: [\n", "members.yaml:"),
], ids=["duplicate-code", "url-without-slash", "missing-fields", "broken-yaml"])
def test_a_bad_members_file_is_one_line_with_file_and_line(federation: Path, members: str,
                                                           says: str) -> None:
    write_tree(federation, {"members.yaml": members})
    run = run_ssj(federation, "federate", "check")
    assert run.exit_code == 1 and "Traceback" not in run.output
    assert says in run.output, run.output


def sightings(*items: tuple[str, str, str]) -> list[witness.Sighting]:
    return [witness.Sighting(*item) for item in items]


A = ("211324", "2026-01", "a" * 64)
B = ("211322", "2026-01", "b" * 64)
C = ("211324", "2026-02", "c" * 64)


def test_the_witness_log_records_each_commitment_once_with_a_token(federation: Path,
                                                                   tmp_path: Path) -> None:
    authority = make_authority(tmp_path / "tsa")
    with serve(authority) as url:
        pin(federation, url, tmp_path)
        fed, problems = load_federation(federation)
        assert fed is not None, problems
        first = witness.record_run(federation, fed.division_code, T0, sightings(A, B),
                                   {"211324": {"status": "updated"}}, fed.authorities)
        later = T0 + dt.timedelta(hours=3)
        second = witness.record_run(federation, fed.division_code, later, sightings(A, B, C),
                                    {}, fed.authorities)
    assert [(e.member, e.commitment) for e in first.new] == [("211322", "b" * 64),
                                                            ("211324", "a" * 64)]
    assert [(e.member, e.commitment) for e in second.new] == [("211324", "c" * 64)]
    assert list(first.tokens) == ["local"] and not first.failed
    log = [json.loads(line) for line in (federation / witness.LOG).read_text().splitlines()]
    assert [(e["commitment"][0], e["first_seen"], e["run"]) for e in log] == [
        ("b", "2026-12-07T02:00:00Z", "20261207T020000Z"),
        ("a", "2026-12-07T02:00:00Z", "20261207T020000Z"),
        ("c", "2026-12-07T05:00:00Z", "20261207T050000Z")]
    proven = witness.proven_sightings(federation, fed.authorities)
    entry, stamped = proven["211324", "a" * 64]
    assert entry.run == "20261207T020000Z" and stamped is not None
    assert abs((stamped - dt.datetime.now(dt.timezone.utc)).total_seconds()) < 120
    run_file = json.loads((federation / first.file).read_text())
    assert run_file["members"] == {"211324": {"status": "updated"}}
    assert run_file["first_seen"] == log[:2]


def test_an_unreachable_authority_leaves_the_run_recorded_but_unproven(federation: Path,
                                                                       tmp_path: Path) -> None:
    pin(federation, closed_url(), tmp_path)
    fed, _ = load_federation(federation)
    record = witness.record_run(federation, fed.division_code, T0, sightings(A), {},
                                fed.authorities, timeout=2)
    assert not record.tokens and "local" in record.failed
    assert (federation / record.file).is_file()
    assert witness.proven_sightings(federation, fed.authorities)["211324", "a" * 64][1] is None


def test_the_witness_log_only_grows(federation: Path, tmp_path: Path) -> None:
    authority = make_authority(tmp_path / "tsa")
    with serve(authority) as url:
        pin(federation, url, tmp_path)
        fed, _ = load_federation(federation)
        git(federation, "init", "-q")
        record = witness.record_run(federation, fed.division_code, T0, sightings(A, B), {},
                                    fed.authorities)
        commit(federation)
        base = git(federation, "rev-parse", "HEAD").strip()
        witness.record_run(federation, fed.division_code, T0 + dt.timedelta(hours=3),
                           sightings(C), {}, fed.authorities)
    grown = run_ssj(federation, "federate", "check", "--base", base)
    assert grown.exit_code == 0, grown.output
    log = federation / witness.LOG
    lines = log.read_text().splitlines()
    log.write_text("\n".join(lines[1:]) + "\n")  # the first sighting dropped
    token = federation / witness.token_file(record.name, "local")
    token.unlink()
    refused = run_ssj(federation, "federate", "check", "--base", base)
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert f"ssj: {witness.LOG} 改写或删除了" in refused.output
    assert f"ssj: {witness.token_file(record.name, 'local')} 在" in refused.output


# ------------------------------------------------------------- ssj federate fetch, end to end


@pytest.fixture(scope="module")
def county_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled example county's published site."""
    from tests.browser import EXAMPLE_ENV
    from tests.sitecheck import build_site, copy_example

    root = copy_example(tmp_path_factory.mktemp("county"))
    built = build_site(root, root / "site-out", env=EXAMPLE_ENV)
    assert built.exit_code == 0, built.output
    return root / "site-out"


def static_handler(folder: Path):  # type: ignore[no-untyped-def]
    import functools
    import http.server

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    return functools.partial(Handler, directory=str(folder))


def test_fetch_mirrors_members_and_witnesses_their_commitments_once(
        federation: Path, county_site: Path, tmp_path: Path) -> None:
    from tests.localhost import closed_url as closed, local_server

    manifest = json.loads((county_site / "data" / "manifest.json").read_text(encoding="utf-8"))
    code = manifest["site"]["division_code"]
    commitments = sorted(d["commitment"] for d in manifest["draws"] if d["commitment"])
    assert commitments
    authority = make_authority(tmp_path / "tsa")
    with local_server(static_handler(county_site)) as site, serve(authority) as tsa:
        write_tree(federation, {"members.yaml": MEMBERS.replace(
            '"211324"', f'"{code}"').replace("http://127.0.0.1:1/kazuo/", site + "/").replace(
            "http://127.0.0.1:1/jianping/", closed("/jianping/"))})
        pin(federation, tsa, tmp_path)
        first = run_ssj(federation, "federate", "fetch", "--timeout", "5")
        second = run_ssj(federation, "federate", "fetch", "--timeout", "5")
    assert first.exit_code == 0 and "Traceback" not in first.output, first.output
    assert f"（{code}）：updated" in first.output and "（211322）：never-fetched" in first.output
    assert f"首次看到 {len(commitments)} 个承诺值，时间戳 1/1" in first.output
    log = witness.read_log(federation)
    assert sorted(e.commitment for e in log) == commitments and {e.member for e in log} == {code}
    assert second.exit_code == 0 and f"（{code}）：unchanged，下载 0 个文件" in second.output
    assert "首次看到 0 个承诺值" in second.output
    assert len(witness.read_log(federation)) == len(commitments)
    assert len(list((federation / witness.RUNS).glob("*.json"))) == 2
    # re-verified from the mirror alone: the example's draws were stamped and first seen long
    # after their drand round, so they fail; the unreachable member was never fetched
    checked = run_ssj(federation, "federate", "verify", "--jobs", "1")
    assert checked.exit_code == 1 and "Traceback" not in checked.output, checked.output
    assert f"（{code}）：不合格" in checked.output and "（211322）：不合格" in checked.output
    assert "从未镜像成功" in checked.output and " witness：" in checked.output
    data = json.loads(run_ssj(federation, "federate", "verify", "--format", "json").output)
    (county,) = [m for m in data["members"] if m["division_code"] == code]
    checks = {c["name"]: c["status"] for d in county["draws"] for c in d["checks"]
              if d["plan"] == "2025-01"}
    assert checks["commitment"] == checks["result"] == checks["rounds"] == "pass"
    assert checks["witness"] == "fail"
    out = federation.parent / "oversight"
    built = run_ssj(federation, "federate", "build", "--out", str(out), "--jobs", "1")
    assert built.exit_code == 0 and "Traceback" not in built.output, built.output
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "不合格" in index and "建平县司法局" in index
    assert json.loads((out / "data" / "verdicts.json").read_bytes())["members"] == data["members"]
    git(federation, "init", "-q")
    git(federation, "add", "-A")
    refused = run_ssj(federation, "federate", "build", "--out", "mirror")
    assert refused.exit_code == 2 and "git 跟踪的文件" in refused.output


def test_two_runs_within_one_second_are_both_recorded(federation: Path) -> None:
    fed, _ = load_federation(federation)
    names = [witness.record_run(federation, fed.division_code, T0, sightings(item), {}, {}).name
             for item in (A, B)]
    assert names == ["20261207T020000Z", "20261207T020000Z-2"]
    assert [e.run for e in witness.read_log(federation)] == names


def test_a_members_ledger_of_published_records_only_grows(federation: Path) -> None:
    ledger = federation / "mirror" / "members" / "211324" / "published.json"
    entry = {"sha256": "a" * 64, "first_seen": "2026-12-07"}
    write_tree(federation, {str(ledger.relative_to(federation)): json.dumps(
        {"findings": {"2025-01-01": entry}})})
    git(federation, "init", "-q")
    commit(federation)
    base = git(federation, "rev-parse", "HEAD").strip()
    ledger.write_text(json.dumps({"findings": {"2025-01-01": entry,
                                               "2025-01-02": entry}}), encoding="utf-8")
    assert run_ssj(federation, "federate", "check", "--base", base).exit_code == 0
    ledger.write_text(json.dumps({"findings": {"2025-01-02": entry}}), encoding="utf-8")
    refused = run_ssj(federation, "federate", "check", "--base", base)
    assert refused.exit_code == 1 and "该账本只能追加" in refused.output


def test_a_members_history_only_grows(federation: Path) -> None:
    history = federation / "mirror" / "members" / "211324" / "history.json"
    event = {"date": "2026-12-07", "slug": "status-1-fail"}
    write_tree(federation, {str(history.relative_to(federation)): json.dumps(
        {"status": "fail", "events": [event]})})
    git(federation, "init", "-q")
    commit(federation)
    base = git(federation, "rev-parse", "HEAD").strip()
    later = {**event, "date": "2026-12-08", "slug": "status-2-pass"}
    history.write_text(json.dumps({"status": "pass", "events": [event, later]}), encoding="utf-8")
    assert run_ssj(federation, "federate", "check", "--base", base).exit_code == 0
    history.write_text(json.dumps({"status": "pass", "events": [later]}), encoding="utf-8")
    refused = run_ssj(federation, "federate", "check", "--base", base)
    assert refused.exit_code == 1 and "已记下的状态变化" in refused.output
