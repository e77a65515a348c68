"""Rules on who inspects what, and how: 方案 二（四）, 二（五）, 二（六）, 二（七）, 二（九）."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Iterator

from generator.records.kinds import METHODS
from generator.records.model import Record
from generator.records.problems import ERROR, WARNING
from generator.rules.base import Context, Flag, rule


def _days(finding: Record) -> tuple[dt.date, dt.date]:
    return finding.inspected.start, finding.inspected.end


def _item_effective(item: Record, day: dt.date) -> bool:
    return item.effective_from <= day and (item.effective_until is None or day <= item.effective_until)


@rule("finding.certificate", "二（四）",
      "执法检查人员在检查期间持有有效的行政执法证且在岗",
      "换派持有效执法证的在岗人员，或更新证件记录", each="finding")
def certificate(ctx: Context, finding: Record) -> Iterator[Flag]:
    start, end = _days(finding)
    for n, inspector_id in enumerate(finding.inspectors, start=1):
        inspector = ctx.records.get(inspector_id, ("inspector",))
        if inspector is None:
            continue
        cert = inspector.certificate
        if not (cert.valid_from <= start and end <= cert.valid_until):
            yield Flag(finding, f"inspectors[{n}]",
                       f"{inspector.name} 的执法证有效期 {cert.valid_from} 至 {cert.valid_until}，"
                       f"未覆盖检查期间 {start} 至 {end}")
        elif inspector.status_on(start) != "active" or inspector.status_on(end) != "active":
            yield Flag(finding, f"inspectors[{n}]", f"{inspector.name} 在检查期间不在岗")


def _roster_flag(ctx: Context, day: dt.date) -> str | None:
    """What is wrong with the roster on `day`, if it is not 以业务主管部门执法人员为主."""
    business = {s.lead_department for s in ctx.policy.sectors}
    in_post = [i for i in ctx.records.inspectors if i.status_on(day) == "active"
               and i.certificate.valid_from <= day <= i.certificate.valid_until]
    lead = sum(1 for i in in_post if i.department in business)
    others = len(in_post) - lead
    if others <= lead:
        return None
    names = ctx.records.departments
    return (f"{day} 在岗持证的执法检查人员 {len(in_post)} 名，来自业务主管股室"
            f"（{'、'.join(names[d].name for d in sorted(business) if d in names)}）的只有 "
            f"{lead} 名，其他股室 {others} 名")


@rule("roster.composition", "二（四）",
      "执法检查人员名录库以相应的法律服务业务主管部门执法人员为主：在岗且执法证有效的人员中，"
      "来自各行业业务主管股室（政策为各行业写明的业务主管股室）的不少于其他股室（如法治督察股）的。"
      "名录库为各行业共用，故按业务主管股室整体计算，不按单个行业。本局抽取了检查人员的计划，"
      "按其取数日期的名录库核对，不符的为错误（演示用的记录只作警告）；名录库现状按检查当日核对，为警告",
      "在 inspectors/ 中增补业务主管股室的执法人员；已抽取的计划，新建修订计划按合规的名录库重新抽取",
      severity=WARNING)
def roster_composition(ctx: Context) -> Iterator[Flag]:
    # a draw made from a roster that is not 以业务主管部门执法人员为主 selected its teams from
    # the wrong pool; the higher bureau's draw (draw.delegated) used its own roster
    drawn_from = None if ctx.records.jurisdiction.example else ERROR
    for plan in ctx.records.plans:
        if plan.draw.delegated is None and ctx.records.standing_result(plan.id) is not None \
                and (wrong := _roster_flag(ctx, plan.pool_date)):
            yield Flag(plan, "pool_date", f"计划 {plan.id} 取数日期的名录库：{wrong}", drawn_from)
    if (wrong := _roster_flag(ctx, ctx.as_of)):
        yield Flag(ctx.records.jurisdiction, "departments", wrong)


@rule("finding.lead-department", "二（四）",
      "随机抽查的检查组以该行业业务主管部门的执法人员为主（政策规定每组最少人数，0 则不按组要求；"
      "非随机检查不受此限）",
      "检查组中补足业务主管股室的执法人员", each="finding")
def lead_department(ctx: Context, finding: Record) -> Iterator[Flag]:
    minimum = ctx.policy.lead_department_min
    # the roster's make-up binds the random selection of inspectors; a targeted inspection
    # (二（九） last paragraph) is not bound by it, only by the law: certificates, two inspectors,
    # recusal (finding.certificate, finding.team-size, finding.conflict)
    if finding.plan is None:
        return
    inst = ctx.institution_of(finding.target)
    sector = ctx.sector_policy(inst.sector) if inst else None
    if sector is None:
        return
    members = [ctx.records.get(i, ("inspector",)) for i in finding.inspectors]
    lead = sum(1 for m in members if m is not None and m.department == sector.lead_department)
    if lead < minimum:
        yield Flag(finding, "inspectors",
                   f"检查组中来自 {sector.lead_department} 的只有 {lead} 人，政策要求至少 {minimum} 人")


@rule("finding.team-size", "二（九）",
      "对同一抽查对象实施检查，选派执法检查人员不少于 2 人（政策可提高）；非随机检查同样适用",
      "补足检查人员", each="finding")
def team_size(ctx: Context, finding: Record) -> Iterator[Flag]:
    if len(finding.inspectors) < ctx.policy.team_size:
        yield Flag(finding, "inspectors",
                   f"只有 {len(finding.inspectors)} 名检查人员，至少需要 {ctx.policy.team_size} 名")


@rule("finding.same-inspector", "二（九）",
      "在政策规定的周期内，同一执法检查人员不得随机抽查同一对象（此前的非随机检查也计入；"
      "非随机检查本身不受随机抽查制度限制）",
      "换派其他人员")
def same_inspector(ctx: Context) -> Iterator[Flag]:
    period = dt.timedelta(days=ctx.policy.same_inspector_period_days)
    seen: dict[tuple[str, str], Record] = {}
    for finding in sorted(ctx.records.findings, key=lambda f: (f.inspected.start, f.id)):
        inst = ctx.institution_of(finding.target)
        if inst is None:
            continue
        for n, inspector in enumerate(finding.inspectors, start=1):
            earlier = seen.get((inst.id, inspector))
            # 二（九） last paragraph: targeted inspections are not bound by the random-draw rules
            # the same plan's other finding on the same institution is the same inspection
            # (二（五）: a drawn firm is inspected with its own staff)
            if finding.plan is not None and earlier is not None \
                    and earlier.plan != finding.plan \
                    and finding.inspected.start - earlier.inspected.end < period:
                yield Flag(finding, f"inspectors[{n}]",
                           f"{inspector} 已于 {earlier.inspected.end} 检查过 {inst.name}"
                           f"（{earlier.id}），未满 {period.days} 天")
            seen[(inst.id, inspector)] = finding


@rule("finding.conflict", "二（九）",
      "与抽查对象有利害关系的执法检查人员依法回避",
      "换派没有利害关系的人员", each="finding")
def conflict(ctx: Context, finding: Record) -> Iterator[Flag]:
    inst = ctx.institution_of(finding.target)
    related = {finding.target} | ({inst.id} if inst else set())
    for n, inspector_id in enumerate(finding.inspectors, start=1):
        inspector = ctx.records.get(inspector_id, ("inspector",))
        if inspector is None:
            continue
        for declared in inspector.conflicts:
            target = ctx.institution_of(declared.target)
            if (declared.target in related or (target is not None and target.id in related)) \
                    and declared.declared_on <= finding.inspected.end:
                # the detail of the conflict is private: say only that one was declared
                yield Flag(finding, f"inspectors[{n}]",
                           f"{inspector.name} 已申报与该对象有利害关系，应当回避")


@rule("finding.target-scope", "二（五）",
      "随机抽查的对象属于计划所含行业，并在取数日期处于执业状态",
      "随机抽查只检查抽中的对象", each="finding")
def target_scope(ctx: Context, finding: Record) -> Iterator[Flag]:
    plan = ctx.records.get(finding.plan, ("plan",)) if finding.plan else None
    inst = ctx.institution_of(finding.target)
    if plan is None or inst is None:
        return
    sectors = [s.sector for s in plan.scope]
    if inst.sector not in sectors:
        yield Flag(finding, "target", f"{inst.name} 的行业 {inst.sector} 不在计划 {plan.id} 的范围内")
    elif inst.status_on(plan.pool_date) != "active":
        yield Flag(finding, "target", f"{inst.name} 在取数日期 {plan.pool_date} 不是正常执业状态")


@rule("item.listed", "二（六）",
      "计划和随机抽查所用事项都在当时有效的抽查事项清单上，随机抽查只用计划列明的事项；"
      "任何检查所用事项都属于对象的行业（非随机检查不受清单有效期和计划限制）",
      "先把事项列入清单（items/），或改用清单上的事项")
def item_listed(ctx: Context) -> Iterator[Flag]:
    for plan in ctx.records.plans:
        sectors = {s.sector for s in plan.scope}
        for n, item_id in enumerate(plan.items, start=1):
            item = ctx.records.get(item_id, ("item",))
            if item is None:
                continue
            if item.sector not in sectors:
                yield Flag(plan, f"items[{n}]", f"事项 {item_id} 属于 {item.sector}，不在计划范围内")
            elif not _item_effective(item, plan.pool_date):
                yield Flag(plan, f"items[{n}]", f"事项 {item_id} 在取数日期 {plan.pool_date} 不在清单上")
    for finding in ctx.records.findings:
        inst = ctx.institution_of(finding.target)
        plan = ctx.records.get(finding.plan, ("plan",)) if finding.plan else None
        for n, item_id in enumerate(finding.items, start=1):
            item = ctx.records.get(item_id, ("item",))
            if item is None:
                continue
            where = f"items[{n}]"
            if inst is not None and item.sector != inst.sector:
                # an item's basis is its sector's law: no basis for checking another sector
                yield Flag(finding, where, f"事项 {item_id} 属于 {item.sector}，对象属于 {inst.sector}")
            elif plan is None:
                # 二（九） last paragraph: a targeted inspection cites an item for its legal basis,
                # not as a random-inspection matter, so the list's dates do not bind it
                continue
            elif not _item_effective(item, finding.inspected.start):
                yield Flag(finding, where, f"事项 {item_id} 在 {finding.inspected.start} 不在清单上")
            elif plan is not None and item_id not in plan.items:
                yield Flag(finding, where, f"事项 {item_id} 不在计划 {plan.id} 列明的事项中")


@rule("item.basis", "二（六）",
      "每个抽查事项写明法律、法规或规章依据；没有依据的，一律不得检查",
      "在事项的 basis 中写明依据的名称和条款", each="item")
def item_basis(ctx: Context, item: Record) -> Iterator[Flag]:
    if not item.basis:
        yield Flag(item, "basis", f"事项 {item.id} 没有写明抽查依据")


@rule("finding.legal-basis", "二（六）",
      "每次检查所查的每一项都有法律、法规或规章依据：随机抽查写清单上的事项；"
      "非随机检查写清单上的事项，或写明检查内容及其法律依据",
      "在 items 中写所查事项；非随机检查也可在 targeted.basis 中写明内容、法规名称和条款", each="finding")
def finding_legal_basis(ctx: Context, finding: Record) -> Iterator[Flag]:
    # each stated basis has its law and articles (required when read), and each item its
    # basis (item.basis): what is left is a finding that names nothing it checked
    stated = finding.targeted.basis if finding.targeted is not None else ()
    if finding.items or stated:
        return
    if finding.plan is not None:
        yield Flag(finding, "plan", "随机抽查没有写明所查事项（items）")
    else:
        yield Flag(finding, "targeted", "没有写明所查事项（items）或检查内容的法律依据（targeted.basis）")


@rule("item.list-complete", "二（六）",
      "计划所含的每个行业在清单上都有有效事项，计划为每个行业都列明了事项",
      "在 items/ 中补充该行业的事项，并列入计划", each="plan")
def item_list_complete(ctx: Context, plan: Record) -> Iterator[Flag]:
    planned = {ctx.records.get(i, ("item",)).sector for i in plan.items
               if ctx.records.get(i, ("item",)) is not None}
    for n, scope in enumerate(plan.scope, start=1):
        listed = [i for i in ctx.records.items
                  if i.sector == scope.sector and _item_effective(i, plan.pool_date)]
        if not listed:
            yield Flag(plan, f"scope[{n}].sector", f"清单上没有 {scope.sector} 的有效抽查事项")
        elif scope.sector not in planned:
            yield Flag(plan, "items", f"计划没有列明 {scope.sector} 的抽查事项")


@rule("finding.method", "二（七）",
      "随机抽查的方式与计划一致，且是所查事项在清单上允许的方式（非随机检查不受计划和清单的方式限制）",
      "改用事项和计划规定的方式", each="finding")
def method(ctx: Context, finding: Record) -> Iterator[Flag]:
    plan = ctx.records.get(finding.plan, ("plan",)) if finding.plan else None
    if plan is None:
        return  # 二（九） last paragraph: a targeted inspection is not bound by 二（七）
    if finding.method != plan.method:
        yield Flag(finding, "method",
                   f"计划 {plan.id} 规定{METHODS[plan.method]}，此处为{METHODS[finding.method]}")
        return
    for item_id in finding.items:
        item = ctx.records.get(item_id, ("item",))
        if item is not None and finding.method not in item.methods:
            yield Flag(finding, "method", f"事项 {item_id} 不允许{METHODS[finding.method]}")


def onsite_counts(ctx: Context, year: int) -> Counter:
    """Random inspections of `year` by method (the on-site rule and the yearly report)."""
    return Counter(f.method for f in ctx.records.findings
                   if f.plan is not None and f.inspected.start.year == year)


@rule("year.onsite-share", "二（七）",
      "抽查原则上以实地检查为主：每年实地检查所占比例不低于政策规定",
      "在本年度剩余的计划中安排实地检查")
def onsite_share(ctx: Context) -> Iterator[Flag]:
    minimum = ctx.policy.onsite_min_percent
    years = sorted({f.inspected.start.year for f in ctx.records.findings if f.plan is not None})
    for year in years:
        counts = onsite_counts(ctx, year)
        total = sum(counts.values())
        if total and counts["onsite"] * 100 < minimum * total:
            over = ctx.year_over(year)
            yield Flag(ctx.records.jurisdiction, "policy.onsite_min_percent",
                       f"{year} 年随机检查 {total} 次，实地检查 {counts['onsite']} 次，"
                       f"低于 {minimum}%", None if over else WARNING)


RULES = (certificate, roster_composition, lead_department, target_scope, item_listed, item_basis,
         finding_legal_basis, item_list_complete, method, onsite_share, team_size, same_inspector,
         conflict)
