"""generator.federation.verify: the example county, built once, mirrored as fetch would store it
under several members (honest, tampered, pinned elsewhere, delegating), re-verified from the
mirror alone; the witness log written with chosen times; the published records audited across
runs against a ledger that only grows. And generator.draw.standalone, the library under it, says
what `ssj draw verify --package …` says, file for file."""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.serialization import Encoding

from generator.cli import cli
from generator.draw.standalone import INCOMPLETE, Names, Outcome, verify_files
from generator.draw.table import say
from generator.federation import mirror, witness
from generator.federation.config import Federation, load_federation
from generator.federation.verify import (LEDGER, MIRROR, MemberVerdict, as_json,
                                         verify_federation)
from generator.records.timing import round_time
from tests.browser import EXAMPLE_ENV
from tests.sitecheck import build_site, copy_example
from tests.tsa_authority import Authority, make_authority, serve

EXAMPLE_ROOT = "7a45d7391668060dfcf45e62d9aa5aa65b2631e2af1e9bd26f1e4edc26ff6a44"
HONEST, TAMPERED, ELSEWHERE, RESTAMPED, DELEGATING, NEVER = (
    "211324", "211322", "211321", "211303", "211302", "211381")
URL = "https://example.org/{}/"
EARLY = dt.datetime(2023, 8, 20, 12, 0, tzinfo=dt.timezone.utc)  # days before the example's rounds
NOW = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.timezone.utc)
ELSEWHERE_URL = "https://elsewhere.example.org/draws/2026-01.html"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def root_of(authority: Authority) -> str:
    return sha(authority.root.public_bytes(Encoding.DER))


# what a verification reads: what fetch mirrors, and the plan data (a draw's margin) it does not
READ = (*mirror.MIRRORED, "plans/")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The example county's published files that a verification reads, the manifest included."""
    root = copy_example(tmp_path_factory.mktemp("example"))
    built = build_site(root, root / "out", env=EXAMPLE_ENV)
    assert built.exit_code == 0, built.output
    out = root / "out"
    return {path: p.read_bytes() for p in sorted(out.rglob("*"))
            if (path := p.relative_to(out).as_posix()).startswith(READ) and p.is_file()
            and p.suffix != ".html"}


def manifest_of(code: str, files: dict[str, bytes],
                edit: Callable[[dict[str, Any]], None] = lambda document: None) -> bytes:
    """The manifest of `files` published as the site of the member with `code`."""
    document = json.loads(files[mirror.MANIFEST_PATH])
    document["site"]["division_code"] = code
    document["files"] = [{"path": path, "sha256": sha(data), "size": len(data)}
                         for path, data in sorted(files.items()) if path != mirror.MANIFEST_PATH]
    edit(document)
    return json.dumps(document, ensure_ascii=False).encode()


def publish(mirror_dir: Path, code: str, files: dict[str, bytes],
            edit: Callable[[dict[str, Any]], None] = lambda document: None,
            held: tuple[str, ...] = READ) -> None:
    """`files` as a member's site with `code`, stored as a fetch does: its manifest (rewritten
    for these files) as the last good one, and the objects under `held` it lacks."""
    manifest = mirror.parse_manifest(manifest_of(code, files, edit), code)
    for path, entry in manifest.files.items():
        if path.startswith(held) and not mirror.has_object(mirror_dir, entry.sha256):
            assert mirror.store_object(mirror_dir, entry.sha256, files[path])
    mirror.write_last_good(mirror_dir, manifest)


def changed(files: dict[str, bytes], path: str, change: Callable[[Any], Any]) -> dict[str, bytes]:
    """`files` with the JSON at `path` passed through `change`."""
    data = change(copy.deepcopy(json.loads(files[path])))
    return {**files, path: (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode()}


def write_federation(root: Path, members: list[tuple[str, list[str]]],
                     authority: Authority | None = None, url: str = "") -> None:
    """federation.yaml (pinning `authority`, served at `url`) and members.yaml: (division
    code, root fingerprints it must pin) for each member."""
    pinned = ""
    if authority is not None:
        chain = "".join(f"      {line}\n" for line in authority.chain_pem.decode().splitlines())
        pinned = (f"  - id: fedtsa\n    name: 见证机关的时间戳\n    url: {url}\n"
                  f"    root_sha256: \"{root_of(authority)}\"\n"
                  f"    root_url: https://example.invalid/root.pem\n    chain: |\n{chain}")
    (root / "federation.yaml").write_text(
        "name: 朝阳市司法局\ndivision_code: \"211300\"\npolicy:\n  witness_margin_hours: 24\n"
        f"timestamp_authorities:\n{pinned or '  []'}\n", encoding="utf-8")
    (root / "members.yaml").write_text("members:\n" + "".join(
        f"  - id: m{code}\n    name: 成员{code}司法局\n    division_code: \"{code}\"\n"
        f"    url: {URL.format(code)}\n    authorities: {json.dumps(roots)}\n"
        for code, roots in members), encoding="utf-8")


def load(root: Path) -> Federation:
    federation, problems = load_federation(root)
    assert federation is not None, problems
    return federation


def commitment_of(files: dict[str, bytes], plan: str) -> str:
    return files[f"draws/{plan}/commitment.txt"].decode().strip()


def first_source(plan: str) -> dt.datetime:
    rounds = {"2025-01": ("quicknet", 1000), "2025-02": ("quicknet", 123)}
    return dt.datetime.fromtimestamp(round_time(*rounds[plan]), dt.timezone.utc)


Verified = tuple[Path, list[MemberVerdict]]  # the federation repository, and its verdicts


@pytest.fixture(scope="module")
def federation(example: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory) -> Verified:
    """Six members, each showing one thing, verified on two processes."""
    base = tmp_path_factory.mktemp("federation")
    root, mirror_dir = base / "fed", base / "fed" / MIRROR
    root.mkdir()
    fed_tsa = make_authority(base / "fedtsa", valid_from=EARLY - dt.timedelta(days=1))
    member_tsa = make_authority(base / "membertsa", valid_from=EARLY - dt.timedelta(days=1))

    publish(mirror_dir, HONEST, example)
    tampered = changed(example, "draws/2025-01/result.json",
                       lambda result: {**result, "seed": "0" * 64})
    tampered = changed(tampered, "draws/2025-02/values.json", lambda values: ["1" * 64])
    publish(mirror_dir, TAMPERED, tampered)
    publish(mirror_dir, ELSEWHERE, example)

    # 2025-01 stamped again, two days before its round, by an authority the member pins
    token = member_tsa.reply(digest=bytes.fromhex(commitment_of(example, "2025-01")),
                             gen_time=first_source("2025-01") - dt.timedelta(hours=48))
    restamped = {**example, "draws/2025-01/timestamp-local.tsr": token,
                 "timestamp-authorities/local.pem": member_tsa.chain_pem}
    del restamped["plans/2025-02.json"]  # its margin then is the federation's

    def add_token(document: dict[str, Any]) -> None:
        draw = next(d for d in document["draws"] if d["plan"] == "2025-01")
        draw["tokens"].append("draws/2025-01/timestamp-local.tsr")
        draw["files"].append("draws/2025-01/timestamp-local.tsr")
    publish(mirror_dir, RESTAMPED, restamped, add_token)

    def delegate(plans: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for plan in plans:
            if plan["id"] in ("2026-01", "2026-02"):
                url = (URL.format(HONEST) + "plans/2026-02.html" if plan["id"] == "2026-02"
                       else ELSEWHERE_URL)
                plan["draw"]["delegated"] = {"url": url, "authorities": [],
                                             "commitment": commitment_of(example, plan["id"])}
        return plans
    delegating = changed(example, "data/plans.json", delegate)
    for plan in ("2026-01", "2026-02"):
        for name in ("example-tsa.pem", "example-tsa-root.pem"):
            delegating[f"timestamp-authorities/{plan}/{name}"] = \
                example[f"timestamp-authorities/{name}"]
    publish(mirror_dir, DELEGATING, delegating)

    members = [(HONEST, [EXAMPLE_ROOT]), (TAMPERED, [EXAMPLE_ROOT]),
               (ELSEWHERE, [root_of(member_tsa)]), (RESTAMPED, [EXAMPLE_ROOT, root_of(member_tsa)]),
               (DELEGATING, []), (NEVER, [EXAMPLE_ROOT])]
    with serve(fed_tsa) as url:
        write_federation(root, members, fed_tsa, url)
        fed = load(root)

        def seen(code: str, plan: str, hours: int, authorities: dict) -> witness.RunRecord:
            sighting = witness.Sighting(code, plan, commitment_of(example, plan))
            return witness.record_run(root, fed.division_code, EARLY + dt.timedelta(hours=hours),
                                      [sighting], {}, authorities)

        # 2025-01: seen three days before its round, the run stamped then
        run = seen(HONEST, "2025-01", 0, {})
        (root / witness.token_file(run.name, "fedtsa")).write_bytes(
            fed_tsa.reply((root / run.file).read_bytes(), gen_time=EARLY))
        # 2025-02: logged as seen before its round, but the authority's token says when: today
        seen(HONEST, "2025-02", 1, fed.authorities)
        # 2026-01: logged as seen, years after its round (2020), and no token
        seen(HONEST, "2026-01", 2, {})
        # another member's 2025-01: logged as seen before its round, but no token proves when
        seen(RESTAMPED, "2025-01", 3, {})
    return root, verify_federation(root, fed, NOW, jobs=2)


def by_code(verdicts: list[MemberVerdict]) -> dict[str, MemberVerdict]:
    return {v.division_code: v for v in verdicts}


def checks(verdict: MemberVerdict, plan: str) -> dict[str, tuple[str, str]]:
    draw = next(d for d in verdict.draws if d.plan == plan)
    return {c.name: (c.status, c.message) for c in draw.checks}


def statuses(verdict: MemberVerdict, plan: str) -> dict[str, str]:
    return {name: status for name, (status, _) in checks(verdict, plan).items()}


def test_an_honest_member_verifies_from_the_mirror_alone(federation: Verified) -> None:
    _, verdicts = federation
    assert [v.division_code for v in verdicts] == [HONEST, TAMPERED, ELSEWHERE, RESTAMPED,
                                                  DELEGATING, NEVER]
    honest = by_code(verdicts)[HONEST]
    assert [d.plan for d in honest.draws] == ["2025-01", "2025-02", "2026-01", "2026-02"]
    for draw in honest.draws:
        got = statuses(honest, draw.plan)
        assert list(got) == ["commitment", "rounds", "result", "tokens", "timing", "witness"]
        assert {got[n] for n in ("commitment", "rounds", "result", "tokens")} == {"pass"}, \
            checks(honest, draw.plan)
        # the example's tokens are genuine but years after its rounds
        assert got["timing"] == "fail"
        assert "晚于首个随机源" in checks(honest, draw.plan)["timing"][1]
    said = checks(honest, "2025-01")
    assert "签名验证通过" in said["rounds"][1]
    assert "逐字节相同" in said["result"][1]
    assert "按该局公布的时限" in said["timing"][1]
    assert honest.status == "fail" and not honest.rewrites and honest.revision == "0" * 40


def test_a_tampered_result_or_value_fails(federation: Verified) -> None:
    tampered = by_code(federation[1])[TAMPERED]
    result = checks(tampered, "2025-01")
    assert result["result"][0] == "fail" and "seed" in result["result"][1]
    assert result["rounds"][0] == result["commitment"][0] == "pass"
    values = statuses(tampered, "2025-02")
    assert values["rounds"] == "fail" and values["result"] == "fail"
    assert "randomness" in checks(tampered, "2025-02")["rounds"][1]


def test_a_token_from_a_root_the_member_does_not_pin_fails(federation: Verified) -> None:
    elsewhere = by_code(federation[1])[ELSEWHERE]
    status, message = checks(elsewhere, "2025-01")["tokens"]
    assert status == "fail" and EXAMPLE_ROOT in message and "members.yaml" in message
    # no token counts, so nothing shows when the package existed
    assert statuses(elsewhere, "2025-01")["timing"] == "incomplete"


def test_an_on_time_token_passes_timing_by_the_members_published_margin(
        federation: Verified) -> None:
    restamped = by_code(federation[1])[RESTAMPED]
    status, message = checks(restamped, "2025-01")["timing"]
    assert status == "pass" and "48.0 小时" in message and "按该局公布的时限" in message
    assert statuses(restamped, "2025-01")["tokens"] == "pass"
    status, message = checks(restamped, "2025-02")["timing"]
    assert status == "fail" and "该局未公布时限，按见证机关的时限" in message


def test_what_fetch_mirrors_is_enough_and_a_missing_chain_is_incomplete(
        example: dict[str, bytes], tmp_path: Path) -> None:
    def verified(root: Path, held: tuple[str, ...]) -> MemberVerdict:
        root.mkdir()
        write_federation(root, [(HONEST, [EXAMPLE_ROOT])])
        publish(root / MIRROR, HONEST, example, held=held)
        (verdict,) = verify_federation(root, load(root), NOW, jobs=1)
        return verdict

    fetched = verified(tmp_path / "fetched", mirror.MIRRORED)
    assert statuses(fetched, "2025-01")["tokens"] == "pass"
    # the plan's page data is mirrored: the margin is the one the county publishes
    assert "（按该局公布的时限）" in checks(fetched, "2025-01")["timing"][1]
    unchained = verified(tmp_path / "unchained", ("data/", "draws/"))
    status, message = checks(unchained, "2025-01")["tokens"]
    assert status == "incomplete" and "timestamp-authorities/example-tsa.pem" in message
    assert "未镜像" in message
    assert statuses(unchained, "2025-01")["result"] == "pass"


def test_the_witness_log_judges_when_the_commitment_was_first_seen(federation: Verified) -> None:
    honest = by_code(federation[1])[HONEST]
    status, message = checks(honest, "2025-01")["witness"]
    assert status == "pass" and "有时间戳证明" in message
    status, message = checks(honest, "2025-02")["witness"]
    assert status == "fail" and "晚于" in message and "公开晚/未经见证" in message
    status, message = checks(honest, "2026-01")["witness"]
    assert status == "fail" and "晚于" in message
    status, message = checks(honest, "2026-02")["witness"]
    assert (status, message) == ("fail", "抽取前见证机关从未看到该承诺值：公开晚/未经见证")
    status, message = checks(by_code(federation[1])[RESTAMPED], "2025-01")["witness"]
    assert status == "incomplete" and "没有时间戳证明" in message


def test_a_delegated_draw_is_compared_with_the_member_that_drew_it(federation: Verified) -> None:
    delegating = by_code(federation[1])[DELEGATING]
    status, message = checks(delegating, "2026-02")["delegated"]
    assert status == "pass" and f"成员{HONEST}司法局" in message and "2026-02" in message
    # judged by the pins and sightings of the member that drew it
    assert statuses(delegating, "2026-02")["tokens"] == "pass"
    status, message = checks(delegating, "2026-02")["witness"]
    assert status == "fail" and f"成员{HONEST}司法局网站" in message
    outside = statuses(delegating, "2026-01")
    assert outside["delegated"] == outside["tokens"] == outside["witness"] == "incomplete"
    assert "delegated" not in statuses(delegating, "2025-01")


def test_a_member_never_fetched_fails(federation: Verified) -> None:
    never = by_code(federation[1])[NEVER]
    assert never.fetch_status == "never-fetched" and never.status == "fail" and not never.draws


def test_the_verdicts_are_the_same_in_one_process(federation: Verified) -> None:
    root, verdicts = federation
    again = verify_federation(root, load(root), NOW, jobs=1)
    assert as_json(again) == as_json(verdicts)
    document = json.loads(as_json(verdicts))
    assert document["members"][0]["draws"][0]["checks"][0] == {
        "name": "commitment", "status": "pass",
        "message": "抽取包与公布的承诺值一致（draws/2025-01/commitment.txt、data/manifest.json）"}


def test_rewritten_records_are_flagged_every_run_and_the_ledger_only_grows(
        example: dict[str, bytes], tmp_path: Path) -> None:
    root = tmp_path / "fed"
    root.mkdir()
    write_federation(root, [(HONEST, [EXAMPLE_ROOT])])
    fed = load(root)
    publish(root / MIRROR, HONEST, example)
    (first,) = verify_federation(root, fed, NOW, jobs=1)
    assert first.rewrites == ()
    ledger_file = root / MIRROR / "members" / HONEST / LEDGER
    ledger = json.loads(ledger_file.read_bytes())
    findings = json.loads(example["data/findings.json"])
    entries = json.loads(example["data/list-entries.json"])
    finding, entry = findings[0]["id"], entries[-1]["id"]
    assert ledger["findings"][finding]["first_seen"] == "2026-12-07"
    assert sorted(ledger) == ["credit-notices", "findings", "list-entries", "plans"]

    def edit(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        items[0]["result"] += "（改写）"
        return items

    def add_notice(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return items + [{**items[0], "id": "new-notice"}]
    later = changed(example, "data/findings.json", edit)
    later = changed(later, "data/list-entries.json", lambda items: items[:-1])
    later = changed(later, "data/credit-notices.json", add_notice)
    publish(root / MIRROR, HONEST, later)
    day_after = NOW + dt.timedelta(days=1)
    (second,) = verify_federation(root, fed, day_after, jobs=1)
    assert [(r.kind, r.id, r.change) for r in second.rewrites] == [
        ("findings", finding, "changed"), ("list-entries", entry, "removed")]
    assert second.status == "fail" and all("2026-12-07" in r.message for r in second.rewrites)
    grown = json.loads(ledger_file.read_bytes())
    for kind in ("findings", "list-entries"):  # the first sightings stand as they were
        assert grown[kind] == ledger[kind]
    assert grown["credit-notices"]["new-notice"]["first_seen"] == "2026-12-08"
    kept = ledger_file.read_bytes()
    assert kept == (json.dumps(grown, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()
    (third,) = verify_federation(root, fed, day_after + dt.timedelta(days=1), jobs=1)
    assert third.rewrites == second.rewrites and ledger_file.read_bytes() == kept


def as_the_command_line_says(outcome: Outcome) -> tuple[int, str]:
    """`ssj draw verify --package … --result …` rebuilt from the library's outcome: the mapping
    the command line can be rewritten on. (exit code, what it prints)"""
    failure = outcome.failure
    if failure is not None:
        wrapped = failure.name == "result" and outcome.result is not None
        return 1, "ssj: " + (say("cli_inconsistent", message=failure.message) if wrapped
                             else failure.message)
    lines = [step.message + (say("cli_round_hint") if step.status == INCOMPLETE
                             and step.kind == "drand" else "") for step in outcome.of("source")]
    same = outcome.of("result")[0].message
    which = "、".join(say("cli_which", n=n) for n in outcome.unverified)
    lines.append(say("cli_unverified", which=which, message=same) if which
                 else say("cli_verified", message=same))
    return (3 if which else 0), "\n".join(lines)


def spoil(name: str, data: bytes) -> bytes:
    return {"package.json": b"{\"spec\": ",
            "values.json": json.dumps(["1" * 64]).encode(),
            "result.json": data.replace(b'"k":3', b'"k":2'),
            "commitment.txt": b"0" * 64 + b"\n"}[name]


@pytest.mark.parametrize("case", ["honest", "no-round", "chosen-round", "package.json",
                                  "values.json", "result.json", "commitment.txt"])
def test_the_library_says_what_the_command_line_says(example: dict[str, bytes], tmp_path: Path,
                                                     case: str) -> None:
    names = ("package.json", "values.json", "result.json", "commitment.txt")
    for name in names:
        data = example[f"draws/2025-01/{name}"]
        (tmp_path / name).write_bytes(spoil(name, data) if case == name else data)
    rounds: dict[str, bytes] = {}
    if case != "no-round":
        # chosen: another draw's round, which goes to the only drand source and fails there
        plan, file = ("2025-02", "drand-quicknet-123.json") if case == "chosen-round" else (
            "2025-01", "drand-quicknet-1000.json")
        (tmp_path / file).write_bytes(example[f"draws/{plan}/{file}"])
        rounds = {str(tmp_path / file): example[f"draws/{plan}/{file}"]}
    package, values, result, claimed = (str(tmp_path / name) for name in names)
    args = ["--round", *rounds] if case == "chosen-round" else []
    run = CliRunner().invoke(cli, ["draw", "verify", "--package", package, "--values", values,
                                   "--result", result, *args], catch_exceptions=False)
    outcome = verify_files(*((tmp_path / name).read_bytes() for name in names[:2]),
                           result=(tmp_path / "result.json").read_bytes(),
                           commitment_file=(tmp_path / "commitment.txt").read_bytes(),
                           rounds=rounds, chosen=case == "chosen-round",
                           names=Names(package, values, result, claimed))
    assert as_the_command_line_says(outcome) == (run.exit_code, run.output.strip())
    assert outcome.status == {"honest": "pass", "no-round": "incomplete"}.get(case, "fail")
