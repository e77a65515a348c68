"""The two standalone verifiers say the same words for the same fault: `ssj draw verify --package
… --values … --result …` run on a folder of files, and verify.html (a real browser) given the same
files. Both take their messages from one table (generator/draw/table.py, and the
site/static/verify/table.js it writes, which must be byte for byte what it writes now)."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

from generator.draw import spec, table
from generator.draw.policy import DrawPolicy
from generator.draw.table import MESSAGES, say
from tests.browser import built_example
from tests.test_draw_commands import ssj
from tests.test_verify_page import chose

REPO = Path(__file__).resolve().parent.parent
QUICK = REPO / "records" / "draws" / "2025-01"  # drand quicknet round 1000
OTHER = REPO / "records" / "draws" / "2025-02"  # drand quicknet round 123
VECTOR = REPO / "tests" / "vectors" / "draw-basic"  # drand quicknet 1000 and a lottery
ROUND = "drand-quicknet-1000.json"
CLI = ("draw", "verify", "--package", "package.json", "--values", "values.json",
       "--result", "result.json")


# ---- the table and its JavaScript copy -----------------------------------------------------

def test_table_js_is_what_the_table_writes() -> None:
    written = (REPO / "site" / "static" / "verify" / "table.js").read_text(encoding="utf-8")
    assert written == table.javascript(), "run: python -m generator.draw.table"
    done = subprocess.run([sys.executable, "-m", "generator.draw.table", "--check"], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_the_table_is_the_one_source() -> None:
    from generator.records.chains import CHAINS
    from generator.records.load import DRAW_FILES

    assert spec.REASONS is table.REASONS and spec.SPEC == table.SPEC
    assert {k: (p.pattern, w) for k, (p, w) in spec.VALUE_FORMS.items()} == table.VALUE_FORMS
    assert set(table.SOURCE_KINDS) >= set(spec.VALUE_FORMS)
    assert table.DRAW_FILES == DRAW_FILES
    assert f"drand-({'|'.join(CHAINS)})" in table.ROUND_FILE_PATTERN
    assert table.MIN_MARGIN_HOURS == 1
    for message_id, template in MESSAGES.items():  # placeholders only: no other brace
        assert not re.search(r"[{}]", re.sub(r"\{[a-z_]+\}", "", template)), message_id


def test_the_rule_in_words_is_the_policys() -> None:
    """verify.html states the rule it applied in the words ssj check and the plan page use."""
    for quorum, pinned in ((None, 1), (None, 3), (2, 3), (3, 3), (5, 2)):
        policy = DrawPolicy(24, 1, quorum)
        if quorum is None or quorum >= pinned:
            words = say("stamp_rule_all", pinned=pinned, margin=24)
        else:
            words = say("stamp_rule_quorum", pinned=pinned, quorum=quorum, margin=24)
        assert words == policy.rule(pinned)


def test_source_labels_are_the_specs() -> None:
    """The command line names a source by the spec's label (with its chain's code name); the page
    by the table's, in plain Chinese, the chain left to the round file's name and folded details."""
    for source, label, words in (
            ({"kind": "drand", "chain": "quicknet", "round": 7}, "drand quicknet 第 7 轮",
             "drand公开随机信标第7轮"),
            ({"kind": "lottery", "game": "福彩3D", "issue": "2025060"}, "福彩3D 第 2025060 期",
             "福彩3D第2025060期"),
            ({"kind": "coin"}, "coin 随机源", "未知种类的随机源")):
        assert spec.source_label(source) == label
        assert table.source_label(source) == words


def relabelled(line: str, files: Path) -> str:
    """A command-line line as the page says it: each declared source by the page's label (a
    round file's own error, drand_bad_signature, names its chain and round in both)."""
    for source in json.loads((files / "package.json").read_bytes()).get("sources", []):
        line = re.sub(re.escape(spec.source_label(source)) + "(?!的签名验证失败)",
                      table.source_label(source), line)
    return line


# ---- the same fault, through the CLI and in the page ------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_example(tmp_path_factory)


def folder(tmp: Path, source: Path = QUICK, drop: tuple[str, ...] = ()) -> Path:
    out = tmp / "files"
    out.mkdir()
    for path in source.iterdir():
        if path.name not in drop and not path.name.startswith("timestamp-"):
            shutil.copy(path, out / path.name)
    return out


def redrawn(files: Path, values: list[str]) -> None:
    package = json.loads((files / "package.json").read_bytes())
    (files / "values.json").write_text(json.dumps(values))
    (files / "result.json").write_bytes(spec.serialise(spec.draw(package, values)))


def another_value(files: Path) -> None:
    redrawn(files, json.loads((OTHER / "values.json").read_bytes()))


def forged_round(files: Path) -> None:
    data = json.loads((files / ROUND).read_bytes())
    signature = data["signature"][:40] + ("0" if data["signature"][40] != "0" else "1") + data["signature"][41:]
    randomness = hashlib.sha256(bytes.fromhex(signature)).hexdigest()
    (files / ROUND).write_text(json.dumps({**data, "signature": signature, "randomness": randomness}))
    redrawn(files, [randomness])


def another_round(files: Path) -> None:
    (files / ROUND).write_bytes((OTHER / "drand-quicknet-123.json").read_bytes())


def edited_result(files: Path) -> None:
    result = json.loads((files / "result.json").read_bytes())
    ranking = result["strata"][0]["ranking"]
    ranking[0]["id"], ranking[1]["id"] = ranking[1]["id"], ranking[0]["id"]
    (files / "result.json").write_bytes(spec.canon(result) + b"\n")


def newline_lost(files: Path) -> None:
    (files / "result.json").write_bytes((files / "result.json").read_bytes()[:-1])


def extra_key(files: Path) -> None:
    package = json.loads((files / "package.json").read_bytes())
    package["extra"] = 1
    (files / "package.json").write_text(json.dumps(package, ensure_ascii=False))


def two_values(files: Path) -> None:
    values = json.loads((files / "values.json").read_bytes())
    (files / "values.json").write_text(json.dumps(values + values))


def edited_commitment(files: Path) -> None:
    (files / "commitment.txt").write_text("0" * 64 + "\n")


def lottery(files: Path) -> None:
    shutil.copy(QUICK / ROUND, files / ROUND)  # the vector's drand source is that round too


def no_change(files: Path) -> None:
    pass


# name: (the folder it starts from, files left out, the change, the step whose text shows it,
#        the CLI's exit code, and how the CLI's line reads in the page: the words both say)
CASES: dict[str, tuple[Path, tuple[str, ...], Callable[[Path], None], str, int, Callable[[str], str]]] = {
    "verified round": (QUICK, (), no_change, "values", 0, lambda line: line),
    "another value": (QUICK, (), another_value, "values", 1, lambda line: line),
    "a forged signature": (QUICK, (), forged_round, "values", 1, lambda line: line),
    "another round": (QUICK, (), another_round, "values", 1, lambda line: line),
    "no round file": (QUICK, (ROUND,), no_change, "values", 3,
                      lambda line: line.removesuffix(MESSAGES["cli_round_hint"])),
    "a lottery": (VECTOR, (), lottery, "values", 3, lambda line: line),
    "a result edited": (QUICK, (), edited_result, "result", 1,
                        lambda line: line.removeprefix("不一致：")),
    "a newline lost": (QUICK, (), newline_lost, "result", 1,
                       lambda line: line.removeprefix("不一致：")),
    "an invalid package": (QUICK, (), extra_key, "commitment", 1, lambda line: line),
    "invalid values": (QUICK, (), two_values, "values", 1, lambda line: line),
    "a commitment edited": (QUICK, (), edited_commitment, "commitment", 1, lambda line: line),
}


@pytest.mark.parametrize("name", CASES)
def test_both_verifiers_say_the_same_words(browser: Any, site: Path, tmp_path: Path,
                                           name: str) -> None:
    source, drop, change, step, code, shared = CASES[name]
    files = folder(tmp_path, source, drop)
    change(files)
    out = ssj(files, *CLI)
    assert out.exit_code == code, out.output
    if code == 1:  # refused: one line on standard error
        lines = [out.stderr.removeprefix("ssj: ").strip()]
    else:
        lines = [line for line in out.stdout.splitlines()
                 if line.startswith(("已核验：", "未核验："))]
    assert lines, out.output
    page = chose(browser, site, sorted(files.iterdir()))
    assert page["outside"] == [] and page["errors"] == [], page
    shown = page["text"][step]
    for line in lines:
        words = relabelled(shared(line), files)
        assert words and words in shown, (name, words, shown)
    assert page["verdict"] == ("fail" if code == 1 else "incomplete"), (name, page)
