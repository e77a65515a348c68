"""The metadata block of a notice (公开信息), as county government disclosure pages show one on
each notice: 索引号 (the bureau's code, the year and a serial), 发布机构, 发布日期 and, where the
notice has a document number of its own, 文号. A notice is a plan (抽查计划与抽取公告), a finding
(检查结果), a list entry (名录列入), a credit notice (信用平台公示) or an irregularity notice
(抽取程序异常说明)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from generator.records.model import Record, Records

# the fixed order of notices published on one day, after their date and before their id
KINDS = ("plan", "finding", "list_entry", "credit_notice", "irregularity")


def published_on(notice: Record) -> dt.date | None:
    """The day a notice was published: a list entry's is the day it was entered."""
    return notice.entered_on if notice.kind == "list_entry" else notice.published_on


def serial_numbers(records: Records) -> dict[tuple[str, str], str]:
    """Each notice's serial within its year, five digits from 00001, by (kind, id).

    The notices of a year, of every kind, are numbered in order of publication date, then kind
    (KINDS' order), then id. The same records give the same numbers on every build, and a
    notice published on a later day than every numbered one never renumbers them: it sorts
    after them. A notice without a publication date (a plan not yet dated) has no number."""
    dated = sorted((day, KINDS.index(r.kind), r.id, r.kind)
                   for kind in KINDS for r in records.all(kind)
                   if (day := published_on(r)) is not None)
    out: dict[tuple[str, str], str] = {}
    count: dict[int, int] = {}
    for day, _, record_id, kind in dated:
        count[day.year] = count.get(day.year, 0) + 1
        out[(kind, record_id)] = f"{count[day.year]:05d}"
    return out


def bureau_code(jurisdiction: Record) -> str:
    """The code an index number starts with: the bureau's 统一社会信用代码 if the records give
    it, else its 行政区划代码."""
    return jurisdiction.uscc or jurisdiction.division_code


def document_number(notice: Record) -> str | None:
    """The notice's own 文号: a list entry's decision number (a finding's handling decisions
    are its findings', not the notice's)."""
    if notice.kind == "list_entry":
        return notice.decision.number or None
    return None


def metadata(records: Records) -> dict[tuple[str, str], dict[str, Any]]:
    """Each numbered notice's block, by (kind, id), as the pages show it and the JSON carries it
    ("meta")."""
    code, publisher = bureau_code(records.jurisdiction), records.jurisdiction.name
    out = {}
    for (kind, record_id), serial in serial_numbers(records).items():
        notice = records.get(record_id, (kind,))
        day = published_on(notice)
        out[(kind, record_id)] = {"index_number": f"{code}/{day.year}-{serial}",
                                  "publisher": publisher, "published_on": day.isoformat(),
                                  "document_number": document_number(notice)}
    return out
