"""Rules on plans, frequencies and the draw: 方案 二(三), 二(八), 二(九)."""
from __future__ import annotations

from typing import Iterator

import datetime as dt

from generator.records.risk import risk_weight
from generator.records.timing import BEIJING, source_time
from generator.records.kinds import SECTORS
from generator.records.model import Record
from generator.records.problems import WARNING
from generator.rules.base import Context, Flag, rule


def _quota_years(ctx: Context) -> range:
    start = ctx.policy.quotas_from or ctx.records.jurisdiction.regulation.date
    return range(start.year, ctx.as_of.year + 1)


@rule("plan.self-inspection", "二(三)",
      "先行自查的计划写明自查截止日期；先自查再重点检查的，重点检查在自查截止之后",
      "在计划中填写 self_inspection_deadline，检查日期排在其后")
def self_inspection(ctx: Context) -> Iterator[Flag]:
    for plan in ctx.records.plans:
        if plan.mode == "direct":
            continue
        deadline = plan.self_inspection_deadline
        if deadline is None:
            yield Flag(plan, "mode", "要求先行自查的计划须写明自查截止日期 self_inspection_deadline")
            continue
        if plan.mode != "self-then-focused":
            continue
        for finding in ctx.records.findings_for_plan(plan.id):
            if finding.inspected.start < deadline:
                yield Flag(finding, "inspected.start",
                           f"重点检查（{finding.inspected.start}）早于自查截止日期（{deadline}）")


@rule("plan.organiser", "二(三)",
      "随机抽查由相应的法律服务业务主管部门具体组织落实",
      "organiser.department 填写计划所含行业之一的业务主管股室")
def organiser(ctx: Context) -> Iterator[Flag]:
    for plan in ctx.records.plans:
        leads = {ctx.sector_policy(s.sector).lead_department for s in plan.scope
                 if ctx.sector_policy(s.sector) is not None}
        if leads and plan.organiser.department not in leads:
            yield Flag(plan, "organiser.department",
                       f"组织股室 {plan.organiser.department} 不是所含行业的业务主管股室"
                       f"（{'、'.join(sorted(leads))}）")


@rule("plan.scope-policy", "二(八)",
      "计划的抽查比例和最少对象数不低于本局政策，且只含政策规定的行业",
      "按 jurisdiction.yaml 的 policy.sectors 调整计划的 scope")
def scope_policy(ctx: Context) -> Iterator[Flag]:
    for plan in ctx.records.plans:
        for n, scope in enumerate(plan.scope, start=1):
            sector = ctx.sector_policy(scope.sector)
            where = f"scope[{n}]"
            if sector is None:
                yield Flag(plan, f"{where}.sector", f"政策中没有行业 {scope.sector} 的抽查规定")
                continue
            if scope.ratio_percent < sector.ratio_percent:
                yield Flag(plan, f"{where}.ratio_percent",
                           f"抽查比例 {scope.ratio_percent}% 低于政策的 {sector.ratio_percent}%")
            if scope.min_count < sector.min_targets:
                yield Flag(plan, f"{where}.min_count",
                           f"至少抽取 {scope.min_count} 个，低于政策的每次不少于 {sector.min_targets} 个")


@rule("year.frequency", "二(八)",
      "每个行业每年的随机抽查次数达到政策规定（律师事务所每次不少于 2 家等）；非随机检查不计入",
      "制定并实施本年度剩余的随机抽查计划")
def frequency(ctx: Context) -> Iterator[Flag]:
    jurisdiction = ctx.records.jurisdiction
    for n, sector in enumerate(ctx.policy.sectors, start=1):
        for year in _quota_years(ctx):
            done = ctx.records.drawn_plans(year, sector.sector)
            missing = sector.inspections_per_year - len(done)
            if missing <= 0:
                continue
            over = ctx.year_over(year)
            yield Flag(jurisdiction, f"policy.sectors[{n}]",
                       f"{year} 年{SECTORS[sector.sector]}已完成随机抽取 {len(done)} 次，"
                       f"{'少于' if over else '尚差'}每年 {sector.inspections_per_year} 次"
                       + ("" if over else f"，年内还需 {missing} 次"),
                       None if over else WARNING)


@rule("plan.all-drawn-inspected", "二(九)",
      "依抽施查：实施期结束时，每个抽中的对象都有检查结果",
      "为抽中的对象补录检查结果")
def all_drawn_inspected(ctx: Context) -> Iterator[Flag]:
    for plan in ctx.records.plans:
        result = ctx.records.standing_result(plan.id)
        if result is None or ctx.as_of <= plan.schedule.end:
            continue
        inspected = {f.target for f in ctx.records.findings_for_plan(plan.id)}
        missing = [t["target"] for t in result.get("teams", ()) if t["target"] not in inspected]
        if missing:
            yield Flag(plan, "schedule.end",
                       f"实施期已于 {plan.schedule.end} 结束，抽中的 {'、'.join(missing)} 没有检查结果")


@rule("plan.risk-weight", "二(八)",
      "投诉举报多、列入执业异常名录或信用黑名单、有严重违法违规记录的对象按政策加权抽取",
      "抽取包须由 ssj draw freeze 按取数日期的风险记录生成")
def risk_weights(ctx: Context) -> Iterator[Flag]:
    for plan in ctx.records.plans:
        folder = ctx.records.draws.get(plan.id)
        package = folder.get("package.json") if folder else None
        if package is None or not isinstance(package.data, dict):
            continue
        for stratum in package.data.get("strata", ()):
            for target in stratum.get("targets", ()):
                inst = ctx.records.get(target.get("id"), ("institution",))
                if inst is None:
                    continue
                expected = risk_weight(ctx.records, inst, plan.pool_date)
                if target.get("weight") != expected:
                    yield Flag(plan, "pool_date",
                               f"{inst.name} 在取数日期的权重应为 {expected}，抽取包中为 "
                               f"{target.get('weight')}（风险记录在冻结后被改动？）")


@rule("plan.drawn-first", "二(九)",
      "随机抽查先抽取、后检查：有检查结果的计划须已抽取；抽取在随机源全部公布之后，检查在抽取之后",
      "先运行 ssj draw freeze 与 ssj draw run，检查结果写在抽取之后")
def drawn_first(ctx: Context) -> Iterator[Flag]:
    for plan in ctx.records.plans:
        # the draw can be held no earlier than the day its last random source is published
        known = dt.datetime.fromtimestamp(max(source_time(s) for s in plan.draw.sources),
                                          BEIJING).date()
        held = plan.draw.held_on
        if held is not None and held < known:
            yield Flag(plan, "draw.held_on", f"抽取日期 {held} 早于随机源公布日期 {known}")
        findings = ctx.records.findings_for_plan(plan.id)
        if not findings:
            continue
        if ctx.records.draw_result(plan.id) is None:
            yield Flag(plan, "draw", f"计划已有 {len(findings)} 个检查结果，但没有抽取结果")
            continue
        first = min(f.inspected.start for f in findings)
        earliest = max(held or known, known)
        if first < earliest:
            yield Flag(plan, "draw.held_on" if held else "draw.sources",
                       f"首次检查 {first} 早于抽取（{earliest}）")


@rule("plan.witnesses", "二(九)",
      "政策要求现场监督时，每次抽取都记录抽取日期和监督人员",
      "在计划的 draw 中填写 held_on 与 witnesses")
def witnesses(ctx: Context) -> Iterator[Flag]:
    if not ctx.policy.witnesses_required:
        return
    for plan in ctx.records.plans:
        if ctx.records.draw_result(plan.id) is None:
            continue
        if not plan.draw.witnesses or plan.draw.held_on is None:
            yield Flag(plan, "draw", "已抽取，但没有记录抽取日期和现场监督人员")


@rule("finding.targeted-ground", "二(九)",
      "非随机检查写明四种情形之一；列入名录的情形须确在名录中，投诉、发现违法的情形须说明来源",
      "在 targeted 中填写 ground 与 note")
def targeted_ground(ctx: Context) -> Iterator[Flag]:
    lists = {"blacklisted": "blacklist", "abnormal-listed": "abnormal"}
    for finding in ctx.records.findings:
        if finding.targeted is None:
            continue
        ground = finding.targeted.ground
        if ground in lists:
            inst = ctx.institution_of(finding.target)
            day = finding.inspected.start
            listed = inst is not None and any(
                e.list == lists[ground] and e.entered_on <= day
                and (e.exit is None or day < e.exit.date)
                for e in ctx.records.list_entries_of(inst.id))
            if not listed:
                yield Flag(finding, "targeted.ground",
                           f"检查时（{day}）该对象不在{'信用黑名单' if ground == 'blacklisted' else '执业异常名录'}中")
        elif finding.targeted.note is None:
            yield Flag(finding, "targeted", "须在 note 中说明投诉、交办或发现问题的来源")


RULES = (self_inspection, organiser, scope_policy, frequency, all_drawn_inspected, risk_weights,
         drawn_first, witnesses, targeted_ground)

