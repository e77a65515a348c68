"""The standalone verification of one draw's published files, as a library: what `ssj draw
verify --package …` checks and a higher bureau re-runs on every mirrored draw, from the files
alone (no records, no git), with no printing and no exit.

Each step is "pass", "fail" or "incomplete" with one line from generator.draw.table where the
table has one. A lottery value or a drand value without its round file is "incomplete", never
"pass": nobody here has seen that value come from its source.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from generator.draw.drand import DrandError, verify_round
from generator.draw.spec import (DrawError, commitment, declared_round, draw, serialise,
                                 source_label, validate_package, validate_values)
from generator.draw.table import (COMMITMENT_FILE, PACKAGE_FILE, RESULT_FILE, ROUND_FILE_PATTERN,
                                  VALUES_FILE, difference, round_file, say)
from generator.records.jsonread import read_json
from generator.records.yamlread import YamlProblem

PASS, FAIL, INCOMPLETE = "pass", "fail", "incomplete"


def worst(statuses: Iterable[str]) -> str:
    """"fail" if any failed, else "incomplete" if any is, else "pass"."""
    seen = set(statuses)
    return FAIL if FAIL in seen else INCOMPLETE if INCOMPLETE in seen else PASS

# The order in which `ssj draw verify` stops at a fault: a Step's `phase`. Unreadable inputs
# first, then invalid ones, a draw that cannot run, the round files, the sources, the
# commitment and last the published result.
(_PACKAGE_JSON, _VALUES_JSON, _PACKAGE_INVALID, _VALUES_INVALID, _DRAW, _ROUND_FILE, _SOURCE,
 _COMMITMENT, _RESULT) = range(9)


@dataclass(frozen=True)
class Names:
    """How each file is named in the messages (a path on the command line, a path inside the
    site for a mirror)."""

    package: str = PACKAGE_FILE
    values: str = VALUES_FILE
    result: str = RESULT_FILE
    commitment: str = COMMITMENT_FILE


@dataclass(frozen=True)
class Step:
    """One check. name: "package", "values", "round-file" (a chosen round file that fits no
    source), "source" (n: its position from 1, kind: its declared kind), "commitment",
    "result"."""

    name: str
    status: str
    message: str
    n: int | None = None
    kind: str | None = None
    phase: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Outcome:
    steps: tuple[Step, ...]
    result: bytes | None  # recomputed from the package and values, as published (serialise)
    commitment: str | None  # computed from the package; None when the package is invalid

    @property
    def status(self) -> str:
        return worst(step.status for step in self.steps)

    @property
    def failure(self) -> Step | None:
        """The fault `ssj draw verify` stops at: the first by phase, then by order."""
        failed = [step for step in self.steps if step.status == FAIL]
        return min(failed, key=lambda step: step.phase) if failed else None

    @property
    def unverified(self) -> tuple[int, ...]:
        """The positions (from 1) of the sources whose value no round file verified."""
        return tuple(step.n for step in self.steps
                     if step.name == "source" and step.status == INCOMPLETE and step.n)

    def of(self, *names: str) -> list[Step]:
        return [step for step in self.steps if step.name in names]


def _parse(name: str, data: bytes) -> tuple[Any, str | None]:
    """(the JSON value, None), or (None, the line `ssj draw verify` says for it)."""
    try:
        return read_json(data), None
    except YamlProblem as e:
        return None, f"{name}:{e.line}: {e.message}"


def verify_files(package: bytes, values: bytes | None, *, result: bytes | None = None,
                 commitment_file: bytes | None = None,
                 rounds: Mapping[str, bytes] | Sequence[tuple[str, bytes]] = (),
                 chosen: bool = False, names: Names = Names()) -> Outcome:
    """Verify one draw from its files' bytes. `rounds`: round files, by name, as a mapping or
    (name, bytes) pairs. By default each declared drand source takes the file named
    drand-<chain>-<round>.json (the name's last part counts), as a draw folder publishes them;
    `chosen`: files a reader picked, matched by the round they hold, in the given order (the
    same file twice is refused), as `ssj draw verify --round` does."""
    rounds = list(rounds.items() if isinstance(rounds, Mapping) else rounds)
    steps: list[Step] = []
    package_data, package_error = _parse(names.package, package)
    values_data, values_error = _parse(names.values, values) if values is not None else (None, None)
    if package_error is None:
        try:
            validate_package(package_data)
        except DrawError as e:
            package_error = say("package_invalid", file=names.package, reason=e)
            steps.append(Step("package", FAIL, package_error, phase=_PACKAGE_INVALID))
    else:
        steps.append(Step("package", FAIL, package_error, phase=_PACKAGE_JSON))
    if package_error is not None:
        blocked = say("step_blocked")
        # the command line reads both files before it judges either
        values_step = (Step("values", FAIL, values_error, phase=_VALUES_JSON) if values_error
                       else Step("values", INCOMPLETE, blocked))
        return Outcome((*steps, values_step, Step("result", INCOMPLETE, blocked)), None, None)
    computed = commitment(package_data)
    steps.append(Step("package", PASS, f"{names.package} 是符合规范的抽取包，承诺值 {computed}"))
    expected = None
    if values is None:
        steps.append(Step("values", INCOMPLETE, say("values_missing", file=names.values)))
    elif values_error is not None:
        steps.append(Step("values", FAIL, values_error, phase=_VALUES_JSON))
    else:
        try:
            validate_values(values_data, package_data)
        except DrawError as e:
            steps.append(Step("values", FAIL, say("values_invalid", file=names.values, reason=e),
                              phase=_VALUES_INVALID))
        else:
            steps.append(Step("values", PASS, f"{names.values} 是符合规范的随机值"))
            steps += _sources(package_data["sources"], values_data, rounds, chosen, names)
            try:
                expected = serialise(draw(package_data, values_data))
            except DrawError as e:
                steps.append(Step("result", FAIL, say("draw_failed", reason=e), phase=_DRAW))
    if commitment_file is not None:
        try:
            claimed = commitment_file.decode("utf-8").strip()
        except UnicodeDecodeError:
            claimed = "（无法读取）"
        if claimed == computed:
            steps.append(Step("commitment", PASS, say("commitment_same", where=names.commitment)))
        else:
            steps.append(Step("commitment", FAIL, say(
                "commitment_mismatch", where=names.commitment, claimed=claimed,
                computed=computed), phase=_COMMITMENT))
    if expected is not None:
        if result is None:
            steps.append(Step("result", INCOMPLETE, say("result_none", file=names.result)))
        elif result == expected:
            steps.append(Step("result", PASS, say("result_same", file=names.result)))
        else:
            steps.append(Step("result", FAIL, say(
                "result_mismatch", file=names.result, where=difference(expected, result)),
                phase=_RESULT))
    elif not any(step.name == "result" for step in steps):
        steps.append(Step("result", INCOMPLETE, say("step_blocked")))
    return Outcome(tuple(steps), expected, computed)


def _sources(sources: list[dict[str, Any]], values: list[str], rounds: list[tuple[str, bytes]],
             chosen: bool, names: Names) -> list[Step]:
    """A step for each declared source, after any chosen round file that fits none."""
    steps, found = (_chosen_rounds(sources, rounds) if chosen
                    else ([], _named_rounds(sources, rounds)))
    for n, (source, value) in enumerate(zip(sources, values), start=1):
        label, kind = source_label(source), source.get("kind")
        if n - 1 in found:
            name, data, error = found[n - 1]
            if error is not None:
                steps.append(Step("source", FAIL, error, n, kind, _ROUND_FILE))
                continue
            try:
                randomness = verify_round(source["chain"], source["round"], data)
            except DrandError as e:
                steps.append(Step("source", FAIL, say("round_invalid", file=name, reason=e, n=n,
                                                       label=label), n, kind, _SOURCE))
                continue
            if randomness != value:
                steps.append(Step("source", FAIL, say(
                    "value_mismatch", file=name, randomness=randomness, values=names.values,
                    n=n, value=value, label=label), n, kind, _SOURCE))
            else:
                steps.append(Step("source", PASS, say("round_verified", n=n, label=label,
                                                      file=name, chain=source["chain"]), n, kind))
        elif kind == "drand":
            steps.append(Step("source", INCOMPLETE, say(
                "round_unverified", message=say("round_missing", n=n, label=label)), n, kind))
        elif kind == "lottery":
            steps.append(Step("source", INCOMPLETE, say("lottery_by_hand", n=n, label=label,
                                                        value=value), n, kind))
        else:
            steps.append(Step("source", INCOMPLETE, say("source_unknown", n=n, label=label),
                              n, kind))
    return steps


_Found = dict[int, tuple[str, Any, str | None]]  # source index -> (file name, JSON, why unreadable)


def _named_rounds(sources: list[dict[str, Any]], rounds: list[tuple[str, bytes]]) -> _Found:
    by_name = {PurePath(name).name: (name, data) for name, data in rounds}
    found: _Found = {}
    for i, source in enumerate(sources):
        declared = declared_round(source)
        wanted = round_file(*declared) if declared else None
        if wanted and re.fullmatch(ROUND_FILE_PATTERN, wanted) and wanted in by_name:
            name, data = by_name[wanted]
            found[i] = (name, *_parse(name, data))
    return found


def _chosen_rounds(sources: list[dict[str, Any]],
                   rounds: list[tuple[str, bytes]]) -> tuple[list[Step], _Found]:
    """Each chosen file goes to the declared drand source whose round it holds (the chain in
    its name decides between two of the same number); to the only drand source when it fits
    none, whose check then names the difference."""
    declared = {i: r for i, s in enumerate(sources) if (r := declared_round(s))}
    labels = "、".join(f"{c} 第 {r} 轮" for c, r in declared.values()) or "无"
    steps: list[Step] = []
    found: _Found = {}
    for name, raw in rounds:
        data, error = _parse(name, raw)
        if error is not None:
            steps.append(Step("round-file", FAIL, error, phase=_ROUND_FILE))
            continue
        number = data.get("round") if isinstance(data, dict) else None
        named = re.fullmatch(ROUND_FILE_PATTERN, PurePath(name).name)
        matches = [i for i, (_, r) in declared.items() if r == number and type(number) is int]
        if len(matches) > 1 and named:
            matches = [i for i in matches if declared[i][0] == named.group(1)]
        if not matches and len(declared) == 1:
            matches = list(declared)
        if len(matches) != 1:
            steps.append(Step("round-file", FAIL, say("cli_round_not_declared", file=name,
                                                      declared=labels), phase=_ROUND_FILE))
        elif matches[0] in found:
            steps.append(Step("round-file", FAIL, say(
                "cli_round_twice", file=name, other=found[matches[0]][0],
                label=source_label(sources[matches[0]])), phase=_ROUND_FILE))
        else:
            found[matches[0]] = (name, data, None)
    return steps, found
