"""Field types of the record declarations.

A type only describes a value; the reader in `load.py` turns YAML nodes into values by it, and
the documentation and (later) JSON Schemas describe it from the same object.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

ID_PATTERN = r"[0-9A-Za-z][0-9A-Za-z._-]{0,63}"


class FieldType:
    """Base of all field types."""

    def describe(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class Str(FieldType):
    """A single-line string, kept exactly as written (YAML's 1.1 guesses never apply)."""

    pattern: str | None = None
    pattern_help: str = ""
    max_length: int = 200

    def matches(self, value: str) -> bool:
        return self.pattern is None or re.fullmatch(self.pattern, value) is not None

    def describe(self) -> str:
        return f"文本（{self.pattern_help}）" if self.pattern_help else "文本"


@dataclass(frozen=True)
class Text(Str):
    """Free text that may span lines (Markdown where the site shows it)."""

    max_length: int = 20000

    def describe(self) -> str:
        return "多行文本"


@dataclass(frozen=True)
class Int(FieldType):
    minimum: int | None = None
    maximum: int | None = None

    def describe(self) -> str:
        if self.minimum is not None and self.maximum is not None:
            return f"整数 {self.minimum}–{self.maximum}"
        if self.minimum is not None:
            return f"整数 ≥ {self.minimum}"
        return "整数"


@dataclass(frozen=True)
class Bool(FieldType):
    def describe(self) -> str:
        return "true 或 false"


@dataclass(frozen=True)
class Date(FieldType):
    def describe(self) -> str:
        return "日期 YYYY-MM-DD"


@dataclass(frozen=True)
class Enum(FieldType):
    """One of a fixed set of codes; each code has its Chinese label for messages and pages."""

    choices: Mapping[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        return "其一：" + "，".join(f"{k}（{v}）" for k, v in self.choices.items())


@dataclass(frozen=True)
class Ref(FieldType):
    """The id of another record (or of a department of the jurisdiction)."""

    kinds: tuple[str, ...] = ()

    def describe(self) -> str:
        return "编号，指向：" + " 或 ".join(self.kinds)


@dataclass(frozen=True)
class ListOf(FieldType):
    item: FieldType = field(default_factory=Str)
    min_items: int = 0

    def describe(self) -> str:
        return f"列表，每项为{self.item.describe()}"


@dataclass(frozen=True)
class Obj(FieldType):
    fields: tuple["Field", ...] = ()

    def field_named(self, name: str) -> "Field | None":
        return next((f for f in self.fields if f.name == name), None)

    def describe(self) -> str:
        return "对象"


@dataclass(frozen=True)
class Field:
    """One field of a record kind: declared once, used by the loader, the docs and the allowlist."""

    name: str
    type: FieldType
    help: str
    public: bool
    required: bool = False
