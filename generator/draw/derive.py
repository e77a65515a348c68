"""A stored package against the one the records give (spec: the package is what the records give).

A verifier without the records can only check the algorithm; this is the bureau's side of the
bargain: who was in the pool, with what weight, which inspectors were eligible and which pairs
were kept apart must all follow from the records as of the pool date. Each difference is said in
the bureau's words, naming the institution or inspector and why it should (not) be there.
"""
from __future__ import annotations

import contextlib
import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping, NamedTuple

from generator.draw.freeze import freeze
from generator.draw.gittime import MainLine, git
from generator.records.kinds import SECTORS
from generator.records.load import load_records
from generator.records.model import Record, Records

EXCLUSION_REASONS = {"recusal": "申报回避", "recent": "周期内检查过"}
_KINDS = {"机构": ("institution",), "执法检查人员": ("inspector",)}

# each difference is reported under the check of the clause it breaches (rules/checks.py)
POOL = "draw.derivation"  # 二（五）: the pool, its strata and k, the package's frame
INSPECTORS = "draw.derivation-inspectors"  # 二（四）: who may inspect, the lead department
WEIGHT = "draw.derivation-weight"  # 二（八）: a risky target's extra tickets
TEAM = "draw.derivation-team"  # 二（九）: team size, 回避 and the period rule


class Difference(NamedTuple):
    """One way a stored package departs from what the records give: the check it breaches and
    what differs, in words."""

    rule: str
    text: str


def _who(records: Records, record_id: str, what: str) -> str:
    # only a record of the kind named has a name to show: a package may hold any id
    record = records.get(record_id, _KINDS[what])
    return f"{what} {record.name}（{record_id}）" if record is not None else f"{what} {record_id}"


def _by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in items}


def _stratum_differences(records: Records, plan: Record, want: dict[str, Any],
                         have: dict[str, Any]) -> list[Difference]:
    sector = SECTORS.get(want["id"], want["id"])
    day = plan.pool_date.isoformat()
    out = []
    scope = next(s for s in plan.scope if s.sector == want["id"])
    if want["k"] != have["k"]:
        out.append(Difference(POOL, f"{sector}：按计划比例 {scope.ratio_percent}%、至少 {scope.min_count} 家，"
                              f"应从 {len(want['targets'])} 家中抽取 {want['k']} 家，抽取包为 {have['k']} 家"))
    for key, label in (("lead_department", "业务主管股室"), ("min_lead", "每组来自主管股室的最少人数")):
        if want[key] != have[key]:
            out.append(Difference(INSPECTORS, f"{sector}：{label}应为 {want[key]}，抽取包为 {have[key]}"))
    wanted, had = _by_id(want["targets"]), _by_id(have["targets"])
    for tid in sorted(wanted.keys() - had.keys()):
        out.append(Difference(POOL, f"{_who(records, tid, '机构')}在抽取基准日 {day} 为执业状态，"
                              "却不在抽取范围"))
    for tid in sorted(had.keys() - wanted.keys()):
        inst = records.get(tid, ("institution",))
        if inst is None:
            why = "记录中没有这个机构"
        elif inst.sector != want["id"]:
            why = f"它属于{SECTORS[inst.sector]}，不属于{sector}"
        else:
            why = f"它在抽取基准日 {day} 不是执业状态"
        out.append(Difference(POOL, f"{_who(records, tid, '机构')}在抽取范围中，但{why}"))
    for tid in sorted(wanted.keys() & had.keys()):
        if wanted[tid]["weight"] != had[tid]["weight"]:
            out.append(Difference(WEIGHT, f"{_who(records, tid, '机构')}的抽签份数应为 "
                                  f"{wanted[tid]['weight']}（按抽取基准日的风险情况，方案 二（八）），"
                                  f"抽取包为 {had[tid]['weight']}"))
    return out


def package_differences(records: Records, plan: Record, expected: dict[str, Any],
                        stored: dict[str, Any]) -> list[Difference]:
    """What differs between the package the records give (`expected`) and `stored`, each under
    the check of the clause it breaches."""
    out = []
    for key, label, rule in (("spec", "规范版本", POOL), ("plan", "计划编号", POOL),
                             ("as_of", "取数日期", POOL), ("team_size", "每组人数", TEAM),
                             ("sources", "随机源", POOL)):
        if expected[key] != stored[key]:
            out.append(Difference(rule, f"{label}应为 {expected[key]}，抽取包为 {stored[key]}"))
    want_strata, have_strata = _by_id(expected["strata"]), _by_id(stored["strata"])
    for sid in sorted(want_strata.keys() - have_strata.keys()):
        out.append(Difference(POOL, f"计划范围含{SECTORS.get(sid, sid)}，抽取包中却没有这一分层"))
    for sid in sorted(have_strata.keys() - want_strata.keys()):
        out.append(Difference(POOL, f"抽取包中的分层 {sid} 不在计划范围内"))
    both = want_strata.keys() & have_strata.keys()
    if ([s["id"] for s in stored["strata"] if s["id"] in both]
            != [s["id"] for s in expected["strata"] if s["id"] in both]):
        out.append(Difference(POOL, "分层顺序应与计划范围的顺序一致"))
    for sid in sorted(both):
        out.extend(_stratum_differences(records, plan, want_strata[sid], have_strata[sid]))
    day = plan.pool_date.isoformat()
    wanted, had = _by_id(expected["inspectors"]), _by_id(stored["inspectors"])
    for iid in sorted(wanted.keys() - had.keys()):
        out.append(Difference(INSPECTORS, f"{_who(records, iid, '执法检查人员')}在抽取基准日 {day} "
                              "在岗、执法证有效，却不在可选人员中"))
    for iid in sorted(had.keys() - wanted.keys()):
        out.append(Difference(INSPECTORS, f"{_who(records, iid, '执法检查人员')}在可选人员中，但在"
                              f"抽取基准日 {day} 不在岗，或执法证未覆盖整个实施时间"))
    for iid in sorted(wanted.keys() & had.keys()):
        if wanted[iid]["department"] != had[iid]["department"]:
            out.append(Difference(INSPECTORS, f"{_who(records, iid, '执法检查人员')}的股室应为 "
                                  f"{wanted[iid]['department']}，抽取包为 {had[iid]['department']}"))
    pairs = {(e["target"], e["inspector"]): e["reason"] for e in expected["exclusions"]}
    stored_pairs = {(e["target"], e["inspector"]): e["reason"] for e in stored["exclusions"]}
    for pair in sorted(pairs.keys() | stored_pairs.keys()):
        want, have = pairs.get(pair), stored_pairs.get(pair)
        if want == have:
            continue
        who = f"{_who(records, pair[1], '执法检查人员')}与{_who(records, pair[0], '机构')}"
        if have is None:
            text = f"{who}应排除（{EXCLUSION_REASONS[want]}），抽取包中没有这一排除"
        elif want is None:
            text = f"{who}被排除（{EXCLUSION_REASONS.get(have, have)}），但记录中没有这个理由"
        else:
            text = (f"{who}的排除理由应为{EXCLUSION_REASONS[want]}，抽取包为"
                    f"{EXCLUSION_REASONS.get(have, have)}")
        out.append(Difference(TEAM, text))
    return out


@dataclass(frozen=True)
class Explanation:
    """The records as they stood when the package was committed give it exactly."""

    commit: str
    changed: tuple[str, ...]  # record files changed since, relative to records/
    # records rewritten or deleted since, not merely added to: "file: field" each
    rewritten: tuple[str, ...] = ()


def _not_added(old: Any, new: Any, path: str) -> str | None:
    """Where `new` is not `old` with things added (None if only added): a field filled in, an
    entry inserted anywhere in a list (a status entry recorded late carries an earlier date)."""
    if isinstance(old, Mapping):
        if not isinstance(new, Mapping):
            return path or "（整条记录）"
        for key, value in old.items():
            if value is None or value == ():
                continue
            where = _not_added(value, new.get(key), f"{path}.{key}" if path else key)
            if where is not None:
                return where
        return None
    if isinstance(old, tuple):
        if not isinstance(new, tuple):
            return path
        missing = next((n for n, item in enumerate(old, start=1) if item not in new), None)
        return None if missing is None else f"{path}[{missing}]"
    return None if old == new else path


def _rewritten(then: Records, now: Records, plan: Record, stored: dict[str, Any]) -> tuple[str, ...]:
    """The records rewritten or deleted since `then` whose present form changes the package
    (a draft finding's text, say, changes nothing and is not reported)."""
    found: list[str] = []
    kept: list[Record] = []
    for kind, old_records in then.by_kind.items():
        for old in old_records:
            current = now.get(old.id, (kind,))
            where = "已删除" if current is None else _not_added(old.fields, current.fields, "")
            if where is None:
                kept.append(old)
                continue
            found.append(f"{Path(old.file).name} " + (where if current is None else f"字段 {where}"))
            if current is not None:
                kept.append(current)
    jurisdiction = then.jurisdiction
    where = _not_added(then.jurisdiction.fields, now.jurisdiction.fields, "")
    if where is not None:
        found.append(f"jurisdiction.yaml 字段 {where}")
        jurisdiction = now.jurisdiction
    if not found:
        return ()
    # the records as they were, with only the rewrites applied: if they still give the package,
    # the rewrites did not touch it and the additions alone explain the difference
    mixed = Records.build(then.root, jurisdiction, kept, set(), list(then.draws.values()))
    mixed_plan = mixed.get(plan.id, ("plan",))
    if mixed_plan is not None and freeze(mixed, mixed_plan).package == stored:
        return ()
    return tuple(found)


@contextlib.contextmanager
def records_at(root: Path, commit: str) -> Iterator[Records | None]:
    """The records as they stood at `commit` (None when git cannot give them)."""
    prefix = (git(root, "rev-parse", "--show-prefix") or "").strip()
    top = (git(root, "rev-parse", "--show-toplevel") or "").strip()
    if not top:
        yield None
        return
    with tempfile.TemporaryDirectory() as tmp:
        # from the top: git archive refuses to run in a subfolder holding untracked files
        archive = subprocess.run(["git", "archive", "--format=tar", f"{commit}:{prefix}"],
                                 cwd=top, capture_output=True, timeout=60, check=False)
        if archive.returncode != 0:
            yield None
            return
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            # plain files and folders under tmp only (the "data" filter needs Python 3.11.4)
            safe = [m for m in tar.getmembers() if (m.isfile() or m.isdir())
                    and not m.name.startswith("/") and ".." not in Path(m.name).parts]
            tar.extractall(tmp, members=safe)
        then, _ = load_records(Path(tmp))
        yield then if then.jurisdiction is not None else None


def package_at(root: Path, plan_id: str, commit: str) -> tuple[Records, dict[str, Any]] | None:
    """What `ssj draw freeze` would have written for `plan_id` from the records at `commit`,
    with those records; None when they cannot give one."""
    with records_at(root, commit) as then:
        plan = then.get(plan_id, ("plan",)) if then is not None else None
        return None if plan is None else (then, freeze(then, plan).package)


def package_before(root: Path, plan_id: str, moment: int,
                   line: MainLine) -> tuple[str | None, tuple[Records, dict[str, Any]] | None]:
    """The newest main-line commit published before `moment`, and what `ssj draw freeze` would
    have written for `plan_id` from the records there: the package an owed draw must be, since
    records edited once its round is known must choose nothing."""
    before = line.last_before(moment)
    return before, (package_at(root, plan_id, before) if before else None)


def explain_by_history(root: Path, records: Records, plan: Record, stored: dict[str, Any],
                       commit: str) -> Explanation | None:
    """Recompute the package from the records at `commit`; an Explanation if they give it,
    saying which records changed since and which of those were not merely added to."""
    given = package_at(root, plan.id, commit)
    if given is None or given[1] != stored:
        return None
    rewritten = _rewritten(given[0], records, plan, stored)
    changed = (git(root, "diff", "--name-only", "--relative", commit, "--", ".") or "").split()
    changed += (git(root, "ls-files", "--others", "--exclude-standard", "--", ".") or "").split()
    return Explanation(commit, tuple(sorted(c for c in set(changed) if not c.startswith("draws/"))),
                       rewritten)
