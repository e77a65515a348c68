"""The ESS signing-certificate attribute through the CLI: `ssj draw stamp` and `ssj draw freeze`
keep no answer without it, `ssj check` refuses a stored token without it or naming another
certificate, and a token made in the past for a real past drand round is on time.

Authorities from tests/tsa_authority.py (nothing leaves 127.0.0.1); trees and helpers from
test_draw_commands and test_draw_trust. (The verifier's own cases: test_timestamp.py.)
"""
from __future__ import annotations

import datetime
from pathlib import Path
from typing import Iterator

import pytest

from generator.records.timing import round_time
from tests.test_draw_commands import (
    DRAWS,
    PLAN_ID,
    assert_refused,
    frozen,
    future_round,
    problem_lines,
    snapshot,
    ssj,
    tree,
    write,
)
from tests.test_draw_trust import (
    JURISDICTION_FILE,
    TSA_ID,
    assert_check_refuses,
    committed_repo,
    frozen_unstamped,
    message,
    pin_main,
    token_file,
)
from tests.tsa_authority import Authority, make_authority, serve, signing_certificate, with_ess

NO_ESS = ("时间戳没有 ESS 签名证书属性（signingCertificate 或 signingCertificateV2，RFC 5035/5816），"
          "无法确认签名者；openssl ts -verify 同样拒绝")
ROUND = 1000  # quicknet round 1000: 2023-08-23, long published
UTC = datetime.timezone.utc


@pytest.fixture(scope="module")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    # valid since before ROUND, so that tokens made "then" verify
    since = datetime.datetime.fromtimestamp(round_time("quicknet", ROUND), UTC) - datetime.timedelta(days=7)
    return make_authority(tmp_path_factory.mktemp("tsa"), valid_from=since)


@pytest.fixture(scope="module")
def tsa_url(tsa: Authority) -> Iterator[str]:
    with serve(tsa) as url:
        yield url


def test_stamp_refuses_an_answer_without_the_ess_attribute(tmp_path: Path, tsa: Authority) -> None:
    with serve(tsa, "no-ess") as url:
        frozen_unstamped(tmp_path, tsa, url)
        before = snapshot(tmp_path)
        out = ssj(tmp_path, "draw", "stamp", PLAN_ID)
    assert_refused(out, "未取得时间戳", TSA_ID, url, "未通过验证", NO_ESS)
    assert out.exit_code == 1
    assert snapshot(tmp_path) == before


def test_freeze_keeps_no_answer_without_the_ess_attribute(tmp_path: Path, tsa: Authority) -> None:
    files = tree(example=False, round_number=future_round())
    with serve(tsa, "no-ess") as url:
        files[JURISDICTION_FILE] = pin_main(tsa, url)
        write(tmp_path, files)
        out = ssj(tmp_path, "draw", "freeze", PLAN_ID)
    assert out.exit_code == 0, out.output
    assert sorted(p.name for p in (tmp_path / DRAWS).iterdir()) == ["commitment.txt", "package.json"]
    (warning,) = out.stderr.splitlines()
    assert TSA_ID in warning and NO_ESS in warning and f"ssj draw stamp {PLAN_ID}" in warning


@pytest.fixture
def repo(tmp_path: Path, tsa: Authority, tsa_url: str) -> Path:
    """A real bureau's plan, round 30 days ahead, frozen, stamped and committed."""
    files = tree(example=False, round_number=future_round())
    files[JURISDICTION_FILE] = pin_main(tsa, tsa_url)
    return committed_repo(tmp_path, files)


@pytest.mark.parametrize("case, words", [
    ("none", NO_ESS),
    ("another certificate", "时间戳的 ESS 签名证书属性指向另一张证书，不是签名者“Test TSA”"),
])
def test_check_refuses_a_stored_token_whose_ess_attribute_does_not_name_its_signer(
        repo: Path, tsa: Authority, tmp_path_factory: pytest.TempPathFactory, case: str,
        words: str) -> None:
    if case == "none":
        data = tsa.reply(message(repo), ess=False)
    else:
        stranger = make_authority(tmp_path_factory.mktemp("stranger"))
        data = tsa.resign(tsa.reply(message(repo)), with_ess(signing_certificate(stranger.tsa)))
    write(repo, {token_file(): data})
    assert_check_refuses(repo, "draw.timestamp", token_file(), "时间戳无效", words)


def test_a_token_made_before_a_real_past_round_is_on_time(tmp_path: Path, tsa: Authority,
                                                         tsa_url: str) -> None:
    """Example data drawn on quicknet round 1000: a token stamped now is late, one made two
    days before the round is on time, and one without ESS is invalid."""
    files = tree(example=True, round_number=ROUND)
    files[JURISDICTION_FILE] = pin_main(tsa, tsa_url, True)
    frozen(tmp_path, files)
    out = ssj(tmp_path, "check")
    assert problem_lines(out.stdout, "draw.timestamp-late"), out.stdout
    before = datetime.datetime.fromtimestamp(round_time("quicknet", ROUND), UTC) - datetime.timedelta(days=2)
    write(tmp_path, {token_file(): tsa.reply(message(tmp_path), gen_time=before)})
    out = ssj(tmp_path, "check")
    assert out.exit_code == 0, out.output
    assert not problem_lines(out.stdout, "draw.timestamp-late"), out.stdout
    assert not problem_lines(out.stdout, "draw.timestamp"), out.stdout
    write(tmp_path, {token_file(): tsa.reply(message(tmp_path), gen_time=before, ess=False)})
    (line,) = problem_lines(ssj(tmp_path, "check").stdout, "draw.timestamp")
    assert line.startswith(f"{token_file()}:1: ") and f"[draw.timestamp] 时间戳无效：{NO_ESS}" in line
