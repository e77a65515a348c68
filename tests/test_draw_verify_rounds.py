"""`ssj draw verify --package … --values …` checks each drand value against its round file
(declared round, randomness = SHA-256(signature), BLS signature under the pinned key), says
plainly which values it could not check, and never calls such a draw verified."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from generator.draw.spec import draw, serialise
from tests.test_draw_commands import assert_refused, ssj

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (REPO / "records" / "draws").iterdir() if (p / "result.json").is_file())
QUICK = REPO / "records" / "draws" / "2025-01"  # drand quicknet round 1000
VECTOR = REPO / "tests" / "vectors" / "draw-basic"  # drand quicknet 1000 and a lottery
ROUND = "drand-quicknet-1000.json"
VERIFIED = "一致，且随机值已与 drand 轮次核对"
UNVERIFIED = "结果与随机值一致，但随机值未核验"
FILES = ("--package", "package.json", "--values", "values.json")


def folder_of(tmp_path: Path, source: Path = QUICK, with_rounds: bool = True) -> Path:
    folder = tmp_path / "download"
    folder.mkdir()
    for path in source.iterdir():
        if with_rounds or not path.name.startswith("drand-"):
            shutil.copy(path, folder / path.name)
    return folder


def redrawn(folder: Path, values: list[str], package: dict | None = None) -> None:
    """values.json (and package.json) replaced, with a result.json consistent with them: only
    the round check can tell."""
    package = package or json.loads((folder / "package.json").read_bytes())
    (folder / "package.json").write_text(json.dumps(package, ensure_ascii=False, indent=2))
    (folder / "values.json").write_text(json.dumps(values))
    (folder / "result.json").write_bytes(serialise(draw(package, values)))


def round_data(folder: Path, name: str = ROUND) -> dict:
    return json.loads((folder / name).read_bytes())


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_real_round_files_beside_the_values_are_checked(tmp_path: Path, example: Path) -> None:
    folder = folder_of(tmp_path, example)
    out = ssj(folder, "draw", "verify", *FILES, "--result", "result.json")
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    (name,) = [p.name for p in example.glob("drand-*.json")]
    assert lines[0].startswith("已核验：第 1 个随机值（drand ") and name in lines[0]
    assert lines[-1].startswith(VERIFIED) and "未核验" not in out.output
    # without --result: the result on standard output, byte for byte; the verdict on stderr
    out = ssj(folder, "draw", "verify", *FILES)
    assert out.exit_code == 0, out.output
    assert out.stdout_bytes == (example / "result.json").read_bytes()
    assert "随机值已与 drand 轮次核对" in out.stderr


def test_round_files_given_with_round_from_elsewhere(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, with_rounds=False)
    rounds = tmp_path / "rounds"
    rounds.mkdir()
    shutil.copy(QUICK / ROUND, rounds / "any-name.json")
    out = ssj(folder, "draw", "verify", *FILES, "--round", str(rounds / "any-name.json"),
              "--result", "result.json")
    assert out.exit_code == 0, out.output
    assert out.stdout.splitlines()[-1].startswith(VERIFIED)


def test_another_valid_value_is_refused_naming_the_round_file(tmp_path: Path) -> None:
    folder = folder_of(tmp_path)
    other = json.loads((REPO / "records/draws/2025-02/values.json").read_bytes())  # round 123
    redrawn(folder, other)
    out = ssj(folder, "draw", "verify", *FILES, "--result", "result.json")
    assert out.exit_code == 1
    assert_refused(out, ROUND, other[0], round_data(folder)["randomness"], "不是声明的")
    out = ssj(folder, "draw", "verify", *FILES, "--round", ROUND)
    assert_refused(out, ROUND)


def test_a_forged_signature_is_refused(tmp_path: Path) -> None:
    folder = folder_of(tmp_path)
    data = round_data(folder)
    signature = data["signature"]
    forged = signature[:40] + ("0" if signature[40] != "0" else "1") + signature[41:]
    # randomness left alone: it is no longer SHA-256 of the signature
    (folder / ROUND).write_text(json.dumps({**data, "signature": forged}))
    out = ssj(folder, "draw", "verify", *FILES, "--result", "result.json")
    assert_refused(out, ROUND, "SHA-256")
    # randomness, values and result all made to agree with the forged signature: only BLS fails
    randomness = hashlib.sha256(bytes.fromhex(forged)).hexdigest()
    (folder / ROUND).write_text(json.dumps({**data, "signature": forged,
                                            "randomness": randomness}))
    redrawn(folder, [randomness])
    out = ssj(folder, "draw", "verify", *FILES, "--result", "result.json")
    assert out.exit_code == 1
    assert_refused(out, ROUND, "签名验证失败")


def test_a_round_file_for_the_next_round_is_refused(tmp_path: Path) -> None:
    """The package declares round 122 of quicknet; round 123 (real, verifying) is offered."""
    folder = folder_of(tmp_path, REPO / "records" / "draws" / "2025-02")
    package = json.loads((folder / "package.json").read_bytes())
    package["sources"][0]["round"] = 122
    redrawn(folder, json.loads((folder / "values.json").read_bytes()), package)
    out = ssj(folder, "draw", "verify", *FILES, "--round", "drand-quicknet-123.json",
              "--result", "result.json")
    assert out.exit_code == 1
    assert_refused(out, "drand-quicknet-123.json", "122", "123")
    # under the declared round's name beside the values, it is found and refused the same way
    (folder / "drand-quicknet-123.json").rename(folder / "drand-quicknet-122.json")
    out = ssj(folder, "draw", "verify", *FILES, "--result", "result.json")
    assert_refused(out, "drand-quicknet-122.json", "122", "123")
    # and a round number edited in the file breaks the signature
    data = round_data(folder, "drand-quicknet-122.json")
    (folder / "drand-quicknet-122.json").write_text(json.dumps({**data, "round": 122}))
    out = ssj(folder, "draw", "verify", *FILES, "--result", "result.json")
    assert_refused(out, "drand-quicknet-122.json", "签名验证失败")


def test_without_a_round_file_the_value_is_unverified(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, with_rounds=False)
    out = ssj(folder, "draw", "verify", *FILES, "--result", "result.json")
    assert out.exit_code == 3, out.output
    lines = out.stdout.splitlines()
    assert lines[0] == ("未核验：第 1 个随机值（drand quicknet 第 1000 轮）没有对应的轮次文件，"
                        "只重新计算了结果（用 --round 给出 drand 轮次文件）")
    assert lines[-1].startswith(UNVERIFIED)
    assert VERIFIED not in out.output and "已核验" not in out.output
    out = ssj(folder, "draw", "verify", *FILES)
    assert out.exit_code == 3
    assert out.stdout_bytes == (QUICK / "result.json").read_bytes()
    assert "未核验" in out.stderr and "已与 drand 轮次核对" not in out.stderr


def test_a_lottery_value_is_sent_to_the_official_result(tmp_path: Path) -> None:
    folder = tmp_path / "download"
    shutil.copytree(VECTOR, folder)
    shutil.copy(QUICK / ROUND, folder / ROUND)  # the vector's drand source is that round too
    out = ssj(folder, "draw", "verify", *FILES, "--result", "result.json")
    assert out.exit_code == 3, out.output
    first, lottery, last = out.stdout.splitlines()
    assert first.startswith("已核验：第 1 个随机值（drand quicknet 第 1000 轮）")
    assert lottery.startswith("未核验：第 2 个随机值（福彩3D 第 2025060 期）")
    assert "官方开奖公告" in lottery and "3 7 1" in lottery
    assert last.startswith(UNVERIFIED) and "第 2 个" in last and VERIFIED not in out.output


@pytest.mark.parametrize("text,says", [
    (b'{"round": 1000,\n"signature": ', f"{ROUND}:2:"),
    (b'[1000]', "JSON 对象"),
    (b'{"round": 1000, "randomness": "zz", "signature": "00"}', "十六进制"),
    (b'{"round": "1000"}', "1000"),
], ids=["truncated", "array", "not-hex", "round-as-string"])
def test_a_malformed_round_file_is_one_line_naming_it(tmp_path: Path, text: bytes,
                                                      says: str) -> None:
    folder = folder_of(tmp_path)
    (folder / ROUND).write_bytes(text)
    for extra in ((), ("--round", ROUND)):
        out = ssj(folder, "draw", "verify", *FILES, *extra, "--result", "result.json")
        assert out.exit_code == 1
        assert_refused(out, ROUND, says)


def test_round_usage_errors(tmp_path: Path) -> None:
    folder = folder_of(tmp_path)
    out = ssj(folder, "draw", "verify", "2025-01", "--round", ROUND)
    assert out.exit_code == 2 and "Traceback" not in out.output
    out = ssj(folder, "draw", "verify", *FILES, "--round", "missing.json")
    assert out.exit_code == 2 and "missing.json" in out.stderr
    out = ssj(folder, "draw", "verify", *FILES, "--round", ROUND, "--round", ROUND)
    assert_refused(out, ROUND, "只能给一个")
    help_text = ssj(folder, "draw", "verify", "--help").stdout
    assert "drand-<链>-<轮次>.json" in help_text and "3  结果与随机值一致" in help_text
