"""Canonical JSON as ssj-draw/1 defines it: sorted keys, no whitespace, UTF-8, strict values."""
from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

MAX_SAFE = 2**53
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class CanonError(ValueError):
    """A value that canonical JSON does not allow; the message names where it is."""


def check_canonical(value: Any, where: str = "$") -> None:
    """Raise CanonError unless `value` is made only of what canon() allows."""
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int):
        if abs(value) >= MAX_SAFE:
            raise CanonError(f"{where}: 整数超出 ±2^53")
    elif isinstance(value, str):
        if _CONTROL.search(value):
            raise CanonError(f"{where}: 字符串含有控制字符")
        if not unicodedata.is_normalized("NFC", value):
            raise CanonError(f"{where}: 字符串未经 Unicode NFC 规范化")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            check_canonical(item, f"{where}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not key.isascii():
                raise CanonError(f"{where}: 对象的键须为 ASCII 字符串")
            check_canonical(item, f"{where}.{key}")
    else:
        raise CanonError(f"{where}: 不允许的值类型 {type(value).__name__}（如浮点数）")


def canon(value: Any) -> bytes:
    """The canonical bytes of `value`; raises CanonError for anything the spec forbids."""
    check_canonical(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
