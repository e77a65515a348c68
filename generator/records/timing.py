"""When a declared random source becomes known: drand round times and lottery draw times.

Both the draw (commit before reveal) and the rules (draw before inspection) need this, so it
lives with the records rather than in either of them.
"""
from __future__ import annotations

import datetime as dt

from generator.records.chains import CHAINS
from generator.records.model import Fields

BEIJING = dt.timezone(dt.timedelta(hours=8))


def round_time(chain: str, round_number: int) -> int:
    """Unix time at which `round_number` of `chain` is published."""
    return CHAINS[chain].genesis_time + (round_number - 1) * CHAINS[chain].period


def source_time(source: Fields) -> int:
    """Unix time at which a declared source (a plan's draw.sources item) becomes known."""
    if source.kind == "drand":
        return round_time(source.chain, source.round)
    hour, minute = (int(x) for x in source.time.split(":"))
    return int(dt.datetime.combine(source.date, dt.time(hour, minute), BEIJING).timestamp())


def plan_source_times(plan: Fields) -> tuple[int, ...] | None:
    """When each of a plan's declared sources becomes known; None while one lacks a field
    (the integrity check reports that, and no timing can be judged), or when it declares none
    (`sources: []`: a plan whose targets a higher bureau drew, 方案 二（三）)."""
    needs = {"drand": ("chain", "round"), "lottery": ("date", "time")}
    sources = plan.draw.sources
    if not sources or any(s.get(k) is None for s in sources for k in needs[s.kind]):
        return None
    return tuple(source_time(s) for s in sources)


def package_source_times(package: dict) -> tuple[int, ...] | None:
    """When each source a package declares becomes known, from the package alone (a higher
    bureau's draw: its plan is not in these records). A lottery's hour is not in the package:
    the start of its day in Beijing, the earliest it can be known. None if one is unreadable."""
    out = []
    for source in package.get("sources") or ():
        if source.get("kind") == "drand" and source.get("chain") in CHAINS:
            out.append(round_time(source["chain"], source["round"]))
        elif source.get("kind") == "lottery":
            day = dt.date.fromisoformat(source["date"])
            out.append(int(dt.datetime.combine(day, dt.time(), BEIJING).timestamp()))
        else:
            return None
    return tuple(out) or None
