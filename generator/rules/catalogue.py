"""The rule catalogue: every regulation rule, in clause order, which `ssj check` runs after the
integrity checks; and LISTED, every id `ssj check` can emit (the other checks first), which
`ssj rules`, docs/rules.md and the site's rules page show."""
from __future__ import annotations

import datetime as dt

from generator.records.model import Records
from generator.records.problems import Problem
from generator.rules import inspection, planning, publication
from generator.rules.base import Context, Rule
from generator.rules.checks import CHECKS, Check

_NUMERALS = "一二三四五六七八九十"


def _clause_order(r: Rule) -> tuple[int, int]:
    section, _, rest = r.clause.partition("（")
    return _NUMERALS.index(section) + 1, _NUMERALS.index(rest[0]) + 1


# in the regulation's order, so the printed catalogue reads like the 方案 itself
CATALOGUE: tuple[Rule, ...] = tuple(sorted(planning.RULES + inspection.RULES + publication.RULES,
                                           key=_clause_order))
LISTED: tuple[Check | Rule, ...] = CHECKS + CATALOGUE


def run_rules(records: Records, as_of: dt.date) -> list[Problem]:
    """Every rule over `records`, evaluated as of `as_of`."""
    ctx = Context(records, as_of)
    return [p for r in CATALOGUE for p in r.run(ctx)]
