"""`ssj new`: a valid, commented record with a fresh id, written into the right folder.

Values come from `--set field=value` (dotted paths for nested fields, commas for lists) or,
in a terminal, from prompts; the text is checked by the loader before anything is written.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from generator.records.kinds import KINDS_BY_NAME, NEW_KINDS, Kind, walk_fields
from generator.records.load import parse_record
from generator.records.model import Records
from generator.records.types import ID_PATTERN, Date, Enum, Field, FieldType, Int, ListOf, Obj

# kinds whose id is a registration number the user gives (统一社会信用代码, 执业证号, 执法证号)
ID_FROM = {"institution": "uscc", "person": "licence_number", "inspector": "certificate.number"}


class ScaffoldError(ValueError):
    pass


@dataclass(frozen=True)
class Leaf:
    path: str
    field: Field


def _item_object(ftype: FieldType) -> Obj | None:
    """The object a field holds, directly or as the items of a list (given as one item)."""
    if isinstance(ftype, ListOf):
        ftype = ftype.item
    return ftype if isinstance(ftype, Obj) else None


def _leaves(obj: Obj, prefix: str = "") -> list[Leaf]:
    """Required fields to ask for: nested objects opened, a required list of objects asked for
    as its first item (`basis.law`), the status history left to its default."""
    out = []
    for f in obj.fields:
        if not f.required or f.name in ("id", "status_history"):
            continue
        inner = _item_object(f.type)
        if inner is not None:
            out += _leaves(inner, f"{prefix}{f.name}.")
        else:
            out.append(Leaf(prefix + f.name, f))
    return out


def settable_paths(obj: Obj, prefix: str = "") -> set[str]:
    """Every path `--set` accepts."""
    out = set()
    for f in obj.fields:
        inner = _item_object(f.type)
        if inner is not None:
            out |= settable_paths(inner, f"{prefix}{f.name}.")
        else:
            out.add(prefix + f.name)
    return out


def fresh_id(records: Records, kind: Kind, values: dict[str, str], today: dt.date) -> str:
    """The next free id in the kind's naming pattern (or the registration number given)."""
    if kind.name in ID_FROM:
        given = values.get(ID_FROM[kind.name])
        if not given:
            raise ScaffoldError(f"{kind.title}的编号取自 {ID_FROM[kind.name]}：请用 --set 给出")
        return given
    stem = {"plan": f"{values.get('year', today.year)}",
            "finding": values.get("plan") or f"{today.year}-targeted",
            "item": values.get("sector", "item"),
            "list_entry": f"{values.get('list', 'list')}-{today.year}",
            "credit_notice": f"cn-{today.year}",
            "amendment": f"{values.get('record', 'record')}-a",
            "irregularity": (f"{values['plan']}-irregularity" if values.get("plan")
                             else f"irregularity-{today.year}")}[kind.name]
    taken = {r.id for r in records.all(kind.name)} | set(records.broken_ids)
    n = 1
    while f"{stem}-{n:02d}" in taken:
        n += 1
    return f"{stem}-{n:02d}"


_PLAIN = {Int: r"-?[0-9]{1,18}", Date: r"[0-9]{4}-[0-9]{2}-[0-9]{2}", Enum: r"[a-z][a-z-]*"}


def _scalar(ftype: FieldType, text: str) -> str:
    """A value as YAML text: numbers, dates and codes bare once they are exactly that (the
    strict loader reads them only so), everything else a double-quoted string with every
    quote, backslash, newline and control escaped, so no value can add a line or a key."""
    pattern = _PLAIN.get(type(ftype))
    if pattern is not None and re.fullmatch(pattern, text):
        return text
    if isinstance(ftype, (Int, Date)):
        raise ScaffoldError(f"{text!r} 不是{ftype.describe()}")
    return json.dumps(text, ensure_ascii=False)


def _value(ftype: FieldType, text: str) -> str:
    if isinstance(ftype, ListOf):
        items = [t.strip() for t in text.split(",") if t.strip()]
        return "[" + ", ".join(_scalar(ftype.item, t) for t in items) + "]"
    return _scalar(ftype, text)


def render(kind: Kind, record_id: str, values: dict[str, str], today: dt.date) -> str:
    """The record as commented YAML: given values set, optional fields shown commented out."""
    lines = [f"# {kind.title}（{kind.name}）：{kind.help}", "# 由 ssj new 生成；字段说明见 records/README.md",
             f"id: {json.dumps(record_id, ensure_ascii=False)}"]

    def emit(obj: Obj, prefix: str, indent: str) -> None:
        for f in obj.fields:
            path = prefix + f.name
            if f.name == "id" and not prefix:
                continue
            note = f"  # {f.help}{'' if f.public or '不公开' in f.help else '（不公开）'}"
            given = any(k.startswith(path + ".") for k in values)
            if f.name == "status_history":
                status = next(iter(f.type.item.fields[1].type.choices))
                lines.extend([f"{indent}{f.name}:{note}",
                              f"{indent}  - since: {values.get('since', today.isoformat())}",
                              f"{indent}    status: {status}"])
            elif isinstance(f.type, Obj) and (f.required or given):
                lines.append(f"{indent}{f.name}:{note}")
                emit(f.type, path + ".", indent + "  ")
            elif isinstance(f.type, ListOf) and isinstance(f.type.item, Obj) and given:
                # one item, written as a block: "- " opens it, later fields line up under it
                lines.append(f"{indent}{f.name}:{note}")
                start = len(lines)
                emit(f.type.item, path + ".", indent + "    ")
                item = [line for line in lines[start:] if not line.lstrip().startswith("#")]
                del lines[start:]
                lines.extend(f"{indent}  - {line.lstrip()}" if n == 0 else line
                             for n, line in enumerate(item))
            elif path in values:
                try:
                    value = _value(f.type, values[path])
                except ScaffoldError as e:
                    raise ScaffoldError(f"字段 {path}：{e}") from None
                lines.append(f"{indent}{f.name}: {value}{note}")
            elif not isinstance(f.type, Obj):
                lines.append(f"{indent}# {f.name}:{note}")

    emit(kind.schema, "", "")
    return "\n".join(lines) + "\n"


def scaffold(records: Records, root: Path, kind_name: str, values: dict[str, str],
             ask: Callable[[str, str], str] | None, today: dt.date) -> tuple[Path, str]:
    """The path and text of a new record; raises ScaffoldError with what is missing or wrong."""
    kind = KINDS_BY_NAME[NEW_KINDS[kind_name]]
    values = dict(values)
    unknown = sorted(set(values) - settable_paths(kind.schema) - {"since"})
    if unknown:
        raise ScaffoldError(f"{kind.title}没有字段 {'、'.join(unknown)}")
    leaves = _leaves(kind.schema)
    if kind.name == "finding" and "plan" not in values:
        # not a random inspection: then it is a targeted one, which states its ground
        ground = next(f for p, f in walk_fields(kind.schema) if p == "targeted.ground")
        leaves.insert(0, Leaf("targeted.ground", ground))
    if kind.name == "irregularity":
        # every notice is about a plan, but a misdated commit's, which names the commit; the
        # kind decides which, so it is asked first
        kind_leaf = next(x for x in leaves if x.path == "kind")
        if "kind" not in values and ask is not None:
            values["kind"] = ask(f"kind（{kind_leaf.field.help}；{kind_leaf.field.type.describe()}）",
                                 "")
        about = "commit" if values.get("kind") == "misdated-commit" else "plan"
        if about not in values:
            field = next(f for p, f in walk_fields(kind.schema) if p == about)
            leaves.insert(leaves.index(kind_leaf) + 1, Leaf(about, field))
    if kind.name in ID_FROM and all(x.path != ID_FROM[kind.name] for x in leaves):
        field = next(f for p, f in walk_fields(kind.schema) if p == ID_FROM[kind.name])
        leaves.insert(0, Leaf(ID_FROM[kind.name], field))
    for leaf in leaves:
        if leaf.path in values:
            continue
        if ask is None:
            missing = [x.path for x in leaves if x.path not in values]
            alternative = "；随机抽查则给出 plan" if "targeted.ground" in missing else ""
            raise ScaffoldError("缺少必填字段：" + "、".join(missing) + alternative
                                + "（用 --set 字段=值 给出）")
        hint = leaf.field.type.describe()
        values[leaf.path] = ask(f"{leaf.path}（{leaf.field.help}；{hint}）",
                                today.isoformat() if isinstance(leaf.field.type, Date) else "")
    record_id = fresh_id(records, kind, values, today)
    if not re.fullmatch(ID_PATTERN, record_id):
        # the id names the file: a quote, a slash or ".." would write outside records/
        raise ScaffoldError(f"编号 {record_id!r} 无效：只能含字母、数字、点、横线、下划线，最长 64 位，"
                            "且以字母或数字开头")
    text = render(kind, record_id, values, today)
    path = root / f"{kind.folder}/{record_id}.yaml"
    record, _, problems = parse_record(text.encode(), path.as_posix(), kind)
    if record is None:
        first = problems[0]
        raise ScaffoldError(f"第 {first.line} 行：{first.message}")
    return path, text
