"""The rule catalogue: every regulation rule, in clause order, which `ssj check` runs after the
integrity checks; and LISTED, every id `ssj check` can emit (the other checks first), which
`ssj rules`, docs/rules.md and the site's rules page show."""
from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Iterator

from generator.records.model import Record, Records
from generator.records.problems import Problem
from generator.rules import inspection, planning, publication
from generator.rules.base import Context, Direct, Rule, Units
from generator.rules.checks import CHECKS, Check

_NUMERALS = "一二三四五六七八九十"


def _clause_order(r: Rule) -> tuple[int, int]:
    section, _, rest = r.clause.partition("（")
    return _NUMERALS.index(section) + 1, _NUMERALS.index(rest[0]) + 1


# in the regulation's order, so the printed catalogue reads like the 方案 itself
CATALOGUE: tuple[Rule, ...] = tuple(sorted(planning.RULES + inspection.RULES + publication.RULES,
                                           key=_clause_order))
LISTED: tuple[Check | Rule, ...] = CHECKS + CATALOGUE


def run_rules(records: Records, as_of: dt.date, units: Units | None = None) -> list[Problem]:
    """Every rule over `records`, evaluated as of `as_of` (by `units`, which may keep them),
    in the catalogue's order: a rule declared per record over its kind's records in turn."""
    units = units or Direct(records)
    day = as_of.isoformat()
    per_kind: dict[str, list[Rule]] = {}
    for r in CATALOGUE:
        if r.each is not None:
            per_kind.setdefault(r.each, []).append(r)
    found: dict[str, list[Problem]] = {}
    for kind, rules in per_kind.items():
        works = [partial(_one, r, as_of) for r in rules]
        found |= zip((r.id for r in rules),
                     units.each(f"rules {day} {kind}", records.all(kind), works))
    return [p for r in CATALOGUE for p in (
        found[r.id] if r.each is not None
        else units.whole(f"rule {day} {r.id}", partial(_whole, r, as_of)))]


def _whole(rule: Rule, as_of: dt.date, records: Records) -> Iterator[Problem]:
    return rule.run(Context(records, as_of))


def _one(rule: Rule, as_of: dt.date, records: Records, record: Record) -> Iterator[Problem]:
    return rule.run_one(Context(records, as_of), record)
