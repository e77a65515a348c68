"""The in-browser verifier (site/static/verify/ssjdraw.js) draws what the Python reference draws.

Python generates random packages (ids mixing ASCII, full-width, CJK and astral-plane characters,
where code-point order and JavaScript's UTF-16 order disagree), draws each with
generator.draw.spec, and `node --test tests/js/` checks the JS gives the same bytes, or refuses
where Python refuses.
"""
from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from generator.draw.spec import DrawError, draw, serialise
from tests.jsrun import run_node_tests

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


def test_js_verifier_matches_python(tmp_path: Path) -> None:
    generated = cases()
    drawn = sum(1 for c in generated if "result_hex" in c)
    assert drawn >= 150 and len(generated) - drawn >= 20, (drawn, len(generated))  # both kinds
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(generated, ensure_ascii=False), encoding="utf-8")
    output = run_node_tests("ssjdraw.test.mjs", env={"SSJ_JS_CASES": str(path)})
    assert f"# differential: {len(generated)} cases, {drawn} drawn alike" in output, output
