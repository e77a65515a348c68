"""The allowlist: the only way a record reaches the public site or its downloads.

A record is projected onto the fields its kind declares `public=True`, recursively; anything not
so declared (phone numbers, declared conflicts, risk flags, internal notes) is dropped
here, before any template or data file can see it.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from generator.records.kinds import KINDS_BY_NAME
from generator.records.model import Record
from generator.records.types import FieldType, ListOf, Obj


def _project(value: Any, ftype: FieldType) -> Any:
    if value is None:
        return None
    if isinstance(ftype, Obj):
        return {f.name: _project(value.get(f.name), f.type)
                for f in ftype.fields if f.public}
    if isinstance(ftype, ListOf):
        return [_project(item, ftype.item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def public(record: Record) -> dict[str, Any]:
    """The record's public fields as plain JSON-ready data (dates as YYYY-MM-DD)."""
    return _project(record.fields, KINDS_BY_NAME[record.kind].schema)
