"""The records a mistyped reference most likely meant, for “是否指 …？” hints: up to three ids
of the right kinds, by the id (a character or two off) or by the name or title (a name typed
where the id belongs)."""
from __future__ import annotations

import difflib

from generator.records.kinds import KINDS_BY_NAME
from generator.records.model import Record, Records

LIMIT = 3
# a tree with thousands of broken references is a tree being converted: suggestions for the
# first few hundred say enough, and each costs a pass over every id of the kind
BUDGET = 200


def _names(record: Record) -> list[str]:
    return [n for n in (record.fields.get("name"), record.fields.get("short_name"),
                        record.fields.get("title")) if isinstance(n, str)]


def _shown(record: Record | None, record_id: str) -> str:
    if record is None:
        return record_id
    names = _names(record)
    return f"{record_id}（{names[0] if names else KINDS_BY_NAME[record.kind].title}）"


class Nearest:
    """Suggestions over one tree of records; built once per check, the indexes on demand."""

    def __init__(self, records: Records) -> None:
        self._records = records
        self._by_kinds: dict[tuple[str, ...], tuple[list[str], dict[str, list[str]]]] = {}
        self._asked = 0

    def records(self, value: str, kinds: tuple[str, ...]) -> str:
        """“id（名称）、…” for the records of `kinds` that `value` most likely meant, or ""."""
        if kinds == ("department",):
            return self.departments(value)
        self._asked += 1
        if self._asked > BUDGET:
            return ""
        if kinds not in self._by_kinds:
            ids: list[str] = []
            named: dict[str, list[str]] = {}
            for kind in kinds:
                for r in self._records.all(kind):
                    ids.append(r.id)
                    for name in _names(r):
                        named.setdefault(name, []).append(r.id)
            self._by_kinds[kinds] = ids, named
        ids, named = self._by_kinds[kinds]
        found = list(named.get(value, ()))  # the name itself, written where the id belongs
        found += difflib.get_close_matches(value, ids, n=LIMIT)
        for name in difflib.get_close_matches(value, list(named), n=LIMIT, cutoff=0.7):
            found += named[name]
        return "、".join(_shown(self._records.get(i, kinds), i)
                        for i in list(dict.fromkeys(found))[:LIMIT])

    def departments(self, value: str) -> str:
        """The same for a department of the jurisdiction, by its id or its name."""
        departments = self._records.departments
        by_name = {d.name: d.id for d in departments.values() if d.get("name")}
        found = [by_name[value]] if value in by_name else []
        found += difflib.get_close_matches(value, list(departments), n=LIMIT)
        found += [by_name[n] for n in difflib.get_close_matches(value, list(by_name), n=LIMIT,
                                                                cutoff=0.7)]
        return "、".join(f"{i}（{departments[i].get('name') or i}）"
                        for i in list(dict.fromkeys(found))[:LIMIT])
