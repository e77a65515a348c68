"""What a regulation rule is: a stable id, the clause it enforces, a statement, a severity, a
fix hint, and a small function over the records as of a date that flags each breach.

Policy numbers come from the jurisdiction's policy record, never from a rule.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from generator.records.model import Record, Records
from generator.records.problems import ERROR, Problem


@dataclass(frozen=True)
class Context:
    """What a rule may read: the records, and the day it is evaluated on."""

    records: Records
    as_of: dt.date

    @property
    def policy(self):  # type: ignore[no-untyped-def]
        return self.records.policy

    def institution_of(self, target_id: str) -> Record | None:
        return self.records.institution_of(target_id)

    def sector_policy(self, sector: str):  # type: ignore[no-untyped-def]
        return next((s for s in self.policy.sectors if s.sector == sector), None)

    def year_over(self, year: int) -> bool:
        return dt.date(year, 12, 31) < self.as_of


@dataclass(frozen=True)
class Flag:
    """One breach found by a rule: where, what, and (optionally) a severity other than the rule's."""

    record: Record
    field: str
    message: str
    severity: str | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    clause: str
    statement: str
    severity: str
    hint: str
    check: Callable[[Context], Iterable[Flag]]
    category: str = "方案规则"

    def run(self, ctx: Context) -> Iterator[Problem]:
        for flag in self.check(ctx):
            yield Problem(flag.record.file, flag.record.line_of(flag.field), self.id,
                          f"方案 {self.clause}：{flag.message}", self.hint,
                          flag.severity or self.severity, flag.field)

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "category": self.category, "clause": self.clause,
                "statement": self.statement, "severity": self.severity, "hint": self.hint}


def rule(id: str, clause: str, statement: str, hint: str,
         severity: str = ERROR) -> Callable[[Callable[[Context], Iterable[Flag]]], Rule]:
    """Declare a rule; the decorated function yields a Flag per breach."""
    def declare(check: Callable[[Context], Iterable[Flag]]) -> Rule:
        return Rule(id, clause, statement, severity, hint, check)
    return declare
