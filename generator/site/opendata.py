"""Open data: every public table as JSON, for programs (the declared public fields, codes and ids
as the records hold them), and as CSV, for people, with a data dictionary (data.html) of every CSV
column, both taken from the record declarations.

A CSV file is what a citizen opens in a spreadsheet, so each column is headed in Chinese, each
code (law-firm, onsite) has beside it its Chinese label (律师事务所, 实地检查), taken from the
Enum that declares it (the labels the pages show), and each reference to another record has beside
its id that record's name. The code and id columns stay, so a row can still be matched with the
JSON, the pages and other tables.

CSV files are UTF-8 with a byte-order mark and end lines with CRLF (RFC 4180, the csv module's
default). Excel on Windows reads a CSV file without the mark in the system's code page (GBK on a
Chinese system), so Chinese comes out garbled; with the mark it reads UTF-8. LibreOffice, WPS and
Python's utf-8-sig read the mark as well. GBK would suit old Excel only, and cannot hold every
name (rare characters in names, Mongolian and other scripts of a minority county)."""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from generator.records.kinds import KINDS_BY_NAME
from generator.records.model import Records
from generator.records.types import Bool, Enum, FieldType, ListOf, Obj, Ref
from generator.site import urls
from generator.site.output import File
from generator.site.render import zh_date
from generator.site.views import LISTS

SEPARATOR = "；"  # between the items of a list in one cell

# A column's header is its field's help up to the first bracket or comma (编号，与文件名相同 ->
# 编号); these are the fields whose help is too short or too long for a header of its own
HEADERS = {
    "schedule.start": "实施开始日期", "schedule.end": "实施结束日期",
    "inspected.start": "检查开始日期", "inspected.end": "检查结束日期",
    "targeted.ground": "非随机检查依据情形", "targeted.note": "非随机检查说明",
    "certificate.valid_from": "执法证有效期起", "certificate.valid_until": "执法证有效期至",
    "draw.delegated.url": "上级机关抽取公告网址", "draw.delegated.commitment": "上级机关抽取承诺值",
    "organiser.department": "组织实施股室", "organiser.delegated_by": "委托检查的上级机关",
    "role": "人员类别", "items": "抽查事项", "commit": "时间有误的提交",
}
# what a reference names, by the kind it points to
KIND_NAMES = {"department": "股室", **{name: kind.title for name, kind in KINDS_BY_NAME.items()}}


@dataclass(frozen=True)
class Column:
    """One CSV column, as the data dictionary describes it."""

    name: str  # the header, in Chinese
    field: str  # the JSON field it shows (dots into objects)
    type: str
    help: str
    role: str = "value"  # value, code, label (of the code column before it), id, name (of the id)
    codes: tuple[tuple[str, str], ...] = ()  # a code column's vocabulary: code, label
    # a label or name column: the code or id -> what is shown
    show: Callable[[str], str] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    kind: str
    columns: tuple[Column, ...]
    rows: tuple[dict[str, Any], ...]


def _header(path: str, help: str) -> str:
    return HEADERS.get(path) or re.split(r"[（，：]", help, maxsplit=1)[0]


def _listed(text: str, ftype: FieldType) -> str:
    return f"{text}，多项以“{SEPARATOR}”分隔" if isinstance(ftype, ListOf) else text


def _columns(obj: Obj, names: Callable[[tuple[str, ...], str], str], prefix: str = ""
             ) -> tuple[Column, ...]:
    """The CSV columns of the public scalar fields (nested objects flattened with dots; lists of
    objects, such as status histories, stay whole in the JSON files only): a code is followed by
    its label, an id of another record by that record's name (`names(kinds, id)`)."""
    cols: list[Column] = []
    for f in obj.fields:
        if not f.public:
            continue
        path = prefix + f.name
        inner = f.type.item if isinstance(f.type, ListOf) else f.type
        if isinstance(f.type, Obj):
            cols.extend(_columns(f.type, names, path + "."))
        elif isinstance(inner, Obj):
            continue
        elif isinstance(inner, Enum):
            base, labels = _header(path, f.help), dict(inner.choices)
            cols += [Column(f"{base}代码", path, _listed("代码", f.type),
                            f"{f.help}：代码，与 JSON 相同；各代码的含义：", "code",
                            tuple(labels.items())),
                     Column(base, path, _listed("文本", f.type),
                            f"“{base}代码”对应的中文名称", "label", show=labels.get)]
        elif isinstance(inner, Ref):
            base = _header(path, f.help)
            what = "或".join(KIND_NAMES.get(k, k) for k in inner.kinds)
            cols += [Column(f"{base}编号", path, _listed("编号", f.type),
                            f"{f.help}：所指{what}的编号", "id"),
                     Column(base, path, _listed("文本", f.type),
                            f"“{base}编号”所指{what}的名称", "name",
                            show=lambda i, kinds=inner.kinds: names(kinds, i))]
        else:
            kind = "是或否" if isinstance(inner, Bool) else inner.describe()
            cols.append(Column(_header(path, f.help), path, _listed(kind, f.type), f.help))
    return tuple(cols)


def _namer(records: Records) -> Callable[[tuple[str, ...], str], str]:
    """The name a CSV shows beside the id of a record of one of `kinds`, as the pages name it;
    "" for a record that is not public (a finding not yet published)."""
    def name(kinds: tuple[str, ...], record_id: str) -> str:
        if "department" in kinds:
            department = records.departments.get(record_id)
            if department is not None:
                return department.name
        record = records.get(record_id, kinds)
        if record is None:
            return ""
        if record.kind in ("item", "plan"):
            return record.title
        if record.kind == "finding":
            return f"{name(('institution', 'person'), record.target)}" \
                   f"{zh_date(record.inspected.start)}检查结果"
        if record.kind == "list_entry":
            return f"{name(('institution',), record.institution)}列入{LISTS[record.list]}" \
                   f"（{zh_date(record.entered_on)}）"
        if record.kind == "credit_notice":
            return f"{name(('institution',), record.institution)}信用平台公示" \
                   f"（{zh_date(record.published_on)}）"
        return record.name
    return name


def _value(row: dict[str, Any], path: str) -> Any:
    value: Any = row
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _cell(row: dict[str, Any], column: Column) -> str:
    value = _value(row, column.field)
    if value is None:
        return ""
    if column.show is not None:
        value = [column.show(v) or "" for v in value] if isinstance(value, list) \
            else column.show(value) or ""
    if isinstance(value, list):
        return SEPARATOR.join(str(v) for v in value)
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
    only like every other table; `records`: the published records, which name what a row
    refers to."""
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
    names = _namer(records)
    return [Table(name, title, kind, _columns(KINDS_BY_NAME[kind].schema, names),
                  tuple(_strip(v, kind) for v in sorted(views, key=lambda v: v["id"])))
            for name, title, kind, views in spec]


def files(all_tables: list[Table]) -> list[File]:
    out = []
    for table in all_tables:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([c.name for c in table.columns])
        for row in table.rows:
            writer.writerow([_cell(row, c) for c in table.columns])
        out.append(File(urls.data_file(table.name, "csv"),
                        "\ufeff".encode() + buffer.getvalue().encode()))
        out.append(File(urls.data_file(table.name, "json"), (json.dumps(
            list(table.rows), ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()))
    return out
