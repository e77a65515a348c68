"""The draw workflow through the CLI on small records trees: `ssj draw freeze|run|verify|seed`,
`ssj check` over records/draws/, commit-before-reveal in git, and `ssj rfc3797`.

Every tree starts from records_tree.valid_tree() (without its finding, list entry and credit
notice), with more law firms and inspectors added inline. No network: relays are a local
http.server on 127.0.0.1.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.draw.canon import canon
from generator.draw.drand import CHAINS
from generator.draw.spec import draw, serialise
from generator.rules.uscc import check_character
from tests.localhost import QuietHandler, closed_url, local_server
from tests.records_tree import FIRM_ID, INSTITUTION, JURISDICTION, PLAN, inspector, valid_tree
from tests.test_rfc3797 import RFC_POOL_TEXT, RFC_SOURCES_TEXT

REPO = Path(__file__).resolve().parent.parent
VECTORS = REPO / "tests" / "vectors"
ROUNDS = json.loads((VECTORS / "drand" / "rounds.json").read_text(encoding="utf-8"))
QUICKNET_GENESIS = 1692803367

PLAN_ID = "2025-01"
DRAWS = f"records/draws/{PLAN_ID}"
PLAN_FILE = f"records/plans/{PLAN_ID}.yaml"


# --- building trees -------------------------------------------------------------------------

def uscc(first17: str) -> str:
    """A 统一社会信用代码 with a correct check character."""
    return first17 + check_character(first17)


def firm_id(n: int) -> str:
    """The n-th law firm (n = 1 is the valid tree's firm)."""
    return FIRM_ID if n == 1 else uscc(f"31211300MD{n:06d}1")


def inspector_id(n: int) -> str:
    return f"211324190{n:02d}"


def firm_file(n: int, extra: str = "") -> str:
    return (INSTITUTION.replace(FIRM_ID, firm_id(n))
            .replace("示例青松律师事务所", f"示例第{n}律师事务所") + extra)


def inspector_file(n: int, department: str, extra: str = "") -> str:
    return inspector(inspector_id(n), department).replace(
        f"name: 检查员{inspector_id(n)[-1]}", f"name: 检查员{n:02d}号") + extra


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def drand_source(round_number: int, chain: str = "quicknet") -> str:
    return f"""\
    - kind: drand
      chain: {chain}
      round: {round_number}
"""


LOTTERY_SOURCE = """\
    - kind: lottery
      game: 福彩3D
      issue: "2025060"
      date: 2025-03-05
      time: "21:15"
"""


def plan_file(plan_id: str = PLAN_ID, sources: str | None = None, extra: str = "") -> str:
    text = edit(PLAN, "id: 2025-01\n", f"id: {plan_id}\n")
    if sources is not None:
        text = edit(text, drand_source(1000), sources)
    return text + extra


def jurisdiction(example: bool = True) -> str:
    return JURISDICTION if example else edit(JURISDICTION, "example: true", "example: false")


DEFAULT_INSPECTORS = ("lawyer", "supervision", "lawyer", "supervision")


def tree(firms: int = 3, inspectors: tuple[str, ...] = DEFAULT_INSPECTORS, example: bool = True,
         round_number: int = 1000, sources: str | None = None) -> dict[str, str | bytes]:
    """valid_tree() without findings, list entries and notices; `firms` law firms (k = 1),
    inspectors of the given departments, and plan 2025-01 declaring one drand round."""
    files = {name: text for name, text in valid_tree().items()
             if not name.startswith(("records/findings/", "records/lists/",
                                     "records/credit-notices/", "records/inspectors/"))}
    files["records/jurisdiction.yaml"] = jurisdiction(example)
    for n in range(2, firms + 1):
        files[f"records/institutions/{firm_id(n)}.yaml"] = firm_file(n)
    for n, department in enumerate(inspectors, start=1):
        files[f"records/inspectors/{inspector_id(n)}.yaml"] = inspector_file(n, department)
    files[PLAN_FILE] = plan_file(
        sources=sources if sources is not None else drand_source(round_number))
    return files


def write(root: Path, files: dict[str, str | bytes | None]) -> Path:
    for name, content in files.items():
        path = root / name
        if content is None:
            if path.exists():
                path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def round_json(chain: str, number: int) -> dict:
    """A real round as a relay serves it."""
    entry = next(e for e in ROUNDS if e["chain"] == chain and e["round"] == number)
    return {k: v for k, v in entry.items() if k != "chain"}


def future_round(days: float = 30) -> int:
    """A quicknet round published about `days` from now."""
    return (int(time.time() + days * 86400) - QUICKNET_GENESIS) // 3 + 1


# --- running the CLI ------------------------------------------------------------------------

@dataclass
class Out:
    exit_code: int
    stdout: str
    stderr: str
    stdout_bytes: bytes

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def ssj(root: Path, *args: str) -> Out:
    """Run the CLI with `root` as the working directory; an exception is a failing test (no
    traceback may reach a user)."""
    here = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(here)
    return Out(result.exit_code, result.stdout, result.stderr, result.stdout_bytes)


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and directory under `root`."""
    return {p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None)
            for p in sorted(root.rglob("*"))}


def assert_refused(out: Out, *words: str) -> None:
    """Exit non-zero, one line on stderr (naming the reason), nothing on stdout, no traceback."""
    assert out.exit_code != 0, out.output
    assert "Traceback" not in out.output
    assert out.stdout == "", out.output
    lines = out.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ssj: "), out.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])


def problem_lines(output: str, rule: str) -> list[str]:
    return [line for line in output.splitlines() if f"[{rule}]" in line]


def frozen(root: Path, files: dict | None = None, plan: str = PLAN_ID) -> Path:
    """A tree written and frozen."""
    write(root, files if files is not None else tree())
    out = ssj(root, "draw", "freeze", plan)
    assert out.exit_code == 0, out.output
    return root


def finding(target: str, inspectors: list[str], number: int = 1, plan: str = PLAN_ID,
            day: str = "2025-04-10") -> str:
    """A compliant finding of a random inspection (within plan 2025-01's schedule)."""
    return f"""\
id: {plan}-{number:02d}
plan: {plan}
target: "{target}"
inspectors: [{", ".join(f'"{i}"' for i in inspectors)}]
inspected:
  start: {day}
  end: {day}
method: onsite
items: [lf-01]
outcome: compliant
result: 未发现问题。
published_on: {day}
"""


def inspected(root: Path, result: dict, day: str = "2025-04-10") -> None:
    """Findings for every drawn target with its drawn team, as the workflow goes on: a drawn
    plan whose schedule is over needs them to pass `ssj check`."""
    plan = result["plan"]
    write(root, {f"records/findings/{plan}-{n:02d}.yaml":
                 finding(team["target"], team["inspectors"], n, plan, day)
                 for n, team in enumerate(result["teams"], start=1)})


def drawn(root: Path, files: dict | None = None, chain: str = "quicknet",
          number: int = 1000, plan: str = PLAN_ID, inspect: bool = True) -> dict:
    """A tree frozen and drawn with a real round (and, by default, the drawn targets
    inspected); returns the result."""
    frozen(root, files, plan)
    (root / "round.json").write_text(json.dumps(round_json(chain, number)), encoding="utf-8")
    out = ssj(root, "draw", "run", plan, "--drand-round", "round.json")
    assert out.exit_code == 0, out.output
    result = json.loads((root / f"records/draws/{plan}/result.json").read_bytes())
    if inspect:
        inspected(root, result)
    return result


# --- freeze ---------------------------------------------------------------------------------

def test_freeze_writes_package_and_commitment(tmp_path: Path) -> None:
    write(tmp_path, tree())
    assert ssj(tmp_path, "check").exit_code == 0
    out = ssj(tmp_path, "draw", "freeze", PLAN_ID)
    assert out.exit_code == 0, out.output
    folder = tmp_path / DRAWS
    assert sorted(p.name for p in folder.iterdir()) == ["commitment.txt", "package.json"]
    package = json.loads((folder / "package.json").read_bytes())
    commit = hashlib.sha256(canon(package)).hexdigest()
    assert (folder / "commitment.txt").read_bytes() == (commit + "\n").encode()
    assert commit in out.stdout
    # the example tree's round 1000 is long past: a warning, not a refusal
    assert "示例数据" in out.stderr
    assert package["plan"] == PLAN_ID and package["as_of"] == "2025-03-01"
    assert package["sources"] == [{"kind": "drand", "chain": "quicknet", "round": 1000}]
    assert [t["id"] for t in package["strata"][0]["targets"]] == sorted(
        firm_id(n) for n in range(1, 4))
    assert package["strata"][0]["k"] == 1
    assert [i["id"] for i in package["inspectors"]] == [inspector_id(n) for n in range(1, 5)]
    check = ssj(tmp_path, "check")
    assert check.exit_code == 0, check.output


def test_freeze_computes_weights_and_exclusions_from_the_records(tmp_path: Path) -> None:
    files = tree()
    files[f"records/institutions/{firm_id(2)}.yaml"] = firm_file(2, """\
risk_flags:
  - kind: complaints
    since: 2024-06-01
""")
    files[f"records/inspectors/{inspector_id(3)}.yaml"] = inspector_file(3, "lawyer", f"""\
conflicts:
  - target: "{firm_id(3)}"
    declared_on: 2024-02-01
""")
    package = json.loads((frozen(tmp_path, files) / DRAWS / "package.json").read_bytes())
    weights = {t["id"]: t["weight"] for t in package["strata"][0]["targets"]}
    assert weights == {firm_id(1): 1, firm_id(2): 2, firm_id(3): 1}
    assert package["exclusions"] == [
        {"target": firm_id(3), "inspector": inspector_id(3), "reason": "recusal"}]


# --- refusals: exit non-zero, one line, nothing written ---------------------------------------

def refused_freeze(root: Path, files: dict, *words: str) -> None:
    write(root, files)
    before = snapshot(root)
    out = ssj(root, "draw", "freeze", PLAN_ID)
    assert_refused(out, "未冻结", *words)
    assert snapshot(root) == before


def test_freeze_of_an_owed_draw_outside_git_is_refused(tmp_path: Path) -> None:
    """The plan was published and its round is public: its draw is owed, from the records on
    main before the round, which only git can give (tests/test_draw_publication.py has it)."""
    refused_freeze(tmp_path, tree(example=False, round_number=1000), "无法补做", "git")


def test_freeze_refuses_a_source_within_the_margin(tmp_path: Path) -> None:
    refused_freeze(tmp_path, tree(example=False, round_number=future_round(days=0.5)), "24 小时")


def test_freeze_of_a_plan_whose_lottery_is_past_is_an_owed_draw(tmp_path: Path) -> None:
    sources = drand_source(future_round()) + LOTTERY_SOURCE
    refused_freeze(tmp_path, tree(example=False, sources=sources), "无法补做")


def test_freeze_accepts_a_source_far_in_the_future(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    write(tmp_path, tree(example=False, round_number=2_000_000_000))
    out = ssj(tmp_path, "draw", "freeze", PLAN_ID)
    assert out.exit_code == 0, out.output
    # a real bureau with no authority pinned is told its draw cannot prove its timing
    assert out.stderr.count("\n") == 1 and "timestamp_authorities" in out.stderr
    assert (tmp_path / DRAWS / "package.json").is_file()
    # not yet committed, not yet stamped: warnings until the pull request, no error
    out = ssj(tmp_path, "check")
    assert out.exit_code == 0, out.output
    assert problem_lines(out.stdout, "draw.timestamp-missing") and problem_lines(
        out.stdout, "draw.publication-late")


def test_freeze_accepts_a_source_just_beyond_the_margin(tmp_path: Path) -> None:
    write(tmp_path, tree(example=False, round_number=future_round(days=2)))
    out = ssj(tmp_path, "draw", "freeze", PLAN_ID)
    assert out.exit_code == 0, out.output


INFEASIBLE = {
    "one inspector": lambda files: files.pop(f"records/inspectors/{inspector_id(2)}.yaml"),
    "certificate expires during the schedule": lambda files: files.update({
        f"records/inspectors/{inspector_id(2)}.yaml": edit(
            inspector_file(2, "supervision"), "valid_until: 2029-12-31", "valid_until: 2025-04-30"),
    }),
    "not yet in post on the pool date": lambda files: files.update({
        f"records/inspectors/{inspector_id(2)}.yaml": inspector_file(2, "supervision").replace(
            "2024-01-01", "2025-03-02"),
    }),
    "recusal leaves one": lambda files: files.update({
        f"records/inspectors/{inspector_id(2)}.yaml": inspector_file(2, "supervision", f"""\
conflicts:
  - target: "{FIRM_ID}"
    declared_on: 2024-02-01
"""),
    }),
    "no one from the lead department": lambda files: files.update({
        f"records/inspectors/{inspector_id(1)}.yaml": inspector_file(1, "supervision"),
    }),
}


@pytest.mark.parametrize("breakage", INFEASIBLE.values(), ids=INFEASIBLE.keys())
def test_freeze_refuses_an_infeasible_pool(tmp_path: Path, breakage) -> None:
    files = tree(firms=1, inspectors=("lawyer", "supervision"))
    breakage(files)
    refused_freeze(tmp_path, files, "无法组成检查组", FIRM_ID)


def test_freeze_refuses_an_already_frozen_plan(tmp_path: Path) -> None:
    frozen(tmp_path)
    before = snapshot(tmp_path)
    assert_refused(ssj(tmp_path, "draw", "freeze", PLAN_ID), "未冻结", "已冻结")
    assert snapshot(tmp_path) == before


def test_freeze_refuses_an_unknown_plan(tmp_path: Path) -> None:
    write(tmp_path, tree())
    before = snapshot(tmp_path)
    assert_refused(ssj(tmp_path, "draw", "freeze", "2099-01"), "未冻结", "2099-01")
    assert snapshot(tmp_path) == before


def test_freeze_refuses_records_with_errors(tmp_path: Path) -> None:
    files = tree()
    files[f"records/institutions/{firm_id(2)}.yaml"] = firm_file(2).replace(
        "sector: law-firm", "sector: no-such-sector")
    write(tmp_path, files)
    before = snapshot(tmp_path)
    assert_refused(ssj(tmp_path, "draw", "freeze", PLAN_ID), "ssj check")
    assert snapshot(tmp_path) == before


def run_refused(root: Path, args: tuple[str, ...], *words: str) -> None:
    before = snapshot(root)
    out = ssj(root, "draw", "run", PLAN_ID, *args)
    assert_refused(out, *words)
    assert snapshot(root) == before


def put_round(root: Path, data: dict | str, name: str = "round.json") -> str:
    text = data if isinstance(data, str) else json.dumps(data)
    (root / name).write_text(text, encoding="utf-8")
    return name


def flip_signature(data: dict, at: int = 10, fix_randomness: bool = False) -> dict:
    signature = bytearray(bytes.fromhex(data["signature"]))
    signature[at] ^= 0x01
    out = {**data, "signature": signature.hex()}
    if fix_randomness:
        out["randomness"] = hashlib.sha256(signature).hexdigest()
    return out


QUICK_1000 = round_json("quicknet", 1000)


@pytest.mark.parametrize("values", [
    ("xyz",),
    ("FE290BECA10872EF2FB164D2AA4442DE4566183EC51C56FF3CD603D930E54FDD",),
    (QUICK_1000["randomness"][:63],),
    (round_json("quicknet", 123)["randomness"],),
], ids=["xyz", "uppercase", "63-chars", "another-round"])
def test_run_refuses_a_drand_value_that_is_not_the_rounds(tmp_path: Path, values) -> None:
    frozen(tmp_path)
    name = put_round(tmp_path, QUICK_1000)
    run_refused(tmp_path, ("--drand-round", name, *(a for v in values for a in ("--value", v))),
                "未抽取", "不一致")


def test_run_refuses_a_value_without_its_round(tmp_path: Path) -> None:
    frozen(tmp_path)
    run_refused(tmp_path, ("--value", QUICK_1000["randomness"]), "未抽取", "--drand-round")


@pytest.mark.parametrize("value", ["xyz", "03 7 1", "3  7 1", "3,7,1", " 3 7 1", "", "-3"])
def test_run_refuses_a_malformed_lottery_value(tmp_path: Path, value: str) -> None:
    frozen(tmp_path, tree(sources=drand_source(1000) + LOTTERY_SOURCE))
    name = put_round(tmp_path, QUICK_1000)
    run_refused(tmp_path, ("--drand-round", name, "--value", value), "未抽取", "格式不对")


def test_run_with_drand_and_lottery(tmp_path: Path) -> None:
    frozen(tmp_path, tree(sources=drand_source(1000) + LOTTERY_SOURCE))
    name = put_round(tmp_path, QUICK_1000)
    out = ssj(tmp_path, "draw", "run", PLAN_ID, "--drand-round", name, "--value", "3 7 1")
    assert out.exit_code == 0, out.output
    assert json.loads((tmp_path / DRAWS / "values.json").read_bytes()) == [
        QUICK_1000["randomness"], "3 7 1"]
    # every source given, the drand one matching its round, works the same
    other = tmp_path / "again"
    frozen(other, tree(sources=drand_source(1000) + LOTTERY_SOURCE))
    put_round(other, QUICK_1000)
    out = ssj(other, "draw", "run", PLAN_ID, "--drand-round", name,
              "--value", QUICK_1000["randomness"], "--value", "3 7 1")
    assert out.exit_code == 0, out.output
    assert (other / DRAWS / "result.json").read_bytes() == (
        tmp_path / DRAWS / "result.json").read_bytes()


@pytest.mark.parametrize("fix_randomness", [False, True], ids=["as-is", "randomness-recomputed"])
@pytest.mark.parametrize("at", [0, 20, 47])
def test_run_refuses_a_tampered_round(tmp_path: Path, at: int, fix_randomness: bool) -> None:
    frozen(tmp_path)
    name = put_round(tmp_path, flip_signature(QUICK_1000, at, fix_randomness))
    run_refused(tmp_path, ("--drand-round", name), "未抽取",
                "签名验证失败" if fix_randomness else "SHA-256")


def test_run_refuses_the_round_json_of_another_round(tmp_path: Path) -> None:
    frozen(tmp_path)
    name = put_round(tmp_path, round_json("quicknet", 123))
    run_refused(tmp_path, ("--drand-round", name), "未抽取", "1000")
    # the other round relabelled as the declared one
    name = put_round(tmp_path, {**round_json("quicknet", 123), "round": 1000}, "relabelled.json")
    run_refused(tmp_path, ("--drand-round", name), "未抽取", "签名验证失败")
    # a default-chain round 1000 for a quicknet source
    name = put_round(tmp_path, round_json("default", 1000), "default.json")
    run_refused(tmp_path, ("--drand-round", name), "未抽取")


@pytest.mark.parametrize("text", [
    '{"round": 1000, "round": 1000}', '{"round": 1000.0}', "[1, 2", "", "\ufeff{}",
], ids=["duplicate-key", "float", "truncated", "empty", "bom"])
def test_run_refuses_a_malformed_round_file(tmp_path: Path, text: str) -> None:
    frozen(tmp_path)
    name = put_round(tmp_path, text)
    run_refused(tmp_path, ("--drand-round", name), name)


def test_run_refuses_a_missing_round_file(tmp_path: Path) -> None:
    frozen(tmp_path)
    before = snapshot(tmp_path)
    out = ssj(tmp_path, "draw", "run", PLAN_ID, "--drand-round", "nowhere.json")
    assert out.exit_code == 2 and "nowhere.json" in out.stderr and "Traceback" not in out.output
    assert snapshot(tmp_path) == before


def test_run_refuses_when_a_result_exists(tmp_path: Path) -> None:
    drawn(tmp_path)
    run_refused(tmp_path, ("--drand-round", "round.json"), "未抽取", "已有抽取结果")


def test_run_refuses_when_only_a_stray_result_exists(tmp_path: Path) -> None:
    frozen(tmp_path)
    put_round(tmp_path, QUICK_1000)
    # a result.json that is not even readable still blocks a run
    (tmp_path / DRAWS / "result.json").write_bytes(b"\xff")
    before = snapshot(tmp_path)
    out = ssj(tmp_path, "draw", "run", PLAN_ID, "--drand-round", "round.json")
    assert_refused(out)
    assert snapshot(tmp_path) == before


def test_run_refuses_an_unfrozen_plan(tmp_path: Path) -> None:
    write(tmp_path, tree())
    put_round(tmp_path, QUICK_1000)
    run_refused(tmp_path, ("--drand-round", "round.json"), "未抽取", "尚未冻结")


@pytest.mark.parametrize("count", [2, 3])
def test_run_refuses_the_wrong_number_of_values(tmp_path: Path, count: int) -> None:
    frozen(tmp_path)
    put_round(tmp_path, QUICK_1000)
    values = [a for _ in range(count) for a in ("--value", QUICK_1000["randomness"])]
    run_refused(tmp_path, ("--drand-round", "round.json", *values), "未抽取", "需要 1 个随机值")


def test_run_refuses_a_package_edited_after_freezing(tmp_path: Path) -> None:
    frozen(tmp_path)
    package = tmp_path / DRAWS / "package.json"
    package.write_bytes(edit(package.read_text(encoding="utf-8"), '"k": 1', '"k": 2').encode())
    put_round(tmp_path, QUICK_1000)
    run_refused(tmp_path, ("--drand-round", "round.json"), "draw.commitment")


# --- a real draw --------------------------------------------------------------------------

def test_run_with_a_real_round(tmp_path: Path) -> None:
    frozen(tmp_path)
    name = put_round(tmp_path, QUICK_1000)
    out = ssj(tmp_path, "draw", "run", PLAN_ID, "--drand-round", name)
    assert out.exit_code == 0, out.output
    folder = tmp_path / DRAWS
    assert sorted(p.name for p in folder.iterdir()) == [
        "commitment.txt", "drand-quicknet-1000.json", "package.json", "result.json",
        "values.json"]
    values = json.loads((folder / "values.json").read_bytes())
    assert values == [QUICK_1000["randomness"]]
    assert json.loads((folder / "drand-quicknet-1000.json").read_bytes()) == QUICK_1000
    package = json.loads((folder / "package.json").read_bytes())
    raw = (folder / "result.json").read_bytes()
    assert raw == serialise(draw(package, values))
    result = json.loads(raw)
    assert result["commitment"] == (folder / "commitment.txt").read_text().strip()
    inspected(tmp_path, result)
    # the selected targets and their teams are printed with their names
    assert result["seed"] in out.stdout
    (team,) = result["teams"]
    n = next(n for n in range(1, 4) if firm_id(n) == team["target"])
    assert f"示例{'青松' if n == 1 else f'第{n}'}律师事务所（{team['target']}）" in out.stdout
    for member in team["inspectors"]:
        assert f"检查员{int(member[-2:]):02d}号（{member}）" in out.stdout
    verify = ssj(tmp_path, "draw", "verify")
    assert verify.exit_code == 0, verify.output
    verify = ssj(tmp_path, "draw", "verify", PLAN_ID)
    assert verify.exit_code == 0, verify.output
    check = ssj(tmp_path, "check")
    assert check.exit_code == 0, check.output
    # the public verifier over the same files
    public = ssj(tmp_path, "draw", "verify", "--package", f"{DRAWS}/package.json",
                 "--values", f"{DRAWS}/values.json", "--result", f"{DRAWS}/result.json")
    assert public.exit_code == 0, public.output


def test_the_stored_round_is_enough_for_a_run(tmp_path: Path) -> None:
    """A run uses a round already saved in the draw folder (as `seed drand --out` would)."""
    frozen(tmp_path)
    put_round(tmp_path, QUICK_1000, f"{DRAWS}/drand-quicknet-1000.json")
    out = ssj(tmp_path, "draw", "run", PLAN_ID)
    assert out.exit_code == 0, out.output
    inspected(tmp_path, json.loads((tmp_path / DRAWS / "result.json").read_bytes()))
    assert ssj(tmp_path, "check").exit_code == 0


def test_run_on_the_default_chain(tmp_path: Path) -> None:
    result = drawn(tmp_path, tree(sources=drand_source(1337, "default")), "default", 1337)
    assert result["values"] == [round_json("default", 1337)["randomness"]]
    assert (tmp_path / DRAWS / "drand-default-1337.json").is_file()
    assert ssj(tmp_path, "check").exit_code == 0


# --- tampering: ssj check and ssj draw verify ------------------------------------------------

def flip_char(raw: bytes, marker: bytes, offset: int = 0) -> bytes:
    """`raw` with the hex digit `offset` characters after `marker` changed."""
    at = raw.index(marker) + len(marker) + offset
    new = b"0" if raw[at:at + 1] != b"0" else b"1"
    return raw[:at] + new + raw[at + 1:]


def tampered(root: Path, name: str, change) -> tuple[Out, Out]:
    path = root / DRAWS / name
    path.write_bytes(change(path.read_bytes()))
    return ssj(root, "check"), ssj(root, "draw", "verify")


def assert_reported(outs: tuple[Out, Out], rule: str, file: str, *words: str) -> None:
    for out in outs:
        assert out.exit_code == 1, out.output
        assert "Traceback" not in out.output
        lines = problem_lines(out.stdout, rule)
        assert lines, out.output
        assert any(line.startswith(f"{file}:") and " 错误 " in line
                   and all(w in line for w in words) for line in lines), lines


def test_edited_result_is_reported(tmp_path: Path) -> None:
    result = drawn(tmp_path)
    outs = tampered(tmp_path, "result.json", lambda raw: flip_char(raw, b'"seed":"', 5))
    # the first differing field and its path, as the browser verifier says it
    assert_reported(outs, "draw.result", f"{DRAWS}/result.json", "seed: 公布", "应为")
    assert result["seed"][:12] in outs[0].stdout


def test_edited_team_in_result_is_reported(tmp_path: Path) -> None:
    result = drawn(tmp_path)
    (team,) = result["teams"]
    other = next(inspector_id(n) for n in range(1, 5)
                 if inspector_id(n) not in team["inspectors"])
    outs = tampered(tmp_path, "result.json", lambda raw: raw.replace(
        team["inspectors"][1].encode(), other.encode()))
    assert_reported(outs, "draw.result", f"{DRAWS}/result.json")


def test_truncated_result_is_reported(tmp_path: Path) -> None:
    drawn(tmp_path)
    outs = tampered(tmp_path, "result.json", lambda raw: raw[:-1])  # the newline
    assert_reported(outs, "draw.result", f"{DRAWS}/result.json", "文件结束")


def test_edited_package_weight_is_reported(tmp_path: Path) -> None:
    drawn(tmp_path)
    outs = tampered(tmp_path, "package.json",
                    lambda raw: raw.replace(b'"weight": 1', b'"weight": 2', 1))
    assert_reported(outs, "draw.commitment", f"{DRAWS}/commitment.txt")


def test_edited_package_made_invalid_is_reported(tmp_path: Path) -> None:
    drawn(tmp_path)
    outs = tampered(tmp_path, "package.json",
                    lambda raw: raw.replace(b'"weight": 1', b'"weight": 0', 1))
    assert_reported(outs, "draw.package", f"{DRAWS}/package.json", "weight")


def test_reformatted_package_is_still_valid(tmp_path: Path) -> None:
    """The commitment is over the parsed package, not over the file's bytes."""
    drawn(tmp_path)
    path = tmp_path / DRAWS / "package.json"
    path.write_bytes(canon(json.loads(path.read_bytes())))
    assert ssj(tmp_path, "check").exit_code == 0
    assert ssj(tmp_path, "draw", "verify").exit_code == 0


def test_edited_commitment_is_reported(tmp_path: Path) -> None:
    drawn(tmp_path)
    outs = tampered(tmp_path, "commitment.txt", lambda raw: flip_char(raw, b"", 0))
    assert_reported(outs, "draw.commitment", f"{DRAWS}/commitment.txt")


def test_missing_commitment_is_reported(tmp_path: Path) -> None:
    drawn(tmp_path)
    (tmp_path / DRAWS / "commitment.txt").unlink()
    outs = ssj(tmp_path, "check"), ssj(tmp_path, "draw", "verify")
    assert_reported(outs, "draw.commitment", DRAWS)


def test_edited_values_are_reported(tmp_path: Path) -> None:
    drawn(tmp_path)
    outs = tampered(tmp_path, "values.json", lambda raw: flip_char(raw, b'"', 0))
    assert_reported(outs, "draw.drand", f"{DRAWS}/drand-quicknet-1000.json", "values.json")


def test_edited_round_file_is_reported(tmp_path: Path) -> None:
    drawn(tmp_path)
    outs = tampered(tmp_path, "drand-quicknet-1000.json",
                    lambda raw: flip_char(raw, b'"signature": "', 7))
    assert_reported(outs, "draw.drand", f"{DRAWS}/drand-quicknet-1000.json")


def test_missing_round_file_is_reported(tmp_path: Path) -> None:
    drawn(tmp_path)
    (tmp_path / DRAWS / "drand-quicknet-1000.json").unlink()
    outs = ssj(tmp_path, "check"), ssj(tmp_path, "draw", "verify")
    assert_reported(outs, "draw.drand", DRAWS, "drand-quicknet-1000.json")


def test_missing_values_is_reported(tmp_path: Path) -> None:
    drawn(tmp_path)
    (tmp_path / DRAWS / "values.json").unlink()
    outs = ssj(tmp_path, "check"), ssj(tmp_path, "draw", "verify")
    assert_reported(outs, "draw.result", DRAWS, "values.json")


def test_plan_sources_changed_after_freezing_are_reported(tmp_path: Path) -> None:
    drawn(tmp_path)
    write(tmp_path, {PLAN_FILE: plan_file(sources=drand_source(1001))})
    outs = ssj(tmp_path, "check"), ssj(tmp_path, "draw", "verify")
    assert_reported(outs, "draw.sources", f"{DRAWS}/package.json")


FINDING_FILE = f"records/findings/{PLAN_ID}-01.yaml"


def test_finding_with_the_drawn_team_passes(tmp_path: Path) -> None:
    (team,) = drawn(tmp_path)["teams"]
    write(tmp_path, {FINDING_FILE: finding(team["target"], list(reversed(team["inspectors"])))})
    out = ssj(tmp_path, "check")
    assert out.exit_code == 0, out.output


def test_finding_of_a_target_not_drawn_is_reported(tmp_path: Path) -> None:
    (team,) = drawn(tmp_path)["teams"]
    other = next(firm_id(n) for n in range(1, 4) if firm_id(n) != team["target"])
    write(tmp_path, {FINDING_FILE: finding(other, team["inspectors"])})
    out = ssj(tmp_path, "check")
    assert out.exit_code == 1
    (line,) = problem_lines(out.stdout, "draw.finding-target")
    assert line.startswith(f"{FINDING_FILE}:3: 错误 ") and other in line


def test_finding_with_another_team_is_reported(tmp_path: Path) -> None:
    (team,) = drawn(tmp_path)["teams"]
    others = [inspector_id(n) for n in range(1, 5) if inspector_id(n) not in team["inspectors"]]
    for inspectors in ([team["inspectors"][0], others[0]], others,
                       [*team["inspectors"], others[0]], team["inspectors"][:1]):
        write(tmp_path, {FINDING_FILE: finding(team["target"], inspectors)})
        out = ssj(tmp_path, "check")
        assert out.exit_code == 1, inspectors
        (line,) = problem_lines(out.stdout, "draw.finding-team")
        assert line.startswith(f"{FINDING_FILE}:4: 错误 "), line


MALFORMED = {  # file, change, words of the message, what marks the reported line
    "duplicate key": (
        "package.json", lambda raw: raw.replace(b'"spec": ', b'"as_of": "x",\n  "spec": ', 1),
        "重复的键", b'"as_of"'),
    "float": ("package.json", lambda raw: raw.replace(b'"team_size": 2', b'"team_size": 2.0'),
              "小数", b"2.0"),
    "invalid UTF-8": ("values.json", lambda raw: raw.replace(b'"', b'"\xff', 1), "UTF-8", b"\xff"),
    "NaN": ("values.json", lambda raw: raw.replace(b"[", b"[\nNaN,", 1), "NaN", b"NaN"),
    "syntax": ("result.json", lambda raw: raw[:-2], "JSON", b"{"),
}


def line_of(raw: bytes, marker: bytes) -> int:
    """The line of the last occurrence of `marker` (where a duplicate key is found)."""
    return raw[:raw.rindex(marker)].count(b"\n") + 1


@pytest.mark.parametrize("name,change,word,marker", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_draw_json_is_a_load_error_in_check(tmp_path: Path, name, change, word,
                                                      marker) -> None:
    drawn(tmp_path)
    path = tmp_path / DRAWS / name
    path.write_bytes(change(path.read_bytes()))
    out = ssj(tmp_path, "check")
    assert out.exit_code == 1 and "Traceback" not in out.output
    errors = [line for line in out.stdout.splitlines() if " 错误 [" in line]
    line = line_of(path.read_bytes(), marker)
    assert len(errors) == 1, out.stdout
    assert errors[0].startswith(f"{DRAWS}/{name}:{line}: 错误 [load."), errors
    assert word in errors[0]


@pytest.mark.parametrize("name,change,word,marker", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_draw_json_fails_draw_verify(tmp_path: Path, name, change, word,
                                               marker) -> None:
    drawn(tmp_path)
    path = tmp_path / DRAWS / name
    path.write_bytes(change(path.read_bytes()))
    out = ssj(tmp_path, "draw", "verify")
    assert "Traceback" not in out.output
    assert out.exit_code == 1, out.output
    line = line_of(path.read_bytes(), marker)
    assert f"{DRAWS}/{name}:{line}: 错误 [load." in out.stdout and word in out.stdout


def test_public_verifier_reports_malformed_json_with_file_and_line(tmp_path: Path) -> None:
    drawn(tmp_path)
    path = tmp_path / DRAWS / "package.json"
    path.write_bytes(path.read_bytes().replace(b'"team_size": 2', b'"team_size": 2.0'))
    out = ssj(tmp_path, "draw", "verify", "--package", f"{DRAWS}/package.json",
              "--values", f"{DRAWS}/values.json")
    assert_refused(out, f"{DRAWS}/package.json:", "小数")


def test_stray_file_in_a_draw_folder_is_reported(tmp_path: Path) -> None:
    drawn(tmp_path)
    (tmp_path / DRAWS / "notes.txt").write_text("x")
    out = ssj(tmp_path, "check")
    assert out.exit_code == 1
    assert problem_lines(out.stdout, "load.stray-file")


def test_draw_folder_of_an_unknown_plan_is_reported(tmp_path: Path) -> None:
    drawn(tmp_path)
    shutil.copytree(tmp_path / DRAWS, tmp_path / "records/draws/2099-01")
    out = ssj(tmp_path, "check")
    assert out.exit_code == 1
    assert problem_lines(out.stdout, "draw.plan")


# --- the bundled example records -------------------------------------------------------------

EXAMPLE_DRAWS = sorted((REPO / "records" / "draws").iterdir())


def test_example_records_verify() -> None:
    out = ssj(REPO, "draw", "verify")
    assert out.exit_code == 0, out.output
    assert f"核验了 {len(EXAMPLE_DRAWS)} 个抽取目录：通过" in out.stdout


@pytest.mark.parametrize("folder", EXAMPLE_DRAWS, ids=lambda p: p.name)
def test_example_result_reproduces(folder: Path) -> None:
    package = json.loads((folder / "package.json").read_bytes())
    values = json.loads((folder / "values.json").read_bytes())
    assert (folder / "result.json").read_bytes() == serialise(draw(package, values))
    assert (folder / "commitment.txt").read_text().strip() == hashlib.sha256(
        canon(package)).hexdigest()
    out = ssj(folder, "draw", "verify", "--package", "package.json", "--values", "values.json",
              "--result", "result.json")
    assert out.exit_code == 0, out.output


def test_example_records_copy_with_one_byte_flipped_fails_check(tmp_path: Path) -> None:
    shutil.copytree(REPO / "records", tmp_path / "records")
    assert not [line for line in ssj(tmp_path, "check").stdout.splitlines()
                if "[draw." in line and " 错误 " in line]
    name = f"records/draws/{EXAMPLE_DRAWS[0].name}/result.json"
    path = tmp_path / name
    path.write_bytes(flip_char(path.read_bytes(), b'"seed":"', 0))
    out = ssj(tmp_path, "check")
    assert out.exit_code == 1
    (line,) = problem_lines(out.stdout, "draw.result")
    assert line.startswith(f"{name}:1: 错误 ")


# --- commit before reveal ------------------------------------------------------------------

GIT_ENV = {"GIT_AUTHOR_NAME": "测试", "GIT_AUTHOR_EMAIL": "test@example.invalid",
           "GIT_COMMITTER_NAME": "测试", "GIT_COMMITTER_EMAIL": "test@example.invalid",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def git(root: Path, *args: str, when: int | None = None) -> None:
    env = {**os.environ, **GIT_ENV}
    if when is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"@{when} +0000"
    subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=root, env=env,
                   check=True, capture_output=True)


def test_uncommitted_package_in_a_git_repo_is_a_warning(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    frozen(tmp_path, tree(example=False, round_number=future_round()))
    out = ssj(tmp_path, "check")
    assert out.exit_code == 0, out.output
    (line,) = problem_lines(out.stdout, "draw.publication-late")
    assert " 警告 " in line and "尚未提交" in line


def test_not_a_git_repo_is_an_error_for_a_real_bureau(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    frozen(tmp_path, tree(example=False, round_number=future_round()))
    out = ssj(tmp_path, "check")
    assert out.exit_code == 1, out.output
    (line,) = problem_lines(out.stdout, "draw.publication-late")
    assert line.startswith(f"{DRAWS}/package.json:1: 错误 ") and "不在 git 仓库中" in line


# --- redraw ---------------------------------------------------------------------------------

REVISION_ID = "2025-01-r1"


def revision_plan(round_number: int = 1000) -> str:
    return plan_file(REVISION_ID, drand_source(round_number), extra=f"""\
revision:
  supersedes: {PLAN_ID}
  reason: 首次抽取后发现名录库有误，经批准重新抽取。
""")


def test_redraw_as_a_revision_plan(tmp_path: Path) -> None:
    """The first draw is abandoned (its targets are not inspected); a revision plan with later
    sources is frozen and drawn; every attempt stays published and the records pass."""
    files = tree(inspectors=DEFAULT_INSPECTORS + ("lawyer", "supervision"),
                 sources=drand_source(123))
    drawn(tmp_path, files, number=123, inspect=False)
    first = {name: data for name, data in snapshot(tmp_path).items() if name.startswith(DRAWS)}
    write(tmp_path, {f"records/plans/{REVISION_ID}.yaml": revision_plan(1000)})
    out = ssj(tmp_path, "draw", "freeze", REVISION_ID)
    assert out.exit_code == 0, out.output
    put_round(tmp_path, QUICK_1000, "round-1000.json")
    out = ssj(tmp_path, "draw", "run", REVISION_ID, "--drand-round", "round-1000.json")
    assert out.exit_code == 0, out.output
    result = json.loads((tmp_path / f"records/draws/{REVISION_ID}/result.json").read_bytes())
    inspected(tmp_path, result)
    # every attempt stays published, unchanged
    assert {name: data for name, data in snapshot(tmp_path).items()
            if name.startswith(DRAWS + "/") or name == DRAWS} == first
    out = ssj(tmp_path, "draw", "verify")
    assert out.exit_code == 0 and "核验了 2 个抽取目录" in out.stdout, out.output
    out = ssj(tmp_path, "check")
    assert out.exit_code == 0, out.output


def test_superseded_plan_cannot_be_frozen_or_drawn_again(tmp_path: Path) -> None:
    drawn(tmp_path, tree(sources=drand_source(123)), number=123)
    write(tmp_path, {f"records/plans/{REVISION_ID}.yaml": revision_plan(1000)})
    before = snapshot(tmp_path)
    assert_refused(ssj(tmp_path, "draw", "freeze", PLAN_ID), "已冻结")
    assert_refused(ssj(tmp_path, "draw", "run", PLAN_ID, "--drand-round", "round.json"),
                   "已有抽取结果")
    assert snapshot(tmp_path) == before


def test_revision_with_earlier_sources_is_reported(tmp_path: Path) -> None:
    """A redraw needs new, later sources (spec: rules around the algorithm)."""
    drawn(tmp_path)
    write(tmp_path, {f"records/plans/{REVISION_ID}.yaml": revision_plan(123)})
    out = ssj(tmp_path, "check")
    assert out.exit_code == 1
    (line,) = problem_lines(out.stdout, "draw.revision-sources")
    assert line.startswith(f"records/plans/{REVISION_ID}.yaml:")


def test_redraw_does_not_treat_the_superseded_draw_as_inspections(tmp_path: Path) -> None:
    """The abandoned draw's teams never inspected anything (no findings): no exclusions.

    Called as a library function: `ssj draw freeze` would first stop on the
    plan.all-drawn-inspected bug (see test_redraw_as_a_revision_plan)."""
    from generator.draw.freeze import freeze
    from generator.records.load import load_records

    files = tree(firms=1, inspectors=("lawyer", "supervision"), sources=drand_source(123))
    drawn(tmp_path, files, number=123, inspect=False)
    write(tmp_path, {f"records/plans/{REVISION_ID}.yaml": revision_plan(1000)})
    records, _ = load_records(tmp_path / "records")
    result = freeze(records, records.get(REVISION_ID, ("plan",)))
    assert result.package["exclusions"] == []
    assert result.infeasible == ()


def test_teams_drawn_for_an_earlier_plan_are_recent_exclusions(tmp_path: Path) -> None:
    """Another (not superseded) plan's drawn team inspected its target: excluded next time."""
    result = drawn(tmp_path)
    (team,) = result["teams"]
    later = edit(plan_file("2025-02"), "schedule:\n  start: 2025-04-01\n  end: 2025-05-31",
                 "schedule:\n  start: 2025-06-01\n  end: 2025-07-31")
    write(tmp_path, {"records/plans/2025-02.yaml": later})
    out = ssj(tmp_path, "draw", "freeze", "2025-02")
    assert out.exit_code == 0, out.output
    package = json.loads((tmp_path / "records/draws/2025-02/package.json").read_bytes())
    assert package["exclusions"] == [
        {"target": team["target"], "inspector": i, "reason": "recent"}
        for i in sorted(team["inspectors"])]


# --- ssj draw seed drand --------------------------------------------------------------------

QUICKNET_PATH = f"/{CHAINS['quicknet'].chain_hash}/public/1000"


@contextmanager
def relay(routes: dict[str, dict | None], delay: float = 0.0) -> Iterator[str]:
    """A local drand relay answering `routes` (path -> JSON; anything else 404)."""
    release = threading.Event()

    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802
            if delay:
                release.wait(delay)
            data = routes.get(self.path)
            body = json.dumps(data).encode() if data is not None else b"not found"
            self.reply(200 if data is not None else 404, body, "application/json")

    with local_server(Handler, release=release) as url:
        yield url


def seed(root: Path, *relays: str, extra: tuple[str, ...] = ()) -> Out:
    args = ["draw", "seed", "drand", "--round", "1000", "--chain", "quicknet", "--out", "F.json"]
    for r in relays:
        args += ["--relay", r]
    return ssj(root, *args, *extra)


def test_seed_drand_from_a_local_relay(tmp_path: Path) -> None:
    with relay({QUICKNET_PATH: QUICK_1000}) as url:
        out = seed(tmp_path, url)
    assert out.exit_code == 0, out.output
    assert json.loads((tmp_path / "F.json").read_bytes()) == QUICK_1000
    assert QUICK_1000["randomness"] in out.stdout
    # the saved round drives a run
    frozen(tmp_path)
    out = ssj(tmp_path, "draw", "run", PLAN_ID, "--drand-round", "F.json")
    assert out.exit_code == 0, out.output


def test_seed_drand_default_chain(tmp_path: Path) -> None:
    data = round_json("default", 1337)
    path = f"/{CHAINS['default'].chain_hash}/public/1337"
    with relay({path: data}) as url:
        out = ssj(tmp_path, "draw", "seed", "drand", "--round", "1337", "--chain", "default",
                  "--relay", url)
    assert out.exit_code == 0, out.output
    assert json.loads((tmp_path / "drand-default-1337.json").read_bytes()) == data


def test_seed_drand_tries_the_next_relay(tmp_path: Path) -> None:
    with relay({QUICKNET_PATH: flip_signature(QUICK_1000, fix_randomness=True)}) as bad, \
            relay({}) as empty, relay({QUICKNET_PATH: QUICK_1000}) as good:
        out = seed(tmp_path, closed_url(), empty, bad, good)
    assert out.exit_code == 0, out.output
    assert json.loads((tmp_path / "F.json").read_bytes()) == QUICK_1000


@pytest.mark.parametrize("served", [
    flip_signature(QUICK_1000),
    flip_signature(QUICK_1000, fix_randomness=True),
    round_json("quicknet", 123),
    {**round_json("quicknet", 123), "round": 1000},
], ids=["signature", "signature-and-randomness", "other-round", "other-round-relabelled"])
def test_seed_drand_refuses_a_relay_serving_a_bad_round(tmp_path: Path, served: dict) -> None:
    with relay({QUICKNET_PATH: served}) as url:
        before = snapshot(tmp_path)
        out = seed(tmp_path, url)
    assert_refused(out, url)
    assert snapshot(tmp_path) == before


def test_seed_drand_all_relays_down(tmp_path: Path) -> None:
    down = closed_url()
    out = seed(tmp_path, down)
    assert_refused(out, down)
    assert snapshot(tmp_path) == {}


def test_seed_drand_times_out_cleanly(tmp_path: Path) -> None:
    with relay({QUICKNET_PATH: QUICK_1000}, delay=10) as url:
        start = time.monotonic()
        out = seed(tmp_path, url, extra=("--timeout", "0.5"))
        elapsed = time.monotonic() - start
    assert elapsed < 3, elapsed
    assert_refused(out, url)
    assert snapshot(tmp_path) == {}


def test_seed_drand_does_not_overwrite(tmp_path: Path) -> None:
    (tmp_path / "F.json").write_text("mine")
    with relay({QUICKNET_PATH: QUICK_1000}) as url:
        out = seed(tmp_path, url)
    assert_refused(out, "F.json")
    assert (tmp_path / "F.json").read_text() == "mine"


# --- ssj rfc3797 ----------------------------------------------------------------------------

RFC_FIRST_TEN = [(17, "Lee"), (7, "Doc"), (2, "Mary"), (16, "Charity"), (25, "Kasczynski"),
                 (23, "Envy"), (8, "Sneazy"), (24, "Anger"), (19, "Chastity"), (13, "Pandora")]


def test_rfc3797_worked_example(tmp_path: Path) -> None:
    (tmp_path / "pool.txt").write_text(RFC_POOL_TEXT, encoding="utf-8")
    (tmp_path / "sources.txt").write_text(RFC_SOURCES_TEXT, encoding="utf-8")
    out = ssj(tmp_path, "rfc3797", "pool.txt", "sources.txt", "-n", "10")
    assert out.exit_code == 0, out.output
    assert out.stdout == "".join(f"{n}\t{index}\t{name}\n"
                                 for n, (index, name) in enumerate(RFC_FIRST_TEN, start=1))


def test_rfc3797_bad_sources_line(tmp_path: Path) -> None:
    (tmp_path / "pool.txt").write_text(RFC_POOL_TEXT, encoding="utf-8")
    (tmp_path / "sources.txt").write_text("9319\n2 5 x 8 10\n", encoding="utf-8")
    out = ssj(tmp_path, "rfc3797", "pool.txt", "sources.txt", "-n", "10")
    assert_refused(out, "sources.txt", "line 2", "'x'")
    assert out.exit_code == 1


def test_rfc3797_bad_count_names_the_pool(tmp_path: Path) -> None:
    (tmp_path / "pool.txt").write_text(RFC_POOL_TEXT, encoding="utf-8")
    (tmp_path / "sources.txt").write_text(RFC_SOURCES_TEXT, encoding="utf-8")
    out = ssj(tmp_path, "rfc3797", "pool.txt", "sources.txt", "-n", "26")
    assert_refused(out, "pool.txt", "0..25")
