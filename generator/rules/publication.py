"""Rules on publishing plans, the item list and results, and on what must follow a finding:
方案 一（二）, 二（六）, 三（一）, 三（三）."""
from __future__ import annotations

import datetime as dt
from typing import Iterator

from generator.records.model import Record
from generator.records.problems import NOTICE, WARNING
from generator.records.timing import BEIJING, plan_source_times
from generator.rules.base import Context, Flag, rule


def _actions(finding: Record) -> set[str]:
    return {h.action for h in finding.handling}


def _entries_citing(ctx: Context, finding: Record, list_name: str) -> list[Record]:
    return [e for e in ctx.records.list_entries if e.finding == finding.id and e.list == list_name]


# statuses that end a practice: the licence revoked (吊销) or the institution deregistered
# (注销); a person's licence cancelled or the person gone. 停业整顿 (suspended) does not.
PRACTICE_ENDED = {"institution": ("revoked", "closed"), "person": ("left",)}


def practice_ended(ctx: Context, finding: Record) -> dt.date | None:
    """The day the inspected institution's or person's practice ended on or after the
    inspection began (its status record), or None while it goes on."""
    target = ctx.records.get(finding.target, tuple(PRACTICE_ENDED))
    if target is None:
        return None
    return next((s.since for s in target.status_history
                 if s.since >= finding.inspected.start and s.status in PRACTICE_ENDED[target.kind]),
                None)


@rule("plan.published", "一（二）",
      "公开抽查程序、检查事项：每个抽查计划写明向社会公布的日期，不晚于抽取日期，"
      "并早于所声明的首个随机源公布之日（只记到日，同一天无法证明在前）",
      "填写 published_on；计划须在抽取之前、在声明的随机源产生的前一天或更早公布", each="plan")
def plan_published(ctx: Context, plan: Record) -> Iterator[Flag]:
    example = ctx.records.jurisdiction.example
    published = plan.published_on
    if published is None:
        yield Flag(plan, "published_on", "计划没有写明公布日期（published_on）")
        return
    held = plan.draw.held_on
    if held is not None and held < published:
        yield Flag(plan, "published_on", f"计划于 {published} 公布，晚于抽取日期 {held}")
    times = plan_source_times(plan)
    if not times:  # none declared (a higher bureau drew), or one incomplete (integrity)
        return
    first = dt.datetime.fromtimestamp(min(times), BEIJING)
    if published >= first.date():
        yield Flag(plan, "published_on",
                   f"计划于 {published} 公布，首个随机源已于 {first:%Y-%m-%d %H:%M}（北京时间）"
                   "公布：随机源须在计划公布之后才产生" + ("（示例数据，仅作提示）" if example else ""),
                   NOTICE if example else None)


@rule("item.published", "二（六）",
      "随机抽查事项清单及时向社会公布：计划所用的每个事项在计划公布之日或之前已公布",
      "先公布事项（事项的 published_on），再公布使用它的计划", each="plan")
def item_published(ctx: Context, plan: Record) -> Iterator[Flag]:
    if plan.published_on is None:
        return  # plan.published says so
    for n, item_id in enumerate(plan.items, start=1):
        item = ctx.records.get(item_id, ("item",))
        if item is not None and item.published_on > plan.published_on:
            yield Flag(plan, f"items[{n}]", f"事项 {item_id} 于 {item.published_on} 公布，"
                       f"晚于计划公布日期 {plan.published_on}")


@rule("finding.notice-complete", "三（一）",
      "公示内容齐全：机构名称、登记号、抽查时间、方式、内容、结果，以及违法行为查处情况",
      "补全机构登记号，并为发现问题或违法的检查写明处置措施（handling）", each="finding")
def notice_complete(ctx: Context, finding: Record) -> Iterator[Flag]:
    inst = ctx.institution_of(finding.target)
    if inst is not None and inst.uscc is None and inst.licence_number is None:
        yield Flag(finding, "target", f"{inst.name} 没有登记号（统一社会信用代码或执业许可证号）")
    if finding.outcome == "violation" and not finding.handling:
        yield Flag(finding, "outcome", "发现违法违规行为，但没有写明查处情况（handling）")
    elif finding.outcome == "issues-found" and not (finding.handling or finding.guidance):
        yield Flag(finding, "outcome", "发现问题，但没有写明处置或行政指导")


@rule("finding.published", "三（一）",
      "抽查情况及查处结果在检查结束后的政策期限内向社会公开",
      "填写 published_on 并在网站公示", each="finding")
def published(ctx: Context, finding: Record) -> Iterator[Flag]:
    deadline = dt.timedelta(days=ctx.policy.publication_deadline_days)
    due = finding.inspected.end + deadline
    if finding.published_on is not None and finding.published_on > due:
        yield Flag(finding, "published_on", f"{finding.published_on} 公示，晚于期限 {due}")
    elif finding.published_on is None and ctx.as_of > due:
        yield Flag(finding, "published_on", f"尚未公示，期限 {due} 已过")


@rule("finding.unreachable-listed", "三（三）",
      "通过登记的住所或执业场所无法联系的，列入执业异常名录",
      "在 lists/ 中新建执业异常名录记录，finding 写本检查结果", each="finding")
def unreachable_listed(ctx: Context, finding: Record) -> Iterator[Flag]:
    if finding.outcome == "unreachable" and not _entries_citing(ctx, finding, "abnormal") \
            and not _listed_by_decision(ctx, finding):
        yield Flag(finding, "outcome", "无法联系，但没有引用本结果的执业异常名录记录")


def _listed_by_decision(ctx: Context, finding: Record) -> bool:
    """The institution put on the abnormal list as unreachable by a numbered decision that cites
    no finding (list.basis accepts such an entry), on or after the inspection began."""
    inst = ctx.institution_of(finding.target)
    return inst is not None and any(
        e.list == "abnormal" and e.ground == "unreachable" and e.finding is None
        and e.decision.number is not None and e.entered_on >= finding.inspected.start
        for e in ctx.records.list_entries_of(inst.id))


# 三（三）: 书面提醒、约谈负责人 (handling) and 提醒 (guidance) are the reminders that may precede
# 经过提醒或约谈仍不纠正
REMINDERS = {"written-reminder", "interview"}


def _reminders(finding: Record) -> list[dt.date]:
    return sorted([h.date for h in finding.handling if h.action in REMINDERS]
                  + [g.date for g in finding.guidance if g.kind == "reminder"])


def _ground_problem(entry: Record, finding: Record | None) -> tuple[str, str] | None:
    """Why the entry's ground, as the 方案 states it, is not in the records or is contradicted by
    them: (field, message), or None when it rests on its ground."""
    if entry.list == "blacklist":
        if entry.ground in ("unreachable", "not-corrected"):
            return "ground", (f"列入情形 {entry.ground} 是列入执业异常名录的情形；"
                              "信用黑名单只在作出处罚决定后列入")
        if finding is None:
            return None  # the decision's number stands for the penalty decision
        penalties = [h for h in finding.handling if h.action == "penalty"]
        if not penalties:
            return "finding", f"检查结果 {finding.id} 没有行政处罚决定：信用黑名单只在作出处罚决定后列入"
        if not any(h.decision_number for h in penalties):
            return "finding", f"检查结果 {finding.id} 中的行政处罚没有写明决定文号"
        return None  # its date against the entry: list.after-penalty
    if entry.ground == "penalty":
        return None  # judged against the finding by list.basis's expected grounds
    if entry.ground == "unreachable" and finding is not None \
            and finding.inspected.start > entry.entered_on:
        return "entered_on", (f"列入日期 {entry.entered_on} 早于检查结果 {finding.id} 的检查"
                              f"（{finding.inspected.start}）：无法联系须先查明再列入")
    if entry.ground == "not-corrected":
        if finding is None:
            return "ground", "经提醒或约谈仍不纠正：须引用记有书面提醒或约谈的检查结果（finding）"
        reminded = _reminders(finding)
        before = [d for d in reminded if d <= entry.entered_on]
        if not before:
            return "ground", (f"检查结果 {finding.id} 在列入日期 {entry.entered_on} 之前没有书面提醒、"
                              "约谈或提醒记录" + (f"（提醒在 {reminded[0]}，晚于列入）" if reminded else ""))
        visits = [v for v in finding.follow_ups if v.visited_on is not None
                  and before[0] <= v.visited_on <= entry.entered_on]
        if visits and max(visits, key=lambda v: v.visited_on).outcome == "rectified":
            last = max(visits, key=lambda v: v.visited_on)
            return "ground", (f"检查结果 {finding.id} 于 {last.visited_on} 回访已整改，"
                              "不是经提醒或约谈仍不纠正")
    return None


@rule("finding.penalty-blacklisted", "三（三）",
      "依法应予行政处罚的，作出处罚决定后列入信用黑名单",
      "在 lists/ 中新建信用黑名单记录，finding 写本检查结果", each="finding")
def penalty_blacklisted(ctx: Context, finding: Record) -> Iterator[Flag]:
    if "penalty" in _actions(finding) and not _entries_citing(ctx, finding, "blacklist"):
        n = next(i for i, h in enumerate(finding.handling, start=1) if h.action == "penalty")
        yield Flag(finding, f"handling[{n}]", "已作出行政处罚，但没有引用本结果的信用黑名单记录")


@rule("finding.not-corrected-listed", "三（三）",
      "经书面提醒或约谈仍不纠正的，可以列入执业异常名录",
      "考虑列入执业异常名录（lists/，ground: not-corrected）", WARNING, each="finding")
def not_corrected_listed(ctx: Context, finding: Record) -> Iterator[Flag]:
    reminded = _actions(finding) & {"written-reminder", "interview"}
    visited = [f for f in finding.follow_ups if f.visited_on is not None]
    refused = bool(visited) and max(visited, key=lambda f: f.visited_on).outcome == "not-rectified"
    if reminded and refused and not _entries_citing(ctx, finding, "abnormal"):
        yield Flag(finding, "follow_ups", "经提醒或约谈后回访仍未整改，尚未列入执业异常名录")


@rule("finding.follow-up", "三（三）",
      "对抽查中发现的问题跟踪回访、督促整改：发现问题的检查安排回访，到期的回访写明日期和结果，"
      "未整改完毕的再次安排回访；当场纠正只在检查期间记下时才免于回访；检查后对象被吊销、注销执业"
      "（状态记录为已吊销、已注销，人员为已离职或注销）的，此后不再要求回访",
      "在 follow_ups 中记录回访期限；回访后填写 visited_on 与 outcome", each="finding")
def follow_up(ctx: Context, finding: Record) -> Iterator[Flag]:
    # problems corrected on the spot (三（三）当场纠正) leave nothing to follow up, nor does
    # a practice that has ended: there is no one left to rectify
    # 当场 is the inspection itself: a correction dated after it ended is not on the spot
    late = [(n, h) for n, h in enumerate(finding.handling, start=1)
            if h.action == "corrected-on-site" and h.date > finding.inspected.end]
    for n, step in late:
        yield Flag(finding, f"handling[{n}].date",
                   f"当场纠正记于 {step.date}，晚于检查结束（{finding.inspected.end}）：不是当场纠正，"
                   "应记为责令限期整改并安排整改回访")
    on_the_spot = _actions(finding) == {"corrected-on-site"} and not late
    ended = practice_ended(ctx, finding)
    if finding.outcome in ("issues-found", "violation") and not finding.follow_ups \
            and not on_the_spot and ended is None:
        yield Flag(finding, "outcome", "发现问题，但没有安排整改回访（follow_ups）")
    for n, visit in enumerate(finding.follow_ups, start=1):
        if visit.visited_on is None and visit.due < ctx.as_of \
                and (ended is None or visit.due < ended):
            yield Flag(finding, f"follow_ups[{n}].due", f"回访期限 {visit.due} 已过，尚无回访记录")
        elif visit.visited_on is not None and visit.outcome is None:
            yield Flag(finding, f"follow_ups[{n}].visited_on", "已回访，但没有写明回访结果")
    last = finding.follow_ups[-1] if finding.follow_ups else None
    if last is not None and last.visited_on is not None and ended is None and last.outcome in (
            "partly-rectified", "not-rectified"):
        yield Flag(finding, f"follow_ups[{len(finding.follow_ups)}].outcome",
                   "最近一次回访尚未整改完毕，须再安排回访（在 follow_ups 中加一项）")


@rule("finding.referred", "三（三）",
      "无证或许可失效擅自执业的报告行政许可审批部门；涉嫌犯罪的移送司法机关",
      "在 handling 中记录 reported-to-licensing 或 transferred", each="finding")
def referred(ctx: Context, finding: Record) -> Iterator[Flag]:
    needs = {"unlicensed-practice": ("reported-to-licensing", "报告行政许可审批部门"),
             "suspected-crime": ("transferred", "移送司法机关")}
    for concern in finding.concerns:
        if concern in needs and needs[concern][0] not in _actions(finding):
            yield Flag(finding, "concerns", f"存在 {concern}，但没有记录“{needs[concern][1]}”")


@rule("finding.credit-notice", "三（三）",
      "对不予配合情节严重的法律服务机构，通过信用信息公示平台公示；公示不早于所涉检查",
      "在 credit-notices/ 中新建公示记录，finding 写本检查结果")
def credit_notice(ctx: Context) -> Iterator[Flag]:
    for finding in ctx.records.findings:
        if "serious-non-cooperation" in finding.concerns and not any(
                n.finding == finding.id for n in ctx.records.credit_notices):
            yield Flag(finding, "concerns", "不予配合情节严重，但没有信用平台公示记录")
    for notice in ctx.records.credit_notices:
        # the non-cooperation is found in the inspection: its notice cannot come first
        finding = ctx.records.get(notice.finding, ("finding",))
        if finding is not None and notice.published_on < finding.inspected.start:
            yield Flag(notice, "published_on",
                       f"公示日期 {notice.published_on} 早于所引检查结果 {finding.id} 的检查"
                       f"（{finding.inspected.start}）：不予配合须在检查中发生，公示不能在检查之前")


@rule("list.basis", "三（三）",
      "执业异常名录只列入列入前已查明无法联系的（或有列入决定文号），或检查结果记有列入前的书面提醒"
      "或约谈、此后回访未见整改的；信用黑名单只在作出写明文号的处罚决定后列入",
      "填写 finding 或 decision.number；情形与所引检查结果一致", each="list_entry")
def list_basis(ctx: Context, entry: Record) -> Iterator[Flag]:
    expected = {"unreachable": lambda f: f.outcome == "unreachable",
                "penalty": lambda f: "penalty" in _actions(f)}
    if entry.finding is None and entry.decision.number is None:
        yield Flag(entry, "decision", "既没有引用检查结果，也没有决定文号")
        return
    finding = ctx.records.get(entry.finding, ("finding",)) if entry.finding else None
    if finding is not None and entry.ground in expected and not expected[entry.ground](finding):
        yield Flag(entry, "ground", f"列入情形为 {entry.ground}，但检查结果 {finding.id} 不是这种情形")
        return
    problem = _ground_problem(entry, finding)
    if problem is not None:
        yield Flag(entry, *problem)


@rule("list.after-penalty", "三（三）",
      "对于依法应予行政处罚的，作出处罚决定后列入信用黑名单：黑名单记录的列入决定和列入日期"
      "都不早于所引检查结果中行政处罚决定的日期（查处情况中行政处罚的日期）",
      "列入日期写处罚决定作出之日或之后；核对检查结果中行政处罚的日期", each="list_entry")
def list_after_penalty(ctx: Context, entry: Record) -> Iterator[Flag]:
    finding = ctx.records.get(entry.finding, ("finding",)) if entry.finding else None
    if entry.list != "blacklist" or finding is None:
        return
    penalties = [h for h in finding.handling if h.action == "penalty"]
    # the penalty the entry names by its number, else the first the finding records
    cited = [h for h in penalties if h.decision_number is not None
             and h.decision_number == entry.decision.number] or penalties
    if not cited:
        return  # no penalty to follow: list.basis judges the ground
    decided = min(h.date for h in cited)
    # the listing decision is dated no later than the entry (integrity), so one line says it
    for where, day in (("entered_on", entry.entered_on), ("decision.date", entry.decision.date)):
        if day < decided:
            yield Flag(entry, where, f"{day} 早于检查结果 {finding.id} 中的行政处罚决定（{decided}）："
                       "须在作出处罚决定后才能列入信用黑名单")
            break


RULES = (plan_published, item_published, notice_complete, published, unreachable_listed,
         penalty_blacklisted, not_corrected_listed, follow_up, referred, credit_notice, list_basis,
         list_after_penalty)
