"""`ssj check` as a library call: load the records, run every check, return sorted problems."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from generator.records.load import load_records
from generator.records.model import Records
from generator.records.problems import ERROR, WARNING, Problem
from generator.checks.audit import audit, frozen_plans_at
from generator.checks.memo import CheckMemo, open_memo
from generator.draw.verify import faulty_draws, in_draw, verify_draws
from generator.rules.adoption import check_adoption
from generator.rules.catalogue import run_rules
from generator.rules.integrity import check_integrity


@dataclass(frozen=True)
class CheckResult:
    records: Records
    problems: tuple[Problem, ...]
    # the regulation's rules' own findings, as they ran (None: they did not run, the records
    # having errors), as of `as_of`: the site's yearly report reuses them for the current year
    rule_problems: tuple[Problem, ...] | None = None
    as_of: dt.date | None = None

    def count(self, severity: str) -> int:
        return sum(1 for p in self.problems if p.severity == severity)

    @property
    def errors(self) -> int:
        return self.count(ERROR)

    @property
    def warnings(self) -> int:
        return self.count(WARNING)


def check_records(root: Path, as_of: dt.date | None = None, base: str | None = None,
                  site: Path | None = None) -> CheckResult:
    """Load `root` (a records/ folder) and check it: integrity, stored draws, then the
    regulation's rules as of `as_of` (default today). Never raises for bad input.

    With `site` (the site/ folder; nothing is checked of it if it is not a folder), what a real
    bureau must fill in before its site is published (rules/adoption.py): its 实施方案 page, and
    the 文号 and footer fields of jurisdiction.yaml that the site shows.

    The rules run only on records without load or integrity errors: they read references and
    dates those checks vouch for, and would otherwise repeat the same mistake in other words. A
    fault confined to one draw's files does not stop them; they say only what holds whether or
    not that draw is read. A drawn folder whose verification's inputs are all unchanged since a
    previous check is taken from the user's cache (generator.draw.verifycache), with the same
    problems; so is each integrity check and rule, or its part for one record, whose reads of
    the records all give what they gave before (checks/memo.py).

    With `base` (a git revision), the append-only audit runs too; an unreadable base raises
    audit.BaseUnavailable.
    """
    records, problems = load_records(root)
    new_packages: frozenset[str] = frozenset()
    if base is not None:
        problems.extend(audit(root, records, base))
        new_packages = frozenset(records.draws) - frozen_plans_at(root, base)
    if site is not None and site.is_dir():
        problems.extend(check_adoption(records, site))
    return check_loaded(records, problems, as_of, new_packages)


def check_loaded(records: Records, problems: list[Problem], as_of: dt.date | None = None,
                 new_packages: frozenset[str] = frozenset(),
                 purpose: str = "checks") -> CheckResult:
    """The checks of `check_records` over records already loaded (with their load problems).

    `new_packages`: plans frozen since the base revision; their packages must be exactly what
    these records give. `purpose`: the file of the cache kept (checks/memo.py), one per day
    the checks are run as of: `ssj build` checks as of the site's day (Beijing time), which
    is not always the day `ssj check` takes, and neither may drop what the other keeps."""
    problems = list(problems)
    as_of = as_of or dt.date.today()
    ruled = None
    memo = open_memo(records, purpose)
    if records.jurisdiction is not None:
        integrity = check_integrity(records, memo)
        problems.extend(integrity)
        problems.extend(verify_draws(records, new_packages=new_packages, integrity=integrity,
                                     cached=True))
        # the rules read references and dates the load and integrity checks vouch for; a draw's
        # or the audit's errors say nothing about those, and must not hide the rules' findings:
        # neither may a file of one draw that cannot be read (load.* under records/draws/<plan>/)
        if not any(p.severity == ERROR and p.rule.startswith(("load.", "integrity."))
                   and not any(in_draw(folder, p) for folder in records.draws.values())
                   for p in problems):
            ruled = tuple(_rules(records, as_of, faulty_draws(records, problems), memo))
            problems.extend(ruled)
    if memo is not None:
        memo.save()
    return CheckResult(records, tuple(sorted(set(problems))), ruled, as_of)


def _rules(records: Records, as_of: dt.date, faulty: frozenset[str],
           memo: CheckMemo | None) -> list[Problem]:
    """The rules' problems, none of which rests on a faulty draw: read as stored, such a draw
    could pass or fail a rule on a tampered result; left out, it would read as never drawn. Only
    what the rules say either way is reported (the draw's own errors say the rest). Nor is
    anything said of the faulty plan itself or its findings: a draw whose result cannot be read
    is neither missing nor known, and a plan-level rule could only guess which."""
    if not faulty:
        return run_rules(records, as_of, memo)
    kept = [r for kind in records.by_kind.values() for r in kind]
    without = Records.build(records.root, records.jurisdiction, kept, set(records.broken_ids),
                            [d for d in records.draws.values() if d.plan not in faulty])
    either_way = set(run_rules(records, as_of))
    silent = {r.file for plan in faulty if (r := records.get(plan, ("plan",))) is not None} | {
        f.file for plan in faulty for f in records.findings_for_plan(plan)}
    return [p for p in run_rules(without, as_of) if p in either_way and p.file not in silent]
