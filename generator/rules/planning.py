"""Rules on plans, frequencies and the draw: 方案 二（三）, 二（八）, 二（九）."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import datetime as dt

from generator.records.risk import risk_weight
from generator.records.timing import BEIJING, source_time
from generator.records.kinds import SECTORS
from generator.records.model import ROUND_KINDS, Record, Records
from generator.records.problems import WARNING
from generator.rules.base import Context, Flag, rule


@dataclass(frozen=True)
class Floor:
    """What 方案 二（八） itself requires of one sector each year. These are the regulation's
    numbers, not the bureau's: its policy (jurisdiction.yaml) may set more, and may set less
    only with a reason (the sector's `exemption`)."""

    clause: str  # the item of 二（八） that says it
    per_year: int
    min_targets: int  # institutions per inspection
    random_only: bool  # the item says 随机抽查, so only random inspections count toward it

    def describe(self) -> str:
        what = "随机抽查" if self.random_only else "检查"
        each = f"，每次不少于 {self.min_targets} 家" if self.min_targets > 1 or self.random_only \
            else ""
        return f"每年 {self.per_year} 次{what}{each}"


# 方案 二（八） 1–5, the one place in the code where its numbers live. Items 2, 4 and 5 say 检查
# without a number of institutions: one inspection is of at least one. “一般” in items 1 and 3
# is what the exemption is for.
FLOORS: dict[str, Floor] = {
    "law-firm": Floor("二（八）1", 1, 2, True),  # 县局一般每年开展一次随机抽查，每次不少于 2 家
    "notary": Floor("二（八）2", 1, 1, False),  # 每年开展一次检查
    "grassroots": Floor("二（八）3", 1, 1, True),  # 县司法局一般每年开展一次随机抽查，每次不少于 1 家
    "appraisal": Floor("二（八）4", 1, 1, False),  # 每年开展一次检查
    "legal-aid": Floor("二（八）5", 1, 1, False),  # 每年开展一次检查
}


def sources_published(plan: Record) -> dt.date | None:
    """The day the last of the plan's random sources is published (None: it declares none)."""
    if not plan.draw.sources:
        return None
    last = max(source_time(s) for s in plan.draw.sources)
    return dt.datetime.fromtimestamp(last, BEIJING).date()


def drawn_on(plan: Record) -> dt.date | None:
    """The day the plan's targets are drawn, as far as the records tell: not before its last
    random source is published (the draw needs every value), nor before its recorded draw day.
    pool_date is not it: that is the day the rosters are read, before any source exists."""
    days = [d for d in (sources_published(plan), plan.draw.held_on) if d is not None]
    return max(days, default=None)


def _quota_years(ctx: Context) -> range:
    start = ctx.policy.quotas_from or ctx.records.jurisdiction.regulation.date
    return range(start.year, ctx.as_of.year + 1)


@rule("plan.self-inspection", "二（三）",
      "先行自查、再实施重点检查的计划写明自查截止日期，截止日期不早于抽取对象之日（抽中的对象才能自查），"
      "重点检查在自查截止之后；自查和重点检查同时进行的不要求截止日期",
      "在计划中填写 self_inspection_deadline，排在抽取之后、检查日期之前", each="plan")
def self_inspection(ctx: Context, plan: Record) -> Iterator[Flag]:
    if plan.mode != "self-then-focused":
        return  # 直接检查, or 自查和重点检查同时进行: nothing waits for the self-inspection
    deadline = plan.self_inspection_deadline
    if deadline is None:
        yield Flag(plan, "mode", "先行自查的计划须写明自查截止日期 self_inspection_deadline")
        return
    drawn = drawn_on(plan)
    if drawn is not None and deadline < drawn:
        yield Flag(plan, "self_inspection_deadline",
                   f"自查截止日期（{deadline}）早于抽取对象之日（{drawn}）：抽中之前无从要求其自查")
    for finding in ctx.records.findings_for_plan(plan.id):
        if finding.inspected.start < deadline:
            yield Flag(finding, "inspected.start",
                       f"重点检查（{finding.inspected.start}）早于自查截止日期（{deadline}）")


def lead_department_of(ctx: Context, sector: str) -> str | None:
    """The 法律服务业务主管部门 of `sector`: the department its policy entry names."""
    entry = ctx.sector_policy(sector)
    return entry.lead_department if entry is not None else None


@rule("plan.organiser", "二（三）",
      "随机抽查由相应的法律服务业务主管部门具体组织落实：计划的组织股室是所含行业之一的业务主管股室，"
      "抽查事项清单上每个事项的抽查主体（二（六））是该事项所属行业的业务主管股室",
      "organiser.department 填写计划所含行业之一的业务主管股室；事项的 subject 填写该行业的业务主管股室")
def organiser(ctx: Context) -> Iterator[Flag]:
    for plan in ctx.records.plans:
        leads = {lead for s in plan.scope if (lead := lead_department_of(ctx, s.sector))}
        if leads and plan.organiser.department not in leads:
            yield Flag(plan, "organiser.department",
                       f"组织股室 {plan.organiser.department} 不是所含行业的业务主管股室"
                       f"（{'、'.join(sorted(leads))}）")
    for item in ctx.records.items:
        lead = lead_department_of(ctx, item.sector)
        if lead is not None and item.subject != lead:
            yield Flag(item, "subject", f"事项 {item.id} 的抽查主体 {item.subject} 不是"
                       f"{SECTORS[item.sector]}的业务主管股室 {lead}")


@rule("plan.delegated-draw", "二（三）",
      "对象由上级机关随机抽取的受委托检查：计划写明委托的上级机关，引用上级公布的抽取（网址与承诺值），"
      "本局不再声明随机源、不另行抽取（上级的抽取文件随附在 records/draws/ 下，按 draw.delegated 核验）",
      "在 organiser.delegated_by 写明委托机关，draw.sources 写 []；本局自行抽取的，删除 draw.delegated", each="plan")
def delegated_draw(ctx: Context, plan: Record) -> Iterator[Flag]:
    if plan.draw.delegated is None:
        return
    if plan.organiser.delegated_by is None:
        yield Flag(plan, "organiser",
                   "对象由上级抽取，却没有在 organiser.delegated_by 写明委托的上级机关")
    if plan.draw.sources:
        yield Flag(plan, "draw.sources", "对象由上级抽取，本局不再声明随机源")


@rule("plan.scope-policy", "二（八）",
      "计划的抽查比例和最少对象数不低于本局政策，且只含政策规定的行业（对象由上级抽取的计划，"
      "比例和对象数由上级确定，只看行业）",
      "按 jurisdiction.yaml 的 policy.sectors 调整计划的 scope", each="plan")
def scope_policy(ctx: Context, plan: Record) -> Iterator[Flag]:
    for n, scope in enumerate(plan.scope, start=1):
        sector = ctx.sector_policy(scope.sector)
        where = f"scope[{n}]"
        if sector is None:
            yield Flag(plan, f"{where}.sector", f"政策中没有行业 {scope.sector} 的抽查规定")
            continue
        if plan.draw.delegated is not None:
            continue
        if scope.ratio_percent < sector.ratio_percent:
            yield Flag(plan, f"{where}.ratio_percent",
                       f"抽查比例 {scope.ratio_percent}% 低于政策的 {sector.ratio_percent}%")
        if scope.min_count < sector.min_targets:
            yield Flag(plan, f"{where}.min_count",
                       f"至少抽取 {scope.min_count} 个，低于政策的每次不少于 {sector.min_targets} 个")


# 方案 二（八）'s four grounds for more inspection, as policy.risk_weights names them
RISK_GROUNDS = {"complaints": "投诉举报多", "abnormal_list": "列入执业异常对象名单",
                "blacklist": "列入信用黑名单", "serious_violation": "有严重违法违规记录"}


@rule("policy.floor", "二（八）",
      "本局政策不低于方案 二（八）的下限：五个行业都列出，律师事务所每年一次随机抽查、每次不少于 2 家，"
      "基层法律服务所每年一次随机抽查、每次不少于 1 家，公证处、司法鉴定机构、法律援助机构每年一次检查；"
      "律师事务所、基层法律服务所不计入非随机检查。低于下限的，须在政策中该行业之下写明理由；"
      "投诉举报多、列入执业异常名录、列入信用黑名单、有严重违法违规记录的对象，抽签份数都须多于 1 份",
      "把 policy.sectors 调到方案的下限以上；确有理由（如本县没有该行业的机构）的，"
      "列出该行业并在 exemption 中写明")
def floor(ctx: Context) -> Iterator[Flag]:
    jurisdiction = ctx.records.jurisdiction
    # 二（八）: 对投诉举报多、列入执业异常对象名单、列入信用黑名单或有严重违法违规记录等情况的…
    # 要加大检查的力度，提高抽查比例和频次: each of the four draws more tickets than an ordinary target
    weights = ctx.policy.risk_weights
    for key, name in RISK_GROUNDS.items():
        if weights[key] <= 1:
            yield Flag(jurisdiction, f"policy.risk_weights.{key}",
                       f"{name}的对象抽签权重为 {weights[key]}，与普通对象相同：方案 二（八）要求"
                       "对其加大检查力度，提高抽查比例和频次（权重至少为 2）")
    listed = {s.sector: n for n, s in enumerate(ctx.policy.sectors, start=1)}
    for sector, least in FLOORS.items():
        name = SECTORS[sector]
        if sector not in listed:
            yield Flag(jurisdiction, "policy.sectors",
                       f"政策没有列出{name}，而 {least.clause} 规定{least.describe()}")
            continue
        n = listed[sector]
        entry = ctx.policy.sectors[n - 1]
        if entry.exemption is not None:
            continue
        where = f"policy.sectors[{n}]"
        if entry.inspections_per_year < least.per_year:
            yield Flag(jurisdiction, f"{where}.inspections_per_year",
                       f"{name}每年 {entry.inspections_per_year} 次，低于 {least.clause} 的"
                       f"{least.describe()}")
        if entry.min_targets < least.min_targets:
            yield Flag(jurisdiction, f"{where}.min_targets",
                       f"{name}每次至少 {entry.min_targets} 家，低于 {least.clause} 的"
                       f"每次不少于 {least.min_targets} 家")
        if least.random_only and entry.targeted_count:
            yield Flag(jurisdiction, f"{where}.targeted_count",
                       f"{least.clause} 规定的是{name}的随机抽查，非随机检查不能计入")


# the yearly report's word for a sector 二（八） asks nothing of that year (year.frequency)
IDLE = "本年无执业机构，无须抽查"


def idle(records: Records, sector: str, year: int, until: dt.date) -> bool:
    """Whether no institution of `sector` was in practice at any time of `year` up to `until`:
    二（八） then has nothing to inspect, with no exemption needed."""
    first, last = dt.date(year, 1, 1), min(until, dt.date(year, 12, 31))
    return not any(inst.status_on(first) == "active"
                   or any(e.status == "active" and first < e.since <= last
                          for e in inst.status_history)
                   for inst in records.institutions if inst.sector == sector)


def _year_closed(ctx: Context, year: int) -> bool:
    """The year is over and so is every standing plan of it: a campaign of the year may run
    past New Year, and its inspections count for the year (Records.rounds)."""
    return ctx.year_over(year) and all(
        plan.schedule.end < ctx.as_of for plan in ctx.records.plans
        if plan.year == year and plan.id not in ctx.records.superseded
        and plan.withdrawal is None)


@rule("year.frequency", "二（八）",
      "每个行业每年实际完成的抽查次数达到政策规定，每次检查的机构不少于政策的每次家数：计入的是"
      "抽中且有检查结果的机构（只列入计划或抽中而未检查的不算），按计划的年度计（实施期跨年的，"
      "次年的检查仍计入计划的年度），非随机检查按检查日期计；非随机检查和上级抽取的受委托检查"
      "只在政策写明计入时才算。该行业全年没有执业机构的，当年无须抽查",
      "制定并实施本年度剩余的抽查计划，为抽中的对象录入检查结果")
def frequency(ctx: Context) -> Iterator[Flag]:
    jurisdiction = ctx.records.jurisdiction
    for n, sector in enumerate(ctx.policy.sectors, start=1):
        for year in _quota_years(ctx):
            if idle(ctx.records, sector.sector, year, ctx.as_of):
                continue
            rounds = ctx.records.counted_rounds(year, sector.sector, ctx.as_of)
            done = [r for r in rounds if r.size >= sector.min_targets]
            missing = sector.inspections_per_year - len(done)
            if missing <= 0:
                continue
            over = _year_closed(ctx, year)
            small = len(rounds) - len(done)
            kinds = "、".join(label for kind, label in ROUND_KINDS.items()
                             if kind == "random" or sector.get(f"{kind}_count"))
            yield Flag(jurisdiction, f"policy.sectors[{n}]",
                       f"{year} 年{SECTORS[sector.sector]}实际完成抽查 {len(done)} 次（计入{kinds}）"
                       + (f"，另有 {small} 次检查的机构少于每次 {sector.min_targets} 家"
                          if small else "")
                       + f"，{'少于' if over else '尚未达到'}每年 {sector.inspections_per_year} 次"
                       + ("" if over else f"，还需 {missing} 次"),
                       None if over else WARNING)


@rule("plan.all-drawn-inspected", "二（九）",
      "依抽施查：实施期结束时，每个抽中的对象都有检查结果",
      "为抽中的对象补录检查结果", each="plan")
def all_drawn_inspected(ctx: Context, plan: Record) -> Iterator[Flag]:
    result = ctx.records.standing_result(plan.id)
    if result is None or ctx.as_of <= plan.schedule.end:
        return
    inspected = {f.target for f in ctx.records.findings_for_plan(plan.id)}
    missing = [t["target"] for t in result.get("teams", ()) if t["target"] not in inspected]
    if missing:
        yield Flag(plan, "schedule.end",
                   f"实施期已于 {plan.schedule.end} 结束，抽中的 {'、'.join(missing)} 没有检查结果")


@rule("plan.risk-weight", "二（八）",
      "投诉举报多、列入执业异常名录或信用黑名单、有严重违法违规记录的对象按政策加权抽取",
      "抽取包须由 ssj draw freeze 按取数日期的风险记录生成", each="plan")
def risk_weights(ctx: Context, plan: Record) -> Iterator[Flag]:
    folder = ctx.records.draws.get(plan.id)
    package = folder.get("package.json") if folder else None
    if package is None or not isinstance(package.data, dict):
        return
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


@rule("plan.drawn-first", "二（九）",
      "随机抽查先抽取、后检查：有检查结果的计划须已抽取；抽取在随机源全部公布之后，检查在抽取之后。"
      "对象由上级抽取的受委托计划（二（三））以上级公布的抽取为准，本局不抽取",
      "先运行 ssj draw freeze 与 ssj draw run，检查结果写在抽取之后", each="plan")
def drawn_first(ctx: Context, plan: Record) -> Iterator[Flag]:
    if plan.draw.delegated is not None or not plan.draw.sources:
        return  # drawn by the higher bureau (plan.delegated-draw), or nothing to time
    # the draw can be held no earlier than the day its last random source is published
    known = sources_published(plan)
    held = plan.draw.held_on
    if held is not None and held < known:
        yield Flag(plan, "draw.held_on", f"抽取日期 {held} 早于随机源公布日期 {known}")
    findings = ctx.records.findings_for_plan(plan.id)
    if not findings:
        return
    if ctx.records.draw_result(plan.id) is None:
        yield Flag(plan, "draw", f"计划已有 {len(findings)} 个检查结果，但没有抽取结果")
        return
    first = min(f.inspected.start for f in findings)
    earliest = drawn_on(plan)
    if first < earliest:
        yield Flag(plan, "draw.held_on" if held else "draw.sources",
                   f"首次检查 {first} 早于抽取（{earliest}）")


@rule("plan.witnesses", "二（九）",
      "政策要求现场监督时，每次抽取都记录抽取日期和监督人员",
      "在计划的 draw 中填写 held_on 与 witnesses", each="plan")
def witnesses(ctx: Context, plan: Record) -> Iterator[Flag]:
    if not ctx.policy.witnesses_required:
        return
    if ctx.records.draw_result(plan.id) is None:
        return
    if not plan.draw.witnesses or plan.draw.held_on is None:
        yield Flag(plan, "draw", "已抽取，但没有记录抽取日期和现场监督人员")


@rule("finding.targeted-ground", "二（九）",
      "非随机检查写明四种情形之一；列入名录的情形须确在名录中，投诉、发现违法的情形须说明来源",
      "在 targeted 中填写 ground 与 note", each="finding")
def targeted_ground(ctx: Context, finding: Record) -> Iterator[Flag]:
    lists = {"blacklisted": "blacklist", "abnormal-listed": "abnormal"}
    if finding.targeted is None:
        return
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


RULES = (self_inspection, organiser, delegated_draw, floor, scope_policy, frequency,
         all_drawn_inspected, risk_weights, drawn_first, witnesses, targeted_ground)

