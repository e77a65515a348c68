"""Issue 10, through the CLI: draws nobody can steer.

RFC 3161 time-stamps from a throwaway local authority (tests/tsa_authority.py; openssl signs with
the current time, so an on-time token needs a drand round in the future), git history as a second
signal, packages re-derived from the records, no silent redraws, a drand beacon always declared,
and what the plan page shows and lets a citizen check. Trees come from test_draw_commands; no
network beyond 127.0.0.1.
"""
from __future__ import annotations

import base64
import contextlib
import datetime
import hashlib
import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest
from asn1crypto import tsp
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import load_pem_x509_certificate, load_pem_x509_certificates

from generator.draw.canon import canon
from generator.draw.spec import commitment, draw, serialise
from generator.draw.timestamp import load_chain, verify_stamp
from generator.records.timing import BEIJING, round_time
from tests.sitecheck import REPO, Site, build_site, copy_example, section_of, shown, table_captioned
from tests.test_draw_commands import (
    DRAWS,
    LOTTERY_SOURCE,
    PLAN_FILE,
    PLAN_ID,
    Out,
    assert_refused,
    assert_reported,
    drand_source,
    drawn,
    edit,
    firm_file,
    firm_id,
    frozen,
    future_round,
    git,
    inspected,
    inspector_file,
    inspector_id,
    jurisdiction,
    plan_file,
    problem_lines,
    put_round,
    round_json,
    snapshot,
    ssj,
    tree,
    write,
)
from tests.tsa_authority import Authority, closed_url, make_authority, serve

JURISDICTION_FILE = "records/jurisdiction.yaml"
PACKAGE = f"{DRAWS}/package.json"
TSA_ID = "test-tsa"
TSA_NAME = "测试时间戳机构"


def token_file(authority_id: str = TSA_ID, plan: str = PLAN_ID) -> str:
    return f"records/draws/{plan}/timestamp-{authority_id}.tsr"


# --- authorities, built once per module -------------------------------------------------------

@pytest.fixture(scope="module")
def authorities(tmp_path_factory: pytest.TempPathFactory):
    made: dict[tuple, Authority] = {}

    def get(name: str = "main", **options: object) -> Authority:
        key = (name, *sorted(options.items()))
        if key not in made:
            made[key] = make_authority(tmp_path_factory.mktemp("tsa"), **options)
        return made[key]
    return get


@pytest.fixture(scope="module")
def tsa(authorities) -> Authority:
    return authorities()


@pytest.fixture(scope="module")
def tsa_url(tsa: Authority) -> Iterator[str]:
    with serve(tsa) as url:
        yield url


def pinned(example: bool, *entries: tuple[str, str, str, str | bytes]) -> str:
    """jurisdiction.yaml pinning (id, name, url, chain PEM) for each entry."""
    lines = ["timestamp_authorities:"]
    for authority_id, name, url, pem in entries:
        text = pem.decode() if isinstance(pem, bytes) else pem
        lines += [f"  - id: {authority_id}", f"    name: {name}", f"    url: {url}",
                  f"    root_sha256: \"{root_fingerprint(text)}\"",
                  f"    root_url: {url}/root.pem", "    chain: |"]
        lines += [f"      {line}" if line else "" for line in text.splitlines()]
    return jurisdiction(example) + "\n".join(lines) + "\n"


def root_fingerprint(pem: str) -> str:
    """The SHA-256 of the chain's self-signed root, or zeros when the PEM holds none (a test of
    a broken chain: the chain's own problem is what it checks)."""
    try:
        certificates = load_pem_x509_certificates(pem.encode())
    except ValueError:
        return "00" * 32
    roots = [c for c in certificates if c.subject == c.issuer]
    return hashlib.sha256(roots[0].public_bytes(Encoding.DER)).hexdigest() if roots else "00" * 32


def pin_main(tsa: Authority, url: str, example: bool = False,
             *more: tuple[str, str, str, str | bytes]) -> str:
    return pinned(example, (TSA_ID, TSA_NAME, url, tsa.chain_pem), *more)


def committed_repo(root: Path, files: dict, plan: str = PLAN_ID) -> Path:
    """`files` written in a fresh git repo, `plan` frozen (stamping with whatever is pinned),
    everything committed now."""
    write(root, files)
    git(root, "init", "-q")
    out = ssj(root, "draw", "freeze", plan)
    assert out.exit_code == 0, out.output
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "freeze")
    return root


def head(root: Path) -> str:
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, check=True,
                          capture_output=True, text=True).stdout.strip()


def package_of(root: Path, plan: str = PLAN_ID) -> dict:
    return json.loads((root / f"records/draws/{plan}/package.json").read_bytes())


def error_lines(out: Out, rule: str) -> list[str]:
    return [line for line in problem_lines(out.stdout, rule) if " 错误 " in line]


def assert_check_refuses(root: Path, rule: str, file: str, *words: str, line: int = 1) -> Out:
    """`ssj check` exits 1 with one error of `rule` located at `file:line`, naming `words`,
    and writes nothing."""
    before = snapshot(root / "records")
    out = ssj(root, "check")
    assert snapshot(root / "records") == before
    assert out.exit_code == 1, out.output
    assert "Traceback" not in out.output
    errors = error_lines(out, rule)
    assert len(errors) == 1, out.stdout
    assert errors[0].startswith(f"{file}:{line}: 错误 [{rule}] "), errors[0]
    for word in words:
        assert word in errors[0], (word, errors[0])
    return out


def assert_passes(root: Path, *args: str) -> Out:
    out = ssj(root, "check", *args)
    assert out.exit_code == 0, out.output
    return out


def with_site(root: Path) -> Path:
    shutil.copytree(REPO / "site", root / "site")
    return root


def built(root: Path) -> Site:
    out = root / "_site"
    result = build_site(root, out)
    assert result.exit_code == 0, result.output
    return Site(out)


def answering_at(url: str, authority: Authority) -> contextlib.AbstractContextManager[str]:
    """The authority answering at `url` (a port where nothing listened before): an authority
    that was unreachable and is back."""
    return serve(authority, port=urlsplit(url).port)


# --- 1. time-stamps: getting them ------------------------------------------------------------

def test_stamp_writes_a_token_and_a_real_bureau_passes(tmp_path: Path, tsa: Authority,
                                                       tsa_url: str) -> None:
    # frozen before any authority was pinned: no token yet, a warning while the round is ahead
    committed_repo(tmp_path, tree(example=False, round_number=future_round()))
    out = assert_passes(tmp_path)
    (line,) = problem_lines(out.stdout, "draw.timestamp-missing")
    assert line.startswith(f"{PACKAGE}:1: 警告 "), line
    write(tmp_path, {JURISDICTION_FILE: pin_main(tsa, tsa_url)})
    out = ssj(tmp_path, "draw", "stamp", PLAN_ID)
    assert out.exit_code == 0, out.output
    assert f"timestamp-{TSA_ID}.tsr" in out.stdout and out.stderr == ""
    assert (tmp_path / token_file()).is_file()
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "stamp")
    out = assert_passes(tmp_path)
    assert "错误 0，警告 0" in out.stdout, out.stdout
    assert not problem_lines(out.stdout, "draw.timestamp-missing")


def test_freeze_stamps_with_every_pinned_authority(tmp_path: Path, authorities, tsa: Authority,
                                                   tsa_url: str) -> None:
    second = authorities("second", intermediate=True)
    with serve(second) as second_url:
        files = tree(example=False, round_number=future_round())
        files[JURISDICTION_FILE] = pin_main(tsa, tsa_url, False,
                                            ("second", "第二家时间戳机构", second_url,
                                             second.chain_pem))
        committed_repo(tmp_path, files)
    assert sorted(p.name for p in (tmp_path / DRAWS).iterdir()) == [
        "commitment.txt", "package.json", "timestamp-second.tsr", f"timestamp-{TSA_ID}.tsr"]
    out = assert_passes(tmp_path)
    assert "错误 0，警告 0" in out.stdout, out.stdout


def test_freeze_with_an_unreachable_authority_writes_the_package_and_stamp_retries(
        tmp_path: Path, tsa: Authority) -> None:
    url = closed_url()
    files = tree(example=False, round_number=future_round())
    files[JURISDICTION_FILE] = pin_main(tsa, url)
    write(tmp_path, files)
    out = ssj(tmp_path, "draw", "freeze", PLAN_ID)
    assert out.exit_code == 0, out.output
    assert sorted(p.name for p in (tmp_path / DRAWS).iterdir()) == ["commitment.txt",
                                                                    "package.json"]
    (warning,) = out.stderr.splitlines()
    assert TSA_ID in warning and url in warning and "连接被拒绝" in warning
    assert f"ssj draw stamp {PLAN_ID}" in warning
    commit = (tmp_path / DRAWS / "commitment.txt").read_text().strip()
    assert commit in out.stdout
    # the authority is back: the same configuration, retried
    with answering_at(url, tsa):
        out = ssj(tmp_path, "draw", "stamp", PLAN_ID)
    assert out.exit_code == 0, out.output
    assert (tmp_path / token_file()).is_file()
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "freeze")
    out = assert_passes(tmp_path)
    assert "错误 0，警告 0" in out.stdout, out.stdout


def frozen_unstamped(root: Path, tsa: Authority, url: str) -> None:
    """Frozen for a real bureau (round ahead) while the only pinned authority was down."""
    files = tree(example=False, round_number=future_round())
    files[JURISDICTION_FILE] = pin_main(tsa, closed_url())
    write(root, files)
    out = ssj(root, "draw", "freeze", PLAN_ID)
    assert out.exit_code == 0 and not (root / token_file()).exists(), out.output
    write(root, {JURISDICTION_FILE: pin_main(tsa, url)})


def test_stamp_with_only_unreachable_authorities_is_refused(tmp_path: Path,
                                                             tsa: Authority) -> None:
    url = closed_url()
    frozen_unstamped(tmp_path, tsa, url)
    before = snapshot(tmp_path)
    out = ssj(tmp_path, "draw", "stamp", PLAN_ID)
    assert_refused(out, "未取得时间戳", TSA_ID, url, "连接被拒绝")
    assert out.exit_code == 1
    assert snapshot(tmp_path) == before


def test_stamp_says_when_its_token_comes_too_late(tmp_path: Path, tsa: Authority,
                                                 tsa_url: str) -> None:
    """Retried 12 hours before the round: the token is stored, and staff are told it proves
    nothing (the margin is 24 hours)."""
    files = tree(example=True, round_number=future_round(days=0.5))
    files[JURISDICTION_FILE] = pin_main(tsa, closed_url(), True)
    frozen(tmp_path, files)
    write(tmp_path, {JURISDICTION_FILE: pin_main(tsa, tsa_url, True)})
    out = ssj(tmp_path, "draw", "stamp", PLAN_ID)
    assert out.exit_code == 0, out.output
    assert (tmp_path / token_file()).is_file()
    (warning,) = out.stderr.splitlines()
    assert TSA_ID in warning and "晚于规定" in warning and "不能证明" in warning


@pytest.mark.parametrize("mode, words", [
    ("http-500", ("HTTP 500",)),
    ("garbage", ("未通过验证", "文件已损坏或不是 RFC 3161 时间戳")),
    ("wrong-nonce", ("未通过验证", "nonce")),
])
def test_stamp_refuses_a_bad_authority_answer(tmp_path: Path, tsa: Authority, mode: str,
                                              words: tuple[str, ...]) -> None:
    with serve(tsa, mode) as url:
        frozen_unstamped(tmp_path, tsa, url)
        before = snapshot(tmp_path)
        out = ssj(tmp_path, "draw", "stamp", PLAN_ID)
    assert_refused(out, "未取得时间戳", url, *words)
    assert out.exit_code == 1
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("full_chain", [False, True], ids=["signer-only", "full-chain"])
def test_answers_with_one_certificate_or_the_whole_chain_verify(tmp_path: Path, authorities,
                                                                 full_chain: bool) -> None:
    ca = authorities("with-intermediate", intermediate=True)
    with serve(ca, full_chain=full_chain) as url:
        files = tree(example=False, round_number=future_round())
        files[JURISDICTION_FILE] = pin_main(ca, url)
        committed_repo(tmp_path, files)
    token = (tmp_path / token_file()).read_bytes()
    embedded = tsp.TimeStampResp.load(token)["time_stamp_token"]["content"]["certificates"]
    assert len(embedded) == (3 if full_chain else 1)
    out = assert_passes(tmp_path)
    assert "错误 0，警告 0" in out.stdout, out.stdout
    assert ssj(tmp_path, "draw", "verify").exit_code == 0


# --- 1. time-stamps: what ssj check refuses --------------------------------------------------

@pytest.fixture(scope="module")
def stamped_repo(tmp_path_factory: pytest.TempPathFactory, tsa: Authority,
                 tsa_url: str) -> Path:
    """A real bureau's plan, round 30 days ahead, frozen, stamped on time and committed:
    `ssj check` passes. Tests work on copies."""
    root = tmp_path_factory.mktemp("stamped")
    files = tree(example=False, round_number=future_round())
    files[JURISDICTION_FILE] = pin_main(tsa, tsa_url)
    committed_repo(root, files)
    assert "错误 0，警告 0" in assert_passes(root).stdout
    return root


@pytest.fixture
def repo(stamped_repo: Path, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(stamped_repo, root)
    return root


def message(root: Path) -> bytes:
    """What a token must be over: the canonical package."""
    return canon(package_of(root))


def also_pin(root: Path, tsa: Authority, tsa_url: str, authority_id: str,
             other: Authority) -> None:
    other_entry = (authority_id, "另一家时间戳机构", closed_url(), other.chain_pem)
    write(root, {JURISDICTION_FILE: pin_main(tsa, tsa_url, False, other_entry)})


def test_a_token_over_another_commitment_is_refused(repo: Path, tsa: Authority) -> None:
    write(repo, {token_file(): tsa.reply(b"another package")})
    other = hashlib.sha256(b"another package").hexdigest()
    assert_check_refuses(repo, "draw.timestamp", token_file(), "时间戳无效", "另一个承诺值", other)


def test_a_token_from_an_unpinned_signer_is_refused(repo: Path, authorities) -> None:
    stranger = authorities("stranger")
    write(repo, {token_file(): stranger.reply(message(repo))})
    assert_check_refuses(repo, "draw.timestamp", token_file(), "签名证书不在",
                         "jurisdiction.yaml 固定的证书链")


@pytest.mark.parametrize("options, words", [
    ({"eku": "none"}, ("没有 timeStamping 扩展密钥用途",)),
    ({"eku": "non-critical"}, ("关键扩展",)),
    ({"validity": "expired"}, ("在时间戳时间", "已过期")),
    ({"validity": "not-yet-valid"}, ("在时间戳时间", "尚未生效")),
], ids=["no-eku", "non-critical-eku", "expired", "not-yet-valid"])
def test_a_pinned_signer_unfit_at_gen_time_is_refused(repo: Path, authorities, tsa: Authority,
                                                      tsa_url: str, options: dict,
                                                      words: tuple[str, ...]) -> None:
    unfit = authorities("unfit", **options)
    also_pin(repo, tsa, tsa_url, "unfit", unfit)
    write(repo, {token_file("unfit"): unfit.reply(message(repo))})
    assert_check_refuses(repo, "draw.timestamp", token_file("unfit"), "时间戳无效", *words)


@pytest.mark.parametrize("corrupt, words", [
    (lambda data: data[:-1] + bytes([data[-1] ^ 1]), "CMS 签名无效"),
    (lambda data: data[: len(data) // 2], "文件已损坏"),
    (lambda data: b"", "文件已损坏"),
], ids=["flipped-signature", "truncated", "empty"])
def test_a_corrupted_token_is_refused(repo: Path, corrupt, words: str) -> None:
    path = repo / token_file()
    path.write_bytes(corrupt(path.read_bytes()))
    assert_check_refuses(repo, "draw.timestamp", token_file(), "时间戳无效", words)


def test_a_sha1_imprint_is_refused(repo: Path, tsa: Authority) -> None:
    write(repo, {token_file(): tsa.reply(message(repo), algorithm="sha1")})
    assert_check_refuses(repo, "draw.timestamp", token_file(), "SHA-1", "应为 SHA-256")


def test_a_token_named_for_an_authority_not_pinned_is_refused(repo: Path) -> None:
    shutil.copy(repo / token_file(), repo / token_file("nobody"))
    assert_check_refuses(repo, "draw.timestamp", token_file("nobody"), "nobody",
                         "timestamp_authorities")


def test_a_token_for_a_plan_that_does_not_exist_is_refused(repo: Path) -> None:
    stray = token_file(plan="2099-01")
    write(repo, {stray: (repo / token_file()).read_bytes()})
    out = ssj(repo, "check")
    assert out.exit_code == 1, out.output
    errors = [line for line in out.stdout.splitlines() if " 错误 " in line]
    assert len(errors) == 1, out.stdout
    # the stray token itself is named, with the plan it lacks
    assert errors[0].startswith(f"{stray}:1: 错误 [draw.plan] "), errors[0]
    assert "没有编号为 2099-01 的抽查计划" in errors[0]


def test_a_late_token_is_refused(tmp_path: Path, tsa: Authority, tsa_url: str) -> None:
    """Stamped now for a round of 2023: frozen as example data, then claimed by a real bureau."""
    files = tree(example=True, round_number=1000)
    files[JURISDICTION_FILE] = pin_main(tsa, tsa_url, True)
    frozen(tmp_path, files)
    assert (tmp_path / token_file()).is_file()
    out = ssj(tmp_path, "check")
    (line,) = problem_lines(out.stdout, "draw.timestamp-late")
    assert line.startswith(f"{token_file()}:1: 提示 ") and "示例数据" in line
    write(tmp_path, {JURISDICTION_FILE: pin_main(tsa, tsa_url, False)})
    assert_check_refuses(tmp_path, "draw.timestamp-late", token_file(), "晚于规定",
                         "24 小时")


def test_a_token_just_inside_the_margin_is_late(tmp_path: Path, tsa: Authority,
                                                tsa_url: str) -> None:
    """On time needs genTime + 24 h <= the round's time: a round 12 hours ahead is too close."""
    files = tree(example=True, round_number=future_round(days=0.5))
    files[JURISDICTION_FILE] = pin_main(tsa, tsa_url, True)
    frozen(tmp_path, files)
    write(tmp_path, {JURISDICTION_FILE: pin_main(tsa, tsa_url, False)})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "freeze")
    assert_check_refuses(tmp_path, "draw.timestamp-late", token_file(), "差 12.0 小时")
    # the same token under a 6-hour margin is on time
    write(tmp_path, {JURISDICTION_FILE: pin_main(tsa, tsa_url, False).replace(
        "draw_margin_hours: 24", "draw_margin_hours: 6")})
    assert_passes(tmp_path)


def test_a_late_retry_beside_an_on_time_token_is_not_an_error(tmp_path: Path, authorities,
                                                              tsa: Authority,
                                                              tsa_url: str) -> None:
    """The second authority was down at the freeze and answered the retry 13 hours later,
    inside the 24-hour margin of a round 36 hours ahead. The first token already proves the
    timing (spec: a draw is on time when a token is); the late one is noted, not an error."""
    second = authorities("second", intermediate=True)
    files = tree(example=False, round_number=future_round(1.5))
    files[JURISDICTION_FILE] = pin_main(tsa, tsa_url, False,
                                        ("second", "第二家时间戳机构", closed_url(),
                                         second.chain_pem))
    committed_repo(tmp_path, files)
    assert (tmp_path / token_file()).is_file() and not (tmp_path / token_file("second")).exists()
    later = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + \
        datetime.timedelta(hours=13)
    write(tmp_path, {token_file("second"): second.reply(message(tmp_path), gen_time=later)})
    # every pinned authority counts: the late second token leaves the rule unmet, a warning
    # while an on-time token can still be had
    out = assert_passes(tmp_path)
    (line,) = problem_lines(out.stdout, "draw.timestamp-missing")
    assert " 警告 " in line and "还缺 第二家时间戳机构" in line and "都须给出按时的时间戳" in line
    # with a quorum of one, the first token is the proof and the late one is noted
    write(tmp_path, {JURISDICTION_FILE: edit(
        (tmp_path / JURISDICTION_FILE).read_text(encoding="utf-8"), "  draw_margin_hours: 24\n",
        "  draw_margin_hours: 24\n  timestamp_quorum: 1\n")})
    out = assert_passes(tmp_path)
    (line,) = problem_lines(out.stdout, "draw.timestamp-late")
    assert line.startswith(f"{token_file('second')}:1: 提示 [draw.timestamp-late] "), line
    assert "晚于规定" in line and "按规则已有足够的按时时间戳" in line
    # alone, the late token proves nothing: an error
    (tmp_path / token_file()).unlink()
    assert_check_refuses(tmp_path, "draw.timestamp-late", token_file("second"), "晚于规定")


@pytest.mark.parametrize("example, severity", [(False, "错误"), (True, "提示")])
def test_a_drawn_plan_without_a_token(tmp_path: Path, tsa: Authority, example: bool,
                                      severity: str) -> None:
    drawn(tmp_path, tree(example=True))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "drawn")
    write(tmp_path, {JURISDICTION_FILE: pin_main(tsa, closed_url(), example)})
    out = ssj(tmp_path, "check")
    assert out.exit_code == (0 if example else 1), out.output
    (line,) = problem_lines(out.stdout, "draw.timestamp-missing")
    assert line.startswith(f"{PACKAGE}:1: {severity} "), line
    assert "没有可信时间戳" in line


def chain_line(text: str, n: int) -> int:
    """The line of the n-th `chain:` key in a jurisdiction.yaml."""
    lines = [i for i, line in enumerate(text.splitlines(), start=1)
             if line.strip().startswith("chain:")]
    return lines[n - 1]


def bad_chains(tsa: Authority) -> dict[str, str]:
    der = load_pem_x509_certificate(tsa.chain_pem).public_bytes(Encoding.DER)
    return {
        "der-base64": base64.encodebytes(der).decode(),
        "private-key": (tsa.folder / "tsa.key").read_text(),
        "garbage": "这不是证书\n",
        "broken-certificate": tsa.chain_pem.decode().replace("\n", "\nAAAA", 1),
    }


@pytest.mark.parametrize("kind, words", [
    ("der-base64", ("不是 PEM 格式",)),
    ("private-key", ("PRIVATE KEY", "私钥绝不能放进仓库")),
    ("garbage", ("不是 PEM 格式",)),
    ("broken-certificate", ("无法读取",)),
])
def test_a_pinned_chain_in_the_wrong_format_is_located(repo: Path, tsa: Authority, tsa_url: str,
                                                       kind: str, words: tuple[str, ...]) -> None:
    text = pin_main(tsa, tsa_url, False, ("broken", "格式错误的机构", closed_url(),
                                          bad_chains(tsa)[kind]))
    write(repo, {JURISDICTION_FILE: text})
    line = chain_line(text, 2)
    assert_check_refuses(repo, "draw.timestamp-authority", JURISDICTION_FILE,
                         "timestamp_authorities[2].chain", *words, line=line)
    # nothing can be stamped or frozen on such records
    before = snapshot(repo / "records")
    assert_refused(ssj(repo, "draw", "stamp", PLAN_ID), JURISDICTION_FILE)
    assert_refused(ssj(repo, "draw", "freeze", PLAN_ID), JURISDICTION_FILE)
    assert snapshot(repo / "records") == before


def test_an_authority_pinned_twice_is_located(repo: Path, tsa: Authority, tsa_url: str) -> None:
    text = pin_main(tsa, tsa_url, False, (TSA_ID, "同一编号的另一家", tsa_url, tsa.chain_pem))
    write(repo, {JURISDICTION_FILE: text})
    line = [i for i, row in enumerate(text.splitlines(), start=1)
            if row == f"  - id: {TSA_ID}"][1]
    assert_check_refuses(repo, "draw.timestamp-authority", JURISDICTION_FILE,
                         f"timestamp_authorities[2].id：{TSA_ID} 重复", line=line)


def test_a_bare_token_verifies_and_the_page_command_reads_it(repo: Path, tsa: Authority,
                                                             tmp_path: Path) -> None:
    """A TimeStampToken stored without its TimeStampResp wrapper, as some services send it."""
    write(repo, {token_file(): tsa.reply(message(repo), token=True)})
    out = assert_passes(repo)
    assert "错误 0，警告 0" in out.stdout, out.stdout
    site = built(with_site(repo))
    stdout, command = run_the_page_command(site, tmp_path)
    assert "Verification: OK" in stdout and " -token_in " in command


# --- 2. git: a second signal only ------------------------------------------------------------



def now() -> int:
    return int(time.time())


def frozen_in_git(root: Path, example: bool = False, days: float = 30,
                  extra: dict | None = None) -> int:
    """A bureau's records (with `extra` files) committed, then its plan (a round `days` ahead)
    frozen, not yet committed; no authority pinned, so git is the only signal. Returns the
    round's time."""
    number = future_round(days)
    write(root, {**tree(example=example, round_number=number), **(extra or {})})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "records", when=now() - 7200)
    out = ssj(root, "draw", "freeze", PLAN_ID)
    assert out.exit_code == 0, out.output
    return round_time("quicknet", number)


def commit_all(root: Path, message: str, when: int | None = None) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, when=when)


def test_a_package_deleted_and_re_added_honestly_keeps_its_time(tmp_path: Path) -> None:
    source = frozen_in_git(tmp_path)
    commit_all(tmp_path, "freeze", when=now() - 3600)
    package = (tmp_path / PACKAGE).read_bytes()
    (tmp_path / PACKAGE).unlink()
    commit_all(tmp_path, "oops", when=now() - 1800)
    write(tmp_path, {PACKAGE: package})
    commit_all(tmp_path, "back", when=now())
    assert now() + 24 * 3600 < source
    out = assert_passes(tmp_path)
    assert not problem_lines(out.stdout, "draw.publication-late"), out.stdout


@pytest.mark.parametrize("example, code, severity", [(False, 1, "错误"), (True, 0, "提示")])
def test_a_shallow_clone(tmp_path: Path, example: bool, code: int, severity: str) -> None:
    source = tmp_path / "source"
    source.mkdir()
    frozen_in_git(source, example=example)
    commit_all(source, "freeze")
    assert_passes(source)
    git(tmp_path, "clone", "-q", f"file://{source}", "full")
    out = assert_passes(tmp_path / "full")
    assert not problem_lines(out.stdout, "draw.publication-late"), out.stdout
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{source}", "shallow")
    out = ssj(tmp_path / "shallow", "check")
    assert out.exit_code == code, out.output
    (line,) = problem_lines(out.stdout, "draw.publication-late")
    assert line.startswith(f"{PACKAGE}:1: {severity} [draw.publication-late] "), line
    assert "浅克隆" in line and "fetch-depth: 0" in line


# --- 3. packages re-derived from the records --------------------------------------------------

RISKY = 2      # firm 2 carries complaints: two tickets
RECUSED = 3    # inspector 3 declared a conflict with firm 3


def derivation_tree() -> dict:
    """Ten law firms (k = 2 at 20 %), one weighted, one declared conflict."""
    files = tree(firms=10)
    files[f"records/institutions/{firm_id(RISKY)}.yaml"] = firm_file(RISKY, """\
risk_flags:
  - kind: complaints
    since: 2024-06-01
""")
    files[f"records/inspectors/{inspector_id(RECUSED)}.yaml"] = inspector_file(
        RECUSED, "lawyer", f"""\
conflicts:
  - target: "{firm_id(RECUSED)}"
    declared_on: 2024-02-01
""")
    return files


@pytest.fixture(scope="module")
def drawn_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("derived")
    drawn(root, derivation_tree())
    package = package_of(root)
    (stratum,) = package["strata"]
    assert stratum["k"] == 2 and len(stratum["targets"]) == 10
    assert {t["id"]: t["weight"] for t in stratum["targets"]}[firm_id(RISKY)] == 2
    assert package["exclusions"] == [{"target": firm_id(RECUSED),
                                      "inspector": inspector_id(RECUSED), "reason": "recusal"}]
    return root


def redrawn_by_hand(root: Path, change) -> None:
    """The package edited, then commitment and result recomputed and the drawn targets
    inspected, so that everything but the derivation holds."""
    package = package_of(root)
    change(package)
    values = json.loads((root / DRAWS / "values.json").read_bytes())
    result = draw(package, values)
    write(root, {PACKAGE: json.dumps(package, ensure_ascii=False, indent=2) + "\n",
                 f"{DRAWS}/commitment.txt": commitment(package) + "\n",
                 f"{DRAWS}/result.json": serialise(result)})
    shutil.rmtree(root / "records" / "findings")
    inspected(root, result)


def drop_target(n: int):
    def change(package: dict) -> None:
        (stratum,) = package["strata"]
        stratum["targets"] = [t for t in stratum["targets"] if t["id"] != firm_id(n)]
    return change


def drop_inspector(n: int):
    def change(package: dict) -> None:
        package["inspectors"] = [i for i in package["inspectors"] if i["id"] != inspector_id(n)]
    return change


def set_k(k: int):
    def change(package: dict) -> None:
        package["strata"][0]["k"] = k
    return change


def set_weight(n: int, weight: int):
    def change(package: dict) -> None:
        for target in package["strata"][0]["targets"]:
            if target["id"] == firm_id(n):
                target["weight"] = weight
    return change


def drop_exclusions(package: dict) -> None:
    package["exclusions"] = []


# each edit, the check of the clause it breaches, and what that check says
HAND_EDITS = {
    "institution-dropped": (drop_target(4), "draw.derivation", (
        f"示例第4律师事务所（{firm_id(4)}）", "在抽取基准日 2025-03-01 为执业状态，却不在抽取范围")),
    "inspector-dropped": (drop_inspector(4), "draw.derivation-inspectors", (
        f"检查员04号（{inspector_id(4)}）", "在岗、执法证有效，却不在可选人员中")),
    "k-lowered": (set_k(1), "draw.derivation", ("按计划比例 20%、至少 1 家", "应从 10 家中抽取 2 家，抽取包为 1 家")),
    "weight-changed": (set_weight(RISKY, 1), "draw.derivation-weight", (
        f"示例第{RISKY}律师事务所（{firm_id(RISKY)}）的抽签份数应为 2", "抽取包为 1")),
    "exclusion-dropped": (drop_exclusions, "draw.derivation-team", (
        f"检查员03号（{inspector_id(RECUSED)}）", f"示例第{RECUSED}律师事务所", "应排除（申报回避）")),
}


def test_the_package_the_records_give_passes(drawn_tree: Path, tmp_path: Path) -> None:
    root = tmp_path / "tree"
    shutil.copytree(drawn_tree, root)
    out = assert_passes(root)
    assert not problem_lines(out.stdout, "draw.derivation")
    assert ssj(root, "draw", "verify").exit_code == 0


@pytest.mark.parametrize("change, rule, words", HAND_EDITS.values(), ids=HAND_EDITS.keys())
def test_a_hand_edited_package_that_verifies_is_refused(drawn_tree: Path, tmp_path: Path,
                                                        change, rule: str, words) -> None:
    root = tmp_path / "tree"
    shutil.copytree(drawn_tree, root)
    redrawn_by_hand(root, change)
    # the algorithm verifies: only the derivation is wrong
    public = ssj(root, "draw", "verify", "--package", PACKAGE, "--values",
                 f"{DRAWS}/values.json", "--result", f"{DRAWS}/result.json")
    assert public.exit_code == 0, public.output
    before = snapshot(root / "records")
    outs = ssj(root, "check"), ssj(root, "draw", "verify")
    assert snapshot(root / "records") == before
    assert_reported(outs, rule, PACKAGE, "抽取包与记录不符", *words)
    for out in outs:
        # the regulation's rules run beside the draw checks and may refuse the same edit in
        # their words (a changed weight: plan.risk-weight); no other draw check speaks
        errors = [line for line in out.stdout.splitlines()
                  if " 错误 [draw." in line or " 错误 [load." in line or " 错误 [integrity." in line]
        assert all(f"[{rule}]" in line for line in errors), errors
        assert all(line.startswith(f"{PACKAGE}:1: ") for line in errors), errors


def closed_before_the_pool_date(n: int) -> dict:
    """Firm n's record with a status entry dated before plan 2025-01's pool date."""
    return {f"records/institutions/{firm_id(n)}.yaml": firm_file(n, """\
  - since: 2025-02-01
    status: closed
""")}


@pytest.mark.parametrize("committed", [False, True], ids=["uncommitted", "committed"])
def test_a_later_record_change_is_explained_not_an_error(tmp_path: Path, committed: bool) -> None:
    frozen_in_git(tmp_path, example=False)
    commit_all(tmp_path, "freeze")
    freeze_commit = head(tmp_path)
    write(tmp_path, closed_before_the_pool_date(2))
    if committed:
        commit_all(tmp_path, "record the closure")
    out = assert_passes(tmp_path)
    (line,) = problem_lines(out.stdout, "draw.derivation")
    assert line.startswith(f"{PACKAGE}:1: 提示 [draw.derivation] "), line
    assert f"示例第2律师事务所（{firm_id(2)}）在抽取范围中" in line
    assert "在抽取基准日 2025-03-01 不是执业状态" in line
    assert f"按冻结时（提交 {freeze_commit[:12]}）的记录重新计算与抽取包一致" in line
    assert f"差异来自之后修改的记录：institutions/{firm_id(2)}.yaml" in line
    verify = ssj(tmp_path, "draw", "verify")
    assert verify.exit_code == 0, verify.output


def test_a_record_rewritten_after_the_freeze_does_not_explain(tmp_path: Path) -> None:
    """A closure recorded falsely at freeze time keeps firm 2 out of the pool; withdrawing it
    afterwards must not let history vouch for the package (only additions may)."""
    frozen_in_git(tmp_path, example=False, extra=closed_before_the_pool_date(2))
    commit_all(tmp_path, "freeze without firm 2")
    write(tmp_path, {f"records/institutions/{firm_id(2)}.yaml": firm_file(2)})
    commit_all(tmp_path, "withdraw the closure")
    before = snapshot(tmp_path / "records")
    out = ssj(tmp_path, "check")
    assert snapshot(tmp_path / "records") == before
    assert out.exit_code == 1, out.output
    (line,) = problem_lines(out.stdout, "draw.derivation")
    assert line.startswith(f"{PACKAGE}:1: 错误 [draw.derivation] 抽取包与记录不符："), line
    assert "不在抽取范围" in line and "有改动或删除" in line
    assert f"{firm_id(2)}.yaml 字段 status_history[2]" in line


def test_a_pool_institutions_sector_rewritten_afterwards_is_refused(tmp_path: Path) -> None:
    frozen_in_git(tmp_path, example=False)
    commit_all(tmp_path, "freeze")
    institution = f"records/institutions/{firm_id(2)}.yaml"
    write(tmp_path, {institution: edit(firm_file(2), "sector: law-firm", "sector: legal-aid")})
    assert_check_refuses(tmp_path, "draw.derivation", PACKAGE, "不属于律师事务所",
                         f"{firm_id(2)}.yaml 字段 sector")


def test_a_rewrite_that_does_not_touch_the_package_still_lets_additions_explain(
        tmp_path: Path) -> None:
    frozen_in_git(tmp_path, example=False)
    commit_all(tmp_path, "freeze")
    plan = (tmp_path / PLAN_FILE).read_text(encoding="utf-8")
    write(tmp_path, {**closed_before_the_pool_date(2),
                     PLAN_FILE: plan.replace("title: ", "title: （更正）", 1)})
    out = assert_passes(tmp_path)
    (line,) = problem_lines(out.stdout, "draw.derivation")
    assert " 提示 " in line and "差异来自之后修改的记录" in line


def test_with_base_a_new_package_must_be_what_the_records_give(tmp_path: Path) -> None:
    frozen_in_git(tmp_path, example=False)
    base = head(tmp_path)
    commit_all(tmp_path, "freeze")
    # the pull request adds the package as the records give it
    out = assert_passes(tmp_path, "--base", base)
    assert not problem_lines(out.stdout, "draw.derivation")
    freeze_commit = head(tmp_path)
    # the same pull request also changes a record so that they no longer give that package:
    # history could explain it, but a new package must equal what this change's records give
    write(tmp_path, closed_before_the_pool_date(2))
    commit_all(tmp_path, "record the closure")
    before = snapshot(tmp_path / "records")
    out = ssj(tmp_path, "check", "--base", base)
    assert snapshot(tmp_path / "records") == before
    assert out.exit_code == 1, out.output
    (line,) = problem_lines(out.stdout, "draw.derivation")
    assert line.startswith(f"{PACKAGE}:1: 错误 [draw.derivation] 抽取包与记录不符："), line
    assert f"示例第2律师事务所（{firm_id(2)}）在抽取范围中" in line
    # against a base that already had the package, the change is explained
    out = assert_passes(tmp_path, "--base", freeze_commit)
    (line,) = problem_lines(out.stdout, "draw.derivation")
    assert " 提示 " in line and "差异来自之后修改的记录" in line


# --- 4. no silent redraws -------------------------------------------------------------------

REVISION_ID = "2025-01-r1"
SECOND_REVISION_ID = "2025-01-r2"
SIBLING_ID = "2025-01-r1b"
REASON = "首次抽取后发现名录库有误，经批准重新抽取。"
SECOND_REASON = "第一次修订后又发现执法检查人员名录有误。"
SIX_INSPECTORS = ("lawyer", "supervision", "lawyer", "supervision", "lawyer", "supervision")


def revision(plan_id: str, supersedes: str, sources: str, reason: str) -> dict:
    return {f"records/plans/{plan_id}.yaml": plan_file(plan_id, sources, extra=f"""\
revision:
  supersedes: {supersedes}
  reason: {reason}
""")}


def line_in(root: Path, file: str, start: str) -> int:
    """The line of `file` that starts with `start`."""
    lines = (root / file).read_text(encoding="utf-8").splitlines()
    (n,) = [i for i, line in enumerate(lines, start=1) if line.startswith(start)]
    return n


def plan_path(plan_id: str) -> str:
    return f"records/plans/{plan_id}.yaml"


def test_superseding_an_undrawn_package_whose_round_is_public_is_refused(tmp_path: Path) -> None:
    frozen(tmp_path, tree(inspectors=SIX_INSPECTORS, sources=drand_source(123)))
    write(tmp_path, revision(REVISION_ID, PLAN_ID, drand_source(1000), REASON))
    assert_check_refuses(tmp_path, "draw.silent-redraw", plan_path(REVISION_ID),
                         "字段 revision", f"被取代的计划 {PLAN_ID} 已冻结", "没有抽取结果",
                         line=line_in(tmp_path, plan_path(REVISION_ID), "revision:"))
    # and the revision cannot be frozen over it
    before = snapshot(tmp_path)
    assert_refused(ssj(tmp_path, "draw", "freeze", REVISION_ID), "draw.silent-redraw")
    assert snapshot(tmp_path) == before


def test_superseding_a_package_drawn_and_kept_is_fine(tmp_path: Path) -> None:
    drawn(tmp_path, tree(inspectors=SIX_INSPECTORS, sources=drand_source(123)), number=123,
          inspect=False)
    write(tmp_path, revision(REVISION_ID, PLAN_ID, drand_source(1000), REASON))
    out = ssj(tmp_path, "draw", "freeze", REVISION_ID)
    assert out.exit_code == 0, out.output
    out = assert_passes(tmp_path)
    assert not problem_lines(out.stdout, "draw.silent-redraw"), out.stdout


def test_superseding_a_package_before_its_round_is_fine(tmp_path: Path) -> None:
    frozen(tmp_path, tree(inspectors=SIX_INSPECTORS, round_number=future_round(30)))
    write(tmp_path, revision(REVISION_ID, PLAN_ID, drand_source(future_round(60)), REASON))
    out = ssj(tmp_path, "draw", "freeze", REVISION_ID)
    assert out.exit_code == 0, out.output
    out = assert_passes(tmp_path)
    assert not problem_lines(out.stdout, "draw.silent-redraw"), out.stdout
    assert not problem_lines(out.stdout, "draw.overlap"), out.stdout


def second_plan(schedule: str) -> dict:
    text = edit(plan_file("2025-02"), "schedule:\n  start: 2025-04-01\n  end: 2025-05-31",
                schedule)
    return {plan_path("2025-02"): text}


@pytest.mark.parametrize("schedule, overlapping", [
    ("schedule:\n  start: 2025-05-01\n  end: 2025-06-30", True),
    ("schedule:\n  start: 2025-06-01\n  end: 2025-07-31", False),
], ids=["overlapping", "after"])
def test_two_live_packages_over_one_sector_and_time(tmp_path: Path, schedule: str,
                                                    overlapping: bool) -> None:
    frozen(tmp_path, tree(inspectors=SIX_INSPECTORS))
    write(tmp_path, second_plan(schedule))
    out = ssj(tmp_path, "draw", "freeze", "2025-02")
    if overlapping:
        # freezing refuses the second package outright, writing nothing
        assert out.exit_code == 1 and out.stderr.count("\n") == 1, out.output
        assert f"已冻结的计划 {PLAN_ID} 同含行业 law-firm" in out.stderr
        assert not (tmp_path / "records/draws/2025-02").exists()
        # a package that got there anyway (frozen under another schedule, then edited)
        write(tmp_path, second_plan("schedule:\n  start: 2025-06-01\n  end: 2025-07-31"))
        assert ssj(tmp_path, "draw", "freeze", "2025-02").exit_code == 0
        write(tmp_path, second_plan(schedule))
        assert_check_refuses(tmp_path, "draw.overlap", plan_path("2025-02"), "字段 scope",
                             f"与已冻结的计划 {PLAN_ID} 同含行业 law-firm", "实施时间重叠",
                             line=line_in(tmp_path, plan_path("2025-02"), "scope:"))
    else:
        assert out.exit_code == 0, out.output
        out = assert_passes(tmp_path)
        assert not problem_lines(out.stdout, "draw.overlap"), out.stdout


@pytest.mark.parametrize("hours_ago, example, severity", [
    (1, False, "警告"), (48, False, "错误"), (48, True, "提示"),
], ids=["just-out", "overdue", "example"])
def test_a_package_left_undrawn_after_its_round(tmp_path: Path, hours_ago: float, example: bool,
                                                severity: str) -> None:
    """Once every source is out the draw is due; left unrun past the policy margin, it is how a
    bureau would drop a result it dislikes, so a real bureau gets an error."""
    frozen(tmp_path, tree(round_number=future_round(days=-hours_ago / 24)))
    write(tmp_path, {JURISDICTION_FILE: jurisdiction(example)})
    for out in ssj(tmp_path, "check"), ssj(tmp_path, "draw", "verify", PLAN_ID):
        (line,) = problem_lines(out.stdout, "draw.undrawn")
        assert line.startswith(f"{PACKAGE}:1: {severity} [draw.undrawn] "), line
        assert "抽取尚未运行" in line and f"ssj draw run {PLAN_ID}" in line
        assert ("已超过 24 小时" in line) == (hours_ago > 24)


def with_max_revisions(example: bool, cap: int) -> str:
    return edit(jurisdiction(example), "  draw_margin_hours: 24\n",
                f"  draw_margin_hours: 24\n  max_revisions: {cap}\n")


def two_revisions() -> dict:
    files = tree(round_number=future_round(30))
    files.update(revision(REVISION_ID, PLAN_ID, drand_source(future_round(60)), REASON))
    files.update(revision(SECOND_REVISION_ID, REVISION_ID, drand_source(future_round(90)),
                          SECOND_REASON))
    return files


def test_a_second_revision_exceeds_the_default_cap(tmp_path: Path) -> None:
    write(tmp_path, two_revisions())
    assert "max_revisions" not in (tmp_path / JURISDICTION_FILE).read_text(encoding="utf-8")
    assert_check_refuses(tmp_path, "draw.revision-cap", plan_path(SECOND_REVISION_ID),
                         f"计划 {PLAN_ID} 已修订 2 次", "超过本局规定的 1 次",
                         line=line_in(tmp_path, plan_path(SECOND_REVISION_ID), "revision:"))


def sibling_revisions() -> dict:
    """Two revisions of one plan, neither revising the other: two redraws of 2025-01."""
    files = tree(round_number=future_round(30))
    files.update(revision(REVISION_ID, PLAN_ID, drand_source(future_round(60)), REASON))
    files.update(revision(SIBLING_ID, PLAN_ID, drand_source(future_round(90)), SECOND_REASON))
    return files


def test_a_second_revision_of_the_same_plan_exceeds_the_default_cap(tmp_path: Path) -> None:
    write(tmp_path, sibling_revisions())
    assert_check_refuses(tmp_path, "draw.revision-cap", plan_path(SIBLING_ID),
                         f"计划 {PLAN_ID} 已修订 2 次", "超过本局规定的 1 次",
                         line=line_in(tmp_path, plan_path(SIBLING_ID), "revision:"))


@pytest.mark.parametrize("files", [two_revisions, sibling_revisions],
                         ids=["chain", "siblings"])
def test_a_second_revision_within_a_cap_of_two(tmp_path: Path, files) -> None:
    tree_files = files()
    tree_files[JURISDICTION_FILE] = with_max_revisions(True, 2)
    write(tmp_path, tree_files)
    out = assert_passes(tmp_path)
    assert not problem_lines(out.stdout, "draw.revision-cap")


def test_every_attempt_and_revision_is_on_the_site(tmp_path: Path) -> None:
    """2025-01 drawn then abandoned, its revision drawn and revised again (cap 2): every page of
    the chain lists all three, and each superseded page shows its result beside the reason."""
    files = tree(inspectors=SIX_INSPECTORS, sources=drand_source(123))
    files[JURISDICTION_FILE] = with_max_revisions(True, 2)
    first = drawn(tmp_path, files, number=123, inspect=False)
    write(tmp_path, revision(REVISION_ID, PLAN_ID, drand_source(1000), REASON))
    second = drawn(tmp_path, {}, number=1000, plan=REVISION_ID)
    write(tmp_path, revision(SECOND_REVISION_ID, REVISION_ID, drand_source(future_round()),
                             SECOND_REASON))
    out = ssj(tmp_path, "draw", "freeze", SECOND_REVISION_ID)
    assert out.exit_code == 0, out.output
    site = built(with_site(tmp_path))
    chain = [PLAN_ID, REVISION_ID, SECOND_REVISION_ID]
    for plan_id in chain:
        listed = section_of(site.page(f"plans/{plan_id}.html"), "revisions").one("ol")
        items = listed.find_all("li")
        assert [li.text().split("：")[0].replace("（本页）", "") for li in items] == chain
        assert REASON in items[1].text() and SECOND_REASON in items[2].text()
        assert "已抽取" in items[0].text() and "已抽取" in items[1].text()
        assert "已冻结，未抽取" in items[2].text()
    for plan_id, result, reason, by in ((PLAN_ID, first, REASON, REVISION_ID),
                                        (REVISION_ID, second, SECOND_REASON, SECOND_REVISION_ID)):
        doc = site.page(f"plans/{plan_id}.html")
        note = doc.one("main").find_all("p", cls="note")[0].text()
        assert shown(f"本计划已由修订计划 {by} 取代，理由：{reason}") in note
        assert "被取代的抽取结果照原样公布" in note
        ranking = table_captioned(doc.one(id_="result"), "律师事务所：完整排序")
        keys = [code.text() for code in ranking.iter("code") if "hash" in code.classes]
        assert keys == [entry["key"] for entry in result["strata"][0]["ranking"]]
    index = site.page("plans/index.html").one("main").text()
    assert shown(f"已由 {REVISION_ID} 取代") in index and shown(f"已由 {SECOND_REVISION_ID} 取代") in index


# --- 5. a beacon is always declared ---------------------------------------------------------

RESULT_URL = "https://www.cwl.gov.cn/c/2025/03/05/2025060.shtml"


def test_a_lottery_alone_is_refused(tmp_path: Path) -> None:
    write(tmp_path, tree(sources=LOTTERY_SOURCE))
    assert_check_refuses(tmp_path, "integrity.draw-beacon", PLAN_FILE, "字段 draw.sources",
                         "没有声明 drand 随机源",
                         line=line_in(tmp_path, PLAN_FILE, "  sources:"))
    before = snapshot(tmp_path)
    assert_refused(ssj(tmp_path, "draw", "freeze", PLAN_ID), "integrity.draw-beacon")
    assert snapshot(tmp_path) == before


def test_a_lottery_beside_drand_is_fine(tmp_path: Path) -> None:
    write(tmp_path, tree(sources=drand_source(1000) + LOTTERY_SOURCE))
    out = assert_passes(tmp_path)
    assert not problem_lines(out.stdout, "integrity.draw-beacon")


@pytest.fixture
def lottery_drawn(tmp_path: Path) -> Path:
    frozen(tmp_path, tree(sources=drand_source(1000) + LOTTERY_SOURCE))
    put_round(tmp_path, round_json("quicknet", 1000))
    out = ssj(tmp_path, "draw", "run", PLAN_ID, "--drand-round", "round.json", "--value", "3 7 1")
    assert out.exit_code == 0, out.output
    inspected(tmp_path, json.loads((tmp_path / DRAWS / "result.json").read_bytes()))
    return tmp_path


def test_a_drawn_lottery_without_its_result_page_is_refused(lottery_drawn: Path) -> None:
    root = lottery_drawn
    line = [i for i, text in enumerate((root / PLAN_FILE).read_text(encoding="utf-8")
                                       .splitlines(), start=1) if "kind: lottery" in text][0]
    assert_check_refuses(root, "draw.lottery-page", PLAN_FILE, "draw.sources[2].result_url",
                         "福彩3D 第 2025060 期官方开奖公告", line=line)
    verify = ssj(root, "draw", "verify")
    assert verify.exit_code == 1 and problem_lines(verify.stdout, "draw.lottery-page")


def test_a_drawn_lottery_links_its_result_page(lottery_drawn: Path) -> None:
    root = lottery_drawn
    git(root, "init", "-q")
    commit_all(root, "drawn")
    base = head(root)
    # filled in on the frozen plan after the draw: the plan only grows, the package is unchanged
    write(root, {PLAN_FILE: edit((root / PLAN_FILE).read_text(encoding="utf-8"),
                                 '      time: "21:15"\n',
                                 f'      time: "21:15"\n      result_url: {RESULT_URL}\n')})
    commit_all(root, "the issue's official result page")
    out = assert_passes(root, "--base", base)
    assert not problem_lines(out.stdout, "draw.lottery-page")
    # never "verified": ssj check says the public must compare it by hand, with the page
    (line,) = problem_lines(out.stdout, "draw.lottery-hand-check")
    assert line.startswith(f"{DRAWS}/values.json:1: 提示 "), line
    assert "'3 7 1'" in line and "福彩3D 第 2025060 期" in line and RESULT_URL in line
    assert "人工核对" in line
    site = built(with_site(root))
    doc = site.page(f"plans/{PLAN_ID}.html")
    sources = table_captioned(doc.one(id_="notice"), "事先声明的公开随机源")
    rows = [tr for tr in sources.one("tbody").iter("tr")]
    assert rows[1].one("th").text() == shown("福彩3D 第 2025060 期")
    assert [a.get("href") for a in rows[1].iter("a")] == [RESULT_URL]
    assert "3 7 1" in [code.text() for code in doc.one(id_="result").one("ol").iter("code")]


# --- 6. what the plan page shows and lets a citizen check ------------------------------------

def stamp_rows(site: Site, plan_id: str = PLAN_ID) -> list:
    notice = site.page(f"plans/{plan_id}.html").one(id_="notice")
    table = table_captioned(notice, "可信时间戳（RFC 3161）")
    return [tr for tr in table.one("tbody").iter("tr")]


def gen_time_shown(root: Path, authority_id: str, chain_pem: bytes) -> str:
    commit = (root / DRAWS / "commitment.txt").read_text().strip()
    stamp = verify_stamp((root / token_file(authority_id)).read_bytes(), commit,
                         load_chain(chain_pem))
    shown = stamp.gen_time.astimezone(BEIJING)  # as pages write dates: 2026年12月1日
    return f"{shown.year}年{shown.month}月{shown.day}日 {shown:%H:%M:%S} 北京时间"


def run_the_page_command(site: Site, tmp: Path, plan_id: str = PLAN_ID) -> tuple[str, str]:
    """The page's openssl command, run exactly as written in a folder holding only the token
    and chain files downloaded from the links in the first time-stamp row."""
    page = f"plans/{plan_id}.html"
    checks = site.page(page).one(id_="verify")  # the first authority's command comes first
    command = next(code.raw_text() for pre in checks.iter("pre") for code in pre.iter("code")
                   if code.raw_text().startswith("openssl ts -verify"))
    first = stamp_rows(site, plan_id)[0]
    folder = tmp / "download"
    folder.mkdir()
    for link in first.iter("a"):
        path, _ = site.resolve(page, link.get("href"))
        if path is None:  # the authority's own address, outside the site
            continue
        shutil.copy(site.root / path, folder / Path(path).name)
    assert len(list(folder.iterdir())) == 2
    done = subprocess.run(command, shell=True, cwd=folder, capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 0, (command, done.stdout, done.stderr)
    return done.stdout, command


def test_before_the_draw_the_page_shows_each_time_stamp(tmp_path: Path, authorities,
                                                        tsa: Authority, tsa_url: str) -> None:
    second = authorities("second", intermediate=True)
    root = tmp_path / "bureau"
    with serve(second, full_chain=True) as second_url:
        files = tree(example=False, round_number=future_round())
        files[JURISDICTION_FILE] = pin_main(tsa, tsa_url, False,
                                            ("second", "第二家时间戳机构", second_url,
                                             second.chain_pem))
        committed_repo(root, files)
    assert "错误 0，警告 0" in assert_passes(root).stdout
    site = built(with_site(root))
    page = f"plans/{PLAN_ID}.html"
    doc = site.page(page)
    notice = doc.one(id_="notice")
    commit = (root / DRAWS / "commitment.txt").read_text().strip()
    assert notice.one("p", cls="hash").text() == commit
    package_links = [a for a in notice.iter("a") if a.text() == "package.json"][:1]
    assert [site.resolve(page, a.get("href"))[0] for a in package_links] == [
        f"draws/{PLAN_ID}/package.json"]
    assert site.bytes(f"draws/{PLAN_ID}/package.json") == (root / PACKAGE).read_bytes()
    assert "可信时间戳证明：抽取包在首个随机源公布前已冻结" in notice.text()
    assert "示例数据" not in notice.text()
    rows = stamp_rows(site)
    expected = {TSA_NAME: (TSA_ID, tsa.chain_pem), "第二家时间戳机构": ("second", second.chain_pem)}
    assert sorted(row.one("th").text() for row in rows) == sorted(expected)
    for row in rows:
        authority_id, chain_pem = expected[row.one("th").text()]
        cells = [td.text() for td in row.iter("td")]
        assert cells[0] == gen_time_shown(root, authority_id, chain_pem)
        assert cells[1].startswith("早") and "不足" not in cells[1]
        links = [site.resolve(page, a.get("href"))[0] for a in row.iter("a")]
        assert links == [f"draws/{PLAN_ID}/timestamp-{authority_id}.tsr",
                         f"timestamp-authorities/{authority_id}.pem"]
        assert site.bytes(links[0]) == (root / token_file(authority_id)).read_bytes()
        assert site.bytes(links[1]) == chain_pem
    assert doc.find(id_="result") is None and "种子" not in doc.one("main").text()
    assert "Verification: OK" in run_the_page_command(site, tmp_path)[0]


def test_after_the_draw_the_page_shows_the_stamps_and_the_result(tmp_path: Path,
                                                                 tsa: Authority,
                                                                 tsa_url: str) -> None:
    root = with_site(tmp_path / "county")
    files = tree()
    files[JURISDICTION_FILE] = pin_main(tsa, tsa_url, True)
    frozen(root, files)
    before = built(root)
    doc = before.page(f"plans/{PLAN_ID}.html")
    assert doc.find(id_="result") is None
    assert len(stamp_rows(before)) == 1
    (root / "round.json").write_text(json.dumps(round_json("quicknet", 1000)), encoding="utf-8")
    out = ssj(root, "draw", "run", PLAN_ID, "--drand-round", "round.json")
    assert out.exit_code == 0, out.output
    result = json.loads((root / DRAWS / "result.json").read_bytes())
    inspected(root, result)
    site = built(root)
    doc = site.page(f"plans/{PLAN_ID}.html")
    notice = doc.one(id_="notice")
    assert notice.one("p", cls="hash").text() == result["commitment"]
    (row,) = stamp_rows(site)
    assert row.one("th").text() == TSA_NAME
    # stamped long after round 1000 of 2023: listed as it is, with the example note
    assert row.find_all("td")[1].text().startswith("晚") and "不足规定的24小时" in row.text()
    assert "示例数据" in notice.text() and "可信时间戳证明" not in notice.text()
    folded = doc.one(id_="result")
    assert result["seed"] in folded.text()
    ranking = table_captioned(folded, "律师事务所：完整排序")
    assert [code.text() for code in ranking.iter("code") if "hash" in code.classes] == [
        e["key"] for e in result["strata"][0]["ranking"]]
    assert "Verification: OK" in run_the_page_command(site, tmp_path)[0]


@pytest.fixture(scope="module")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = copy_example(tmp_path_factory.mktemp("example"))
    return built(root)


EXAMPLE_PLANS = sorted(p.stem for p in (REPO / "records" / "plans").glob("*.yaml"))


@pytest.mark.parametrize("plan_id", EXAMPLE_PLANS)
def test_each_example_plan_says_its_rounds_predate_it(example_site: Site, plan_id: str) -> None:
    notice = example_site.page(f"plans/{plan_id}.html").one(id_="notice")
    note = " ".join(p.text() for p in notice.find_all("p", cls="note"))
    assert "示例数据" in note and "随机源早于本计划本身" in note, notice.text()
    assert "抽取包是在随机源公布之后才冻结的" in note
    assert "可信时间戳证明" not in notice.text()


def test_no_example_page_claims_a_freeze_before_the_randomness(example_site: Site) -> None:
    pages = example_site.html_pages()
    assert len(pages) > len(EXAMPLE_PLANS)
    assert not [p for p in pages if "在随机源产生之前冻结" in example_site.read(p)]
