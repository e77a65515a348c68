"""Issue 10, through the CLI: draws nobody can steer.

RFC 3161 time-stamps from a throwaway local authority (tests/tsa_authority.py; openssl signs with
the current time, so an on-time token needs a drand round in the future), git history as a second
signal, packages re-derived from the records, no silent redraws, a drand beacon always declared,
and what the plan page shows and lets a citizen check. Trees come from test_draw_commands; no
network beyond 127.0.0.1.
"""
from __future__ import annotations

import contextlib
import hashlib
import http.server
import json
import re
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest
from asn1crypto import tsp

from generator.draw.canon import canon
from generator.draw.spec import commitment, draw, serialise
from generator.records.timing import round_time
from tests.records_tree import JURISDICTION
from tests.sitecheck import REPO, Site, build_site, copy_example, section_of, table_captioned
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
                  "    chain: |"]
        lines += [f"      {line}" if line else "" for line in text.splitlines()]
    return jurisdiction(example) + "\n".join(lines) + "\n"


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


@contextlib.contextmanager
def answering_at(url: str, authority: Authority) -> Iterator[None]:
    """The authority answering at `url` (a port where nothing listened before): an authority
    that was unreachable and is back."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = authority.answer(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", urlsplit(url).port), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


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
    write(root, {JURISDICTION_FILE: pin_main(tsa, tsa_url, False,
                                             (authority_id, "另一家时间戳机构", "https://tsa.invalid/",
                                              other.chain_pem))})


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
    # the folder holds only the token: the folder is named, with the plan it lacks
    assert errors[0].startswith("records/draws/2099-01:1: 错误 [draw.plan] "), errors[0]
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
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509 import load_pem_x509_certificate

    import base64
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
    text = pin_main(tsa, tsa_url, False, ("broken", "格式错误的机构", "https://tsa.invalid/",
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
