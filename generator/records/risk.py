"""Risk weights (方案 二（八）): institutions with complaints, on the abnormal list or blacklist, or
with a serious violation record are drawn with more tickets."""
from __future__ import annotations

import datetime as dt

from generator.records.model import Record, Records


def risk_weight(records: Records, institution: Record, day: dt.date) -> int:
    """The target's tickets on `day`: the highest policy weight among its risks, else 1."""
    weights = records.policy.risk_weights
    found = [weights[flag.kind] for flag in institution.risk_flags
             if flag.since <= day and (flag.until is None or day <= flag.until)]
    for entry in records.list_entries_of(institution.id):
        if entry.entered_on <= day and (entry.exit is None or day < entry.exit.date):
            found.append(weights["abnormal_list" if entry.list == "abnormal" else "blacklist"])
    return max(found, default=1)
