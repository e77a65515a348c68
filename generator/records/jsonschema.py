"""JSON Schemas for editors, generated from the kind declarations (the loader's own source).

The YAML language server (VS Code's YAML extension and others) reads them to offer completion,
hover help and red squiggles while staff type. The loader stays the authority: the schemas
are a little stricter in places an editor cannot know (ids must be quoted to be strings).
"""
from __future__ import annotations

import json
from typing import Any

from generator.records.kinds import KINDS, Kind
from generator.records.types import (
    ID_PATTERN,
    Bool,
    Date,
    Enum,
    Field,
    FieldType,
    Int,
    ListOf,
    Obj,
    Ref,
    Str,
)

DRAFT = "http://json-schema.org/draft-07/schema#"


def _type_schema(ftype: FieldType) -> dict[str, Any]:
    if isinstance(ftype, Obj):
        return {"type": "object", "additionalProperties": False,
                "properties": {f.name: _field_schema(f) for f in ftype.fields},
                "required": [f.name for f in ftype.fields if f.required]}
    if isinstance(ftype, ListOf):
        out: dict[str, Any] = {"type": "array", "items": _type_schema(ftype.item)}
        if ftype.min_items:
            out["minItems"] = ftype.min_items
        return out
    if isinstance(ftype, Enum):
        return {"type": "string", "enum": list(ftype.choices),
                "markdownEnumDescriptions": list(ftype.choices.values())}
    if isinstance(ftype, Ref):
        return {"type": "string", "pattern": f"^{ID_PATTERN}$"}
    if isinstance(ftype, Int):
        out = {"type": "integer"}
        if ftype.minimum is not None:
            out["minimum"] = ftype.minimum
        if ftype.maximum is not None:
            out["maximum"] = ftype.maximum
        return out
    if isinstance(ftype, Bool):
        return {"type": "boolean"}
    if isinstance(ftype, Date):
        return {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "format": "date"}
    assert isinstance(ftype, Str)
    out = {"type": "string", "minLength": 1, "maxLength": ftype.max_length}
    if ftype.pattern:
        out["pattern"] = f"^(?:{ftype.pattern})$"
    return out


def _field_schema(field: Field) -> dict[str, Any]:
    schema = _type_schema(field.type)
    private = "" if field.public else "（不公开）"
    schema["description"] = f"{field.help}{private}：{field.type.describe()}"
    return schema


def kind_schema(kind: Kind) -> dict[str, Any]:
    schema = _type_schema(kind.schema)
    return {"$schema": DRAFT, "$id": f"https://ssj.invalid/schemas/{kind.name}.schema.json",
            "title": f"{kind.title}（{kind.name}）", "description": kind.help, **schema}


def schema_files() -> dict[str, bytes]:
    """File name -> JSON text, one per kind."""
    return {f"{kind.name}.schema.json": (json.dumps(kind_schema(kind), ensure_ascii=False,
                                                    indent=2) + "\n").encode()
            for kind in KINDS}


def editor_globs() -> dict[str, str]:
    """Schema file -> the records it applies to (for .vscode/settings.json)."""
    return {f"records/.schemas/{k.name}.schema.json":
            f"records/{k.folder}.yaml" if k.singleton else f"records/{k.folder}/*.yaml"
            for k in KINDS}
