"""What a regulation rule is: a stable id, the clause it enforces, a statement, a severity, a
fix hint, and a small function over the records as of a date that flags each breach.

Policy numbers come from the jurisdiction's policy record, never from a rule.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Protocol, Sequence

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
    # over the records; or, with `each` (a kind), over one record of that kind: what it says of
    # one record depends on that record and what it looks up, so a check that changed one
    # record runs it for that record only (checks/memo.py)
    check: Callable[..., Iterable[Flag]]
    category: str = "方案规则"
    each: str | None = None

    def run(self, ctx: Context) -> Iterator[Problem]:
        if self.each is None:
            yield from self._problems(self.check(ctx))
        else:
            for record in ctx.records.all(self.each):
                yield from self.run_one(ctx, record)

    def run_one(self, ctx: Context, record: Record) -> Iterator[Problem]:
        """What a rule declared per record (`each`) says of `record`."""
        return self._problems(self.check(ctx, record))

    def _problems(self, flags: Iterable[Flag]) -> Iterator[Problem]:
        for flag in flags:
            yield Problem(flag.record.file, flag.record.line_of(flag.field), self.id,
                          f"方案 {self.clause}：{flag.message}", self.hint,
                          flag.severity or self.severity, flag.field)

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "category": self.category, "clause": self.clause,
                "statement": self.statement, "severity": self.severity, "hint": self.hint}


def rule(id: str, clause: str, statement: str, hint: str, severity: str = ERROR,
         each: str | None = None) -> Callable[[Callable[..., Iterable[Flag]]], Rule]:
    """Declare a rule; the decorated function yields a Flag per breach, over the records, or
    with `each` (a kind) over one record of that kind, given as its second argument."""
    def declare(check: Callable[..., Iterable[Flag]]) -> Rule:
        return Rule(id, clause, statement, severity, hint, check, each=each)
    return declare


Whole = Callable[[Any], Iterable[Problem]]  # over the records
Each = Callable[[Any, Record], Iterable[Problem]]  # over the records, of one record


class Units(Protocol):
    """How checks are run: each whole, or per record; `name` says which, for a cache."""

    def whole(self, name: str, work: Whole) -> list[Problem]: ...

    def each(self, name: str, subjects: Iterable[Record],
             works: Sequence[Each]) -> list[list[Problem]]:
        """Per work, its problems over every subject in turn."""
        ...


class Direct:
    """Units run on the records, every time (checks/memo.py keeps them instead)."""

    def __init__(self, records: Records) -> None:
        self.records = records

    def whole(self, name: str, work: Whole) -> list[Problem]:
        return list(work(self.records))

    def each(self, name: str, subjects: Iterable[Record],
             works: Sequence[Each]) -> list[list[Problem]]:
        subjects = tuple(subjects)
        return [[p for s in subjects for p in work(self.records, s)] for work in works]
