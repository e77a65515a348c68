"""No silent redraws (spec: one draw per package): a redraw is a plan revision with later sources
and a stated reason; a package whose randomness is public is drawn and kept before any revision;
revisions are capped by policy; and no two live packages cover the same sector and time.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from generator.draw.evidence import Evidence, judged
from generator.draw.gittime import MainLine, git
from generator.draw.policy import DrawPolicy, policy_now
from generator.records.model import Record, Records
from generator.records.problems import ERROR, WARNING, Problem
from generator.records.timing import BEIJING, plan_source_times


def _when(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, BEIJING).strftime("%Y-%m-%d %H:%M")


def _revision_numbers(records: Records) -> dict[str, int]:
    """Which revision of its original plan each revision plan is: 1 for the first, counting
    every revision of that plan, in a chain (r1, then r2 revising r1) or side by side (two
    revisions of the same plan), ordered by depth, then id."""
    by_original: dict[str, list[tuple[int, str]]] = {}
    for plan in records.plans:
        ancestors = records.ancestors(plan)
        if ancestors:
            by_original.setdefault(ancestors[-1].id, []).append((len(ancestors), plan.id))
    return {plan_id: n for revisions in by_original.values()
            for n, (_, plan_id) in enumerate(sorted(revisions), start=1)}


def _frozen(records: Records, plan_id: str) -> bool:
    folder = records.draws.get(plan_id)
    return folder is not None and folder.get("package.json") is not None


@dataclass(frozen=True)
class Timing:
    """What these rules read of a verified package's evidence: the earliest proven time it
    existed, and the policy in force when it was frozen (all a cached verification keeps)."""

    frozen_at: int | None
    policy: DrawPolicy | None

    @classmethod
    def of(cls, evidence: Evidence) -> "Timing":
        return cls(evidence.frozen_at, evidence.policy)


def plan_policy(records: Records, plan_id: str, timings: Mapping[str, Timing],
                now: float) -> DrawPolicy:
    """The policy that judges `plan_id`: the one in force when its package was frozen, or
    today's while it has none."""
    known = timings.get(plan_id)
    if known is not None and known.policy is not None:
        return known.policy
    return policy_now(records.policy, now)


def check_redraws(records: Records, timings: Mapping[str, Timing],
                  now: float) -> Iterator[Problem]:
    """Problems of revisions and of undrawn or overlapping packages.

    `timings`: for each verified package, when it existed and the policy that judges it.
    """
    frozen_at = {plan_id: t.frozen_at for plan_id, t in timings.items()}
    superseded = records.superseded
    revision_number = _revision_numbers(records)
    for plan in records.plans:
        ancestors = records.ancestors(plan)
        policy = plan_policy(records, plan.id, timings, now)
        cap = policy.max_revisions
        if revision_number.get(plan.id, 0) > cap:
            yield Problem(plan.file, plan.line_of("revision"), "draw.revision-cap",
                          f"字段 revision：计划 {ancestors[-1].id} 已修订 "
                          f"{revision_number[plan.id]} 次，超过本局规定的 {cap} 次",
                          "jurisdiction.yaml 的 policy.max_revisions", ERROR, "revision")
        times = plan_source_times(plan)
        if times is None:
            continue
        if ancestors:
            yield from _check_revision(records, plan, ancestors[0], frozen_at, now)
        last = max(times)
        if (_frozen(records, plan.id) and records.draw_result(plan.id) is None
                and plan.id not in superseded and last <= now):
            # the draw is due once every source is out; after the policy margin more, leaving it
            # unrun is how a bureau would quietly drop a result it dislikes
            overdue = last + policy.margin_hours * 3600 <= now
            yield judged(records, Problem(
                records.draws[plan.id].get("package.json").file, 1, "draw.undrawn",
                f"随机源已于 {_when(last)} 全部公布，抽取尚未运行"
                + (f"（已超过 {policy.margin_hours} 小时）" if overdue else ""),
                f"运行 ssj draw run {plan.id}；结果无论如何都须公布",
                ERROR if overdue else WARNING), plan.id)
    yield from _check_overlaps(records)


def _check_revision(records: Records, plan: Record, old: Record, frozen_at: dict[str, int | None],
                    now: float) -> Iterator[Problem]:
    old_times = plan_source_times(old)
    if old_times is None:
        return
    if min(plan_source_times(plan)) <= max(old_times):
        yield Problem(plan.file, plan.line_of("draw.sources"), "draw.revision-sources",
                      f"字段 draw.sources：修订计划的随机源须晚于被取代计划 {old.id} 的全部随机源",
                      "声明尚未公布的新轮次或新期号", ERROR, "draw.sources")
    if not _frozen(records, old.id) or records.draw_result(old.id) is not None:
        return
    revised_at = frozen_at.get(plan.id)
    revised_at = now if revised_at is None else revised_at
    public = min(old_times)
    if public <= revised_at:
        yield Problem(plan.file, plan.line_of("revision"), "draw.silent-redraw",
                      f"字段 revision：被取代的计划 {old.id} 已冻结，其随机源已于 {_when(public)} 公布，"
                      "却没有抽取结果；不能用修订计划替换一个随机源已公开的抽取",
                      f"先运行 ssj draw run {old.id} 并保留结果，再修订", ERROR, "revision")


def overlaps(records: Records, plan: Record) -> list[tuple[Record, list[str]]]:
    """The frozen plans other than `plan` sharing a sector with it over an overlapping schedule,
    neither revising the other (with the sectors shared): together they would let the bureau
    keep whichever draw it likes."""
    mine = {a.id for a in records.ancestors(plan)}
    out = []
    for other in records.plans:
        if other.id == plan.id or other.id in mine or not _frozen(records, other.id):
            continue
        if plan.id in {a.id for a in records.ancestors(other)}:
            continue
        shared = {s.sector for s in plan.scope} & {s.sector for s in other.scope}
        if shared and (plan.schedule.start <= other.schedule.end
                       and other.schedule.start <= plan.schedule.end):
            out.append((other, sorted(shared)))
    return out


def _check_overlaps(records: Records) -> Iterator[Problem]:
    for plan in records.plans:
        if not _frozen(records, plan.id):
            continue
        for other, shared in overlaps(records, plan):
            if other.id < plan.id:  # once per pair, on the later plan
                yield Problem(plan.file, plan.line_of("scope"), "draw.overlap",
                              f"字段 scope：与已冻结的计划 {other.id} 同含行业 {'、'.join(shared)}，"
                              "实施时间重叠，且两者互不修订",
                              "同一行业同一期间只能有一个抽取；重新抽取请用 revision.supersedes",
                              ERROR, "scope")


def _withdrawn_at(plan: Record, line: MainLine) -> int | None:
    """When the plan's withdrawal was first published on the main line (None: not yet)."""
    path = Path(plan.file)
    found = (git(path.parent, "log", "--first-parent", "--reverse", "--format=%H", "-G",
                 "^withdrawal:", "--", path.name) or "").split()
    return line.published.get(found[0]) if found else None


def check_unfrozen(records: Records, line: MainLine, now: float) -> Iterator[Problem]:
    """A published plan whose first source is public has a package or a withdrawal published
    in time (spec): otherwise its draw is owed, computed from the records before the source.
    Example data is left alone: its plans declare rounds years before the plans themselves, and
    its test trees keep plans without draw files."""
    if records.jurisdiction.example:
        return
    today = dt.datetime.fromtimestamp(now, BEIJING).date()
    for plan in records.plans:
        times = plan_source_times(plan)
        if (times is None or _frozen(records, plan.id) or plan.draw.get("delegated") is not None
                or plan.published_on is None or plan.published_on > today or min(times) > now):
            continue
        first = min(times)
        withdrawal = plan.fields.get("withdrawal")
        if withdrawal is not None:
            at = None if line.why_unknown else _withdrawn_at(plan, line)
            if at is not None and at < first:
                continue
            message = (f"字段 withdrawal：计划已于 {plan.published_on} 公布，撤回却"
                       + ("还没有提交到主分支" if at is None else f"到 {_when(at)} 才在主分支公开")
                       + f"，晚于首个随机源（{_when(first)}）：随机源公布后就只能抽取")
            path = "withdrawal"
        else:
            message = (f"字段 draw：计划已于 {plan.published_on} 公布，首个随机源已于 {_when(first)} 公布，"
                       "却没有按时公开的抽取包，也没有在此前撤回：计划不能就此消失")
            path = "draw"
        yield judged(records, Problem(
            plan.file, plan.line_of(path), "draw.unfrozen", message,
            f"运行 ssj draw freeze {plan.id}（按随机源公布前的记录补做）与 ssj draw run {plan.id}，"
            "结果照样公布；并在 records/irregularities/ 公布抽取异常说明（missed-freeze）",
            ERROR, path), plan.id)
