"""The rule catalogue (规则目录): every rule `ssj check` holds the records to, as listed."""
from __future__ import annotations

from generator.rules.catalogue import LISTED
from generator.rules.checks import NO_CLAUSE
from generator.site import urls
from generator.site.family.shared import Part
from generator.site.output import Page


def part() -> Part:
    rules = [r.as_dict() for r in LISTED]
    context = {"rules": rules, "no_clause": NO_CLAUSE}
    return Part([Page(urls.RULES, ("rules.html",), "规则目录", context, rules)])
