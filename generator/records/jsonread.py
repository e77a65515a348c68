"""Strict JSON reading for the files the draw tool writes into records/draws/.

Duplicate keys, floats, NaN/Infinity, invalid UTF-8, oversized or too deeply nested files, and
strings holding a character no record may hold (types.forbidden_character) are refused with their
line, as YAML records are: a hand-edited draw file must fail loudly, never be repaired.
"""
from __future__ import annotations

import json
from typing import Any

from generator.records.types import Forbidden, forbidden_character
from generator.records.yamlread import MAX_BYTES, YamlProblem

MAX_JSON_BYTES = 64 * MAX_BYTES  # a frozen pool of a large county is bigger than a record


class _Refused(ValueError):
    def __init__(self, message: str, *tokens: str) -> None:
        super().__init__(message)
        self.tokens = tokens


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refused(f"重复的键 {key}", json.dumps(key, ensure_ascii=False))
        out[key] = value
    return out


def _no_float(text: str) -> Any:
    raise _Refused(f"不允许小数 {text}（整数以外的数字不能进入抽取数据）", text)


def _no_constant(text: str) -> Any:
    raise _Refused(f"不允许 {text}", text)


def _first_forbidden(value: Any) -> tuple[str, Forbidden] | None:
    """The first key or string, in document order, holding a forbidden character. A stack, not
    recursion: the parser accepts nesting deeper than a recursive walk could follow."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, child in reversed(item.items()):
                stack += [child, key]
        elif isinstance(item, list):
            stack += reversed(item)
        elif isinstance(item, str) and (forbidden := forbidden_character(item)) is not None:
            return item, forbidden
    return None


def read_json(data: bytes) -> Any:
    """Parse strict JSON; raises YamlProblem (file-level problem with line) on any defect."""
    if len(data) > MAX_JSON_BYTES:
        raise YamlProblem(1, "load.too-large", f"文件过大（{len(data)} 字节）")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise YamlProblem(data.count(b"\n", 0, e.start) + 1, "load.encoding",
                          "不是有效的 UTF-8 编码") from None
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_float=_no_float,
                           parse_constant=_no_constant)
        found = _first_forbidden(value)
        if found is not None:
            string, forbidden = found
            # as the file holds it: the character itself, or the \u escape json.dumps writes
            raise _Refused(forbidden.message, json.dumps(string, ensure_ascii=False),
                           json.dumps(string))
        return value
    except json.JSONDecodeError as e:
        raise YamlProblem(e.lineno, "load.json", f"JSON 语法错误：{e.msg}") from None
    except RecursionError:
        raise YamlProblem(1, "load.too-deep", "嵌套过深") from None
    except _Refused as e:
        # the hooks do not know the position: the last occurrence of a token is the culprit
        # for a duplicate key, and a good pointer for the others
        at = max(text.rfind(token) for token in e.tokens)
        raise YamlProblem(text.count("\n", 0, max(at, 0)) + 1, "load.json", str(e)) from None
