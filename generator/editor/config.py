"""Decap CMS's configuration, generated from the kinds' declarations (never written by hand).

Each kind becomes one collection of forms: a folder collection `records/<folder>/` (a singleton
kind, jurisdiction, a file collection), its fields in declaration order (Decap writes a record's
keys in the order its fields are configured), labelled and explained in Chinese from the fields'
help texts, with the declared `required`, a choice list for each Enum (Chinese label, code
saved), a search-as-you-type relation for each reference to one kind, a date picker saving
YYYY-MM-DD for each Date. `ssj check` stays the authority: the forms catch what they can while
staff type, CI checks every change as before.
"""
from __future__ import annotations

import re
from typing import Any

import yaml

from generator.records.kinds import KINDS, KINDS_BY_NAME, Kind
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
    Text,
)

LOCALE = "zh_Hans"  # decap-cms 3.x's name for Simplified Chinese
DATE = {"widget": "datetime", "format": "YYYY-MM-DD", "date_format": "YYYY-MM-DD",
        "time_format": False}
# what a relation shows and searches: a record's name, else its title, else its id
_SHOWN = ("name", "title", "id")
_LABEL_END = re.compile(r"[，：；（(]")


def label_and_hint(field: Field) -> tuple[str, str]:
    """A short label (the help text up to its first clause break) and the whole help as hint."""
    help_text = field.help if field.public or "不公开" in field.help else f"{field.help}（不公开）"
    label = _LABEL_END.split(help_text, 1)[0].strip() or field.name
    return label, help_text if help_text != label else ""


def _shown_field(kind: Kind) -> str:
    return next(name for name in _SHOWN if any(f.name == name for f in kind.fields))


def _kind_title(name: str) -> str:
    return "股室" if name == "department" else KINDS_BY_NAME[name].title


def _relation(kinds: tuple[str, ...]) -> dict[str, Any]:
    if kinds == ("department",):  # the departments listed in jurisdiction.yaml
        return {"widget": "relation", "collection": "jurisdiction", "file": "jurisdiction",
                "value_field": "departments.*.id", "search_fields": ["departments.*.name"],
                "display_fields": ["departments.*.name"]}
    kind = KINDS_BY_NAME[kinds[0]]
    shown = _shown_field(kind)
    return {"widget": "relation", "collection": kind.folder, "value_field": "id",
            "search_fields": list(dict.fromkeys([shown, "id"])),
            "display_fields": [shown] if shown == "id" else [shown, "id"],
            "options_length": 200}


def _widget(ftype: FieldType, optional_parent: str | None) -> dict[str, Any]:
    """The widget options for a value of `ftype` (without label, hint, required);
    `optional_parent` is the label of the optional object it is in, if any."""
    if isinstance(ftype, Obj):
        # an optional object (a withdrawal, the grounds of a targeted inspection) starts folded
        return {"widget": "object", "collapsed": optional_parent is not None,
                "fields": [_field(f, optional_parent) for f in ftype.fields]}
    if isinstance(ftype, ListOf):
        item = ftype.item
        out: dict[str, Any]
        if isinstance(item, Ref) and len(item.kinds) == 1:
            out = {**_relation(item.kinds), "multiple": True}
        elif isinstance(item, Enum):
            out = {**_widget(item, None), "multiple": True}
        elif isinstance(item, Obj):
            # an item exists only once added, so its required fields are required again
            out = {"widget": "list", "collapsed": False,
                   "fields": [_field(f, None) for f in item.fields]}
        else:
            out = {"widget": "list", "field": {"label": "一项", "name": "item",
                                               **_widget(item, None)}}
        if ftype.min_items:
            out["min"] = ftype.min_items
        return out
    if isinstance(ftype, Enum):
        return {"widget": "select",
                "options": [{"label": label, "value": code} for code, label in ftype.choices.items()]}
    if isinstance(ftype, Ref):
        if len(ftype.kinds) == 1:
            return _relation(ftype.kinds)
        # a relation widget searches one collection: a reference to one of several kinds is typed
        return {"widget": "string",
                "pattern": [f"^(?:{ID_PATTERN})$", "编号：" + "、".join(
                    _kind_title(k) for k in ftype.kinds) + "的编号（与其文件名相同）"]}
    if isinstance(ftype, Int):
        out = {"widget": "number", "value_type": "int"}
        if ftype.minimum is not None:
            out["min"] = ftype.minimum
        if ftype.maximum is not None:
            out["max"] = ftype.maximum
        return out
    if isinstance(ftype, Bool):
        return {"widget": "boolean"}
    if isinstance(ftype, Date):
        return dict(DATE)
    assert isinstance(ftype, Str), ftype
    out = {"widget": "text" if isinstance(ftype, Text) else "string"}
    if ftype.pattern:
        out["pattern"] = [f"^(?:{ftype.pattern})$", ftype.pattern_help or "格式不对"]
    return out


def _field(field: Field, optional_parent: str | None = None) -> dict[str, Any]:
    label, hint = label_and_hint(field)
    # Decap checks the fields of an object even when the object is left empty, so inside an
    # optional object (plan.withdrawal, finding.targeted) nothing is required by the form;
    # ssj check still requires them once the object is written
    required = field.required and optional_parent is None
    if isinstance(field.type, Ref) and len(field.type.kinds) > 1:
        hint = f"{hint or label}：填写" + "或".join(_kind_title(k) for k in field.type.kinds) + \
            "的编号（与其文件名相同）"
    if field.required and optional_parent is not None:
        hint = f"{hint or label}（填写“{optional_parent}”时必填）"
    out: dict[str, Any] = {"label": label, "name": field.name}
    if isinstance(field.type, Obj) and not field.required and optional_parent is None:
        optional_parent = label
    out.update(_widget(field.type, optional_parent))
    out["required"] = required
    if hint:
        out["hint"] = hint
    if field.default is not None:
        out["default"] = field.default
    return out


def collection(kind: Kind, records_root: str = "records") -> dict[str, Any]:
    """One kind's collection: its forms and where its files live."""
    fields = [_field(f) for f in kind.fields]
    if kind.singleton:
        return {"name": kind.folder, "label": kind.title, "description": kind.help,
                "editor": {"preview": False}, "delete": False,
                "files": [{"name": kind.folder, "label": kind.title,
                           "file": f"{records_root}/{kind.folder}.yaml", "fields": fields}]}
    shown = _shown_field(kind)
    return {
        "name": kind.folder,
        "label": kind.title,
        "label_singular": kind.title,
        "description": kind.help,
        "folder": f"{records_root}/{kind.folder}",
        "extension": "yaml",
        "format": "yaml",
        "create": True,
        # published records are changed by an amendment, never removed (ssj check --base)
        "delete": False,
        "identifier_field": shown,
        # the file is named by its id, exactly as typed
        "slug": "{{fields.id}}",
        "summary": "{{fields.id}}" if shown == "id" else f"{{{{fields.{shown}}}}}（{{{{fields.id}}}}）",
        "sortable_fields": list(dict.fromkeys(["id", shown])),
        "editor": {"preview": False},
        "fields": fields,
    }


def decap_config(backend: dict[str, Any], records_root: str = "records") -> dict[str, Any]:
    """The whole configuration for `backend` (Decap's `backend:` mapping), records under
    `records_root` (relative to the repository's root)."""
    return {
        "backend": backend,
        # saving makes a branch (on a forge, a pull request) that CI checks; nothing reaches the
        # main branch without review
        "publish_mode": "editorial_workflow",
        "locale": LOCALE,
        # required by Decap; the records hold no uploads (no field is an image or a file)
        "media_folder": "editor/uploads",
        "show_preview_links": False,
        "collections": [collection(kind, records_root) for kind in KINDS],
    }


HEADER = "# 由 ssj 根据记录类型的声明生成（generator/editor/config.py），不要手改\n"


def config_yaml(config: dict[str, Any], header: str = HEADER) -> str:
    """The configuration as Decap's config.yml (deterministic: keys in the order built)."""
    return header + yaml.safe_dump(config, allow_unicode=True, sort_keys=False, width=100)
