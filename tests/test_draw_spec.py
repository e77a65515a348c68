"""The ssj-draw/1 algorithm (shared/spec/draw.md): the shared vector byte for byte, strict input
validation, properties over random packages (hypothesis, derandomized) and weighted fairness."""
from __future__ import annotations

import copy
import hashlib
import hmac
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any, Callable
from unittest import mock

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from generator.draw.canon import CanonError, canon
from generator.draw.spec import DrawError, commitment, draw, serialise, validate_package
from tests.test_draw_commands import (
    DRAWS,
    assert_refused,
    firm_file,
    firm_id,
    inspector_file,
    inspector_id,
    snapshot,
    ssj,
    tree,
    write,
)

REPO = Path(__file__).resolve().parent.parent
VECTOR = REPO / "tests" / "vectors" / "draw-basic"
PACKAGE = json.loads((VECTOR / "package.json").read_bytes())
VALUES = json.loads((VECTOR / "values.json").read_bytes())
RESULT = (VECTOR / "result.json").read_bytes()

PROPERTIES = settings(derandomize=True, max_examples=200, deadline=None, database=None,
                      suppress_health_check=[HealthCheck.too_slow])


def reference_canon(value: Any) -> bytes:
    """canon() as the spec writes it for Python, without the validation."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def reference_draw(package: dict, values: list[str], commit: str | None = None) -> dict:
    """The algorithm written straight from the spec's text, slow and plain."""
    commit = commit or hashlib.sha256(reference_canon(package)).hexdigest()
    seed = hmac.new(bytes.fromhex(commit), reference_canon(values), "sha256").digest()

    def rank(*labels: Any) -> str:
        return hmac.new(seed, reference_canon(["ssj-draw/1", *labels]), "sha256").hexdigest()

    strata, selected = [], []
    for s in package["strata"]:
        ranking = sorted((min(rank("target", s["id"], t["id"], j)
                              for j in range(1, t["weight"] + 1)), t["id"])
                         for t in s["targets"])
        strata.append({"id": s["id"], "k": s["k"],
                       "ranking": [{"id": t, "key": key} for key, t in ranking]})
        selected += [(t, s) for _, t in ranking[:s["k"]]]
    load = {i["id"]: 0 for i in package["inspectors"]}
    department = {i["id"]: i["department"] for i in package["inspectors"]}
    excluded = {(e["target"], e["inspector"]) for e in package["exclusions"]}
    teams = []
    for t, s in selected:
        eligible = [i for i in load if (t, i) not in excluded]
        r = {i: rank("inspector", t, i) for i in eligible}
        team: list[str] = []

        def pick(pool: list[str]) -> None:
            candidates = [i for i in pool if i not in team]
            if not candidates:
                raise LookupError(t)
            team.append(min(candidates, key=lambda i: (load[i], r[i])))

        while sum(department[i] == s["lead_department"] for i in team) < s["min_lead"]:
            pick([i for i in eligible if department[i] == s["lead_department"]])
        while len(team) < package["team_size"]:
            pick(eligible)
        for i in team:
            load[i] += 1
        teams.append({"target": t, "inspectors": team})
    return {"spec": "ssj-draw/1", "plan": package["plan"], "commitment": commit,
            "values": values, "seed": seed.hex(), "strata": strata, "teams": teams}


# --- the shared vector ----------------------------------------------------------------------

def test_vector_reproduces_in_the_library() -> None:
    assert serialise(draw(PACKAGE, VALUES)) == RESULT
    assert serialise(reference_draw(PACKAGE, VALUES)) == RESULT
    assert commitment(PACKAGE) == json.loads(RESULT)["commitment"]


def test_vector_reproduces_through_the_cli(tmp_path: Path) -> None:
    out = ssj(tmp_path, "draw", "verify", "--package", str(VECTOR / "package.json"),
              "--values", str(VECTOR / "values.json"), "--result", str(VECTOR / "result.json"))
    assert out.exit_code == 3, out.output  # consistent; no round file, and a lottery value
    assert "一致" in out.stdout
    out = ssj(tmp_path, "draw", "verify", "--package", str(VECTOR / "package.json"),
              "--values", str(VECTOR / "values.json"))
    assert out.exit_code == 3, out.output
    assert out.stdout_bytes == RESULT
    assert list(tmp_path.iterdir()) == []  # the public verifier writes nothing


def test_vector_reproduces_through_the_installed_module(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "generator", "draw", "verify",
         "--package", str(VECTOR / "package.json"), "--values", str(VECTOR / "values.json")],
        cwd=tmp_path, capture_output=True, timeout=60, check=False,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert done.returncode == 3, done.stderr.decode()  # values unverified (see above)
    assert done.stdout == RESULT


def changed_byte(raw: bytes, at: int) -> bytes:
    new = b"0" if raw[at:at + 1] != b"0" else b"1"
    return raw[:at] + new + raw[at + 1:]


@pytest.mark.parametrize("marker, path", [
    (b'"seed":"', "seed"), (b'"teams":[{"inspectors":["', "teams[0].inspectors[0]"),
    (b'"key":"', "strata[0].ranking[0].key")])
def test_vector_with_one_byte_changed_names_the_first_difference(tmp_path: Path, marker: bytes,
                                                                 path: str) -> None:
    """By the first differing field and its path, as the browser verifier says it."""
    at = RESULT.index(marker) + len(marker) + 3
    (tmp_path / "result.json").write_bytes(changed_byte(RESULT, at))
    out = ssj(tmp_path, "draw", "verify", "--package", str(VECTOR / "package.json"),
              "--values", str(VECTOR / "values.json"), "--result", "result.json")
    assert out.exit_code == 1
    assert_refused(out, "不一致", "result.json", f"{path}: 公布 ")
    # what it should be, from the expected bytes
    end = RESULT.index(b'"', at)
    assert RESULT[at - 3:end].decode()[:20] in out.stderr.split("应为", 1)[1]


def test_vector_result_missing_its_newline_or_with_crlf(tmp_path: Path) -> None:
    for name, data in (("short.json", RESULT[:-1]), ("crlf.json", RESULT[:-1] + b"\r\n"),
                       ("pretty.json", json.dumps(json.loads(RESULT), indent=2).encode())):
        (tmp_path / name).write_bytes(data)
        out = ssj(tmp_path, "draw", "verify", "--package", str(VECTOR / "package.json"),
                  "--values", str(VECTOR / "values.json"), "--result", name)
        assert_refused(out, "不一致", name)


def test_public_verifier_usage_errors(tmp_path: Path) -> None:
    out = ssj(tmp_path, "draw", "verify", "--package", str(VECTOR / "package.json"))
    assert out.exit_code == 2 and "--values" in out.stderr
    out = ssj(tmp_path, "draw", "verify", "--package", str(VECTOR / "package.json"),
              "--values", str(VECTOR / "values.json"), "--result", "missing.json")
    assert out.exit_code == 2 and "missing.json" in out.stderr and "Traceback" not in out.output


# --- canonical JSON -------------------------------------------------------------------------

def test_canon_bytes() -> None:
    value = {"b": [1, -1, None, True, False], "a": "é\"\\/甲\U00020000", "A": {}, "_": []}
    assert canon(value) == reference_canon(value)
    assert canon(value) == ('{"A":{},"_":[],"a":"é\\"\\\\/甲\U00020000",'
                            '"b":[1,-1,null,true,false]}').encode()
    assert canon([2**53 - 1, -(2**53 - 1)]) == b"[9007199254740991,-9007199254740991]"


@pytest.mark.parametrize("value", [
    1.0, 2**53, -(2**53), float("nan"), "Cafe\u0301", "a\x00", "a\x1f", "a\x7f",
    "tab\t", {"键": 1}, {1: 1}, b"bytes", {"a": [1, 2.5]},
], ids=repr)
def test_canon_rejects_what_the_spec_forbids(value: Any) -> None:
    with pytest.raises(CanonError):
        canon(value)


# --- invalid packages and values ------------------------------------------------------------

def targets(p: dict) -> list:
    return p["strata"][0]["targets"]


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


PACKAGE_BREAKAGES: dict[str, Callable[[dict], Any]] = {
    "targets out of order": lambda p: targets(p).reverse(),
    "two targets swapped": lambda p: targets(p).__setitem__(
        slice(0, 2), [targets(p)[1], targets(p)[0]]),
    "duplicate target": lambda p: targets(p).insert(1, dict(targets(p)[0])),
    "target in two strata": lambda p: p["strata"][1]["targets"].insert(
        0, dict(targets(p)[0])),
    "duplicate stratum id": lambda p: p["strata"][1].update(id=p["strata"][0]["id"]),
    "duplicate inspector": lambda p: p["inspectors"].insert(1, dict(p["inspectors"][0])),
    "inspectors out of order": lambda p: p["inspectors"].reverse(),
    "exclusions out of order": lambda p: p["exclusions"].reverse(),
    "duplicate exclusion": lambda p: p["exclusions"].append(dict(p["exclusions"][-1])),
    "extra key in package": lambda p: p.update(note="x"),
    "extra key in stratum": lambda p: p["strata"][0].update(ratio=20),
    "extra key in target": lambda p: targets(p)[0].update(name="x"),
    "extra key in inspector": lambda p: p["inspectors"][0].update(name="x"),
    "extra key in exclusion": lambda p: p["exclusions"][0].update(note="x"),
    "missing key": lambda p: p.pop("exclusions"),
    "missing weight": lambda p: targets(p)[0].pop("weight"),
    "float weight 2.0": lambda p: targets(p)[0].update(weight=2.0),
    "float team_size": lambda p: p.update(team_size=2.0),
    "true as weight": lambda p: targets(p)[0].update(weight=True),
    "true as k": lambda p: p["strata"][0].update(k=True),
    "true as team_size": lambda p: p.update(team_size=True),
    "string weight": lambda p: targets(p)[0].update(weight="1"),
    "weight 0": lambda p: targets(p)[0].update(weight=0),
    "weight beyond 2^53": lambda p: targets(p)[0].update(weight=2**53),
    "team_size 1": lambda p: p.update(team_size=1),
    "k > len(targets)": lambda p: p["strata"][1].update(k=4),
    "negative k": lambda p: p["strata"][1].update(k=-1),
    "min_lead > team_size": lambda p: p["strata"][0].update(min_lead=3),
    "non-NFC department": lambda p: p["inspectors"][0].update(department=nfd("Café")),
    "non-NFC target id": lambda p: targets(p)[-1].update(id=nfd("Zé")),
    "control character": lambda p: p.update(plan="2025\n01"),
    "non-ASCII key": lambda p: p["sources"][0].update({"链": "quicknet"}),
    "numeric id": lambda p: targets(p)[0].update(id=1),
    "empty id": lambda p: p["inspectors"][0].update(id=""),
    "exclusion of an unknown target": lambda p: p["exclusions"][0].update(target="99999"),
    "exclusion of an unknown inspector": lambda p: p["exclusions"][0].update(inspector="0"),
    "unknown exclusion reason": lambda p: p["exclusions"][0].update(reason="friend"),
    "wrong spec": lambda p: p.update(spec="ssj-draw/2"),
    "bad as_of": lambda p: p.update(as_of="2025-02-30"),
    "as_of with time": lambda p: p.update(as_of="2025-03-01T00:00"),
    "no sources": lambda p: p.update(sources=[]),
    "source not an object": lambda p: p.update(sources=["drand"]),
    "strata not a list": lambda p: p.update(strata={}),
    "package not an object": lambda p: p.clear(),
}


def broken_package(breakage: Callable[[dict], Any]) -> dict:
    package = copy.deepcopy(PACKAGE)
    breakage(package)
    return package


@pytest.mark.parametrize("breakage", PACKAGE_BREAKAGES.values(), ids=PACKAGE_BREAKAGES.keys())
def test_invalid_package_is_rejected(breakage: Callable[[dict], Any]) -> None:
    package = broken_package(breakage)
    with pytest.raises(DrawError):
        validate_package(package)
    with pytest.raises(DrawError):
        draw(package, VALUES)


CLI_PACKAGE_BREAKAGES = [k for k in PACKAGE_BREAKAGES if not k.startswith(("float", "package"))]


@pytest.mark.parametrize("name", CLI_PACKAGE_BREAKAGES)
def test_invalid_package_is_rejected_by_the_cli(tmp_path: Path, name: str) -> None:
    package = broken_package(PACKAGE_BREAKAGES[name])
    (tmp_path / "package.json").write_text(json.dumps(package, ensure_ascii=False),
                                           encoding="utf-8")
    (tmp_path / "values.json").write_bytes((VECTOR / "values.json").read_bytes())
    out = ssj(tmp_path, "draw", "verify", "--package", "package.json", "--values", "values.json")
    assert out.exit_code == 1
    assert_refused(out, "无法计算")


@pytest.mark.parametrize("text,line", [
    (b'{"spec": "ssj-draw/1",\n"team_size": 2.0}', 2),
    (b'{"spec": "ssj-draw/1",\n"spec": "ssj-draw/1"}', 2),
    (b'{"spec": "ssj-draw/1",\n"x": NaN}', 2),
    (b'{"spec": "\xff"}', 1),
], ids=["float", "duplicate-key", "NaN", "invalid-UTF-8"])
def test_unreadable_package_is_rejected_by_the_cli_with_its_line(tmp_path: Path, text: bytes,
                                                                 line: int) -> None:
    (tmp_path / "package.json").write_bytes(text)
    (tmp_path / "values.json").write_bytes((VECTOR / "values.json").read_bytes())
    out = ssj(tmp_path, "draw", "verify", "--package", "package.json", "--values", "values.json")
    assert out.exit_code == 1
    assert_refused(out, f"package.json:{line}:")


DRAND_VALUE = VALUES[0]
VALUE_BREAKAGES = {
    "no values": [],
    "one value for two sources": [DRAND_VALUE],
    "three values": [DRAND_VALUE, "3 7 1", "1"],
    "uppercase drand": [DRAND_VALUE.upper(), "3 7 1"],
    "63-character drand": [DRAND_VALUE[:63], "3 7 1"],
    "65-character drand": [DRAND_VALUE + "0", "3 7 1"],
    "drand with 0x": ["0x" + DRAND_VALUE[2:], "3 7 1"],
    "lottery leading zero": [DRAND_VALUE, "03 7 1"],
    "lottery two spaces": [DRAND_VALUE, "3  7 1"],
    "lottery commas": [DRAND_VALUE, "3,7,1"],
    "lottery trailing space": [DRAND_VALUE, "3 7 1 "],
    "lottery sign": [DRAND_VALUE, "+3 7 1"],
    "lottery full-width digits": [DRAND_VALUE, "３ 7 1"],
    "lottery empty": [DRAND_VALUE, ""],
    "integer value": [DRAND_VALUE, 371],
    "values not a list": {"drand": DRAND_VALUE},
}


@pytest.mark.parametrize("values", VALUE_BREAKAGES.values(), ids=VALUE_BREAKAGES.keys())
def test_invalid_values_are_rejected(tmp_path: Path, values: Any) -> None:
    with pytest.raises(DrawError):
        draw(PACKAGE, values)
    (tmp_path / "values.json").write_text(json.dumps(values, ensure_ascii=False),
                                          encoding="utf-8")
    out = ssj(tmp_path, "draw", "verify", "--package", str(VECTOR / "package.json"),
              "--values", "values.json")
    assert out.exit_code == 1
    assert_refused(out, "无法计算")


@pytest.mark.parametrize("lottery", ["0", "0 0 0", "3 7 1", "10 20 33", "9"])
def test_valid_lottery_values_are_accepted(lottery: str) -> None:
    result = draw(PACKAGE, [DRAND_VALUE, lottery])
    assert result["values"] == [DRAND_VALUE, lottery]


def test_values_of_an_undeclared_kind_are_committed_uninterpreted() -> None:
    package = {**PACKAGE, "sources": [{"kind": "dice", "faces": 6}]}
    assert draw(package, ["anything at all"])["values"] == ["anything at all"]
    with pytest.raises(DrawError):
        draw(package, [nfd("é")])  # still canonical strings only


def test_infeasible_draw_fails_naming_the_target() -> None:
    package = copy.deepcopy(PACKAGE)
    selected = json.loads(RESULT)["teams"][0]["target"]
    package["exclusions"] = sorted(
        [{"target": selected, "inspector": i["id"], "reason": "recusal"}
         for i in package["inspectors"][1:]] + [
         e for e in package["exclusions"] if e["target"] != selected],
        key=lambda e: (e["target"], e["inspector"]))
    # the seed changes with the package; draw until the crippled target is selected
    for n in range(200):
        values = [hashlib.sha256(str(n).encode()).hexdigest(), "3 7 1"]
        selected_now = reference_selection(package, values)
        if selected in selected_now:
            with pytest.raises(DrawError, match=selected):
                draw(package, values)
            return
    pytest.fail("never selected")


def reference_selection(package: dict, values: list[str]) -> list[str]:
    commit = hashlib.sha256(reference_canon(package)).hexdigest()
    seed = hmac.new(bytes.fromhex(commit), reference_canon(values), "sha256").digest()
    out = []
    for s in package["strata"]:
        ranking = sorted((min(hmac.new(seed, reference_canon(
            ["ssj-draw/1", "target", s["id"], t["id"], j]), "sha256").hexdigest()
            for j in range(1, t["weight"] + 1)), t["id"]) for t in s["targets"])
        out += [t for _, t in ranking[:s["k"]]]
    return out


# --- properties over random packages ---------------------------------------------------------

# code points whose UTF-16 order differs from their code point order (U+FF5A vs U+20000), an
# accented letter in NFC, digits and ASCII letters of both cases
ID_ALPHABET = "019AZaz-é甲ｚ\U00020000"
DEPARTMENTS = ("律师工作股", "法治督察股", "基层法律服务股")
ids = st.text(alphabet=ID_ALPHABET, min_size=1, max_size=3)
drand_values = st.binary(min_size=32, max_size=32).map(lambda b: [b.hex()])


def feasible(package: dict, stratum: dict, target: str) -> bool:
    excluded = {(e["target"], e["inspector"]) for e in package["exclusions"]}
    able = [i for i in package["inspectors"] if (target, i["id"]) not in excluded]
    lead = [i for i in able if i["department"] == stratum["lead_department"]]
    return len(able) >= package["team_size"] and len(lead) >= stratum["min_lead"]


@st.composite
def packages(draw_: st.DrawFn, repair: bool = True) -> dict:
    """A valid package; with `repair`, min_lead and exclusions are cut down until every target
    can get a full team (as freeze guarantees)."""
    team_size = draw_(st.integers(2, 3))
    inspector_ids = sorted(draw_(st.lists(ids, min_size=team_size, max_size=8, unique=True)))
    inspectors = [{"id": i, "department": draw_(st.sampled_from(DEPARTMENTS))}
                  for i in inspector_ids]
    stratum_ids = draw_(st.lists(ids, min_size=1, max_size=3, unique=True))
    target_ids = draw_(st.lists(ids, min_size=1, max_size=12, unique=True))
    cuts = sorted(draw_(st.lists(st.integers(0, len(target_ids)),
                                 min_size=len(stratum_ids) - 1, max_size=len(stratum_ids) - 1)))
    strata = []
    for sid, lo, hi in zip(stratum_ids, [0, *cuts], [*cuts, len(target_ids)]):
        group = sorted(target_ids[lo:hi])
        lead = draw_(st.sampled_from(DEPARTMENTS))
        min_lead = draw_(st.integers(0, team_size))
        if repair:
            min_lead = min(min_lead, sum(i["department"] == lead for i in inspectors))
        k = draw_(st.one_of(st.integers(0, len(group)), st.just(min(len(group), 2))))
        strata.append({"id": sid, "k": k,
                       "lead_department": lead, "min_lead": min_lead,
                       "targets": [{"id": t, "weight": draw_(st.integers(1, 4))}
                                   for t in group]})
    pairs = [(t, i) for t in sorted(target_ids) for i in inspector_ids]
    chosen = draw_(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []
    exclusions = [{"target": t, "inspector": i,
                   "reason": draw_(st.sampled_from(["recusal", "recent"]))}
                  for t, i in sorted(chosen)]
    package = {"spec": "ssj-draw/1", "plan": draw_(ids), "as_of": "2025-03-01",
               "team_size": team_size,
               "sources": [{"kind": "drand", "chain": "quicknet", "round": 1000}],
               "strata": strata, "inspectors": inspectors, "exclusions": exclusions}
    if repair:
        for stratum in strata:
            for target in stratum["targets"]:
                while not feasible(package, stratum, target["id"]):
                    # give back an excluded inspector, lead department first
                    mine = [e for e in exclusions if e["target"] == target["id"]]
                    lead = [e for e in mine if next(
                        i["department"] for i in inspectors if i["id"] == e["inspector"]
                    ) == stratum["lead_department"]]
                    exclusions.remove((lead or mine)[0])
    validate_package(package)
    return package


@PROPERTIES
@given(packages(), drand_values)
def test_teams_and_rankings_follow_the_rules(package: dict, values: list[str]) -> None:
    result = draw(package, values)
    assert serialise(result) == serialise(reference_draw(package, values))
    assert result["commitment"] == hashlib.sha256(reference_canon(package)).hexdigest()
    department = {i["id"]: i["department"] for i in package["inspectors"]}
    excluded = {(e["target"], e["inspector"]) for e in package["exclusions"]}
    selection = []
    for stratum, out in zip(package["strata"], result["strata"], strict=True):
        assert (out["id"], out["k"]) == (stratum["id"], stratum["k"])
        ranking = [(entry["key"], entry["id"]) for entry in out["ranking"]]
        assert ranking == sorted(ranking)
        assert sorted(t for _, t in ranking) == [t["id"] for t in stratum["targets"]]
        assert all(len(key) == 64 and key == key.lower() for key, _ in ranking)
        selection += [(t, stratum) for _, t in ranking[:stratum["k"]]]
    assert [t["target"] for t in result["teams"]] == [t for t, _ in selection]
    for team, (target, stratum) in zip(result["teams"], selection):
        members = team["inspectors"]
        assert len(members) == package["team_size"] == len(set(members))
        assert all(m in department and (target, m) not in excluded for m in members)
        lead = [m for m in members if department[m] == stratum["lead_department"]]
        assert len(lead) >= stratum["min_lead"]
        # lead-department picks come first
        assert members[:stratum["min_lead"]] == lead[:stratum["min_lead"]]
    # the load spreads: nobody serves twice while an eligible inspector has not served
    # (checked loosely: total load equals the number of seats)
    assert sum(len(t["inspectors"]) for t in result["teams"]) == len(selection) * package[
        "team_size"]


@PROPERTIES
@given(packages(repair=False), drand_values)
def test_draw_fails_exactly_when_a_selected_target_is_infeasible(package: dict,
                                                                  values: list[str]) -> None:
    stratum_of = {t["id"]: s for s in package["strata"] for t in s["targets"]}
    infeasible = [t for t in reference_selection(package, values)
                  if not feasible(package, stratum_of[t], t)]
    if infeasible:
        with pytest.raises(DrawError, match="没有足够"):
            draw(package, values)
    else:
        assert serialise(draw(package, values)) == serialise(reference_draw(package, values))


FIXED_COMMITMENT = "ab" * 32


@PROPERTIES
@given(packages(), drand_values, st.data())
def test_removing_a_target_does_not_reorder_the_others(package: dict, values: list[str],
                                                       data: st.DataObject) -> None:
    """With the seed held fixed, a target's key depends only on itself: removing a target leaves
    the others' relative order, and removing a non-selected one leaves the teams, unchanged."""
    with mock.patch("generator.draw.spec.commitment", lambda p: FIXED_COMMITMENT):
        before = draw(package, values)
        positions = [(n, m) for n, s in enumerate(before["strata"])
                     for m in range(len(s["ranking"]))]
        assume(positions)
        n, m = data.draw(st.sampled_from(positions))
        stratum = package["strata"][n]
        removed = before["strata"][n]["ranking"][m]["id"]
        selected = m < stratum["k"]
        smaller = copy.deepcopy(package)
        smaller["strata"][n]["targets"] = [t for t in stratum["targets"] if t["id"] != removed]
        smaller["strata"][n]["k"] = min(stratum["k"], len(stratum["targets"]) - 1)
        smaller["exclusions"] = [e for e in package["exclusions"] if e["target"] != removed]
        after = draw(smaller, values)
    assert before["commitment"] == after["commitment"] == FIXED_COMMITMENT
    assert after["seed"] == before["seed"]
    for s_before, s_after in zip(before["strata"], after["strata"], strict=True):
        assert s_after["ranking"] == [e for e in s_before["ranking"] if e["id"] != removed]
    if not selected:
        assert after["teams"] == before["teams"]


# --- the result does not depend on the order the records were written ------------------------

@st.composite
def records_trees(draw_: st.DrawFn) -> dict[str, str]:
    """A small example-flagged records tree: firms (some risky), inspectors (some recusing)."""
    files = tree(firms=draw_(st.integers(1, 6)), inspectors=())
    firms = [name for name in files if name.startswith("records/institutions/")]
    for n in range(2, len(firms) + 1):
        if draw_(st.booleans()):
            files[f"records/institutions/{firm_id(n)}.yaml"] = firm_file(n, f"""\
risk_flags:
  - kind: {draw_(st.sampled_from(["complaints", "serious_violation"]))}
    since: 2024-06-01
""")
    count = draw_(st.integers(4, 7))
    for n in range(1, count + 1):
        department = "lawyer" if n <= 2 else draw_(st.sampled_from(["lawyer", "supervision"]))
        conflicts = draw_(st.lists(st.integers(1, len(firms)), unique=True, max_size=2)) \
            if n > 2 else []
        extra = "".join(f"""\
  - target: "{firm_id(f)}"
    declared_on: 2024-02-01
""" for f in conflicts)
        files[f"records/inspectors/{inspector_id(n)}.yaml"] = inspector_file(
            n, department, "conflicts:\n" + extra if extra else "")
    return files


@settings(derandomize=True, max_examples=8, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(records_trees(), st.randoms(use_true_random=False))
def test_freeze_does_not_depend_on_the_order_files_were_written(files: dict[str, str],
                                                                 rng: random.Random) -> None:
    outputs = []
    with tempfile.TemporaryDirectory() as top:
        for n in range(2):
            names = list(files)
            rng.shuffle(names)
            root = Path(top) / str(n)
            write(root, {name: files[name] for name in names})
            out = ssj(root, "draw", "freeze", "2025-01")
            assert out.exit_code == 0, out.output
            outputs.append({name: data for name, data in snapshot(root).items()
                            if name.startswith(DRAWS + "/")})
    assert outputs[0] == outputs[1]
    assert set(outputs[0]) == {f"{DRAWS}/package.json", f"{DRAWS}/commitment.txt"}


# --- statistical fairness --------------------------------------------------------------------

def fairness_package(inspectors: list[dict], min_lead: int = 0) -> dict:
    return {
        "spec": "ssj-draw/1", "plan": "fair", "as_of": "2025-03-01", "team_size": 2,
        "sources": [{"kind": "drand", "chain": "quicknet", "round": 1000}],
        "strata": [{"id": "s", "k": 1, "lead_department": "律师工作股", "min_lead": min_lead,
                    "targets": [{"id": "a", "weight": 1}, {"id": "b", "weight": 1},
                                {"id": "c", "weight": 1}, {"id": "d", "weight": 3}]}],
        "inspectors": inspectors, "exclusions": [],
    }


DRAWS_FOR_FAIRNESS = 3000


def fixed_values(n: int) -> list[str]:
    return [hashlib.sha256(str(n).encode()).hexdigest()]


def assert_share(count: int, p: float, trials: int) -> None:
    sd = math.sqrt(trials * p * (1 - p))
    assert abs(count - trials * p) < 4 * sd, (count, trials * p, sd)


def test_weights_are_tickets() -> None:
    """Weight w holds w of the stratum's 6 tickets and wins with the best: P = w / 6."""
    package = fairness_package([{"id": "1", "department": "律师工作股"},
                                {"id": "2", "department": "法治督察股"}])
    wins = Counter(draw(package, fixed_values(n))["teams"][0]["target"]
                   for n in range(DRAWS_FOR_FAIRNESS))
    for target, weight in (("a", 1), ("b", 1), ("c", 1), ("d", 3)):
        assert_share(wins[target], weight / 6, DRAWS_FOR_FAIRNESS)


def test_inspectors_are_picked_fairly() -> None:
    """4 inspectors, 2 of the lead department, min_lead 1, one ranking r per target: the first
    pick is the better-ranked lead inspector (P = 1/2 each); the second is the best of the rest,
    which is the other lead inspector only if both lead inspectors rank above both others
    (P = 1 / C(4, 2) = 1/6). So a lead inspector serves with P = 1/2 + 1/2 x 1/6 = 7/12 and each
    other inspector with P = 5/12."""
    package = fairness_package([{"id": "1", "department": "律师工作股"},
                                {"id": "2", "department": "律师工作股"},
                                {"id": "3", "department": "法治督察股"},
                                {"id": "4", "department": "法治督察股"}], min_lead=1)
    served: Counter[str] = Counter()
    first: Counter[str] = Counter()
    pairs: Counter[frozenset[str]] = Counter()
    trials = DRAWS_FOR_FAIRNESS // 2
    for n in range(trials):
        team = draw(package, fixed_values(n))["teams"][0]["inspectors"]
        served.update(team)
        first[team[0]] += 1
        pairs[frozenset(team)] += 1
    assert set(first) == {"1", "2"}
    for lead in ("1", "2"):
        assert_share(first[lead], 1 / 2, trials)
        assert_share(served[lead], 7 / 12, trials)
    for other in ("3", "4"):
        assert_share(served[other], 5 / 12, trials)
    assert_share(pairs[frozenset("12")], 1 / 6, trials)
    assert frozenset("34") not in pairs


def test_fairness_harness_is_not_vacuous() -> None:
    """The 4-sigma bound does reject a biased winner (guards the statistics above)."""
    with pytest.raises(AssertionError):
        assert_share(int(DRAWS_FOR_FAIRNESS * 0.45), 0.5, DRAWS_FOR_FAIRNESS)
