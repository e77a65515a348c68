"""The draw policy that judges one draw: the margin, the revision cap and the time-stamp quorum
in force when its package was frozen (spec ssj-draw/1, rules around the algorithm).

jurisdiction.yaml gives the first values in `policy` and every later change in
`policy.draw_changes`, each from a date; a change applies to packages frozen on or after its
date, so a later change never re-judges an earlier draw (the append-only audit refuses a change
dated before the day it is made). The spec's floor and ceiling are the only numbers here.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from generator.records.model import Fields
from generator.records.timing import BEIJING

MIN_MARGIN_HOURS = 1  # spec: clock skew plus the minutes a deploy takes to publish
MAX_REVISIONS_CEILING = 3  # spec: a plan may be revised at most 3 times
DEFAULT_MAX_REVISIONS = 1  # when the policy does not say
# the fields a dated change may set, as they are named in policy and in policy.draw_changes
DRAW_FIELDS = ("draw_margin_hours", "max_revisions", "timestamp_quorum")


@dataclass(frozen=True)
class DrawPolicy:
    margin_hours: int
    max_revisions: int
    quorum: int | None  # how many pinned authorities must give an on-time token; None: all
    since: dt.date | None = None  # the date of the change it comes from (None: the first values)

    def required(self, pinned: int) -> int:
        """On-time tokens needed when `pinned` authorities are in force."""
        return pinned if self.quorum is None else min(self.quorum, pinned)

    def rule(self, pinned: int) -> str:
        """The time-stamp rule in words, as every verifier states it."""
        lead = f"至少早于首个随机源 {self.margin_hours} 小时"
        if self.quorum is None or self.quorum >= pinned:
            return f"固定的 {pinned} 家时间戳机构都须给出按时的时间戳（{lead}）"
        return f"固定的 {pinned} 家时间戳机构中至少 {self.quorum} 家给出按时的时间戳（{lead}）"


def policy_on(policy: Fields, day: dt.date) -> DrawPolicy:
    """The draw policy in force on `day`: the first values, then each change dated on or before
    it, in the order written."""
    values = {name: policy.get(name) for name in DRAW_FIELDS}
    since = None
    for change in policy.get("draw_changes") or ():
        if change.get("from") is not None and change["from"] <= day:
            values.update({k: change[k] for k in DRAW_FIELDS if change.get(k) is not None})
            since = change["from"]
    cap = values["max_revisions"]
    return DrawPolicy(values["draw_margin_hours"],
                      DEFAULT_MAX_REVISIONS if cap is None else cap,
                      values["timestamp_quorum"], since)


def policy_now(policy: Fields, now: float) -> DrawPolicy:
    """The policy a package frozen at `now` (Unix time) would be judged by."""
    return policy_on(policy, dt.datetime.fromtimestamp(now, BEIJING).date())
