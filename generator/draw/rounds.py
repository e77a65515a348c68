"""Which drand round to declare for a draw at a given time, and how long before it the package
must be frozen: `ssj draw round --at …` and `ssj new plan` both ask this.

A round's time is `genesis + (round − 1) × period` (spec ssj-draw/1; `records.timing.round_time`);
the package must be time-stamped and published at least the policy's margin before it (never
less than the spec's floor, `policy.MIN_MARGIN_HOURS`).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from generator.draw.policy import MIN_MARGIN_HOURS, policy_now
from generator.records.chains import CHAINS
from generator.records.model import Fields
from generator.records.timing import BEIJING, round_time

DEFAULT_MARGIN_HOURS = 24  # spec: "at least the policy margin (default 24 hours)"
TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")


@dataclass(frozen=True)
class RoundChoice:
    chain: str
    round: int
    published: int  # Unix time the round is published
    margin_hours: int
    freeze_by: int  # the latest Unix time the package may be time-stamped and published

    def source(self) -> dict[str, object]:
        """The plan's draw.sources item declaring this round."""
        return {"kind": "drand", "chain": self.chain, "round": self.round}


def first_round_at(chain: str, when: float) -> int:
    """The first round of `chain` published at or after Unix time `when`."""
    c = CHAINS[chain]
    if when <= c.genesis_time:
        return 1
    return math.ceil((when - c.genesis_time) / c.period) + 1


def margin_hours(policy: Fields | None, now: float) -> int:
    """The margin a package frozen at `now` is judged by: the policy's, never below the floor
    (the spec's default when there is no policy)."""
    hours = DEFAULT_MARGIN_HOURS if policy is None else policy_now(policy, now).margin_hours
    return max(MIN_MARGIN_HOURS, DEFAULT_MARGIN_HOURS if hours is None else hours)


def round_for(chain: str, when: float, margin: int) -> RoundChoice:
    """The round to declare for a draw at `when`, with the freeze deadline it leaves."""
    number = first_round_at(chain, when)
    published = round_time(chain, number)
    return RoundChoice(chain, number, published, margin, published - margin * 3600)


def earliest_draw(chain: str, now: float, margin: int) -> RoundChoice:
    """The first round that a package frozen at `now` can still declare."""
    return round_for(chain, now + margin * 3600, margin)


def parse_beijing(text: str) -> dt.datetime:
    """'2026-03-13 10:00' (Beijing time) as an aware datetime; ValueError in Chinese if not."""
    text = " ".join(text.strip().split())
    for form in TIME_FORMATS:
        try:
            return dt.datetime.strptime(text, form).replace(tzinfo=BEIJING)
        except ValueError:
            continue
    raise ValueError(f"{text!r} 不是北京时间的日期和时刻，应写成 2026-03-13 10:00")


def beijing(moment: float) -> str:
    """A Unix time as Beijing time, to the second."""
    return dt.datetime.fromtimestamp(moment, BEIJING).strftime("%Y-%m-%d %H:%M:%S")
