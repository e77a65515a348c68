"""What every family reads, built once per build: each published record as the public sees it
(with its audit trail), and each relation grouped once, so that a page reads its group and
never scans; and a family's share of the site (`Part`)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Callable

from generator.records.kinds import SECTORS
from generator.records.model import Records
from generator.site import notice_meta
from generator.site.feeds import Feed
from generator.site.output import File, Page
from generator.site.public import public
from generator.site.views import (
    credit_notice_view,
    finding_view,
    inspector_view,
    institution_view,
    item_view,
    list_entry_view,
    person_view,
)

View = dict[str, Any]


@dataclass
class Part:
    """One family's share of the site."""

    pages: list[Page] = field(default_factory=list)
    files: list[File] = field(default_factory=list)
    feeds: list[Feed] = field(default_factory=list)  # each institution's and each list's


@dataclass(frozen=True)
class Views:
    """The published records as of `day`, as views, each list in its pages' order."""

    records: Records  # published by `day`
    day: dt.date
    history: dict[str, list[dict[str, str]]]  # record files -> their git changes
    institutions: list[View]
    personnel: list[View]
    findings: list[View]  # newest inspection first
    entries: list[View]  # list entries (名录)
    notices: list[View]  # credit notices (信用平台公示)
    items: list[View]
    inspectors: list[View] | None  # None: the roster is not published
    by_sector: list[View]  # each sector with its institutions and items
    by_target: dict[str, list[View]]  # findings by the institution or person inspected
    by_institution: dict[str, list[View]]  # findings by institution, its people's included
    by_plan: dict[str, list[View]]  # findings by plan
    entries_of: dict[str, list[View]]
    notices_of: dict[str, list[View]]
    staff_of: dict[str, list[View]]  # person views by institution
    meta: dict[tuple[str, str], View]  # each notice's metadata block, by (kind, id)

    def notice(self, record_id: str, kind: str) -> View:
        return notice_trail(self.records, self.history, self.meta, record_id, kind)


def audit_trail(records: Records, history: dict[str, list[dict[str, str]]], record_id: str,
                kind: str) -> View:
    record = records.get(record_id, (kind,))
    rel = PurePosixPath(record.file).relative_to(records.root).as_posix() if record else ""
    return {"amendments": [public(a) for a in sorted(records.amendments_of(record_id),
                                                      key=lambda a: (a.date, a.id))],
            "changes": history.get(rel, [])}


def notice_trail(records: Records, history: dict[str, list[dict[str, str]]],
                 meta: dict[tuple[str, str], View], record_id: str, kind: str) -> View:
    """A notice's audit trail and its metadata block (公开信息)."""
    return {**audit_trail(records, history, record_id, kind),
            "meta": meta.get((kind, record_id))}


def grouped(items: list[View], key: Callable[[View], str]) -> dict[str, list[View]]:
    """`items` by `key(item)`, each group in the items' order."""
    groups: dict[str, list[View]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def shared_views(records: Records, day: dt.date,
                 history: dict[str, list[dict[str, str]]]) -> Views:
    """The views of `records` (already published by `day`)."""
    meta = notice_meta.metadata(records)

    def trail(record_id: str, kind: str) -> View:
        return audit_trail(records, history, record_id, kind)

    def notice(record_id: str, kind: str) -> View:
        return notice_trail(records, history, meta, record_id, kind)

    institutions = [{**institution_view(records, i, day), **trail(i.id, "institution")}
                    for i in records.institutions]
    personnel = [{**person_view(records, p, day), **trail(p.id, "person")}
                 for p in records.personnel]
    # a finding not yet published is not in `records`: links to it come out empty
    findings = sorted(({**finding_view(records, f), **notice(f.id, "finding")}
                       for f in records.findings),
                      key=lambda f: (f["inspected"]["start"], f["id"]), reverse=True)
    entries = [{**list_entry_view(records, e), **notice(e.id, "list_entry")}
               for e in records.list_entries]
    notices = [{**credit_notice_view(records, n), **notice(n.id, "credit_notice")}
               for n in records.credit_notices]
    items = [item_view(records, i) for i in records.items]
    inspectors = ([inspector_view(records, i, day) for i in records.inspectors]
                  if records.policy.publish_inspector_roster else None)
    employer = {p.id: p.institution for p in records.personnel}
    return Views(
        records, day, history, institutions, personnel, findings, entries, notices, items,
        inspectors,
        by_sector=[{"id": s, "name": n,
                    "institutions": [i for i in institutions if i["sector"] == s],
                    "items": [i for i in items if i["sector"] == s]} for s, n in SECTORS.items()],
        by_target=grouped(findings, lambda f: f["target_ref"]["id"]),
        by_institution=grouped(findings, lambda f: employer.get(f["target_ref"]["id"],
                                                                f["target_ref"]["id"])),
        by_plan=grouped(findings, lambda f: f["plan"]),
        entries_of=grouped(entries, lambda e: e["institution"]),
        notices_of=grouped(notices, lambda n: n["institution"]),
        staff_of=grouped(personnel, lambda p: p["institution"]), meta=meta)
