"""Every id `ssj check` can emit is listed (issue 12): the regulation's rules and the other
checks (reading, integrity, draws, audit), each with its category and, where one applies, the
clause of the 方案 it enforces; and nothing is listed that the code no longer emits."""
from __future__ import annotations

import re
from pathlib import Path

from generator.rules.catalogue import CATALOGUE, LISTED
from generator.rules.checks import CHECKS

GENERATOR = Path(__file__).resolve().parent.parent / "generator"
# a check id as the code writes it: a string literal of the form "<category>.<name>"
EMITTED = re.compile(r"""["'](load|integrity|draw|audit|site)\.([a-z0-9-]+)["']""")
CLAUSE = re.compile(r"[一二三四]（[一二三四五六七八九十]）")  # full-width, as the 方案 writes it


def emitted_check_ids() -> set[str]:
    ids = set()
    for path in GENERATOR.rglob("*.py"):
        if path.name == "checks.py":
            continue  # the list itself
        ids |= {f"{a}.{b}" for a, b in EMITTED.findall(path.read_text(encoding="utf-8"))}
    return ids


def test_every_check_the_code_emits_is_listed_and_none_other() -> None:
    listed = {c.id for c in CHECKS}
    assert emitted_check_ids() - listed == set(), "list these in generator/rules/checks.py"
    assert listed - emitted_check_ids() == set(), "no longer emitted: drop from checks.py"


def test_ids_are_unique_and_each_has_a_category_and_a_cited_clause_where_any() -> None:
    ids = [r.id for r in LISTED]
    assert len(ids) == len(set(ids))
    for r in LISTED:
        assert r.category and r.statement, r.id
        assert r.clause == "" or CLAUSE.fullmatch(r.clause), (r.id, r.clause)
    assert all(CLAUSE.fullmatch(r.clause) for r in CATALOGUE)
