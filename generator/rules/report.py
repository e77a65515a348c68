"""The yearly summary 方案 四（三） asks for (汇总、分析、总结), per sector, from the records: what
was inspected and found, and the inspections actually made against 方案 二（八）'s floor and the
bureau's policy, with the policy's reason where it goes below the floor; and every irregularity
notice the year published (a draw's timing failure disclosed with its reason, issue 20), so the
summary never reads cleaner than the draws were."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from generator.checks.output import as_text
from generator.records.kinds import FINDING, IRREGULARITY_KINDS, SECTORS
from generator.records.model import Fields, Record, Records
from generator.records.problems import ERROR, WARNING, Problem
from generator.rules.base import Units
from generator.rules.catalogue import run_rules
from generator.rules.planning import FLOORS, IDLE, idle

OUTCOMES: dict[str, str] = dict(FINDING.schema.field_named("outcome").type.choices)


@dataclass(frozen=True)
class SectorRow:
    sector: str
    name: str
    roster: int  # institutions in practice at the end of the year (or on the report date)
    inspected: int  # distinct institutions inspected at random
    ratio_percent: int  # inspected / roster, rounded down
    random_inspections: int
    targeted_inspections: int
    onsite: int  # random inspections done on site (方案 二（七）: 以实地检查为主)
    onsite_percent: int  # share of random inspections done on site, rounded down
    outcomes: dict[str, int] = field(default_factory=dict)  # of the random inspections
    targeted_outcomes: dict[str, int] = field(default_factory=dict)  # of the targeted ones
    rectifications_open: int = 0  # findings with follow-ups not (yet) rectified (both kinds)
    rectifications_closed: int = 0  # findings whose latest visit found them rectified
    listed: int = 0
    delisted: int = 0
    # 方案 二（八）: inspections actually made (as the policy counts them) against the floor
    rounds: int = 0  # inspections counted toward the yearly frequency (year.frequency)
    smallest_round: int = 0  # fewest of the sector's institutions inspected in one of them
    floor_per_year: int = 0  # the 方案's
    floor_min_targets: int = 0
    floor: str = ""  # the same, in words
    policy_per_year: int | None = None  # the bureau's (None: the sector is not in the policy)
    policy_min_targets: int | None = None
    policy: str = ""  # the same, in words, with what else it counts
    exemption: str | None = None  # the policy's reason for going below the floor, or IDLE


def _policy_text(entry: Fields | None) -> str:
    if entry is None:
        return "未列入政策"
    counted = [label for key, label in (("targeted_count", "非随机检查"),
                                        ("delegated_count", "上级抽取的委托检查"))
               if entry.get(key)]
    return (f"每年 {entry.inspections_per_year} 次，每次不少于 {entry.min_targets} 家"
            + (f"（计入{'、'.join(counted)}）" if counted else ""))


@dataclass(frozen=True)
class IrregularityLine:
    """An irregularity notice published in the year: which draw, what went wrong."""

    id: str
    published_on: str
    kind: str
    kind_label: str
    plan: str | None  # None: a misdated commit, which names no plan
    plan_title: str | None
    commit: str | None


IRREGULARITIES_TITLE = "抽取程序异常（已公开说明）"
IRREGULARITY_COLUMNS = (("id", "编号"), ("published_on", "公布日期"), ("plan", "抽查计划"),
                        ("plan_title", "计划名称"), ("kind_label", "异常类型"), ("commit", "提交"))


@dataclass(frozen=True)
class YearReport:
    year: int
    as_of: str
    rows: tuple[SectorRow, ...]
    rule_errors: int
    rule_warnings: int
    irregularities: tuple[IrregularityLine, ...] = ()
    # the shortfalls are the summary's content (四（三）): what the rules found as of `as_of`,
    # as `ssj check` says it; when they could not run, the errors that stopped them
    problems: tuple[str, ...] = ()
    rules_ran: bool = True

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> YearReport:
        """The report whose as_dict() went through JSON as `data`; raises TypeError, KeyError or
        ValueError for anything else."""
        report = cls(**{**data, "rows": tuple(SectorRow(**row) for row in data["rows"]),
                        "irregularities": tuple(IrregularityLine(**line)
                                                for line in data["irregularities"]),
                        "problems": tuple(data["problems"])})
        if json.loads(json.dumps(report.as_dict())) != data:
            raise ValueError("not a stored report")
        return report


def _rectified(finding: Record, day: dt.date) -> bool:
    """Whether the latest follow-up visit made by `day` found the problems rectified."""
    visits = [v for v in finding.follow_ups if v.visited_on is not None and v.visited_on <= day]
    return bool(visits) and max(visits, key=lambda v: v.visited_on).outcome == "rectified"


def yearly_report(records: Records, year: int, as_of: dt.date,
                  rules_as_of: Sequence[Problem] | None = None,
                  units: Units | None = None) -> YearReport:
    """Summarise `year` as it stands on `as_of` (or at its end, if that came first; a campaign
    of the year still counts its inspections after New Year). `rules_as_of`: what the rules
    found in `records` as of that day, if they already ran; else they run by `units` (which
    may keep them)."""
    day = min(as_of, dt.date(year, 12, 31))
    findings = [f for f in records.findings
                if f.inspected.start.year == year and f.inspected.start <= day]
    rows = []
    for sector, name in SECTORS.items():
        roster = [i for i in records.institutions
                  if i.sector == sector and i.status_on(day) == "active"]
        mine = [f for f in findings if (inst := records.institution_of(f.target)) is not None
                and inst.sector == sector]
        random = [f for f in mine if f.plan is not None]
        followed = [f for f in mine if f.follow_ups]
        closed = sum(1 for f in followed if _rectified(f, day))
        entries = [e for e in records.list_entries
                   if records.get(e.institution, ("institution",)) is not None
                   and records.get(e.institution, ("institution",)).sector == sector]
        inspected = len({records.institution_of(f.target).id for f in random})
        entry = next((s for s in records.policy.sectors if s.sector == sector), None)
        # a campaign of the year counts with its inspections after New Year (year.frequency)
        rounds = records.counted_rounds(year, sector, as_of)
        least = FLOORS[sector]
        rows.append(SectorRow(
            sector=sector, name=name, roster=len(roster), inspected=inspected,
            ratio_percent=inspected * 100 // len(roster) if roster else 0,
            random_inspections=len(random), targeted_inspections=len(mine) - len(random),
            onsite=(onsite := sum(1 for f in random if f.method == "onsite")),
            onsite_percent=onsite * 100 // len(random) if random else 0,
            outcomes=dict(sorted(Counter(f.outcome for f in random).items())),
            targeted_outcomes=dict(sorted(Counter(f.outcome for f in mine
                                                  if f.plan is None).items())),
            rectifications_open=len(followed) - closed, rectifications_closed=closed,
            listed=sum(1 for e in entries if e.entered_on.year == year and e.entered_on <= day),
            delisted=sum(1 for e in entries if e.exit is not None
                         and e.exit.date.year == year and e.exit.date <= day),
            rounds=len(rounds), smallest_round=min((r.size for r in rounds), default=0),
            floor_per_year=least.per_year, floor_min_targets=least.min_targets,
            floor=f"{least.describe()}（{least.clause}）",
            policy_per_year=entry.inspections_per_year if entry else None,
            policy_min_targets=entry.min_targets if entry else None,
            policy=_policy_text(entry),
            exemption=(entry.exemption if entry else None)
            or (IDLE if idle(records, sector, year, day) else None),
        ))
    problems = rules_as_of if rules_as_of is not None else run_rules(records, day, units)
    return YearReport(year, day.isoformat(), tuple(rows),
                      sum(1 for p in problems if p.severity == ERROR),
                      sum(1 for p in problems if p.severity == WARNING),
                      irregularities_of_year(records, year, day))


def irregularities_of_year(records: Records, year: int,
                           day: dt.date) -> tuple[IrregularityLine, ...]:
    """The irregularity notices published in `year` by `day`, oldest first."""
    out = []
    for notice in sorted(records.irregularities, key=lambda n: (n.published_on, n.id)):
        if notice.published_on.year != year or notice.published_on > day:
            continue
        fields = notice.fields
        plan = records.get(fields["plan"], ("plan",)) if fields.get("plan") else None
        out.append(IrregularityLine(
            id=notice.id, published_on=notice.published_on.isoformat(), kind=fields["kind"],
            kind_label=IRREGULARITY_KINDS[fields["kind"]], plan=fields.get("plan"),
            plan_title=plan.title if plan is not None else None, commit=fields.get("commit")))
    return tuple(out)


# Each header says what its column counts: a random inspection (随机检查) is one inspected target
# of a drawn plan, a targeted one (非随机检查) one inspection outside the draw (方案 二（九）末段);
# 户次 counts inspections, 家 institutions, 次 the sector's rounds of random inspection.
COLUMNS = (("name", "行业"), ("roster", "名录数（家）"), ("inspected", "随机抽查对象（家）"),
           ("ratio_percent", "抽查比例%"), ("random_inspections", "随机检查（户次）"),
           ("targeted_inspections", "非随机检查（户次）"), ("rounds", "实际抽查次数"),
           ("smallest_round", "每次最少家数"), ("floor", "方案下限"), ("policy", "本局政策"),
           ("exemption", "低于下限的理由"),
           ("onsite", "随机检查中实地检查（户次）"), ("onsite_percent", "随机检查实地占比%"),
           ("outcomes", "随机检查结果（户次）"), ("targeted_outcomes", "非随机检查结果（户次）"),
           ("rectifications_open", "整改未结（全部检查）"),
           ("rectifications_closed", "整改已结（全部检查）"), ("listed", "列入名录"),
           ("delisted", "移出名录"))


def _cells(row: SectorRow) -> list[str]:
    values = asdict(row)
    for key in ("outcomes", "targeted_outcomes"):
        values[key] = "；".join(f"{OUTCOMES[k]} {v}" for k, v in getattr(row, key).items()) or "—"
    values["exemption"] = row.exemption or "—"
    return [str(values[key]) for key, _ in COLUMNS]


def _one_line(cell: str) -> str:
    """A cell of free text (the exemption's reason) on one line."""
    return " ".join(cell.split())


def with_problems(report: YearReport, ruled: Sequence[Problem] | None,
                  stopping: Sequence[Problem]) -> YearReport:
    """`report` listing what the rules found (`ruled`), or, when they could not run (None), the
    errors that stopped them (`stopping`)."""
    shown = [p for p in (stopping if ruled is None else ruled) if p.severity in (ERROR, WARNING)]
    return replace(report, problems=tuple(as_text(p) for p in sorted(shown)),
                   rules_ran=ruled is not None)


def _compliance(report: YearReport, markdown: bool = False) -> str:
    """The rules' verdict, then each problem: a Markdown list, or indented lines."""
    if not report.rules_ran:
        head = (f"规则检查（截至 {report.as_of}）：未运行，记录有读取或完整性错误，改正后才能按方案"
                "规则核对；ssj check 报告的错误：")
    else:
        head = (f"规则检查（截至 {report.as_of}）：错误 {report.rule_errors}，"
                f"警告 {report.rule_warnings}")
    if markdown:
        return "\n".join([head, *([""] if report.problems else []),
                          *(f"- {line}" for line in report.problems)])
    return "\n".join([head, *(f"  {line}" for line in report.problems)])


def _irregularity_count(report: YearReport) -> str:
    return f"{IRREGULARITIES_TITLE}：{len(report.irregularities)} 份"


def _irregularity_cells(line: IrregularityLine) -> list[str]:
    values = asdict(line)
    return [_one_line(values[key] or "—") for key, _ in IRREGULARITY_COLUMNS]


def as_markdown(report: YearReport) -> str:
    lines = [f"## {report.year} 年“双随机一公开”抽查情况汇总", "",
             "| " + " | ".join(title for _, title in COLUMNS) + " |",
             "| " + " | ".join("---" for _ in COLUMNS) + " |"]
    lines += ["| " + " | ".join(_one_line(c).replace("|", "\\|") for c in _cells(row)) + " |"
              for row in report.rows]
    lines += ["", f"### {_irregularity_count(report)}", ""]
    if report.irregularities:
        lines += ["| " + " | ".join(title for _, title in IRREGULARITY_COLUMNS) + " |",
                  "| " + " | ".join("---" for _ in IRREGULARITY_COLUMNS) + " |"]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in _irregularity_cells(line))
                  + " |" for line in report.irregularities]
    else:
        lines.append("本年度没有抽取程序异常说明。")
    return "\n".join(lines + ["", _compliance(report, markdown=True), ""])


def as_csv(report: YearReport) -> str:
    """The sector table; then, after an empty line and only when the year has any, the
    irregularity notices as a second table of their own (年度 first, as in the first)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["年度"] + [title for _, title in COLUMNS])
    for row in report.rows:
        writer.writerow([report.year] + _cells(row))
    if report.irregularities:
        writer.writerow([])
        writer.writerow(["年度"] + [title for _, title in IRREGULARITY_COLUMNS])
        for line in report.irregularities:
            writer.writerow([report.year] + _irregularity_cells(line))
    return out.getvalue()


def as_json(report: YearReport) -> str:
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def as_table(report: YearReport) -> str:
    """A terminal table: one block per sector, so it stays readable in 80 columns."""
    lines = [f"{report.year} 年“双随机一公开”抽查情况汇总（截至 {report.as_of}）", ""]
    for row in report.rows:
        cells = _cells(row)
        lines.append(cells[0])
        lines += [f"  {title}：{_one_line(value)}"
                  for (_, title), value in zip(COLUMNS[1:], cells[1:])]
    lines += ["", _irregularity_count(report)]
    for line in report.irregularities:
        about = f"计划 {line.plan}" if line.plan else f"提交 {(line.commit or '')[:12]}"
        lines.append(f"  {line.published_on} {line.id}：{about}，{line.kind_label}")
    return "\n".join(lines + ["", _compliance(report), ""])
