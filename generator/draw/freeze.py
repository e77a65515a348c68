"""Freezing a plan: the ssj-draw/1 package computed from the records as of the plan's pool date.

Everything the draw may depend on is decided here and published before the random value exists:
who is in the pool and with what weight (方案 二（八）), who may inspect (二（四）: valid certificate,
in post), and which pairs may never meet (二（九）: declared conflicts, the same inspector within
the policy period).
"""
from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from generator.draw.spec import SPEC
from generator.records.model import Fields, Record, Records
from generator.records.risk import risk_weight
from generator.records.tracing import derived
from generator.records.timing import BEIJING, plan_source_times

# Outcome counts of common lottery games, for the entropy warning (spec: lottery numbers carry
# little entropy). A game not listed here gives a warning of its own.
LOTTERY_OUTCOMES = {
    "福彩3D": 10**3,
    "排列三": 10**3,
    "排列五": 10**5,
    "七星彩": 10**6 * 15,
    "双色球": math.comb(33, 6) * 16,
    "大乐透": math.comb(35, 5) * math.comb(12, 2),
    "七乐彩": math.comb(30, 7),
}


@dataclass(frozen=True)
class Frozen:
    """A computed package, with what stops it from being drawn and what deserves a warning."""

    package: dict[str, Any]
    infeasible: tuple[str, ...]
    warnings: tuple[str, ...]


def package_source(source: Fields) -> dict[str, Any]:
    """A declared source in the package's form (spec: committed, not interpreted)."""
    if source.kind == "drand":
        return {"kind": "drand", "chain": source.chain, "round": source.round}
    return {"kind": "lottery", "game": source.game, "issue": source.issue,
            "date": source.date.isoformat(), "time": source.time}


def eligible_inspectors(records: Records, plan: Record) -> list[Record]:
    """In post on the pool date, certificate valid from then until the end of the schedule."""
    return [i for i in records.inspectors
            if i.status_on(plan.pool_date) == "active"
            and i.certificate.valid_from <= plan.pool_date
            and plan.schedule.end <= i.certificate.valid_until]


@derived("met")
def _met(records: Records, after: str, until: str, plan_id: str) -> tuple[tuple[str, str], ...]:
    """(institution, inspector) pairs of the inspections that ended after `after` and by
    `until`, other than the plan's own."""
    pairs = set()
    for of_plan, target, inspectors in records.meetings(dt.date.fromisoformat(after),
                                                        dt.date.fromisoformat(until)):
        if of_plan != plan_id:
            inst = records.institution_of(target)
            pairs.update((inst.id if inst else target, i) for i in inspectors)
    return tuple(sorted(pairs))


@derived("pool")
def _pool(records: Records, sector: str, day: str) -> tuple[tuple[str, int], ...]:
    """The ids and risk weights of `sector`'s institutions in practice on `day`, by id."""
    on = dt.date.fromisoformat(day)
    return tuple((inst.id, risk_weight(records, inst, on))
                 for inst in sorted(records.practising(sector, on), key=lambda r: r.id))


def _recent_pairs(records: Records, plan: Record) -> set[tuple[str, str]]:
    """(institution, inspector) pairs that met within the policy period before this plan, as
    far as could be known on the pool date: a package must not change with what happens after
    it was frozen (the rule finding.same-inspector catches later clashes)."""
    window_start = plan.schedule.start - dt.timedelta(
        days=records.policy.same_inspector_period_days)
    pool_day_end = int(dt.datetime.combine(plan.pool_date + dt.timedelta(days=1), dt.time(),
                                           BEIJING).timestamp())
    pairs = set(_met(records, window_start.isoformat(), plan.pool_date.isoformat(), plan.id))
    # teams already drawn (their sources public by the pool date) for other plans whose
    # inspections fall in the window
    family = records.revision_family(plan.id)  # attempts at one draw never exclude each other
    for other in records.plans:
        result = records.standing_result(other.id)
        if other.id in family or result is None:
            continue
        if max(plan_source_times(other) or (pool_day_end,)) >= pool_day_end:
            continue
        if window_start < other.schedule.end and other.schedule.start <= plan.schedule.end:
            for team in result.get("teams", ()):
                pairs.update((team["target"], i) for i in team["inspectors"])
    return pairs


def _entropy_warnings(plan: Record, strata: list[dict[str, Any]]) -> list[str]:
    if any(s.kind == "drand" for s in plan.draw.sources):
        return []
    bits = 0.0
    for s in plan.draw.sources:
        outcomes = LOTTERY_OUTCOMES.get(s.game)
        if outcomes is None:
            return [f"无法估计彩票 {s.game} 的熵；建议增加 drand 随机源"]
        bits += math.log2(outcomes)
    return [f"分层 {st['id']}：彩票随机源约 {bits:.1f} 位熵，少于 log2 C({len(st['targets'])}, "
            f"{st['k']}) + 20 位；建议增加 drand 随机源"
            for st in strata if bits < math.log2(math.comb(len(st["targets"]), st["k"])) + 20]


def freeze(records: Records, plan: Record) -> Frozen:
    """Compute the package for `plan` from `records`; never writes anything."""
    policy = records.policy
    departments = records.departments
    sectors = {s.sector: s for s in policy.sectors}
    team_size = policy.team_size
    min_lead = min(policy.lead_department_min, team_size)
    day = plan.pool_date
    strata = []
    for scope in plan.scope:
        pool = _pool(records, scope.sector, day.isoformat())
        by_ratio = -(-scope.ratio_percent * len(pool) // 100)  # ceiling, in integers
        strata.append({
            "id": scope.sector,
            "k": min(len(pool), max(scope.min_count, by_ratio)),
            "lead_department": departments[sectors[scope.sector].lead_department].name,
            "min_lead": min_lead,
            "targets": [{"id": inst, "weight": weight} for inst, weight in pool],
        })
    inspectors = sorted(eligible_inspectors(records, plan), key=lambda r: r.id)
    target_ids = {t["id"] for s in strata for t in s["targets"]}
    inspector_ids = {i.id for i in inspectors}
    reasons: dict[tuple[str, str], str] = {}
    for pair in _recent_pairs(records, plan):
        reasons[pair] = "recent"
    for inspector in inspectors:
        # a conflict declared later cannot change a frozen package; the rule
        # finding.conflict still keeps the inspector off that target's team
        for conflict in (c for c in inspector.conflicts if c.declared_on <= day):
            inst = records.institution_of(conflict.target)
            reasons[(inst.id if inst else conflict.target, inspector.id)] = "recusal"
    exclusions = [{"target": t, "inspector": i, "reason": reason}
                  for (t, i), reason in sorted(reasons.items())
                  if t in target_ids and i in inspector_ids]
    package = {
        "spec": SPEC,
        "plan": plan.id,
        "as_of": day.isoformat(),
        "team_size": team_size,
        "sources": [package_source(s) for s in plan.draw.sources],
        "strata": strata,
        "inspectors": [{"id": i.id, "department": departments[i.department].name}
                       for i in inspectors],
        "exclusions": exclusions,
    }
    return Frozen(package, tuple(_infeasible(package, records)),
                  tuple(_entropy_warnings(plan, strata)))


def _infeasible(package: dict[str, Any], records: Records) -> list[str]:
    """Targets that could not get a full team (spec: detect this when freezing)."""
    department = {i["id"]: i["department"] for i in package["inspectors"]}
    # each target's excluded inspectors among those in the package (a pair is listed once)
    excluded: dict[str, list[str]] = {}
    for e in package["exclusions"]:
        if e["inspector"] in department:
            excluded.setdefault(e["target"], []).append(department[e["inspector"]])
    everyone = Counter(department.values())
    out = []
    for stratum in package["strata"]:
        for target in stratum["targets"]:
            out_of = excluded.get(target["id"], [])
            able = len(department) - len(out_of)
            lead = everyone[stratum["lead_department"]] - out_of.count(stratum["lead_department"])
            if able < package["team_size"] or lead < stratum["min_lead"]:
                inst = records.get(target["id"])
                out.append(f"{inst.name if inst else ''}（{target['id']}）只有 {able} 名可选"
                           f"执法检查人员，其中 {stratum['lead_department']} {lead} 名；"
                           f"需要 {package['team_size']} 名，其中至少 {stratum['min_lead']} 名来自"
                           f"{stratum['lead_department']}")
    return out
