"""Open data: every public table as CSV (UTF-8 with BOM, so spreadsheet software opens it as
UTF-8) and JSON, with a data dictionary taken from the record declarations."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from generator.records.kinds import KINDS_BY_NAME
from generator.records.types import ListOf, Obj
from generator.site.output import File


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    help: str


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    kind: str
    columns: tuple[Column, ...]
    rows: tuple[dict[str, Any], ...]


def _columns(obj: Obj, prefix: str = "") -> tuple[Column, ...]:
    """Public scalar columns (nested objects flattened with dots; lists of objects, such as
    status histories, stay whole in the JSON files only)."""
    cols: list[Column] = []
    for field in obj.fields:
        if not field.public:
            continue
        path = prefix + field.name
        if isinstance(field.type, Obj):
            cols.extend(_columns(field.type, path + "."))
        elif not (isinstance(field.type, ListOf) and isinstance(field.type.item, Obj)):
            cols.append(Column(path, field.type.describe(), field.help))
    return tuple(cols)


def _cell(row: dict[str, Any], path: str) -> str:
    value: Any = row
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value is None:
        return ""
    if isinstance(value, list):
        return "；".join(str(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    text = str(value)
    # a leading =, +, -, @ would make spreadsheet software evaluate the cell as a formula
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _strip(view: dict[str, Any], kind: str) -> dict[str, Any]:
    """Only the declared public fields of a view (its computed names and links stay out)."""
    names = [f.name for f in KINDS_BY_NAME[kind].fields if f.public]
    return {name: view.get(name) for name in names}


def tables(records, institutions, personnel, items, findings, entries, notices,  # type: ignore[no-untyped-def]
           inspectors, plans, amendments, irregularities=()) -> list[Table]:
    """Every public table; `irregularities`: the irregularity notices (issue 20), public fields
    only like every other table."""
    spec = [("institutions", "检查对象名录（机构）", "institution", institutions),
            ("personnel", "检查对象名录（人员）", "person", personnel),
            ("items", "抽查事项清单", "item", items),
            ("plans", "抽查计划", "plan", plans),
            ("findings", "抽查结果", "finding", findings),
            ("list-entries", "执业异常名录与信用黑名单", "list_entry", entries),
            ("credit-notices", "信用平台公示", "credit_notice", notices),
            ("amendments", "更正", "amendment", amendments),
            ("irregularities", "抽取程序异常说明", "irregularity", irregularities)]
    if inspectors is not None:
        spec.insert(2, ("inspectors", "执法检查人员名录", "inspector", inspectors))
    return [Table(name, title, kind, _columns(KINDS_BY_NAME[kind].schema),
                  tuple(_strip(v, kind) for v in sorted(views, key=lambda v: v["id"])))
            for name, title, kind, views in spec]


def files(all_tables: list[Table]) -> list[File]:
    out = []
    for table in all_tables:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([c.name for c in table.columns])
        for row in table.rows:
            writer.writerow([_cell(row, c.name) for c in table.columns])
        out.append(File(f"data/{table.name}.csv", "\ufeff".encode() + buffer.getvalue().encode()))
        out.append(File(f"data/{table.name}.json", (json.dumps(
            list(table.rows), ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()))
    return out
