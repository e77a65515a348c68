"""The in-browser verifier (site/static/verify/ssjdraw.js) draws what the Python reference draws,
and says what the Python verifier says.

Python generates random packages (ids mixing ASCII, full-width, CJK and astral-plane characters,
where code-point order and JavaScript's UTF-16 order disagree), draws each with
generator.draw.spec, and `node --test tests/js/` checks the JS gives the same bytes, or refuses
where Python refuses. Then published results spoiled in every way a hand or a transfer can spoil
them (a field changed, added or dropped, a type changed, whitespace, key order, a lost newline,
a stray byte, not JSON at all) go through generator.draw.table.difference and
site/static/verify/compare.js, which must give the same words.
"""
from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from generator.draw.spec import DrawError, draw, serialise
from generator.draw.table import MESSAGES, difference, say
from tests.jsrun import run_node_tests

REPO = Path(__file__).resolve().parent.parent

# U+FF21/U+FF11 sort below U+1D518/U+1F600 by code point but above them in UTF-16 units
CHARS = list("abAB09-_") + ["Ａ", "１", "ｚ", "中", "文", "検", "𝔘", "😀", "𠀀"]
DEPARTMENTS = ["律师工作股", "基层法律服务股", "法治督察股", "Ｄ", "😀股"]


def ids(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    out: list[str] = []
    while len(out) < count:
        new = "".join(rng.choice(CHARS) for _ in range(rng.randint(1, 4)))
        if new not in taken:
            taken.add(new)
            out.append(new)
    return sorted(out)  # Python sorts by code point, as the spec says


def lottery(rng: random.Random) -> str:
    return " ".join(str(rng.randint(0, 40)) for _ in range(rng.randint(1, 7)))


def package(rng: random.Random) -> tuple[dict[str, Any], list[str]]:
    team_size = rng.randint(2, 3)
    taken: set[str] = set()
    inspectors = [{"id": i, "department": rng.choice(DEPARTMENTS[:3])}
                  for i in ids(rng, rng.randint(3, 10), taken)]
    strata = []
    for sid in ids(rng, rng.randint(1, 3), set()):
        targets = [{"id": t, "weight": rng.randint(1, 4)} for t in ids(rng, rng.randint(0, 8), taken)]
        strata.append({"id": sid, "k": rng.randint(0, len(targets)),
                       # mostly feasible; an unstaffed department or a full-lead team may not be
                       "lead_department": rng.choice(DEPARTMENTS[:3] * 6 + DEPARTMENTS[3:]),
                       "min_lead": rng.choice([0, 1, 1, 1, rng.randint(0, team_size)]),
                       "targets": targets})
    all_targets = [t["id"] for s in strata for t in s["targets"]]
    pairs = {(t, i["id"]) for t in all_targets for i in inspectors if rng.random() < 0.1}
    exclusions = [{"target": t, "inspector": i, "reason": rng.choice(["recusal", "recent"])}
                  for t, i in sorted(pairs)]
    sources: list[dict[str, Any]] = [{"kind": "drand", "chain": "quicknet",
                                      "round": rng.randint(1, 2**40)}]
    values = ["%064x" % rng.getrandbits(256)]
    if rng.random() < 0.5:
        sources.append({"kind": "lottery", "game": "福彩3D", "issue": str(rng.randint(2025001, 2025360))})
        values.append(lottery(rng))
    return ({"spec": "ssj-draw/1", "plan": f"2025-{rng.choice(CHARS)}", "as_of": "2025-03-01",
             "team_size": team_size, "sources": sources, "strata": strata,
             "inspectors": inspectors, "exclusions": exclusions}, values)


def spoil(rng: random.Random, pkg: dict[str, Any], values: list[str]) -> None:
    """One mistake the spec says to refuse (never 2.0: JSON.parse cannot tell it from 2)."""
    choice = rng.randrange(7)
    if choice == 0:
        pkg["team_size"] = pkg["team_size"] + 0.5
    elif choice == 1:
        pkg["plan"] = "e\u0301"  # NFD
    elif choice == 2 and len(pkg["inspectors"]) > 1:
        pkg["inspectors"].reverse()
    elif choice == 3:
        pkg["inspectors"].append(dict(pkg["inspectors"][-1]))
    elif choice == 4:
        pkg["strata"][0]["note"] = "x"
    elif choice == 5:
        values[0] = values[0].upper()
    else:
        pkg["strata"][0]["k"] = len(pkg["strata"][0]["targets"]) + 1


def cases(seed: int = 20250301, count: int = 240) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for n in range(count):
        pkg, values = package(rng)
        if n % 8 == 7:
            spoil(rng, pkg, values)
        case: dict[str, Any] = {"package": pkg, "values": values}
        try:
            case["result_hex"] = serialise(draw(pkg, values)).hex()
        except DrawError:
            case["error"] = True
        out.append(case)
    return out


@pytest.fixture(scope="module")
def node_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """tests/js/ssjdraw.test.mjs run once on the draws and the words Python gives."""
    tmp = tmp_path_factory.mktemp("js")
    generated, differences = cases(), word_cases()
    (tmp / "cases.json").write_text(json.dumps(generated, ensure_ascii=False), encoding="utf-8")
    (tmp / "words.json").write_text(json.dumps({"differences": differences, "messages": message_cases()},
                                               ensure_ascii=False), encoding="utf-8")
    output = run_node_tests("ssjdraw.test.mjs", env={"SSJ_JS_CASES": str(tmp / "cases.json"),
                                                     "SSJ_JS_WORDS": str(tmp / "words.json")})
    return {"cases": generated, "differences": differences, "output": output}


def test_js_verifier_matches_python(node_run: dict[str, Any]) -> None:
    generated = node_run["cases"]
    drawn = sum(1 for c in generated if "result_hex" in c)
    assert drawn >= 150 and len(generated) - drawn >= 20, (drawn, len(generated))  # both kinds
    assert f"# differential: {len(generated)} cases, {drawn} drawn alike" in node_run["output"]


# ---- the words: difference() and say() on both sides

def _edit(result: bytes, change: Any) -> bytes:
    value = json.loads(result)
    change(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode() + b"\n"


def _set(path: list[Any], new: Any) -> Any:
    def change(value: Any) -> None:
        for step in path[:-1]:
            value = value[step]
        value[path[-1]] = new
    return change


def _drop(path: list[Any]) -> Any:
    def change(value: Any) -> None:
        for step in path[:-1]:
            value = value[step]
        del value[path[-1]]
    return change


def spoiled(result: bytes) -> dict[str, bytes]:
    """One published result spoiled in each way the words must cover."""
    parsed = json.loads(result)
    first_id = parsed["strata"][0]["ranking"][0]["id"] if parsed["strata"] and parsed["strata"][0]["ranking"] else "x"
    out = {
        "ranking id": _edit(result, _set(["strata", 0, "ranking", 0, "id"], first_id + "Ｘ😀")),
        "ranking key": _edit(result, _set(["strata", 0, "ranking", 0, "key"], "0" * 64)),
        "seed": _edit(result, _set(["seed"], parsed["seed"][::-1])),
        "k as a string": _edit(result, _set(["strata", 0, "k"], str(parsed["strata"][0]["k"]))),
        "k as true": _edit(result, _set(["strata", 0, "k"], True)),
        "null plan": _edit(result, _set(["plan"], None)),
        "a team dropped": _edit(result, _drop(["teams", 0])) if parsed["teams"] else result + b" ",
        "a team added": _edit(result, lambda v: v["teams"].append({"target": "他", "inspectors": []})),
        "a key added": _edit(result, _set(["note"], "x" * 100)),
        "an odd key added": _edit(result, _set(["strata", 0, "改 动"], [1, 2])),
        "a key dropped": _edit(result, _drop(["values"])),
        "values swapped for an object": _edit(result, _set(["values"], {"0": parsed["values"][0]})),
        "a lone surrogate": result.replace(b'"plan":"', b'"plan":"\\ud800x', 1),
        "a control character": _edit(result, _set(["plan"], "a\u0001\n\"b")),
        "the whole file an array": b"[" + result.rstrip(b"\n") + b"]\n",
        "the newline lost": result[:-1],
        "CRLF": result[:-1] + b"\r\n",
        "pretty": json.dumps(parsed, ensure_ascii=False, indent=2).encode(),
        "escaped": json.dumps(parsed, ensure_ascii=True, sort_keys=True, separators=(",", ":")).encode() + b"\n",
        "keys reordered": json.dumps(dict(reversed(parsed.items())), ensure_ascii=False, separators=(",", ":")).encode() + b"\n",
        "a BOM": b"\xef\xbb\xbf" + result,
        "truncated": result[: len(result) // 2],
        "empty": b"",
        "a float": result.replace(b'"k":', b'"k":1.0,"k2":', 1),
        "a huge integer": result.replace(b'"k":', b'"k":12345678901234567890,"k2":', 1),
        "invalid UTF-8": result.replace(b'"plan":"', b'"plan":"\xff\xfe', 1),
        "a duplicate key": result.replace(b'"seed":', b'"seed":"x","seed":', 1),
        "a number as -0": result.replace(b'"k":', b'"k":-0,"k3":', 1),
    }
    return out


def word_cases(seed: int = 20250302) -> list[dict[str, str]]:
    rng = random.Random(seed)
    results = [p.read_bytes() for p in sorted((REPO / "records" / "draws").glob("*/result.json"))]
    results.append((REPO / "tests" / "vectors" / "draw-basic" / "result.json").read_bytes())
    drawn = [bytes.fromhex(c["result_hex"]) for c in cases(count=60) if "result_hex" in c]
    results += drawn[:6]  # ids where code-point and UTF-16 order disagree
    out = []
    for n, result in enumerate(results):
        for name, actual in spoiled(result).items():
            if actual != result:
                out.append({"name": f"{n}: {name}", "expected": result.hex(),
                            "actual": actual.hex()})
        for _ in range(12):  # a stray byte anywhere
            at = rng.randrange(len(result))
            flipped = result[:at] + bytes([rng.randrange(256)]) + result[at + 1:]
            if flipped != result:
                out.append({"name": f"{n}: byte {at}", "expected": result.hex(), "actual": flipped.hex()})
    for c in out:
        c["words"] = difference(bytes.fromhex(c["expected"]), bytes.fromhex(c["actual"]))
    return out


def message_cases() -> list[list[Any]]:
    """Every message with each placeholder filled (numbers, hex, Chinese, astral characters)."""
    fillers = [7, "drand quicknet 第 1000 轮", "ab" * 32, "中😀"]
    out = []
    for n, (message_id, template) in enumerate(sorted(MESSAGES.items())):
        names = re.findall(r"\{([a-z_]+)\}", template)
        fields = {name: fillers[(n + i) % len(fillers)] for i, name in enumerate(names)}
        out.append([message_id, fields, say(message_id, **fields)])
    return out


def test_js_says_what_python_says(node_run: dict[str, Any]) -> None:
    differences = node_run["differences"]
    assert len(differences) > 250, len(differences)
    # each way of reporting is exercised: a path, a missing and an extra field, bytes
    for words in ("公布的文件中缺少", "公布的文件中多出", "不是有效的 JSON", "内容相同，但写法不同", ": 公布 ",
                  "（整个文件）", "…", "\\ud800", "\ufffd"):
        assert any(words in c["words"] for c in differences), words
    assert (f"# words: {len(differences)} differences, {len(MESSAGES)} messages alike"
            in node_run["output"]), node_run["output"]


def test_a_changed_field_is_named_by_its_path() -> None:
    result = (REPO / "tests" / "vectors" / "draw-basic" / "result.json").read_bytes()
    parsed = json.loads(result)
    wrong = parsed["strata"][0]["ranking"][1]["id"]
    right = parsed["strata"][0]["ranking"][0]["id"]
    actual = _edit(result, _set(["strata", 0, "ranking", 0, "id"], wrong))
    assert difference(result, actual) == f'strata[0].ranking[0].id: 公布 "{wrong}"，应为 "{right}"'
    assert difference(result, result[:-1]).startswith("内容相同，但写法不同（空白、键的顺序、转义或末尾换行），第 ")
    assert difference(result, result[:-1]).endswith("应为“\\n”，实为“（文件结束）”")
