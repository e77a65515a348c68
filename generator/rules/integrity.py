"""Data-integrity checks: the records agree with themselves (ids, references, dates, codes).

The regulation's own rules (方案 二 and 三) build on these; here we only make sure the model is
sound enough for them to read.
"""
from __future__ import annotations

from collections import Counter
from functools import partial
from pathlib import PurePosixPath
from typing import Any, Callable, Iterable, Iterator, Mapping

from generator.records.kinds import (
    JURISDICTION,
    KINDS_BY_NAME,
    LICENSED_ROLES,
    ROLES,
    SECTOR_USCC_CATEGORY,
    SECTORS,
)
from generator.records.model import KIND_ORDER, Fields, Record, Records
from generator.records.nearest import Nearest
from generator.records.problems import ERROR, WARNING, Problem
from generator.records.types import FieldType, ListOf, Obj, Ref
from generator.rules.base import Direct, Units
from generator.rules.uscc import uscc_error

Check = Callable[[Records], Iterable[Problem]]


def _problem(record: Record, path: str, rule: str, message: str, hint: str = "",
             severity: str = ERROR) -> Problem:
    prefix = f"字段 {path}：" if path else ""
    return Problem(record.file, record.line_of(path), rule, prefix + message, hint, severity, path)


def _all_records(records: Records) -> Iterator[Record]:
    if records.jurisdiction is not None:
        yield records.jurisdiction
    for group in records.by_kind.values():
        yield from group


def _walk(value: Any, ftype: FieldType, path: str) -> Iterator[tuple[str, FieldType, Any]]:
    """Every (path, type, value) under a typed value, list items numbered from 1."""
    yield path, ftype, value
    if isinstance(ftype, Obj) and isinstance(value, Fields):
        for f in ftype.fields:
            if value.get(f.name) is not None:
                yield from _walk(value[f.name], f.type, f"{path}.{f.name}" if path else f.name)
    elif isinstance(ftype, ListOf) and isinstance(value, tuple):
        for i, item in enumerate(value, start=1):
            yield from _walk(item, ftype.item, f"{path}[{i}]")


def _values(record: Record, path: str) -> list[tuple[str, Any]]:
    """Values at a path where `name[]` fans out over a list: [(concrete path, value), ...]."""
    found: list[tuple[str, Any]] = [("", record.fields)]
    for part in path.split("."):
        name, fan = part.removesuffix("[]"), part.endswith("[]")
        step: list[tuple[str, Any]] = []
        for at, value in found:
            inner = value.get(name) if isinstance(value, Fields) else None
            here = f"{at}.{name}" if at else name
            if inner is None:
                continue
            if fan:
                step.extend((f"{here}[{i}]", v) for i, v in enumerate(inner, start=1))
            else:
                step.append((here, inner))
        found = step
    return found


def check_unique_ids(records: Records) -> Iterator[Problem]:
    first: dict[str, Record] = {}
    for r in _all_records(records):
        if r.kind == "jurisdiction":
            continue
        if r.id in first:
            other = first[r.id]
            yield _problem(r, "id", "integrity.unique-id",
                           f"编号 {r.id} 与 {other.file} 重复", "每条记录的编号必须唯一")
        else:
            first[r.id] = r
    j = records.jurisdiction
    if j is not None:
        for path, ids in (("departments", [d.id for d in j.departments]),
                          ("policy.sectors", [s.sector for s in j.policy.sectors])):
            for value, n in Counter(ids).items():
                if n > 1:
                    yield _problem(j, path, "integrity.unique-id", f"{value} 出现了 {n} 次")


def file_name(records: Records, r: Record) -> Iterator[Problem]:
    if r.kind != "jurisdiction" and PurePosixPath(r.file).stem != r.id:
        yield _problem(r, "id", "integrity.file-name",
                       f"文件名应为 {r.id}.yaml", "文件名与记录编号保持一致，便于查找和审阅")


def references(records: Records, r: Record, nearest: Nearest,
               departments: Mapping[str, Fields]) -> Iterator[Problem]:
    """Each reference of `r` to a record or department that does not exist, with the ids
    most likely meant (`nearest`: one per kind of record checked, its index and budget shared)."""
    kind = KINDS_BY_NAME[r.kind]
    for path, ftype, value in _walk(r.fields, kind.schema, ""):
        if not isinstance(ftype, Ref) or value in records.broken_ids:
            continue
        if ftype.kinds == ("department",):
            if value not in departments:
                meant = nearest.departments(value)
                yield _problem(r, path, "integrity.reference", f"股室 {value} 不存在",
                               (f"是否指 {meant}？" if meant else "")
                               + "股室在 jurisdiction.yaml 的 departments 中定义："
                               + "、".join(departments))
        elif records.get(value, ftype.kinds) is None:
            other = records.get(value)
            what = f"（{value} 是{KINDS_BY_NAME[other.kind].title}）" if other else ""
            names = "或".join(KINDS_BY_NAME[k].title for k in ftype.kinds)
            meant = nearest.records(value, ftype.kinds)
            yield _problem(r, path, "integrity.reference", f"找不到{names} {value}{what}",
                           f"是否指 {meant}？" if meant else "检查编号是否写错")


# (kind, earlier, later): the later date may not precede the earlier one. `x[]` fans out over a
# list; two paths under the same list compare item by item.
DATE_ORDER: tuple[tuple[str, str, str], ...] = (
    ("inspector", "certificate.valid_from", "certificate.valid_until"),
    ("item", "effective_from", "effective_until"),
    ("institution", "risk_flags[].since", "risk_flags[].until"),
    ("plan", "pool_date", "schedule.start"),
    ("plan", "schedule.start", "schedule.end"),
    ("plan", "schedule.start", "self_inspection_deadline"),
    ("plan", "self_inspection_deadline", "schedule.end"),
    ("finding", "inspected.start", "inspected.end"),
    ("finding", "inspected.end", "published_on"),
    ("finding", "inspected.start", "handling[].date"),
    ("finding", "inspected.start", "guidance[].date"),
    ("finding", "inspected.end", "follow_ups[].due"),
    ("finding", "inspected.end", "follow_ups[].visited_on"),
    ("list_entry", "decision.date", "entered_on"),
    ("list_entry", "entered_on", "exit.date"),
)


def _ordered_pairs(r: Record, earlier: str, later: str) -> Iterator[tuple[str, Any, str, Any]]:
    head, sep, first = earlier.partition("[].")
    if sep and later.startswith(head + "[]."):
        second = later[len(head) + 3:]
        for i, item in enumerate(r.fields.get(head) or (), start=1):
            yield f"{head}[{i}].{first}", item.get(first), f"{head}[{i}].{second}", item.get(second)
        return
    for pa, a in _values(r, earlier):
        for pb, b in _values(r, later):
            yield pa, a, pb, b


_DATE_ORDER_OF: dict[str, tuple[tuple[str, str], ...]] = {
    kind: tuple((e, l) for k, e, l in DATE_ORDER if k == kind) for kind, _, _ in DATE_ORDER}


def date_order(records: Records, r: Record) -> Iterator[Problem]:
    for earlier, later in _DATE_ORDER_OF.get(r.kind, ()):
        for pa, a, pb, b in _ordered_pairs(r, earlier, later):
            if a is not None and b is not None and b < a:
                yield _problem(r, pb, "integrity.date-order",
                               f"{b} 早于 {pa}（{a}）", "检查日期是否填反或写错")
    history = r.fields.get("status_history")
    for i in range(1, len(history or ())):
        if history[i].since <= history[i - 1].since:
            yield _problem(r, f"status_history[{i + 1}].since", "integrity.date-order",
                           f"{history[i].since} 不晚于上一项（{history[i - 1].since}）",
                           "状态变更记录按日期先后排列，每个日期只写一次")
    plan = records.get(r.plan, ("plan",)) if r.kind == "finding" and r.plan else None
    if plan is not None and not (plan.schedule.start <= r.inspected.start
                                 and r.inspected.end <= plan.schedule.end):
        yield _problem(r, "inspected", "integrity.date-order",
                       f"检查时间不在计划 {plan.id} 的实施时间"
                       f"（{plan.schedule.start} 至 {plan.schedule.end}）内")


def check_registration(records: Records) -> Iterator[Problem]:
    for inst in records.institutions:
        if inst.uscc is None and inst.licence_number is None:
            yield _problem(inst, "uscc", "integrity.registration-number",
                           "统一社会信用代码和执业许可证号至少填一项",
                           "公示须写明登记号（方案 三（一））")
        if inst.uscc is None:
            continue
        error = uscc_error(inst.uscc)
        if error:
            yield _problem(inst, "uscc", "integrity.uscc", f"统一社会信用代码 {inst.uscc} {error}",
                           "核对营业执照或执业许可证上的代码")
            continue
        expected = SECTOR_USCC_CATEGORY.get(inst.sector)
        if expected is None or inst.uscc.startswith(expected):
            continue
        sector = SECTORS[inst.sector]
        if inst.uscc.startswith("12"):
            yield _problem(inst, "uscc", "integrity.uscc-category",
                           f"{sector}的代码通常以 {expected} 开头，此代码以 12（事业单位）开头",
                           "事业单位登记的机构可能如此，请核实", WARNING)
        else:
            yield _problem(inst, "uscc", "integrity.uscc-category",
                           f"{sector}的代码应以 {expected} 开头，实为 {inst.uscc[:2]}",
                           "核对代码或行业是否填错")


def person_licence(records: Records, r: Record) -> Iterator[Problem]:
    if r.kind == "person" and r.role in LICENSED_ROLES and r.licence_number is None:
        yield _problem(r, "licence_number", "integrity.registration-number",
                       f"{ROLES[r.role]}须填写执业证号")


def check_finding_basis(records: Records) -> Iterator[Problem]:
    for f in records.findings:
        if (f.plan is None) == (f.targeted is None):
            yield _problem(f, "plan", "integrity.finding-basis",
                           "plan（随机抽查）与 targeted（非随机检查）须填且只填一项")


def draw_source_problems(plan: Record) -> Iterator[Problem]:
    """Each declared source of `plan` lacking a field of its kind or carrying another kind's."""
    needs = {"drand": ("chain", "round"), "lottery": ("game", "issue", "date", "time")}
    optional = {"drand": (), "lottery": ("result_url",)}
    for i, source in enumerate(plan.draw.sources, start=1):
        path = f"draw.sources[{i}]"
        wanted = needs[source.kind]
        missing = [k for k in wanted if source.get(k) is None]
        extra = [k for k, v in source.items()
                 if v is not None and k not in wanted + optional[source.kind] + ("kind",)]
        if missing or extra:
            parts = ([f"缺少 {'、'.join(missing)}"] if missing else []) + (
                [f"不应有 {'、'.join(extra)}"] if extra else [])
            yield _problem(plan, path, "integrity.draw-source",
                           f"{source.kind} 随机源{'，'.join(parts)}",
                           f"{source.kind} 随机源须写 {'、'.join(wanted)}")


def check_draw_sources(records: Records) -> Iterator[Problem]:
    for plan in records.plans:
        # a plan whose targets a higher bureau drew (二（三）) declares no source of its own
        if plan.draw.delegated is None and not any(s.kind == "drand" for s in plan.draw.sources):
            yield _problem(plan, "draw.sources", "integrity.draw-beacon",
                           "没有声明 drand 随机源：彩票结果只能作为补充，不能单独使用",
                           "加上一个尚未产生的 drand 轮次（ssj draw seed drand 可查询当前轮次）")
        yield from draw_source_problems(plan)


def check_list_links(records: Records) -> Iterator[Problem]:
    """A list entry or credit notice citing a finding must concern the finding's institution."""
    for r in records.list_entries + records.credit_notices:
        finding = records.get(r.finding, ("finding",)) if r.finding else None
        if finding is None:
            continue
        inst = records.institution_of(finding.target)
        if (inst.id if inst else finding.target) != r.institution:
            yield _problem(r, "finding", "integrity.finding-link",
                           f"检查结果 {finding.id} 的对象是 {finding.target}，不是 {r.institution}")


def check_duplicate_entries(records: Records) -> Iterator[Problem]:
    lists = (("plan", "items"), ("plan", "joint_departments"), ("finding", "inspectors"),
             ("finding", "items"), ("item", "methods"))
    for kind, path in lists:
        for r in records.all(kind):
            for value, n in Counter(r.fields.get(path) or ()).items():
                if n > 1:
                    yield _problem(r, path, "integrity.duplicate-entry", f"{value} 重复出现")
    for plan in records.plans:
        for value, n in Counter(s.sector for s in plan.scope).items():
            if n > 1:
                yield _problem(plan, "scope", "integrity.duplicate-entry", f"行业 {value} 重复出现")
        if plan.revision is not None and plan.revision.supersedes == plan.id:
            yield _problem(plan, "revision.supersedes", "integrity.reference",
                           "修订计划不能取代它自己")


# checks over the records as a whole
CHECKS: tuple[Check, ...] = (
    check_unique_ids,
    check_registration,
    check_finding_basis,
    check_draw_sources,
    check_list_links,
    check_duplicate_entries,
)
# checks of one record at a time, which read no other record but those they look up: kept
# (checks/memo.py) by kind, not by record, as they cost less than keeping 66,000 entries would
EACH: tuple[Callable[[Records, Record], Iterable[Problem]], ...] = (
    file_name, date_order, person_licence)


def _each_of(kind: str, records: Records) -> list[Problem]:
    of_kind = ((records.jurisdiction,) if records.jurisdiction is not None else ()) \
        if kind == JURISDICTION.name else records.all(kind)
    # the references' “是否指 …？” hints: a few hundred of each kind say enough
    nearest, departments = Nearest(records), records.departments
    return [p for r in of_kind for found in (references(records, r, nearest, departments),
                                             *(check(records, r) for check in EACH))
            for p in found]


def check_integrity(records: Records, units: Units | None = None) -> list[Problem]:
    """Run every integrity check over loaded records (by `units`, which may keep them)."""
    units = units or Direct(records)
    return [p for check in CHECKS for p in units.whole(f"integrity {check.__name__}", check)] + [
        p for kind in (JURISDICTION.name, *KIND_ORDER)
        for p in units.whole(f"integrity {kind}", partial(_each_of, kind))]
